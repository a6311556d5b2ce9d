"""Slide decks (.pptx): slide by slide (a slide is a page), its title as a heading, text top to bottom.

What the audience sees is content; speaker notes and hidden slides are not: they are left out and
counted, never mixed into a slide's text."""

from __future__ import annotations

import io
from collections import Counter

from assistant.core.records import Aside, Unseen, unseen_counts
from assistant.ingest.formats import ReadResult, join_pages, register


def _shape_lines(shape) -> list[str]:
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = []
        for row in shape.table.rows:
            cells = [" ".join(c.text.split()) for c in row.cells]
            rows.append("\t".join(dict.fromkeys(c for c in cells if c)))
        return [r for r in rows if r]
    if getattr(shape, "shape_type", None) == 6 and hasattr(shape, "shapes"):  # a group: its members in order
        return [line for s in _ordered(shape.shapes) for line in _shape_lines(s)]
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        return [" ".join(p.text.split()) for p in shape.text_frame.paragraphs if p.text.strip()]
    return []


def _ordered(shapes) -> list:
    return sorted(shapes, key=lambda s: ((s.top or 0) // 100_000, s.left or 0))  # rows ~0.1 inch tall


@register(".pptx", zipped=True)
def read_pptx(data: bytes) -> ReadResult:
    from pptx import Presentation  # python-pptx (MIT): slides, shapes, tables

    deck = Presentation(io.BytesIO(data))
    pages: list[str] = []
    first_title = ""
    unseen: Counter[Unseen] = Counter()
    asides: list[Aside] = []
    for number, slide in enumerate(deck.slides, 1):
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None \
                and slide.notes_slide.notes_text_frame.text.strip():
            unseen[Unseen.NOTES] += 1
            asides.append(Aside(Unseen.NOTES, number, slide.notes_slide.notes_text_frame.text.strip()))
        if slide.element.get("show") in ("0", "false"):
            unseen[Unseen.HIDDEN_SLIDE] += 1
            pages.append("")  # the slide keeps its page number
            continue
        title_shape = slide.shapes.title
        title = " ".join(title_shape.text.split()) if title_shape is not None and title_shape.has_text_frame else ""
        first_title = first_title or title
        lines = [f"## {title}"] if title else []
        for shape in _ordered(slide.shapes):
            if title_shape is not None and shape.shape_id == title_shape.shape_id:
                continue
            lines.extend(_shape_lines(shape))
        pages.append("\n".join(lines))
    text, starts = join_pages(pages)
    return ReadResult(text, first_title, starts, unseen=unseen_counts(unseen), asides=tuple(asides))
