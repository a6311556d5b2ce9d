from __future__ import annotations

import zipfile

import pytest

from assistant.core.errors import InputError
from assistant.ingest.readers import Skipped, decode_bytes, discover, guess_title, read_all, read_document

from .hostile import tiny_pdf

TEXT = "第一条 为规范公文处理工作，制定本办法。\n第二条 本办法自发布之日起施行。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_encodings_are_detected(encoding):
    assert decode_bytes(TEXT.encode(encoding)) == TEXT


def test_gb18030_only_characters():
    text = "𠀀字与㐀字都是扩展区汉字，政务文件偶尔会用到。"
    assert decode_bytes(text.encode("gb18030")) == text


def test_binary_file_is_skipped(tmp_path):
    (tmp_path / "a.txt").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "b.txt").write_text(TEXT, "utf-8")
    items = list(read_all([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]))
    assert isinstance(items[0], Skipped) and "binary" in items[0].reason
    assert items[1].text == TEXT


def test_empty_and_damaged_files_are_skipped_with_reasons(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n", "utf-8")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    items = list(read_all([str(tmp_path / n) for n in ("empty.txt", "broken.docx", "broken.pdf")]))
    assert all(isinstance(i, Skipped) for i in items)
    assert "no text" in items[0].reason
    assert "damaged" in items[1].reason


def test_discover_walks_folders_and_lists_unsupported(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("# 标题\n正文", "utf-8")
    (tmp_path / "b.txt").write_text("正文", "utf-8")
    (tmp_path / "c.xls").write_bytes(b"x")
    (tmp_path / "~$lock.docx").write_bytes(b"x")
    found, skipped = discover([str(tmp_path)])
    assert [p.split("/")[-1] for p in found] == ["b.txt", "a.md"]
    assert [s.source.split("/")[-1] for s in skipped] == ["c.xls"]
    with pytest.raises(InputError):
        discover([str(tmp_path / "missing")])


def test_html_drops_scripts_and_keeps_headings(tmp_path):
    f = tmp_path / "p.html"
    f.write_text("<html><head><title>办法</title><script>alert(1)</script></head>"
                 "<body><h2>第一章 总则</h2><p>第一条 内容。</p></body></html>", "utf-8")
    doc = read_document(str(f))
    assert doc.title == "办法"
    assert "alert" not in doc.text
    assert "## 第一章 总则" in doc.text


def test_docx_paragraphs_headings_and_tables(tmp_path):
    import docx

    d = docx.Document()
    d.add_heading("一、总体要求", level=1)
    d.add_paragraph("全年完成项目300个。")
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "指标"
    t.cell(0, 1).text = "5.5%"
    path = tmp_path / "a.docx"
    d.save(path)
    doc = read_document(str(path))
    assert "# 一、总体要求" in doc.text
    assert "全年完成项目300个。" in doc.text
    assert "指标\t5.5%" in doc.text


def test_pdf_text_layer_and_page_offsets(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(tiny_pdf(["First page text.", "Second page text."]))
    doc = read_document(str(path))
    assert "First page" in doc.text and "Second page" in doc.text
    assert len(doc.pages) == 2
    assert doc.text[doc.pages[1]:].startswith("Second")


def test_pdf_without_text_layer_is_skipped(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(tiny_pdf([""]))
    (item,) = read_all([str(path)])
    assert isinstance(item, Skipped) and "text layer" in item.reason


def test_document_identity(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("同志们：\n今天召开全市工作会议。", "utf-8")
    doc = read_document(str(f))
    assert doc.source == str(f)
    assert doc.title == "今天召开全市工作会议。"
    assert len(doc.sha256) == 64


def test_guess_title_falls_back_to_file_name():
    assert guess_title("", "文件名") == "文件名"
    assert guess_title("# 关于印发办法的通知\n正文", "x") == "关于印发办法的通知"


def test_docx_is_zip_with_no_document_skipped(tmp_path):
    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    (item,) = read_all([str(path)])
    assert isinstance(item, Skipped)


def test_a_new_file_type_is_one_registered_reader(tmp_path):
    from assistant.ingest import formats

    @formats.register(".note")
    def read_note(data: bytes):
        return data.decode("utf-8").upper(), "便笺", ()

    try:
        f = tmp_path / "a.note"
        f.write_text("meeting at nine", "utf-8")
        assert discover([str(tmp_path)])[0] == [str(f)]
        doc = read_document(str(f))
        assert doc.text == "MEETING AT NINE" and doc.title == "便笺"
    finally:
        formats.READERS.pop(".note")
