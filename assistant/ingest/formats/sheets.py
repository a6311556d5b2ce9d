"""Spreadsheets (.xlsx, .csv, .tsv): one passage line per row, each value next to its column name.

A row reads "表名 · 列名：值；列名：值", so a retrieved row says which table and column a figure belongs to.
The first non-empty row of a sheet is its header; a sheet of the workbook is one page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

from assistant.core.records import Unseen, unseen_counts
from assistant.ingest.encoding import decode_bytes
from assistant.ingest.formats import ReadResult, join_pages, register
from assistant.ingest.skips import Skip, UnreadableFile

MAX_ROWS = 200_000  # a sheet with more rows is a database export, not a document
MAX_COLS = 200


def cell_text(value) -> str:
    """A cell as a person reads it: 3.0 -> "3", a date without its midnight, text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def table_lines(name: str, rows, hidden_rows: frozenset[int] = frozenset(),
                hidden_cols: frozenset[int] = frozenset()) -> list[str]:
    """Rows (iterables of cells) as passage lines; the first row with any text is the header.
    Rows and columns (1-based) the sheet hides are left out."""
    header: list[str] | None = None
    lines: list[str] = []
    for n, row in enumerate(rows):
        if n >= MAX_ROWS:
            raise UnreadableFile(f"table {name} has more than {MAX_ROWS} rows", Skip.TOO_LARGE)
        if n + 1 in hidden_rows:
            continue
        cells = [cell_text(v) if i + 1 not in hidden_cols else "" for i, v in enumerate(list(row)[:MAX_COLS])]
        if not any(cells):
            continue
        if header is None:
            header = [c or f"第{i + 1}列" for i, c in enumerate(cells)]
            continue
        pairs = [f"{header[i] if i < len(header) else f'第{i + 1}列'}：{c}" for i, c in enumerate(cells) if c]
        lines.append(f"{name} · " + "；".join(pairs))
    return lines


def hidden_parts(ws) -> tuple[frozenset[int], frozenset[int], Counter]:
    """The rows and columns a read-only sheet hides, and how many of each hold any value
    (read from the sheet's XML as it streams: read-only mode keeps no row dimensions)."""
    from lxml import etree  # openpyxl's XML library

    rows: set[int] = set()
    cols: set[int] = set()
    with ws._get_source() as src:  # noqa: SLF001 - the sheet's own XML part
        for _, el in etree.iterparse(src, events=("end",), resolve_entities=False, no_network=True, huge_tree=False):
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "row":
                if el.get("hidden") in ("1", "true") and len(el):
                    rows.add(int(el.get("r", "0")))
                el.clear()
            elif tag == "col" and el.get("hidden") in ("1", "true"):
                cols.update(range(int(el.get("min", "1")), min(int(el.get("max", "1")), MAX_COLS) + 1))
    return frozenset(rows), frozenset(cols), Counter({Unseen.HIDDEN_ROW: len(rows)})


@register(".xlsx", zipped=True)
def read_xlsx(data: bytes) -> ReadResult:
    import openpyxl  # .xlsx cells, streamed (read-only mode)

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    unseen: Counter[Unseen] = Counter()
    pages = []
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                unseen[Unseen.HIDDEN_SHEET] += 1
                continue
            rows, cols, counts = hidden_parts(ws)
            unseen.update(counts)
            lines = table_lines(ws.title, ws.iter_rows(min_row=1, min_col=1, values_only=True), rows, cols)
            used = {i + 1 for r in ws.iter_rows(min_row=1, min_col=1, values_only=True) for i, v in enumerate(r)
                    if v is not None} if cols else set()
            unseen[Unseen.HIDDEN_COLUMN] += len(cols & used)
            pages.append(lines)
    finally:
        wb.close()
    text, starts = join_pages(["\n".join(lines) for lines in pages])
    return ReadResult(text, "", starts if len(pages) > 1 else (), unseen=unseen_counts(unseen))


@register(".csv", ".tsv")
def read_csv(data: bytes) -> tuple[str, str, tuple[int, ...]]:
    text = decode_bytes(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return "\n".join(table_lines("表", rows)), "", ()
    except csv.Error as e:
        raise UnreadableFile(f"damaged CSV ({e})", Skip.DAMAGED) from None
