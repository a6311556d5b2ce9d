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
    text, starts, scans = "", [], []
    for n, (page, src) in enumerate(zip(kept, pages, strict=True), 1):
        if n > 1:
            text += "" if continues(placed[n - 2], placed[n - 1]) else "\n"
        starts.append(len(text))
        boxes, pos = [], len(text)
        for t, group in page:
            for line in group or ():
                boxes.append((pos, pos + len(line.text), *(round(v, 1) for v in line.box)))
                pos += len(line.text)
            pos += (0 if group else len(t)) + 1
        text += "\n".join(t for t, _ in page)
        if isinstance(src, OcrPage):
            scans.append(ScanPage(n, round(src.confidence, 3), src.digest, src.width, src.height, tuple(boxes)))
    return ReadResult(text, "", tuple(starts), tuple(scans))


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
