"""OCR accuracy and speed on scans made here from Chinese official-document text, clean and noisy.

The text of ../shared/corpus (or --text FILE) is laid out on A4 pages at 150 dpi with a CJK font, saved as
image-only PDFs (clean; and noisy: speckles, a 0.8 degree tilt, blur, JPEG quality 45), and read back
through the same reader `assistant index` uses. Prints the character error rate (edit distance over the
reference, white space ignored) and pages per minute on this machine, next to RapidOCR called directly
on the same page images in the same run.

    python benchmarks/ocr.py [--pages 12] [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.ingest.readers import read_document  # noqa: E402
from tests.test_ocr import FONT, cer  # noqa: E402

LINES_PER_PAGE = 22
LINE_WIDTH = 1020  # pixels between the margins of a 150 dpi A4 page


BODY, TITLE, SUBTITLE = 32, 44, 38  # pixel sizes: 3号 body, 2号 title, 3号+ subtitle, as GB/T 9704 sets them


def file_lines(f: Path) -> list[str]:
    """A text file's paragraphs set as a typesetter sets them: a two-character first-line indent, lines
    filled to the margin's width, punctuation no line may start with hung on the line before, and
    Markdown headings as a larger centred title ("#" / "##" kept in front of the line; see shown())."""
    from PIL import ImageFont

    from assistant.ingest.layout import NO_START

    lines = []
    for raw in f.read_text("utf-8", errors="replace").replace("\u3000", "\n").splitlines():
        level = len(raw.strip()) - len(raw.strip().lstrip("#"))
        para = "".join(raw.split()).strip("#*")
        mark = ("#" * min(level, 2) + " ") if level and len(para) <= 40 else ""
        font = ImageFont.truetype(str(FONT), {"# ": TITLE, "## ": SUBTITLE}.get(mark, BODY))
        line = "" if mark or not para else "\u3000\u3000"
        for ch in para:
            if font.getlength(line + ch) > LINE_WIDTH and ch not in NO_START:
                lines.append(mark + line)
                line = ""
            line += ch
        if line.strip():
            lines.append(mark + line)
    return lines


def shown(line: str) -> str:
    """The text of a line as it is printed, without its heading mark."""
    return line.split(" ", 1)[1] if line.startswith("#") else line


def corpus_lines(folder: Path) -> list[str]:
    return [line for f in sorted(folder.iterdir()) if f.suffix in (".txt", ".md") for line in file_lines(f)]


def scanned_pdf(lines: list[str], out: Path, *, noisy: bool = False) -> int:
    """Lines laid out on A4 pages and saved as an image-only PDF; returns the page count."""
    pages = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    images = [page_image(p, noisy).convert("RGB") for p in pages]
    images[0].save(out, format="PDF", resolution=150, save_all=True, append_images=images[1:])
    return len(images)


def page_image(lines: list[str], noisy: bool):
    import random

    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    img = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        size = TITLE if line.startswith("# ") else SUBTITLE if line.startswith("## ") else BODY
        font = ImageFont.truetype(str(FONT), size)
        text = shown(line)
        x = (1240 - font.getlength(text)) / 2 if size != BODY else 110  # headings centred
        draw.text((x, 120 + 66 * i + (BODY - size) / 2), text, font=font, fill=0)
    if noisy:
        rnd = random.Random(len(lines[0]) if lines else 0)
        for _ in range(12000):
            draw.point((rnd.randrange(img.width), rnd.randrange(img.height)), fill=rnd.randrange(100, 255))
        img = img.rotate(0.8, expand=False, fillcolor=255).filter(ImageFilter.GaussianBlur(0.6))
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=45)
        img = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    return img


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--pages", type=int, default=12)
    args = ap.parse_args()
    lines = corpus_lines(args.corpus)
    pages = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)][:args.pages]
    print(f"{len(pages)} pages of {LINES_PER_PAGE} lines from {args.corpus}")
    from rapidocr import RapidOCR

    from assistant.ingest import ocr

    ocr.engine()  # load once, outside the timing
    plain = RapidOCR()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("clean", "noisy"):
            images = [page_image(p, kind == "noisy") for p in pages]
            pdf = Path(tmp) / f"{kind}.pdf"
            images[0].convert("RGB").save(pdf, format="PDF", resolution=150, save_all=True,
                                          append_images=[i.convert("RGB") for i in images[1:]])
            home = Path(tmp) / f"home-{kind}"  # an empty OCR cache: every page is really read
            import os

            os.environ["ASSISTANT_HOME"] = str(home)
            t0 = time.perf_counter()
            doc = read_document(str(pdf))
            ours = time.perf_counter() - t0
            page_texts = [doc.text[a:b] for a, b in zip(doc.pages, [*doc.pages[1:], len(doc.text)], strict=False)]
            rates = [cer(t, "".join(map(shown, p))) for t, p in zip(page_texts, pages, strict=False)]
            t0 = time.perf_counter()
            direct = []
            for img in images:
                r = plain(img.convert("RGB"))
                direct.append("".join(r.txts or ()))
            theirs = time.perf_counter() - t0
            direct_rates = [cer(t, "".join(map(shown, p))) for t, p in zip(direct, pages, strict=False)]
            rows.append((kind, statistics.mean(rates), max(rates), len(images) / ours * 60,
                         statistics.mean(direct_rates), len(images) / theirs * 60,
                         statistics.mean(c for _, c in doc.ocr_pages)))
    print("\n| scans | CER mean (max) | pages/min | RapidOCR direct: CER, pages/min | mean confidence |")
    print("| --- | --- | --- | --- | --- |")
    for kind, m, mx, ppm, dm, dppm, conf in rows:
        print(f"| {kind} | {m:.2%} ({mx:.2%}) | {ppm:.1f} | {dm:.2%}, {dppm:.1f} | {conf:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
