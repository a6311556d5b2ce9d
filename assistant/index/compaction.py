"""When to merge segments: a tiered policy, as Lucene's merge policy and Milvus's compaction do.

Segments are grouped by size tier (powers of FACTOR live chunks); a tier that reaches FACTOR segments is
merged into one, so an update costs its own documents plus, now and then, a merge of segments of about
its size, and the number of segments grows with the logarithm of the index. A segment with more than
MAX_DEAD of its rows deleted is rewritten without them; one with nothing live is dropped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

FACTOR = 6
MAX_DEAD = 0.3


def tier(live: int) -> int:
    return int(math.log(max(live, 1), FACTOR))


def plan(sizes: Sequence[tuple[int, int, int, bool]]) -> tuple[list[list[int]], list[int]]:
    """Which segments to merge, and which to drop.

    `sizes` holds (rows, live rows, live documents, written) per segment, in order. Returns groups of
    indices to merge into one segment each (a group of one is a rewrite) and indices to drop.
    plan([(100, 100, 5, True)] + [(3, 3, 1, True)] * 6) -> ([[1, 2, 3, 4, 5, 6]], [])
    """
    drop = [i for i, (_rows, live, docs, _w) in enumerate(sizes) if live == 0 and docs == 0]
    groups: list[list[int]] = []
    by_tier: dict[int, list[int]] = {}
    for i, (rows, live, _docs, written) in enumerate(sizes):
        if i in drop:
            continue
        if not written or rows and (rows - live) / rows > MAX_DEAD:
            groups.append([i])
        else:
            by_tier.setdefault(tier(live), []).append(i)
    for members in by_tier.values():
        if len(members) >= FACTOR:
            groups.append(members)
    return sorted(groups), drop
