"""The documents an office has besides .docx and .pdf: OFD, spreadsheets, slide decks; each file built here."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from assistant.ingest.chunking import chunk_document
from assistant.ingest.readers import Skipped, discover, read_all, read_document

NS = "http://www.ofdspec.org/2016"


def _text_objects(lines: list[tuple[float, float, str]]) -> str:
    """TextObjects at (x, y) in millimetres, each one line of characters."""
    objs = []
    for i, (x, y, text) in enumerate(lines):
        objs.append(f'<ofd:TextObject ID="{i + 10}" Boundary="{x} {y} 100 6" Font="1" Size="4">'
                    f'<ofd:TextCode X="0" Y="4">{text}</ofd:TextCode></ofd:TextObject>')
    return "".join(objs)


def ofd_bytes(pages: list[list[tuple[float, float, str]]], *, title: str = "", encrypted: bool = False,
              drop_page: bool = False) -> bytes:
    """A minimal GB/T 33190 package: OFD.xml -> Doc_0/Document.xml -> Pages/Page_N/Content.xml."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        enc = '<ofd:Encryptions>Encs.xml</ofd:Encryptions>' if encrypted else ""
        z.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.0">'
                              f'<ofd:DocBody><ofd:DocInfo><ofd:Title>{title}</ofd:Title></ofd:DocInfo>'
                              f'<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>{enc}</ofd:DocBody></ofd:OFD>')
        refs = "".join(f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
        z.writestr("Doc_0/Document.xml", f'<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:PageArea>'
                                         f'<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
                                         f'</ofd:CommonData><ofd:Pages>{refs}</ofd:Pages></ofd:Document>')
        for i, lines in enumerate(pages):
            if drop_page and i == len(pages) - 1:
                continue
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml",
                       f'<ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer ID="1">{_text_objects(lines)}'
                       f'</ofd:Layer></ofd:Content></ofd:Page>')
    return buf.getvalue()


def test_ofd_text_page_by_page_in_reading_order(tmp_path):
    page1 = [(20, 60, "二、工作要求"), (20, 30, "关于做好防汛工作的通知"), (20, 45, "各区县人民政府：")]  # XML out of order
    page2 = [(20, 30, "汛前要检查全市126座水库。")]
    path = tmp_path / "通知.ofd"
    path.write_bytes(ofd_bytes([page1, page2], title="防汛通知"))
    doc = read_document(str(path))
    assert doc.title == "防汛通知"
    assert doc.text.splitlines()[:3] == ["关于做好防汛工作的通知", "各区县人民政府：", "二、工作要求"]
    assert len(doc.pages) == 2 and doc.text[doc.pages[1]:].startswith("汛前要检查")
    chunks = chunk_document(doc, size=16, overlap=0)  # one chunk a line: a chunk takes the page it starts on
    assert [c.page for c in chunks if "126座水库" in c.text] == [2]


def test_ofd_two_columns_read_column_by_column(tmp_path):
    left = [(10, 30 + 10 * i, f"左栏第{i + 1}行") for i in range(3)]
    right = [(120, 30 + 10 * i, f"右栏第{i + 1}行") for i in range(3)]
    path = tmp_path / "两栏.ofd"
    path.write_bytes(ofd_bytes([left + right]))
    lines = read_document(str(path)).text.splitlines()
    assert lines == [f"左栏第{i}行" for i in (1, 2, 3)] + [f"右栏第{i}行" for i in (1, 2, 3)]


def test_ofd_encrypted_damaged_or_empty_is_skipped_with_a_reason(tmp_path):
    (tmp_path / "a.ofd").write_bytes(ofd_bytes([[(20, 30, "正文")]], encrypted=True))
    (tmp_path / "b.ofd").write_bytes(ofd_bytes([[(20, 30, "正文")], [(20, 30, "第二页")]], drop_page=True))
    (tmp_path / "c.ofd").write_bytes(ofd_bytes([[]]))
    (tmp_path / "d.ofd").write_bytes(b"not a zip")
    found, _ = discover([str(tmp_path)])
    items = list(read_all(found))
    assert all(isinstance(i, Skipped) for i in items)
    assert [i.code for i in items] == ["encrypted_pdf", "damaged", "pdf_no_text_layer", "damaged"]


