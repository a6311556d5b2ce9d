"""The text a PDF page shows: text drawn invisible (render mode 3 or 7), in white, off the page or
in a font too small to read is left out and counted.

pypdf reports each piece of text it extracts (visitor_text) after the operators that drew it
(visitor_operand_before); the graphics state is followed here (q/Q, Tr, Tf, fill colour) and
each piece is judged by the text-showing operators that drew it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

INVISIBLE_MODES = {3, 7}  # neither filled nor stroked; added to the clip path only
MIN_FONT_PT = 2.0  # text drawn smaller than this is not read by a person
WHITE = 0.97  # a fill this close to white is white on the white page
_SHOW = {b"Tj", b"TJ", b"'", b'"'}


@dataclass(frozen=True)
class _State:
    mode: int = 0  # text render mode (Tr)
    size: float = 12.0  # font size (Tf)
    white: bool = False  # the fill colour is white


def _is_white(op: bytes, args: list) -> bool:
    try:
        values = [float(a) for a in args if isinstance(a, (int, float)) or hasattr(a, "as_numeric")]
    except (TypeError, ValueError):
        return False
    if not values:
        return False
    if op in (b"k",):  # CMYK: no ink is white
        return all(v <= 1 - WHITE for v in values[:4])
    return all(v >= WHITE for v in values[:3])


class PageText:
    """Collects a page's text pieces, each marked shown or not."""

    def __init__(self, box: tuple[float, float, float, float]):
        self.box = box
        self.state = _State()
        self.stack: list[_State] = []
        self.pieces: list[tuple[str, bool]] = []  # (text, shown)
        self._drawn: list[bool] = []  # whether each text-showing operator since the last piece was shown

    def before(self, op: bytes, args: list, cm: list, tm: list) -> None:
        s = self.state
        if op == b"q":
            self.stack.append(s)
        elif op == b"Q":
            self.state = self.stack.pop() if self.stack else _State()
        elif op == b"Tr" and args:
            self.state = replace(s, mode=int(args[0]))
        elif op == b"Tf" and len(args) >= 2:
            self.state = replace(s, size=abs(float(args[1])))
        elif op in (b"g", b"rg", b"k", b"sc", b"scn"):
            self.state = replace(s, white=_is_white(op, args))
        elif op in _SHOW:
            self._drawn.append(self._shown(cm, tm))

    def _shown(self, cm: list, tm: list) -> bool:
        s = self.state
        if s.mode in INVISIBLE_MODES or (s.white and s.mode in (0, 2, 4, 6)):
            return False
        # the text matrix in page space: position and scale
        a, b, c, d, e, f = (float(x) for x in tm)
        ca, cb, cc, cd, ce, cf = (float(x) for x in cm)
        x = e * ca + f * cc + ce
        y = e * cb + f * cd + cf
        scale = math.sqrt(abs((a * ca + b * cc) * (c * cb + d * cd) - (a * cb + b * cd) * (c * ca + d * cc)))
        if s.size * scale < MIN_FONT_PT:
            return False
        x0, y0, x1, y1 = self.box
        return x0 - 1 <= x <= x1 + 1 and y0 - 1 <= y <= y1 + 1

    def text(self, text: str, *_: object) -> None:
        if not text:
            return
        drawn, self._drawn = self._drawn, []
        shown = not drawn or any(drawn)  # a piece drawn in part visibly is kept: nothing shown is lost
        self.pieces.append((text, shown))

    @property
    def hidden(self) -> int:
        """Pieces left out that hold any text."""
        return sum(1 for t, shown in self.pieces if not shown and t.strip())

    def visible(self) -> str:
        out = "".join(t if shown else ("\n" if "\n" in t else "") for t, shown in self.pieces)
        return "\n".join(line for line in out.splitlines() if line.strip())


def page_text(page) -> tuple[str, int]:
    """The text the page shows, and how many pieces of text it draws that no one can see."""
    box = page.mediabox
    collect = PageText((float(box.left), float(box.bottom), float(box.right), float(box.top)))
    full = page.extract_text(visitor_operand_before=collect.before, visitor_text=collect.text) or ""
    if not collect.hidden:
        return full, 0
    return collect.visible(), collect.hidden
