"""HTML pages: scripts dropped, headings kept visible to the chunker."""

from __future__ import annotations

from assistant.ingest.encoding import decode_bytes
from assistant.ingest.formats import register

_HTML_BLOCKS = ["p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section",
                "article", "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "header", "footer"]


@register(".html", ".htm")
def read_html(data: bytes) -> tuple[str, str, tuple[int, ...]]:
    from bs4 import BeautifulSoup  # HTML to text, tolerant of broken markup

    soup = BeautifulSoup(decode_bytes(data), "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
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
    return text, title, ()
