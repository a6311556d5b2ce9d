"""OFD (GB/T 33190, the format of e-government systems): text page by page, in reading order.

An OFD file is a zip of XML: OFD.xml names the document root (Document.xml), which lists the pages;
each page's Content.xml holds TextObjects whose TextCode elements carry the characters and their
positions. Text is put back in reading order: lines by their height on the page, left to right in a
line, and a two-column page column by column. No reader on PyPI is both maintained and small, so this
reads the XML the standard defines with the standard library (expat, which refuses entity bombs).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from xml.etree import ElementTree as ET

from assistant.core.records import Unseen, unseen_counts
from assistant.ingest.formats import ReadResult, join_pages, register
from assistant.ingest.layout import Placed, reading_order
from assistant.ingest.skips import Skip, UnreadableFile

MAX_PAGES = 5000


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el.iter() if _local(c.tag) == name]


def _first_text(el: ET.Element, name: str) -> str:
    found = _children(el, name)
    return (found[0].text or "").strip() if found else ""


def _numbers(text: str | None) -> list[float]:
    try:
        return [float(x) for x in (text or "").split()]
    except ValueError:
        return []


def _resolve(base_dir: str, loc: str) -> str:
    """A location inside the package: absolute from the root when it starts with '/', else from base_dir."""
    loc = loc.strip()
    path = loc.lstrip("/") if loc.startswith("/") else posixpath.join(base_dir, loc)
    return posixpath.normpath(path)


def _xml(z: zipfile.ZipFile, name: str) -> ET.Element:
    try:
        return ET.fromstring(z.read(name))
    except KeyError:
        raise UnreadableFile(f"damaged OFD file (no {name})", Skip.DAMAGED) from None


MIN_SIZE_MM = 0.7  # about 2 points: smaller text is not read by a person


def shown(obj: ET.Element) -> bool:
    """A TextObject a reader sees: not Visible="false", filled or stroked, not transparent, not white,
    not drawn in a font too small to read (GB/T 33190 attributes)."""
    if obj.get("Visible", "true").lower() == "false":
        return False
    if obj.get("Fill", "true").lower() == "false" and obj.get("Stroke", "false").lower() != "true":
        return False
    if obj.get("Alpha") is not None and _numbers(obj.get("Alpha"))[:1] == [0.0]:
        return False
    if float(obj.get("Size") or 3.5) < MIN_SIZE_MM:
        return False
    fill = next((c for c in obj if _local(c.tag) == "FillColor"), None)
    if fill is not None:
        rgb = _numbers(fill.get("Value"))
        if (len(rgb) >= 3 and all(v >= 247 for v in rgb[:3])) or _numbers(fill.get("Alpha"))[:1] == [0.0]:
            return False
    return True


def page_lines(content: ET.Element, hidden: list[int] | None = None) -> list[str]:
    """The page's characters as lines in reading order (TextCode X/Y are the baseline, relative to the box);
    text objects no reader sees are left out and counted in `hidden`."""
    items: list[Placed] = []
    for obj in _children(content, "TextObject"):
        if not shown(obj):
            if hidden is not None and "".join(obj.itertext()).strip():
                hidden.append(1)
            continue
        box = _numbers(obj.get("Boundary"))
        bx, by = (box[0], box[1]) if len(box) >= 2 else (0.0, 0.0)
        size = float(obj.get("Size") or 3.5)
        for code in _children(obj, "TextCode"):
            text = "".join(code.itertext())
            if text.strip():
                x = float(code.get("X") or 0) + bx
                y = float(code.get("Y") or 0) + by
                items.append(Placed(text, x, y - size, x + size * len(text), y))
    return [line.text for line in reading_order(items)]


def doc_info(root: ET.Element) -> dict[str, str]:
    """Title, author and dates from OFD.xml's DocInfo (empty strings when absent)."""
    return {k: _first_text(root, k) for k in ("Title", "Author", "CreationDate", "Subject")}


@register(".ofd", zipped=True)
def read_ofd(data: bytes) -> ReadResult:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        if "OFD.xml" not in names:
            raise UnreadableFile("damaged or not a real .ofd file (no OFD.xml)", Skip.DAMAGED)
        root = _xml(z, "OFD.xml")
        if any("Encrypt" in _local(el.tag) for el in root.iter()) or any("encrypt" in n.lower() for n in names):
            raise UnreadableFile("encrypted OFD: it needs a password; save an unprotected copy and index that",
                                 Skip.ENCRYPTED)
        doc_loc = _first_text(root, "DocRoot")
        if not doc_loc:
            raise UnreadableFile("damaged OFD file (no DocRoot)", Skip.DAMAGED)
        doc_path = _resolve("", doc_loc)
        document = _xml(z, doc_path)
        doc_dir = posixpath.dirname(doc_path)
        pages = [p for p in _children(document, "Page") if p.get("BaseLoc")]
        if len(pages) > MAX_PAGES:
            raise UnreadableFile(f"OFD with {len(pages)} pages (limit {MAX_PAGES})", Skip.TOO_MANY_PAGES)
        hidden: list[int] = []
        text, starts = join_pages(["\n".join(page_lines(_xml(z, _resolve(doc_dir, page.get("BaseLoc", ""))), hidden))
                                   for page in pages])
        title = doc_info(root)["Title"]
    if not text.strip():
        raise UnreadableFile("OFD has no text (scanned pages?)", Skip.NO_TEXT_LAYER)
    return ReadResult(text, title, starts, unseen=unseen_counts({Unseen.INVISIBLE: len(hidden)}))
