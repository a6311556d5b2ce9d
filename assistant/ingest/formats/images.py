"""Images (.png .jpg .jpeg .tif .tiff .bmp) read by offline OCR; a multi-page TIFF is one page a frame."""

from __future__ import annotations

from assistant.ingest.formats import ReadResult, join_pages, register
from assistant.ingest.skips import Skip, UnreadableFile

MAX_OCR_PAGES = 500  # about an hour of OCR on two cores; a longer scan is split first


def ocr_pages_text(pages_lines: list[list[str]], confidences: list[tuple[int, float]]) -> ReadResult:
    """Pages of OCR lines as one text with page offsets, running headers, footers and page numbers dropped."""
    from assistant.ingest.layout import drop_running_lines

    text, starts = join_pages(["\n".join(lines) for lines in drop_running_lines(pages_lines)])
    return ReadResult(text, "", starts, tuple(confidences))


@register(".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
def read_image(data: bytes) -> ReadResult:
    from PIL import ImageSequence

    from assistant.ingest.ocr import ocr_image, open_image

    img = open_image(data)
    n = getattr(img, "n_frames", 1)
    if n > MAX_OCR_PAGES:
        raise UnreadableFile(f"image with {n} pages (limit {MAX_OCR_PAGES} for OCR)", Skip.TOO_MANY_PAGES)
    lines, conf = [], []
    try:
        for i, frame in enumerate(ImageSequence.Iterator(img), 1):
            page = ocr_image(frame)
            lines.append(page.paragraphs)
            conf.append((i, round(page.confidence, 3)))
    except OSError as e:  # truncated frames surface while decoding
        raise UnreadableFile(f"damaged or truncated image ({e})", Skip.DAMAGED) from None
    out = ocr_pages_text(lines, conf)
    if len(lines) == 1:  # one image: no pages to cite
        out = ReadResult(out.text, "", (), out.ocr_pages)
    if not out.text.strip():
        raise UnreadableFile("no text found in the image", Skip.EMPTY)
    return out