def test_xlsx_rows_carry_their_sheet_and_column_names(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "水库名录"
    ws.append(["名称", "库容（万立方米）", "检查日期"])
    ws.append(["东湖水库", 126.0, dt.datetime(2025, 5, 15)])
    ws.append([None, None, None])
    ws.append(["西山水库", 43.5, None])
    other = wb.create_sheet("联系人")
    other.append(["姓名", "职务"])
    other.append(["王明", "安监科科长"])
    path = tmp_path / "名录.xlsx"
    wb.save(path)
    doc = read_document(str(path))
    lines = doc.text.splitlines()
    assert lines[0] == "水库名录 · 名称：东湖水库；库容（万立方米）：126；检查日期：2025-05-15"
    assert lines[1] == "水库名录 · 名称：西山水库；库容（万立方米）：43.5"
    assert lines[2] == "联系人 · 姓名：王明；职务：安监科科长"
    assert len(doc.pages) == 2 and doc.text[doc.pages[1]:].startswith("联系人")


def test_csv_in_gbk_with_tabs(tmp_path):
    path = tmp_path / "经费.csv"
    path.write_bytes("项目\t金额（万元）\n防汛物资\t85\n培训\t12\n".encode("gbk"))
    assert read_document(str(path)).text.splitlines() == ["表 · 项目：防汛物资；金额（万元）：85",
                                                          "表 · 项目：培训；金额（万元）：12"]


def test_pptx_slide_by_slide_with_titles_and_tables(tmp_path):
    pptx = pytest.importorskip("pptx")
    from pptx.util import Inches

    deck = pptx.Presentation()
    s1 = deck.slides.add_slide(deck.slide_layouts[1])
    s1.shapes.title.text = "防汛工作部署"
    s1.placeholders[1].text = "汛前检查126座水库"
    s2 = deck.slides.add_slide(deck.slide_layouts[5])
    s2.shapes.title.text = "责任分工"
    table = s2.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(1)).table
    for r, row in enumerate([["单位", "任务"], ["水务局", "巡查水闸"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    path = tmp_path / "部署.pptx"
    deck.save(path)
    doc = read_document(str(path))
    assert doc.title == "防汛工作部署"
    assert len(doc.pages) == 2
    second = doc.text[doc.pages[1]:]
    assert second.splitlines() == ["## 责任分工", "单位\t任务", "水务局\t巡查水闸"]
    chunks = chunk_document(doc, size=60, overlap=0)
    assert {c.page for c in chunks if "水务局" in c.text} == {2}
    assert any(c.headings == ("责任分工",) for c in chunks if "水务局" in c.text)


def test_an_office_folder_is_indexed_and_cited_to_the_page(settings, embedder, tmp_path):
    """OFD, spreadsheet and deck side by side through the one door for indexing; a row answers with its page."""
    from assistant.answer.library import Library
    from assistant.answer.pipeline import Assistant

    from .fakes import ScriptedGenerator, cite

    folder = tmp_path / "office"
    folder.mkdir()
    (folder / "通知.ofd").write_bytes(ofd_bytes([[(20, 30, "关于做好防汛工作的通知")],
                                                 [(20, 30, "汛前要检查126座水库。")]], title="防汛通知"))
    (folder / "经费.csv").write_text("项目,金额（万元）\n防汛物资,85\n", "utf-8")
    a = Assistant(settings, embedder=embedder, generator=ScriptedGenerator(cite("汛前要检查126座水库")))
    report = Library(a).index_paths([str(folder)])
    assert len(report.added) == 2 and not report.skipped
    answer = a.ask("汛前要检查多少座水库？")
    assert answer.status == "answered"
    assert answer.citations[0].page == 2 and answer.citations[0].source.endswith("通知.ofd")
    hits = a.search("防汛物资的金额是多少万元？")
    assert any("项目：防汛物资；金额（万元）：85" in h.chunk.text for h in hits)


DOC = Path(__file__).parent / "data" / "notice-word97.doc"  # our own notice, saved as Word 97 by LibreOffice


def test_word97_doc_and_wps_read_without_any_office_program(tmp_path):
    for name in ("通知.doc", "通知.wps"):  # WPS text documents are the same binary format
        (tmp_path / name).write_bytes(DOC.read_bytes())
        doc = read_document(str(tmp_path / name))
        lines = doc.text.splitlines()
        assert lines[:3] == ["关于开展防汛检查的通知", "各街道、各有关单位：", "汛前要对全区43座水闸开展全面检查，发现隐患于5月15日前整改到位。"]
        assert "单位\t任务" in lines and "水务局\t巡查水闸" in lines
        assert "Contact: 王明 (ext. 8801)" in lines  # an 8-bit piece beside the UTF-16 ones
        assert doc.title == "关于开展防汛检查的通知"


def test_word97_encrypted_or_damaged_is_skipped_with_a_reason(tmp_path):
    import olefile

    enc = tmp_path / "加密.doc"
    enc.write_bytes(DOC.read_bytes())
    with olefile.OleFileIO(str(enc), write_mode=True) as ole:
        word = bytearray(ole.openstream("WordDocument").read())
        word[0x0B] |= 0x01  # fEncrypted (bit 8 of the flags word at 0x0A)
        ole.write_stream("WordDocument", bytes(word))
    (tmp_path / "坏.doc").write_bytes(DOC.read_bytes()[:3000])
    (tmp_path / "假.wps").write_bytes(b"WPS 2000 plain bytes, not OLE")
    found, _ = discover([str(tmp_path)])
    items = {i.source.rsplit("/", 1)[-1]: i for i in read_all(found)}
    assert all(isinstance(i, Skipped) for i in items.values())
    assert items["加密.doc"].code == "encrypted_pdf" and "password" in items["加密.doc"].reason
    assert items["坏.doc"].code == "damaged" and items["假.wps"].code == "damaged"
