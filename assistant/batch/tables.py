"""Question tables in and answer tables out: .csv, .tsv (any common Chinese encoding) and .xlsx.

A table is a header and rows of strings. Reading fails with one clear line (InputError) when
the file cannot be parsed; the batch run checks this before any model is loaded.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

from assistant.core.errors import Code, InputError
from assistant.ingest.readers import UnreadableFile, decode_bytes

FORMATS = (".csv", ".tsv", ".xlsx")
QUESTION_HEADERS = ("问题", "提问", "问", "题目", "问题内容", "question", "questions", "query", "q")
ID_HEADERS = ("id", "编号", "序号", "问题编号", "no", "no.")
EXPECTED_HEADERS = ("期望答案", "标准答案", "参考答案", "expected_answer", "expected answer", "expected")
EXPECTED_SOURCE_HEADERS = ("期望来源", "标准来源", "来源文件", "expected_source", "expected_sources", "expected source")


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]

    def column(self, names: tuple[str, ...] | str) -> int | None:
        """Index of the first column whose header is one of `names` (case and spaces ignored)."""
        wanted = [names] if isinstance(names, str) else list(names)
        norm = [_norm(h) for h in self.header]
        for name in wanted:
            if _norm(name) in norm:
                return norm.index(_norm(name))
        return None


def _norm(h: str) -> str:
    return "".join(str(h).split()).lower().lstrip("\ufeff")


def read_table(path: str | os.PathLike) -> Table:
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in FORMATS:
        raise InputError(Code.TABLE_TYPE, file=p.name)
    if not p.is_file():
        raise InputError(Code.NO_SUCH_FILE, path=p)
    if ext == ".xlsx":
        table = _read_xlsx(p)
    else:
        try:
            text = decode_bytes(p.read_bytes())
        except UnreadableFile as e:
            raise InputError(Code.TABLE_NOT_TEXT, file=p.name, detail=e) from None
        controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\r\n")
        if controls > 8:
            raise InputError(Code.TABLE_BINARY, file=p.name)
        table = _read_delimited(text, "\t" if ext == ".tsv" else None, p.name)
    if not table.header or not any(h.strip() for h in table.header):
        raise InputError(Code.TABLE_NO_HEADER, file=p.name)
    return table


def _read_delimited(text: str, delimiter: str | None, name: str) -> Table:
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",\t;").delimiter
        except csv.Error:
            delimiter = ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as e:
        raise InputError(Code.TABLE_INVALID, file=name, detail=e) from None
    rows = [r for r in rows if any(c.strip() for c in r)] if rows else []
    if not rows:
        raise InputError(Code.TABLE_EMPTY, file=name)
    return _rectangle(rows)


def _rectangle(rows: list[list[str]]) -> Table:
    """Every row as wide as the widest; a column with no header gets one (列N)."""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    header = [c.strip() or f"列{i}" for i, c in enumerate(rows[0], 1)]
    return Table(header, rows[1:])


def _read_xlsx(p: Path) -> Table:
    from openpyxl import load_workbook  # the Excel reader/writer

    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - a damaged or mislabelled file raises many kinds
        raise InputError(Code.XLSX_UNREADABLE, file=p.name, detail=type(e).__name__) from None
    try:
        ws = wb.worksheets[0]
        rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise InputError(Code.SHEET_EMPTY, file=p.name)
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    while width > 1 and not any(r[width - 1].strip() for r in rows):
        width -= 1  # trailing empty columns of a sheet
    return _rectangle([r[:width] for r in rows])


def write_table(path: str | os.PathLike, header: list[str], rows: list[list[str]]) -> None:
    """Write a whole table atomically: CSV as UTF-8 with BOM (Excel reads Chinese), or .xlsx."""
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    if p.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "answers"
        ws.append(header)
        for i, r in enumerate(rows, 2):
            for j, v in enumerate(r, 1):
                cell = ws.cell(i, j, str(v)[:32_000])  # Excel's cell limit is 32,767 characters
                cell.data_type = "s"  # text as text: an answer starting with "=" is not a formula
        wb.save(tmp)
    else:
        delim = "\t" if p.suffix.lower() == ".tsv" else ","
        with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, delimiter=delim)
            w.writerow(header)
            w.writerows(rows)
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, p)

