"""Scanned documents: reading order and running lines (fast), then the real OCR engine on scans made here."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.ingest.layout import Placed, reading_order, running_mask
from assistant.ingest.readers import Skipped, read_all, read_document

from .conftest import ROOT, real_models_required

FONT = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
NOTICE = ["关于做好2025年防汛工作的通知", "各区县人民政府，市政府各部门：", "汛前要对全市126座水库、43座水闸开展全面检查，",
          "发现隐患于5月15日前整改到位。", "联系人：市水务局王明，电话88012345。"]


def test_lines_in_reading_order_and_two_columns_column_by_column():
    runs = [Placed("第二行", 10, 40, 60, 50), Placed("第一行", 10, 10, 60, 20), Placed("右半", 70, 10, 90, 20)]
    assert [p.text for p in reading_order(runs)] == ["第一行右半", "第二行"]  # one column: a line across
    left = [Placed(f"左{i}", 0, 20 * i, 40, 20 * i + 10) for i in range(3)]
    right = [Placed(f"右{i}", 60, 20 * i, 100, 20 * i + 10) for i in range(3)]
    assert [p.text for p in reading_order(right + left)] == ["左0", "左1", "左2", "右0", "右1", "右2"]


def drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    return [[t for t, drop in zip(lines, mask, strict=True) if not drop]
            for lines, mask in zip(pages, running_mask(pages), strict=True)]


def test_running_headers_footers_and_page_numbers_are_dropped():
    bodies = [["一、总体要求", "坚持人民至上。"], ["二、重点任务", "排查水库隐患。"], ["三、保障措施", "落实责任。"],
              ["四、工作要求", "按时报送材料。"]]
    pages = [["某市人民政府文件", *body, f"— {i} —"] for i, body in enumerate(bodies, 1)]
    pages[1].append("第2页")
    assert drop_running_lines(pages) == bodies
    assert drop_running_lines([["2024年工作总结", "正文"]]) == [["2024年工作总结", "正文"]]  # one page: kept


def _need_ocr():
    pytest.importorskip("rapidocr")
    if not FONT.is_file():
        msg = "fonts-noto-cjk is needed to render the test scans (scripts/setup.sh installs it)"
        pytest.fail(msg) if real_models_required() else pytest.skip(msg)


def scan(lines: list[str], *, noisy: bool = False, width: int = 1240):
    """A page of our own notice rendered at about 150 dpi, optionally with noise, a slight tilt and JPEG."""
    import random

    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font = ImageFont.truetype(str(FONT), 34)
    img = Image.new("L", (width, 120 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((80, 60 + 70 * i), text, font=font, fill=0)
    if noisy:
        rnd = random.Random(7)
        for _ in range(3000):
            draw.point((rnd.randrange(img.width), rnd.randrange(img.height)), fill=rnd.randrange(120, 255))
        img = img.rotate(0.8, expand=True, fillcolor=255).filter(ImageFilter.GaussianBlur(0.6))
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=45)
        img = Image.open(io.BytesIO(buf.getvalue()))
    return img


def cer(got: str, want: str) -> float:
    """Character error rate: edit distance over the reference length, white space ignored."""
    a, b = "".join(got.split()), "".join(want.split())
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] / max(1, len(b))


@pytest.mark.real
def test_an_image_is_read_by_ocr_with_its_confidence(tmp_path):
    _need_ocr()
    path = tmp_path / "扫描件.png"
    scan(NOTICE).save(path)
    doc = read_document(str(path))
    assert cer(doc.text, "".join(NOTICE)) <= 0.03, doc.text
    assert doc.ocr_pages and doc.ocr_pages[0][0] == 1 and doc.ocr_pages[0][1] > 0.9
    noisy = tmp_path / "噪声.jpg"
    scan(NOTICE, noisy=True).save(noisy)
    assert cer(read_document(str(noisy)).text, "".join(NOTICE)) <= 0.08


@pytest.mark.real
def test_a_page_scanned_upside_down_is_read_turned(tmp_path, monkeypatch):
    _need_ocr()
    from assistant.ingest.ocr import image_file, ocr_image

    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    page = ocr_image(scan(NOTICE).rotate(180))
    assert page.turned and cer(page.text, "".join(NOTICE)) <= 0.03, page.text
    assert [line.text for line in page.lines][0].startswith("关于做好")  # reading order as the page is meant
    from PIL import Image, ImageChops, ImageStat

    shown = Image.open(image_file(page.digest))  # the display copy is the right way up, as the boxes are
    upright = scan(NOTICE).convert("L")
    def diff(a):
        return ImageStat.Stat(ImageChops.difference(shown, a)).mean[0]
    assert diff(upright) < diff(upright.rotate(180)) / 3
    assert ocr_image(scan(NOTICE).rotate(180)) == page  # and it is cached


@pytest.mark.real
def test_a_pdf_mixing_text_and_scanned_pages_is_decided_page_by_page(tmp_path):
    _need_ocr()
    from pypdf import PdfReader, PdfWriter

    from .hostile import tiny_pdf

    scanned = io.BytesIO()
    scan(NOTICE[2:4]).convert("RGB").save(scanned, format="PDF", resolution=150)
    writer = PdfWriter()
    for src in (tiny_pdf(["Text layer page one."]), scanned.getvalue()):
        for page in PdfReader(io.BytesIO(src)).pages:
            writer.add_page(page)
    path = tmp_path / "混合.pdf"
    with open(path, "wb") as f:
        writer.write(f)
    doc = read_document(str(path))
    assert doc.text.startswith("Text layer page one.")
    assert [n for n, _ in doc.ocr_pages] == [2]
    assert "126座水库" in doc.text[doc.pages[1]:]


@pytest.mark.real
def test_multipage_tiff_and_broken_images(tmp_path):
    _need_ocr()
    frames = [scan(NOTICE[:2]), scan(NOTICE[2:4])]
    frames[0].save(tmp_path / "两页.tif", save_all=True, append_images=frames[1:])
    doc = read_document(str(tmp_path / "两页.tif"))
    assert len(doc.pages) == 2 and [n for n, _ in doc.ocr_pages] == [1, 2]
    assert "126座水库" in doc.text[doc.pages[1]:]
    good = io.BytesIO()
    scan(NOTICE[:1]).save(good, format="PNG")
    (tmp_path / "截断.png").write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
    (tmp_path / "假.jpg").write_bytes(b"not an image at all")
    items = list(read_all([str(tmp_path / "截断.png"), str(tmp_path / "假.jpg")]))
    assert all(isinstance(i, Skipped) and i.code == "damaged" for i in items), items


@pytest.mark.real
def test_ocr_is_cached_by_content_and_models_are_verified(tmp_path, monkeypatch):
    _need_ocr()
    from assistant.ingest import ocr

    path = tmp_path / "a.png"
    scan(NOTICE[:1]).save(path)
    first = read_document(str(path)).text
    monkeypatch.setattr(ocr, "engine", lambda: pytest.fail("the page was read again"))
    assert read_document(str(path)).text == first
    copy = tmp_path / "models"
    shutil.copytree(ocr.model_dir(), copy)
    (copy / "PP-OCRv6_rec_small.onnx").write_bytes(b"altered")
    with pytest.raises(ocr.UnreadableFile) as e:
        ocr.check_models(copy)
    assert e.value.code == "ocr_unavailable"


@pytest.mark.real
def test_ocr_runs_with_no_network(tmp_path):
    """Nothing is fetched: the engine builds and reads a page in a namespace with only loopback."""
    _need_ocr()
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root for unshare -n")
    path = tmp_path / "a.png"
    scan(NOTICE[:1]).save(path)
    code = ("import sys; from assistant.ingest.readers import read_document; "
            "print(read_document(sys.argv[1]).text)")
    res = subprocess.run(["unshare", "-n", sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         timeout=300, cwd=ROOT, env={**os.environ, "ASSISTANT_HOME": str(tmp_path / "home")})
    assert res.returncode == 0, res.stderr[-2000:]
    assert cer(res.stdout, NOTICE[0]) <= 0.05


def test_scanned_lines_are_joined_back_into_paragraphs():
    from assistant.ingest.layout import reflow

    lines = [Placed("一、工作要求", 100, 0, 400, 30),  # a heading: short, its own paragraph
             Placed("汛前要对全市水库开展全面检查，发现隐患", 100, 40, 1100, 70),  # runs to the margin
             Placed("要立即整改。", 100, 80, 400, 110),
             Placed("各单位要按时报送材料，逾期不报的要说明", 100, 120, 1100, 150),
             Placed("原因并限期补报，确保数据完整准确无误。", 100, 160, 1098, 190)]
    assert reflow(lines) == ["一、工作要求", "汛前要对全市水库开展全面检查，发现隐患要立即整改。",
                             "各单位要按时报送材料，逾期不报的要说明原因并限期补报，确保数据完整准确无误。"]


def test_reflow_follows_first_line_indents_and_line_breaking_rules():
    from assistant.ingest.layout import reflow

    em = 30
    lines = [Placed("一、工作要求", 160, 0, 340, em),  # indented heading, short
             Placed("全市水库汛前检查覆盖率达到", 160, 40, 1000, 40 + em),  # half-width digits: ends short of
             Placed("％，比上年提高5个百分点。", 100, 80, 500, 80 + em),  # the margin; "％" may not start a line
             Placed("各单位要按时报送材料，逾期不报的要说明", 160, 120, 1100, 120 + em),
             Placed("原因并限期补报。", 100, 160, 400, 160 + em),
             Placed("附件清单如下", 100, 200, 1100, 200 + em),  # runs to the margin, no full stop, but the next
             Placed("附件1：检查表", 160, 240, 500, 240 + em)]  # line is indented: a new paragraph
    assert reflow(lines) == ["一、工作要求", "全市水库汛前检查覆盖率达到％，比上年提高5个百分点。",
                             "各单位要按时报送材料，逾期不报的要说明原因并限期补报。", "附件清单如下", "附件1：检查表"]


def _ocr_page(texts: list[str], digest: str):
    from assistant.ingest.ocr import OcrLine, OcrPage

    lines = tuple(OcrLine(t, 0.95, (100.0, 50.0 + 60 * i, 100.0 + 30 * len(t), 80.0 + 60 * i))
                  for i, t in enumerate(texts))
    return OcrPage(lines, 1240, 1754, digest)


def test_every_ocr_line_keeps_its_span_in_the_text_and_its_box():
    from assistant.ingest.formats.images import pages_text

    body = "坚持人民至上，统筹发展和安全，全力以赴做好防汛各项工作，确保安全度汛。"  # to the margin
    pages = [_ocr_page(["某市水务局文件", "一、总体要求", body, "— 1 —"], "a" * 64),
             ["Text layer page.", "某市水务局文件"],
             _ocr_page(["某市水务局文件", "二、重点任务", "排查126座水库。", body, "— 3 —"], "b" * 64)]
    out = pages_text(pages)
    assert [s.page for s in out.scans] == [1, 3] and out.scans[1].image == "b" * 64
    assert "某市水务局文件" not in out.text and "— 3 —" not in out.text  # running lines dropped
    for scan in out.scans:
        for start, end, *_ in scan.lines:
            assert out.text[start:end] in ("一、总体要求", body, "二、重点任务", "排查126座水库。")
    at = out.text.index("126座")
    assert out.scans[1].boxes(at, at + 4) == [(100.0, 170.0, 370.0, 200.0)]
    assert out.pages[2] <= at and out.scans[1].boxes(0, 3) == []


def test_where_indents_mark_paragraphs_a_sentence_ending_at_the_margin_goes_on():
    from assistant.ingest.layout import reflow

    em = 30
    lines = [Placed("过去五年全市数字经济核心产业增加值年均增长百分之十六。", 160, 0, 1100, em),  # ends a sentence
             Placed("数字经济增加值达到八千亿元。", 100, 40, 520, 40 + em),  # flush left: the same paragraph
             Placed("但在数字技术领域，我们决不能满足现有成绩。", 160, 80, 800, 80 + em)]  # indented: a new one
    assert reflow(lines) == ["过去五年全市数字经济核心产业增加值年均增长百分之十六。数字经济增加值达到八千亿元。",
                             "但在数字技术领域，我们决不能满足现有成绩。"]
    flush = [Placed(p.text, 100, p.y0, p.x1, p.y1) for p in lines]  # no indents anywhere: line ends decide
    assert len(reflow(flush)) == 3


def test_a_paragraph_split_by_a_page_break_is_joined_and_the_page_still_starts_where_it_did():
    from assistant.ingest.formats.images import pages_text
    from assistant.ingest.ocr import OcrLine, OcrPage

    def page(lines, digest):
        return OcrPage(tuple(OcrLine(t, 0.99, box) for t, box in lines), 1240, 1754, digest)

    one = page([("一、总体要求", (160, 100, 400, 130)), ("汛前要对全市一百二十六座水库开展全面检查，发现隐患要", (160, 140, 1100, 170)),
                ("在五月十五日前整改到位，各区县要落实属地责任，确保", (100, 180, 1100, 210))], "a" * 64)
    two = page([("安全度汛。", (100, 100, 260, 130)), ("二、工作要求", (160, 140, 400, 170)),
                ("各单位要按时报送材料，逾期不报的要说明原因。", (160, 180, 900, 210))], "b" * 64)
    out = pages_text([one, two])
    assert "确保安全度汛。" in out.text  # one paragraph again, for the chunker
    assert out.text[out.pages[1]:].startswith("安全度汛。")  # and the citation still says page 2
    assert "\n二、工作要求" in out.text
    start, end, *_ = out.scans[1].lines[0]
    assert out.text[start:end] == "安全度汛。"


def test_a_hung_punctuation_mark_does_not_move_the_margin():
    from assistant.ingest.layout import reflow

    em = 33
    body = [Placed(f"第{i}行正文内容到达右边距为止没有结束句子而是继续", 110, 40 * i, 1100 + i % 3, 40 * i + em)
            for i in range(6)]
    body[2] = Placed("这一行的逗号悬挂在右边距之外，超出了一个字的宽度，", 110, 80, 1141, 80 + em)
    body[3] = Placed("这一行以逗号结尾所以墨迹比右边距短了大约一个半字，", 110, 120, 1089, 120 + em)
    assert len(reflow(body)) == 1, reflow(body)


def test_a_scans_larger_centred_lines_become_its_headings_and_keep_their_boxes():
    from assistant.ingest.formats.images import pages_text
    from assistant.ingest.ocr import OcrLine, OcrPage
    from assistant.text.official import read_marks

    body = [("各区县人民政府，市政府各部门：", (110, 300, 590, 333)),
            ("汛前要对全市一百二十六座水库开展全面检查，发现隐患要", (174, 360, 1102, 393)),
            ("在五月十五日前整改到位。", (110, 420, 494, 453)),
            ("某政办发〔2024〕12号", (480, 480, 790, 513))]  # centred but body-sized: not a heading
    lines = [("某市人民政府办公室文件", (380, 60, 860, 104)), ("关于做好防汛工作的通知", (395, 180, 845, 222)), *body]
    out = pages_text([OcrPage(tuple(OcrLine(t, 0.99, b) for t, b in lines), 1240, 1754, "c" * 64)])
    assert out.text.startswith("# 某市人民政府办公室文件\n## 关于做好防汛工作的通知\n各区县人民政府")
    assert "\n某政办发〔2024〕12号" in out.text
    assert [out.text[s:e] for s, e, *_ in out.scans[0].lines][:2] == ["某市人民政府办公室文件", "关于做好防汛工作的通知"]
    marks = read_marks(out.text)
    assert marks.title == "关于做好防汛工作的通知" and marks.number == "某政办发〔2024〕12号"
