from __future__ import annotations

import hashlib

import pytest

from assistant.core.records import Document
from assistant.ingest.chunking import chunk_document, heading_of
from assistant.text.sentences import Span, paragraphs, sentences


def doc(text: str, pages: tuple[int, ...] = ()) -> Document:
    return Document("x.txt", "标题", text, hashlib.sha256(text.encode()).hexdigest(), pages)


@pytest.mark.parametrize("text", [
    "",
    "字",
    "　",
    "全角　　空格分段。第二段内容。",
    "一、总体要求\n（一）基本原则。坚持稳中求进。\n1. 第一项\n2. 第二项",
    "他说：“今年目标是增长5%。”大家表示赞同！真的吗？是的……好；结束",
    "没有标点的很长一段文字" * 80,
    "# 标题\n\n## 小节\n\n正文。" * 30,
])
def test_chunks_are_spans_of_the_original_text(text):
    d = doc(text)
    chunks = chunk_document(d, size=60, overlap=15)
    for c in chunks:
        assert c.text == text[c.start:c.end]
        assert 0 < len(c.text) <= 60 + 60  # one overlong unit is cut, so a chunk stays near size
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_paragraphs_split_on_newlines_and_ideographic_space_runs():
    text = "甲段。\n\n乙段。　　丙段。"
    assert [text[s.start:s.end] for s in paragraphs(text)] == ["甲段。", "乙段。", "丙段。"]


def test_sentences_keep_closing_quotes():
    text = "他说：“好。”然后走了！还有吗？"
    spans = sentences(text, Span(0, len(text)), 100)
    assert [text[s.start:s.end] for s in spans] == ["他说：“好。”", "然后走了！", "还有吗？"]


@pytest.mark.parametrize("para,expected", [
    ("一、总体要求", (12, "一、总体要求", True)),
    ("（二）强化创新。要加快建设。", (13, "（二）强化创新", False)),
    ("第三条 本办法自发布之日起施行。", (14, "第三条 本办法自发布之日起施行", True)),
    ("## 小节", (2, "小节", True)),
    ("1. 第一项", (15, "1. 第一项", True)),
    ("1.8万平方米的中心", None),
    ("2023年全市", None),
])
def test_heading_detection(para, expected):
    assert heading_of(para) == expected


def test_heading_paths_nest_and_reset():
    text = ("一、总体要求\n总体要求正文。\n（一）基本原则\n原则正文。\n（二）主要目标\n目标正文。\n"
            "二、重点任务\n任务正文。")
    chunks = chunk_document(doc(text), size=20, overlap=0)
    by_text = {c.text.split("\n")[-1]: c.headings for c in chunks}
    assert by_text["原则正文。"] == ("一、总体要求", "（一）基本原则")
    assert by_text["目标正文。"] == ("一、总体要求", "（二）主要目标")
    assert by_text["任务正文。"] == ("二、重点任务",)


def test_heading_starts_its_chunk_and_paragraph_numbers():
    text = "序言一句。\n一、第一部分\n第一部分正文。"
    chunks = chunk_document(doc(text), size=100, overlap=0)
    assert chunks[0].text == "序言一句。"
    assert chunks[1].text.startswith("一、第一部分")
    assert chunks[1].paragraph == 2


def test_overlap_repeats_trailing_sentences():
    text = "".join(f"第{i}句话内容。" for i in range(1, 20))
    chunks = chunk_document(doc(text), size=40, overlap=12)
    assert len(chunks) > 2
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.start < a.end  # sentence-aligned overlap


def test_pdf_pages_are_recorded():
    text = "第一页内容。\n第二页内容。"
    chunks = chunk_document(doc(text, pages=(0, 7)), size=6, overlap=0)
    assert [c.page for c in chunks] == [1, 2]


def test_chunk_ids_are_stable_and_unique():
    d = doc("甲。乙。丙。" * 40)
    a = chunk_document(d, size=30, overlap=5)
    b = chunk_document(d, size=30, overlap=5)
    assert [c.chunk_id for c in a] == [c.chunk_id for c in b]
    assert len({c.chunk_id for c in a}) == len(a)
