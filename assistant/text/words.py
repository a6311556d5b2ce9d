"""Chinese words: jieba, loaded once and quietly, for every layer that cuts text into words."""

from __future__ import annotations

import logging
from functools import lru_cache


@lru_cache(maxsize=1)
def jieba():
    """The jieba module with its dictionary loaded (~1 s, once)."""
    import jieba as segmenter  # Chinese word segmentation

    segmenter.setLogLevel(logging.WARNING)
    segmenter.initialize()
    return segmenter
