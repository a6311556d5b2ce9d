"""Offline OCR for scanned pages and images: RapidOCR (PP-OCRv6 small, ONNX Runtime on the CPU).

The detection, direction and recognition models ship inside the rapidocr wheel; they are checked against
the sha256 below before the engine is built and named by path, so nothing is ever downloaded. Results are
cached by the image's sha256 (under the home's cache/ocr/), so re-indexing never reads a page twice.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.core.config import project_home
from assistant.ingest.layout import Placed, reading_order, reflow_groups
from assistant.ingest.skips import Skip, UnreadableFile

MODELS = {  # the files of rapidocr 3.10.0's wheel (rapidocr/models/), by role
    "det": ("PP-OCRv6_det_small.onnx", "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f"),
    "cls": ("ch_ppocr_mobile_v2.0_cls_mobile.onnx", "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c"),
    "rec": ("PP-OCRv6_rec_small.onnx", "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884"),
}
ENGINE_KEY = "rapidocr-3.10-ppocrv6-small-upright"  # part of the cache key: another engine reads the page again
SECOND_LOOK = 0.85  # a line recognised less confidently is read again, as it is and turned half a circle
MAX_PIXELS = 60_000_000  # larger images are refused before decoding (a decompression bomb)

DISPLAY_WIDTH = 1240  # a 150 dpi A4 page

_engine = None
_lock = threading.Lock()


@dataclass(frozen=True)
class OcrLine:
    text: str
    score: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in image pixels


@dataclass(frozen=True)
class OcrPage:
    lines: tuple[OcrLine, ...]
    width: int
    height: int
    digest: str = ""  # the image's cache key; its display copy is image_file(digest)
    turned: bool = False  # scanned upside down: read, and shown, turned 180 degrees

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def paragraph_lines(self) -> list[list[OcrLine]]:
        """The paragraphs as their lines, for keeping each line's box."""
        groups = reflow_groups([Placed(line.text, *line.box) for line in self.lines])
        return [[self.lines[i] for i in group] for group in groups]

    @property
    def confidence(self) -> float:
        """Mean line confidence weighted by characters; 0 for a page where nothing was read."""
        n = sum(len(line.text) for line in self.lines)
        return sum(line.score * len(line.text) for line in self.lines) / n if n else 0.0


def model_dir() -> Path:
    import rapidocr  # the OCR engine; its wheel carries the models

    return Path(rapidocr.__file__).parent / "models"


def check_models(folder: Path | None = None) -> dict[str, Path]:
    """The model files by role, each verified by sha256; a missing or altered one is one skip reason."""
    folder = folder or model_dir()
    found = {}
    for role, (name, digest) in MODELS.items():
        path = folder / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise UnreadableFile(f"OCR model {name} missing or altered in {folder}: reinstall rapidocr==3.10.0",
                                 Skip.OCR_UNAVAILABLE)
        found[role] = path
    return found


def engine():
    """One RapidOCR per process, built on first use from the verified files, quiet, CPU threads as the machine."""
    global _engine
    with _lock:
        if _engine is None:
            try:
                from rapidocr import RapidOCR
            except ImportError:
                raise UnreadableFile("OCR is not installed (pip install rapidocr onnxruntime)",
                                     Skip.OCR_UNAVAILABLE) from None
            paths = check_models()
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            _engine = RapidOCR(params={"Det.model_path": str(paths["det"]), "Cls.model_path": str(paths["cls"]),
                                       "Rec.model_path": str(paths["rec"]), "Global.log_level": "error"})
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        return _engine


def _cache_file(digest: str) -> Path:
    return project_home() / "cache" / "ocr" / digest[:2] / f"{digest}.json"


def image_file(digest: str) -> Path:
    """The page's display copy (grey JPEG, at most DISPLAY_WIDTH wide), shown with its cited lines boxed."""
    return _cache_file(digest).with_suffix(".jpg")


def _save_display_copy(digest: str, rgb) -> None:
    path = image_file(digest)
    if path.exists():
        return
    img = rgb.convert("L")
    if img.width > DISPLAY_WIDTH:
        img = img.resize((DISPLAY_WIDTH, round(img.height * DISPLAY_WIDTH / img.width)))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        img.save(tmp, format="JPEG", quality=70)
        os.replace(tmp, path)
    except OSError:
        pass  # without it the page shows the text, highlighted, instead of the image


