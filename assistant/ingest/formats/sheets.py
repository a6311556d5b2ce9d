"""Spreadsheets (.xlsx, .csv, .tsv): one passage line per row, each value next to its column name.

A row reads "表名 · 列名：值；列名：值", so a retrieved row says which table and column a figure belongs to.
The first non-empty row of a sheet is its header; a sheet of the workbook is one page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from assistant.ingest.encoding import decode_bytes
from assistant.ingest.formats import join_pages, register
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


def table_lines(name: str, rows) -> list[str]:
    """Rows (iterables of cells) as passage lines; the first row with any text is the header."""
    header: list[str] | None = None
    lines: list[str] = []
    for n, row in enumerate(rows):
        if n >= MAX_ROWS:
            raise UnreadableFile(f"table {name} has more than {MAX_ROWS} rows", Skip.TOO_LARGE)
        cells = [cell_text(v) for v in list(row)[:MAX_COLS]]
        if not any(cells):
            continue
        if header is None:
            header = [c or f"第{i + 1}列" for i, c in enumerate(cells)]
            continue
        pairs = [f"{header[i] if i < len(header) else f'第{i + 1}列'}：{c}" for i, c in enumerate(cells) if c]
        lines.append(f"{name} · " + "；".join(pairs))
    return lines


@register(".xlsx", zipped=True)
def read_xlsx(data: bytes) -> tuple[str, str, tuple[int, ...]]:
    import openpyxl  # .xlsx cells, streamed (read-only mode)

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        pages = [table_lines(ws.title, ws.iter_rows(values_only=True)) for ws in wb.worksheets]
    finally:
        wb.close()
    text, starts = join_pages(["\n".join(lines) for lines in pages])
    return text, "", starts if len(pages) > 1 else ()


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
