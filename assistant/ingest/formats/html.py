"""HTML pages: what a browser shows. Scripts, styles, comments and hidden elements are left out
(hidden ones counted); headings are kept visible to the chunker."""

from __future__ import annotations

import re
from collections import Counter

from assistant.core.records import Unseen, unseen_counts
from assistant.ingest.encoding import decode_bytes
from assistant.ingest.formats import ReadResult, register

_HTML_BLOCKS = ["p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section",
                "article", "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "header", "footer"]
_NOT_SHOWN = ["script", "style", "noscript", "template", "head"]
# an inline style that hides the element: display:none, visibility:hidden/collapse, zero size or opacity
HIDING_STYLE = re.compile(r"(display\s*:\s*none|visibility\s*:\s*(hidden|collapse)|opacity\s*:\s*0(\.0*)?\s*(;|$)"
                          r"|font-size\s*:\s*0(\.0*)?(px|pt|em|rem)?\s*(;|$))", re.IGNORECASE)
# a class or id a <style> sheet hides: ".note{display:none}" (simple selectors only)
_HIDDEN_RULE = re.compile(r"([.#][\w-]+)\s*\{[^}]*?(display\s*:\s*none|visibility\s*:\s*hidden)", re.IGNORECASE)


def hides(tag, hidden_selectors: set[str]) -> bool:
    """The element is not shown: the hidden attribute, aria-hidden with a hiding style, an inline
    style or a class/id the page's own style sheet hides."""
    if tag.attrs is None:
        return False
    if tag.has_attr("hidden") or HIDING_STYLE.search(tag.get("style", "") or ""):
        return True
    if tag.get("type", "").lower() == "hidden":
        return True
    names = {f".{c}" for c in tag.get("class", []) or []} | ({f"#{tag['id']}"} if tag.get("id") else set())
    return bool(names & hidden_selectors)


@register(".html", ".htm")
def read_html(data: bytes) -> ReadResult:
    from bs4 import BeautifulSoup, Comment  # HTML to text, tolerant of broken markup

    soup = BeautifulSoup(decode_bytes(data), "html.parser")
    unseen: Counter[Unseen] = Counter()
    title = soup.title.get_text(strip=True) if soup.title else ""
    sheets = " ".join(s.get_text() for s in soup.find_all("style"))
    hidden_selectors = {m.group(1) for m in _HIDDEN_RULE.finditer(sheets)}
    for c in soup.find_all(string=lambda s: isinstance(s, Comment)):
        if c.strip():
            unseen[Unseen.COMMENT] += 1
        c.extract()
    for tag in soup(_NOT_SHOWN):
        tag.decompose()
    for tag in soup.find_all(lambda t: hides(t, hidden_selectors)):
        if tag.decomposed:
            continue
        if tag.get_text(strip=True):
            unseen[Unseen.HIDDEN_TEXT] += 1
        tag.decompose()
    for level in range(1, 7):  # keep headings visible to the chunker
        for h in soup.find_all(f"h{level}"):
            heading = h.get_text(" ", strip=True)
            h.clear()
            h.append("#" * level + " " + heading)
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_HTML_BLOCKS):  # inline tags stay on their line
        block.insert_after("\n")
    body = soup.body or soup
    text = "\n".join(line.strip() for line in body.get_text("").splitlines() if line.strip())
    return ReadResult(text, title, unseen=unseen_counts(unseen))
