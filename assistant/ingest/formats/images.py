"""Images (.png .jpg .jpeg .tif .tiff .bmp) read by offline OCR; a multi-page TIFF is one page a frame."""

from __future__ import annotations

from assistant.core.records import ScanPage
from assistant.ingest.formats import ReadResult, page_done, register
from assistant.ingest.skips import Skip, UnreadableFile

MAX_OCR_PAGES = 500  # about an hour of OCR on two cores; a longer scan is split first


def pages_text(pages: list) -> ReadResult:
    """Pages, each text lines or an OcrPage, as one text with page offsets. When some page was read by OCR,
    running headers, footers and page numbers are dropped, each OCR line keeps its span and its box, and a
    paragraph a page break split in two is joined again (the page still starts where it did)."""
    from assistant.ingest.layout import Placed, continues, running_mask
    from assistant.ingest.ocr import OcrPage

    paras = [[("".join(x.text for x in g), g) for g in p.paragraph_lines] if isinstance(p, OcrPage)
             else [(t, None) for t in p] for p in pages]
    scanned = any(isinstance(p, OcrPage) for p in pages)
    masks = running_mask([[t for t, _ in page] for page in paras]) if scanned else [[False] * len(p) for p in paras]
    kept = [[item for item, drop in zip(page, mask, strict=True) if not drop] for page, mask in zip(paras, masks,
                                                                                                    strict=True)]
    placed = [[Placed(x.text, *x.box) for _, g in page for x in g or ()] if isinstance(src, OcrPage) else []
              for page, src in zip(kept, pages, strict=True)]
    kept = _mark_headings(kept, placed)
    text, starts, scans = "", [], []
    for n, (page, src) in enumerate(zip(kept, pages, strict=True), 1):
        if n > 1:
            text += "" if continues(placed[n - 2], placed[n - 1]) else "\n"
        starts.append(len(text))
        boxes, pos = [], len(text)
        for t, group in page:
            pos += len(t) - sum(len(x.text) for x in group) if group else 0  # a heading's "# " mark
            for line in group or ():
                boxes.append((pos, pos + len(line.text), *(round(v, 1) for v in line.box)))
                pos += len(line.text)
            pos += (0 if group else len(t)) + 1
        text += "\n".join(t for t, _ in page)
        if isinstance(src, OcrPage):
            scans.append(ScanPage(n, round(src.confidence, 3), src.digest, src.width, src.height, tuple(boxes)))
    return ReadResult(text, "", tuple(starts), tuple(scans))


def _char_size(text: str, x0: float, x1: float) -> float:
    """A line's character size, from its width: a Chinese character or full-width mark is one em, a
    letter, digit or curly quote half of one (box heights vary too much with the glyphs to tell sizes)."""
    ems = sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)
    return (x1 - x0) / ems if ems else 0.0


def _mark_headings(kept: list, placed: list) -> list:
    """Centred lines set larger than the body (a 公文's title, 2号 over 3号) become Markdown headings, as a
    text file would mark them: "# " for the first, "## " after it, so chunks carry them as their headings."""
    from assistant.ingest.layout import right_edge

    out, seen = [], False
    for page, lines in zip(kept, placed, strict=True):
        if len(lines) < 3:
            out.append(page)
            continue
        sizes = sorted(_char_size(p.text, p.x0, p.x1) for p in lines)
        body = sizes[len(sizes) // 2]
        left = min(p.x0 for p in lines)
        right = right_edge(lines)
        centre = (left + right) / 2
        marked = []
        for t, group in page:
            heading = (group and len(t) <= 40 and not t.endswith(("。", "；", "，", ";", ","))
                       and all(_char_size(x.text, x.box[0], x.box[2]) >= 1.1 * body and x.box[0] - left > 2 * body
                               and abs((x.box[0] + x.box[2]) / 2 - centre) < 1.5 * body for x in group))
            if heading:
                t, seen = ("## " if seen else "# ") + t, True
            marked.append((t, group))
        out.append(marked)
    return out


@register(".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
def read_image(data: bytes) -> ReadResult:
    from PIL import ImageSequence

    from assistant.ingest.ocr import ocr_image, open_image

    img = open_image(data)
    n = getattr(img, "n_frames", 1)
    if n > MAX_OCR_PAGES:
        raise UnreadableFile(f"image with {n} pages (limit {MAX_OCR_PAGES} for OCR)", Skip.TOO_MANY_PAGES)
    pages = []
    try:
        for i, frame in enumerate(ImageSequence.Iterator(img), 1):
            pages.append(ocr_image(frame))
            page_done(i, n)
    except OSError as e:  # truncated frames surface while decoding
        raise UnreadableFile(f"damaged or truncated image ({e})", Skip.DAMAGED) from None
    out = pages_text(pages)
    if len(pages) == 1:  # one image: no pages to cite
        out = ReadResult(out.text, "", (), out.scans)
    if not out.text.strip():
        raise UnreadableFile("no text found in the image", Skip.EMPTY)
    return out
