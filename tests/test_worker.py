"""Files read in a worker process: a file that needs too much memory or time costs one skip, and the next
file is read by a fresh worker."""

from __future__ import annotations

import pytest

from assistant.core.records import Document
from assistant.ingest.skips import Skipped
from assistant.ingest.worker import IsolatedReader


def test_a_file_that_needs_too_much_memory_is_one_skip(tmp_path):
    big = tmp_path / "巨大.txt"
    big.write_bytes(("汛前要检查水库。" * 9_000_000).encode("utf-8"))  # ~200 MB of text in memory, several times over
    small = tmp_path / "通知.txt"
    small.write_text("汛前要对全市126座水库开展全面检查。", "utf-8")
    out = list(IsolatedReader(time_limit=120, memory_mb=400).read_all([str(big), str(small)]))
    assert isinstance(out[0], Skipped) and out[0].code in ("too_large", "reader_crashed"), out[0]
    assert isinstance(out[1], Document) and "126座水库" in out[1].text


def test_a_reader_error_inside_the_worker_is_a_skip_with_its_code(tmp_path):
    (tmp_path / "坏.docx").write_bytes(b"PK\x03\x04 not really")
    out = list(IsolatedReader().read_all([str(tmp_path / "坏.docx")]))
    assert isinstance(out[0], Skipped) and out[0].code == "damaged"


@pytest.mark.real
def test_a_file_that_takes_too_long_is_one_skip_and_the_next_is_read(tmp_path):
    pytest.importorskip("rapidocr")
    from .test_ocr import NOTICE, _need_ocr, scan

    _need_ocr()
    long_scan = tmp_path / "长扫描件.tif"
    # twenty different pages, each read by OCR: identical ones would come from the OCR cache, and lines
    # repeated on every page are dropped as running headers
    frames = [scan(NOTICE[i % 5:] + NOTICE[:i % 5], width=1240 + 16 * i) for i in range(20)]  # ~14 s of OCR here
    frames[0].save(long_scan, save_all=True, append_images=frames[1:])
    text = tmp_path / "通知.txt"
    text.write_text("汛前要对全市126座水库开展全面检查。", "utf-8")
    out = list(IsolatedReader(time_limit=2).read_all([str(long_scan), str(text)]))
    assert isinstance(out[0], Skipped) and out[0].code == "timeout" and "file_time_limit" in out[0].reason, out[0]
    assert isinstance(out[1], Document)  # a fresh worker read the next file
    short = tmp_path / "短.png"
    scan(NOTICE[:1]).save(short)
    page = IsolatedReader(time_limit=300, memory_mb=4096).read(str(short))
    assert isinstance(page, Document) and page.ocr_pages  # OCR works inside the default memory limit
