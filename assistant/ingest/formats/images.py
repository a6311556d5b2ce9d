"""Images (.png .jpg .jpeg .tif .tiff .bmp) read by offline OCR; a multi-page TIFF is one page a frame."""

from __future__ import annotations

from assistant.core.records import ScanPage
from assistant.ingest.formats import ReadResult, join_pages, page_done, register
from assistant.ingest.skips import Skip, UnreadableFile

MAX_OCR_PAGES = 500  # about an hour of OCR on two cores; a longer scan is split first


def pages_text(pages: list) -> ReadResult:
    """Pages, each text lines or an OcrPage, as one text with page offsets. When some page was read by OCR,
    running headers, footers and page numbers are dropped and each OCR line keeps its span and its box."""
    from assistant.ingest.layout import running_mask
    from assistant.ingest.ocr import OcrPage

    paras = [[("".join(x.text for x in g), g) for g in p.paragraph_lines] if isinstance(p, OcrPage)
             else [(t, None) for t in p] for p in pages]
    scanned = any(isinstance(p, OcrPage) for p in pages)
    masks = running_mask([[t for t, _ in page] for page in paras]) if scanned else [[False] * len(p) for p in paras]
    texts, scans, offset = [], [], 0
    for n, (page, mask, src) in enumerate(zip(paras, masks, pages, strict=True), 1):
        kept = [item for item, drop in zip(page, mask, strict=True) if not drop]
        boxes, pos = [], offset
        for t, group in kept:
            for line in group or ():
                boxes.append((pos, pos + len(line.text), *(round(v, 1) for v in line.box)))
                pos += len(line.text)
            pos += (0 if group else len(t)) + 1
        texts.append("\n".join(t for t, _ in kept))
        offset += len(texts[-1]) + 1
        if isinstance(src, OcrPage):
            scans.append(ScanPage(n, round(src.confidence, 3), src.digest, src.width, src.height, tuple(boxes)))
    text, starts = join_pages(texts)
    return ReadResult(text, "", starts, tuple(scans))


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
