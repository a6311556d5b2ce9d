"""Word .docx: paragraphs, heading styles as headings, tables row by row."""

from __future__ import annotations

import io
import re

from assistant.ingest.formats import register


@register(".docx", zipped=True)
def read_docx(data: bytes) -> tuple[str, str, tuple[int, ...]]:
    import docx  # python-docx: paragraphs, heading styles and tables
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    d = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(el, d)
            text = para.text.strip()
            if not text:
                continue
            style = (para.style.name if para.style is not None else "") or ""
            m = re.match(r"(?:Heading|标题)\s*(\d)", style)
            lines.append(("#" * int(m.group(1)) + " " + text) if m else text)
        elif tag == "tbl":
            for row in Table(el, d).rows:
                cells = [c.text.strip() for c in row.cells]
                lines.append("\t".join(dict.fromkeys(c for c in cells if c)))
    return "\n".join(lines), "", ()
