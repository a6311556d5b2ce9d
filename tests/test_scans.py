"""A scanned page cited on the chat page: its image kept in the index, the cited lines boxed on it.

Real OCR on a scan made here; the embedder and the model are the fast fakes (the browser test shows the
same on the real page with the real models)."""

from __future__ import annotations

import re

import pytest

from assistant.answer.pipeline import Assistant
from assistant.core.records import ScanPage
from assistant.index.scans import image_path
from assistant.index.store import Index
from assistant.web.app import ChatApp
from assistant.web.render import scan_html

from .fakes import ScriptedGenerator, cite
from .test_ocr import NOTICE, _need_ocr, scan


def test_scan_html_boxes_the_cited_lines_in_page_percentages():
    page = ScanPage(2, 0.97, "d" * 64, 1000, 2000, ((0, 10, 100, 200, 900, 260), (11, 20, 100, 300, 500, 360)))
    html = scan_html("/gradio_api/file=/x/d.jpg", page, [(12, 15)])
    assert html.count('class="box"') == 1 and "left:10.00%;top:15.00%;width:40.00%;height:3.00%" in html
    assert "第2页" in html and "97%" in html
    assert scan_html("/u", page, [(30, 40)]).count('class="box"') == 0  # a span on no line: the image, unboxed
    assert "&lt;" in scan_html('/u"<x>', page, [])  # the URL is escaped like everything else


@pytest.mark.real
def test_a_cited_scanned_page_shows_its_image_with_the_cited_line_boxed(settings, embedder, tmp_path, monkeypatch):
    _need_ocr()
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    docs = tmp_path / "docs"
    docs.mkdir()
    scan(NOTICE).save(docs / "防汛通知扫描件.png")
    index = Index(settings.index_dir)
    index.update([str(docs)], embedder, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
    state = index.load()
    entry = next(iter(state.docs.values()))
    digest = entry.scans[0]["image"]
    assert image_path(settings.index_dir, digest) is not None  # the page image lives in the index

    app = ChatApp(settings, Assistant(settings, embedder=embedder, generator=ScriptedGenerator(cite("126座水库"))))
    turns, flags = [], {}
    app.send("汛前要检查多少座水库？", turns, flags)
    *_, (html, turns) = app.ask(turns, flags, 5)
    assert turns[0].answer.citations, html
    url, page = turns[0].scans[1]
    assert url == f"/gradio_api/file={settings.index_dir.resolve() / 'scans' / (digest + '.jpg')}"
    c = turns[0].answer.citations[0]
    tops = [float(t) for t in re.findall(r'class="box" style="left:[\d.]+%;top:([\d.]+)%', html)]
    cited = [b for s, e, *b in page.lines if s < c.end and e > c.start]  # the lines the quoted sentence is on
    assert 1 <= len(tops) == len(cited) < len(page.lines), (c.quote, tops)
    assert any("126座" in state.doc_text(entry.source)[s:e] for s, e, *_ in page.lines if s < c.end and e > c.start)
    assert tops == pytest.approx([round(b[1] / page.height * 100, 2) for b in cited], abs=0.01)

    index.remove([entry.source])
    assert image_path(settings.index_dir, digest) is None  # gone with its document


@pytest.mark.real
def test_a_scans_pages_are_counted_as_they_are_read(tmp_path, monkeypatch):
    """In the worker with its limits (the default) and in this process alike, for the progress bar."""
    _need_ocr()
    from assistant.ingest.worker import IsolatedReader, read_here

    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    frames = [scan(NOTICE[:2]), scan(NOTICE[2:4]), scan(NOTICE[4:])]
    tif = tmp_path / "三页.tif"
    frames[0].save(tif, save_all=True, append_images=frames[1:])
    seen = []
    doc = IsolatedReader(300, 4096, lambda *a: seen.append(a)).read(str(tif))
    assert len(doc.scans) == 3 and seen == [(str(tif), 1, 3), (str(tif), 2, 3), (str(tif), 3, 3)]
    seen.clear()
    assert [type(d).__name__ for d in read_here([str(tif)], on_page=lambda *a: seen.append(a))] == ["Document"]
    assert seen == [(str(tif), 1, 3), (str(tif), 2, 3), (str(tif), 3, 3)]


def test_the_documents_list_says_which_pages_were_read_by_ocr_and_which_to_check():
    from assistant.index.documents import DocumentInfo
    from assistant.web.app import _notes

    d = DocumentInfo("a.pdf", "a.pdf", 1, 3, "2026-12-01", False, ocr_pages=((1, 0.98), (2, 0.62), (3, 0.96)))
    assert _notes(d) == "扫描件，3 页经文字识别，平均可信度 85%；第 2 页识别可信度低，请对照原件核对"
    assert _notes(DocumentInfo("b.txt", "b.txt", 1, 1, "2026-12-01", False)) == ""