def _load_cached(digest: str) -> OcrPage | None:
    try:
        d = json.loads(_cache_file(digest).read_text("utf-8"))
        return OcrPage(tuple(OcrLine(x["text"], x["score"], tuple(x["box"])) for x in d["lines"]), d["width"],
                       d["height"], digest, bool(d.get("turned")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save_cached(digest: str, page: OcrPage) -> None:
    path = _cache_file(digest)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(page), ensure_ascii=False), "utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs reading the page again next time


def ocr_image(image) -> OcrPage:
    """Read a PIL image (any mode); lines come back in reading order, two columns column by column.

    Without the line-direction classifier: on scans it turns sound lines upside down now and then (quotes
    and asterisks), and a line it lost reads as one stray character. A line read with little confidence
    is read again, as it is and turned half a circle; a page whose lines mostly read better turned is a
    page scanned upside down, and is read turned (its display copy too)."""
    rgb = image.convert("RGB")
    buf = io.BytesIO()
    rgb.save(buf, format="PNG")
    digest = hashlib.sha256(f"{ENGINE_KEY}\0".encode() + buf.getvalue()).hexdigest()
    cached = _load_cached(digest)
    if cached is not None:
        if not image_file(digest).exists():  # a cache from before display copies, or one cleared by hand
            _save_display_copy(digest, rgb.rotate(180) if cached.turned else rgb)
        return cached
    placed, turned = _read(rgb)
    if len(placed) >= 3 and turned > len(placed) / 2:
        rgb = rgb.rotate(180)
        placed, _ = _read(rgb)
        turned = True
    else:
        turned = False
    lines = []
    for line in reading_order([p for p, _ in placed]):
        members = [sc for p, sc in placed if p.x0 >= line.x0 and p.x1 <= line.x1 and p.y0 >= line.y0 and p.y1 <= line.y1]
        text = " ".join(line.text.split())  # no line breaks inside a line: the text's offsets stay exact
        lines.append(OcrLine(text, round(min(members, default=0.0), 4), (line.x0, line.y0, line.x1, line.y1)))
    page = OcrPage(tuple(lines), rgb.width, rgb.height, digest, turned)
    _save_display_copy(digest, rgb)
    _save_cached(digest, page)
    return page


def _read(rgb) -> tuple[list[tuple[Placed, float]], int]:
    """The page's text lines with their scores, and how many read better turned 180 degrees."""
    import numpy as np

    result = engine()(np.asarray(rgb)[:, :, ::-1], use_det=True, use_cls=False, use_rec=True)  # BGR, as OpenCV
    placed, turned = [], 0
    for box, text, score in zip(result.boxes if result.boxes is not None else [], result.txts or (),
                                result.scores or (), strict=False):
        xs, ys = [float(p[0]) for p in box], [float(p[1]) for p in box]
        score = float(score)
        if score < SECOND_LOOK:
            text, score, flipped = _second_look(rgb, (min(xs), min(ys), max(xs), max(ys)), text, score)
            turned += flipped
        placed.append((Placed(text, min(xs), min(ys), max(xs), max(ys)), score))
    return placed, turned


def _second_look(rgb, box: tuple[float, float, float, float], text: str, score: float) -> tuple[str, float, bool]:
    """The line's crop recognised again, upright and turned 180 degrees: the most confident reading, and
    whether it was the turned one."""
    import numpy as np

    pad = 4
    x0, y0, x1, y1 = box
    crop = rgb.crop((max(0, int(x0) - pad), max(0, int(y0) - pad), min(rgb.width, int(x1) + pad),
                     min(rgb.height, int(y1) + pad)))
    best = (text, score, False)
    for im, flipped in ((crop, False), (crop.rotate(180), True)):
        r = engine()(np.asarray(im)[:, :, ::-1], use_det=False, use_cls=False, use_rec=True)
        for t, sc in zip(r.txts or (), r.scores or (), strict=False):
            if float(sc) > best[1] and t.strip():
                best = (t, float(sc), flipped)
    return best


def open_image(data: bytes):
    """A PIL image from file bytes; a truncated file, an unknown format or a decompression bomb is a skip."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        img = Image.open(io.BytesIO(data))
        if img.width * img.height > MAX_PIXELS:
            raise UnreadableFile(f"image of {img.width}x{img.height} pixels is too large to read", Skip.TOO_LARGE)
        return img
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as e:
        raise UnreadableFile(f"damaged or unreadable image ({type(e).__name__})", Skip.DAMAGED) from None
