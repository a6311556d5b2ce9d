"""Word .docx: what the page shows, paragraph by paragraph; heading styles as headings, tables row by row.

Word keeps text a reader never sees: runs marked hidden (w:vanish, directly or by their style),
deleted revisions (w:del), field instructions (w:instrText) and comments (comments.xml). They are
left out and counted; inserted revisions, hyperlinks, content controls and text boxes are shown
to the reader and kept.
"""

from __future__ import annotations

import io
import re
from collections import Counter

from assistant.core.records import Aside, Unseen, unseen_counts
from assistant.ingest.formats import ReadResult, register

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_OFF = {"0", "false", "off"}
_BREAKS = {f"{W}tab": "\t", f"{W}ptab": "\t", f"{W}br": "\n", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}
_DELETED = {f"{W}del", f"{W}moveFrom"}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _on(el) -> bool:
    """A toggle property (w:vanish) is on unless its w:val says off."""
    return el is not None and el.get(f"{W}val", "true").lower() not in _OFF


def hidden_styles(styles_root) -> set[str]:
    """Ids of the styles that hide their text (w:vanish in the style or a style it is based on)."""
    if styles_root is None:
        return set()
    based: dict[str, str] = {}
    own: set[str] = set()
    for st in styles_root.iter(f"{W}style"):
        sid = st.get(f"{W}styleId", "")
        b = st.find(f"{W}basedOn")
        if b is not None:
            based[sid] = b.get(f"{W}val", "")
        if _on(st.find(f"{W}rPr/{W}vanish")):
            own.add(sid)
    out = set()
    for sid in {*based, *own}:
        seen, cur = set(), sid
        while cur and cur not in seen:
            if cur in own:
                out.add(sid)
                break
            seen.add(cur)
            cur = based.get(cur, "")
    return out


class _Walker:
    """The shown text of paragraphs, and a count of what was left out."""

    def __init__(self, hidden_style_ids: set[str]):
        self.hidden_styles = hidden_style_ids
        self.unseen: Counter[Unseen] = Counter()

    def paragraph(self, p) -> str:
        pstyle = p.find(f"{W}pPr/{W}pStyle")
        para_hidden = pstyle is not None and pstyle.get(f"{W}val", "") in self.hidden_styles
        out: list[str] = []
        hiding = False  # a stretch of hidden runs counts once
        for el in self._inner(p):
            tag = el.tag
            if tag in _DELETED:
                if "".join(el.itertext()).strip():
                    self.unseen[Unseen.DELETED] += 1
                continue
            if tag == f"{W}instrText":
                if _CJK.search(el.text or ""):
                    self.unseen[Unseen.FIELD_CODE] += 1
                continue
            if tag != f"{W}r":
                continue
            text = self._run_text(el)
            if not text:
                continue
            if para_hidden or self._hidden(el):
                if text.strip() and not hiding:
                    self.unseen[Unseen.HIDDEN_TEXT] += 1
                hiding = True
                continue
            hiding = False
            out.append(text)
        return "".join(out)

    def _inner(self, p):
        """The paragraph's runs, deletions and field instructions in reading order, through hyperlinks,
        insertions, content controls and smart tags; a text box's own paragraphs are read apart."""
        for el in p:
            tag = el.tag
            if tag == f"{W}pPr":
                continue
            if tag in _DELETED or tag == f"{W}r":
                yield el
                if tag == f"{W}r":
                    yield from el.iter(f"{W}instrText")
            elif tag == f"{MC}AlternateContent":
                continue  # drawings: their text boxes are read by _boxes
            else:
                yield from self._inner(el)

    def _run_text(self, r) -> str:
        parts = []
        for child in r:
            if child.tag == f"{W}t":
                parts.append(child.text or "")
            elif child.tag in _BREAKS:
                parts.append(_BREAKS[child.tag])
        return "".join(parts)

    def _hidden(self, r) -> bool:
        rpr = r.find(f"{W}rPr")
        if rpr is None:
            return False
        if _on(rpr.find(f"{W}vanish")) or _on(rpr.find(f"{W}specVanish")):
            return True
        style = rpr.find(f"{W}rStyle")
        return style is not None and style.get(f"{W}val", "") in self.hidden_styles


def _comments(document) -> list[str]:
    """The text of each comment the file holds, in order (never read into the body)."""
    from lxml import etree  # python-docx's own XML library

    out = []
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/comments") and not rel.is_external:
            root = etree.fromstring(rel.target_part.blob, etree.XMLParser(resolve_entities=False, no_network=True))
            for c in root.iter(f"{W}comment"):
                out.append(" ".join("".join(t.text or "" for t in p.iter(f"{W}t")).strip()
                                    for p in c.iter(f"{W}p")).strip())
    return out


@register(".docx", zipped=True)
def read_docx(data: bytes) -> ReadResult:
    import docx  # python-docx: the package, its parts and styles

    d = docx.Document(io.BytesIO(data))
    walker = _Walker(hidden_styles(d.styles.element))
    names = {s.style_id: s.name for s in d.styles}
    lines: list[str] = []
    for el in d.element.body.iterchildren():
        tag = el.tag
        if tag == f"{W}p":
            lines.extend(_paragraph_lines(el, walker, names))
        elif tag == f"{W}tbl":
            for row in el.iterchildren(f"{W}tr"):
                cells = ["\n".join(walker.paragraph(p) for p in tc.iter(f"{W}p")).strip()
                         for tc in row.iterchildren(f"{W}tc")]
                line = "\t".join(dict.fromkeys(c for c in cells if c))
                if line:
                    lines.append(line)
    comments = _comments(d)
    walker.unseen[Unseen.COMMENT] += len(comments)
    asides = tuple(Aside(Unseen.COMMENT, i, t) for i, t in enumerate(comments, 1) if t)
    return ReadResult("\n".join(lines), unseen=unseen_counts(walker.unseen), asides=asides)


def _paragraph_lines(p, walker: _Walker, names: dict[str, str]) -> list[str]:
    """A paragraph as a line (a heading style as "#"), then the paragraphs of any text box it holds."""
    out = []
    text = walker.paragraph(p).strip()
    if text:
        sid = p.find(f"{W}pPr/{W}pStyle")
        style = names.get(sid.get(f"{W}val", ""), "") if sid is not None else ""
        m = re.match(r"(?:Heading|heading|标题)\s*(\d)", style or "")
        out.append(("#" * int(m.group(1)) + " " + text) if m else text)
    for box in p.iter(f"{W}txbxContent"):
        if any(a.tag == f"{MC}Fallback" for a in box.iterancestors()):
            continue  # the same box again, for old readers
        out.extend(t for q in box.iter(f"{W}p") if (t := walker.paragraph(q).strip()))
    return out
