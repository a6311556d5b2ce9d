"""The marks of an official document (公文, GB/T 9704): issuing office, document number, date, title, secrecy.

Read from where the standard puts them: the secrecy mark and the masthead ("XX人民政府文件") in the first
lines, the document number ("X政发〔2024〕12号") under the masthead, the title ("关于……的通知") after it, and
the office and date of writing at the end, above or beside the seal. A document that has none of them (a
speech, a report) yields an empty record.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from assistant.text.chinese import parse_chinese_numeral

_BRACKETS = "〔［\\[（(【"
_CLOSE = "〕］\\]）)】"
DOC_NUMBER = re.compile(rf"[\u4e00-\u9fff]{{1,12}}[{_BRACKETS}]\s*((?:19|20)\d{{2}})\s*[{_CLOSE}]\s*\d{{1,4}}\s*号")
SECRECY = re.compile(r"^(绝密|机密|秘密)(?:\s*[★☆*]\s*\S*)?")
MASTHEAD = re.compile(r"^(.{2,30}?)(?:文件|函件|公报|通知)$")
TITLE = re.compile(r"^关于.{2,80}(?:通知|意见|办法|决定|通报|报告|请示|批复|函|方案|规定|规划|纪要|公告|通告|细则|决议)$")
ARABIC_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
CHINESE_DATE = re.compile(r"([〇零一二三四五六七八九○Ｏ]{4})\s*年\s*([〇零一二三四五六七八九十]{1,3})\s*月\s*([〇零一二三四五六七八九十]{1,3})\s*日")
OFFICE = re.compile(r"^[\u4e00-\u9fff（）()]{2,40}(?:政府|委员会|办公室|办公厅|人民政府|局|厅|部|委|院|中心|党委|支部|公司|管委会)$")
_DIGIT = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
          "八": 8, "九": 9}


@dataclass(frozen=True)
class OfficialMarks:
    office: str = ""  # 发文机关
    number: str = ""  # 发文字号
    date: str = ""  # 成文日期, ISO (2024-03-05)
    title: str = ""  # 标题
    secrecy: str = ""  # 密级

    @property
    def year(self) -> str:
        if self.date:
            return self.date[:4]
        m = DOC_NUMBER.search(self.number)
        return m.group(1) if m else ""

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}

    def fields(self) -> dict[str, str]:
        """The filterable fields by their Chinese names (发文机关, 发文字号, 成文日期, 年份, 标题, 密级)."""
        named = {"发文机关": self.office, "发文字号": self.number, "成文日期": self.date, "年份": self.year,
                 "标题": self.title, "密级": self.secrecy}
        return {k: v for k, v in named.items() if v}


def _iso(text: str) -> str:
    m = ARABIC_DATE.search(text)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    else:
        m = CHINESE_DATE.search(text)
        if not m:
            return ""
        y = int("".join(str(_DIGIT.get(c, 0)) for c in m.group(1)))
        mo, d = parse_chinese_numeral(m.group(2).replace("〇", "零")), parse_chinese_numeral(m.group(3).replace("〇", "零"))
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else ""


def read_marks(text: str) -> OfficialMarks:
    lines = [" ".join(x.lstrip("#").split()) for x in text.splitlines() if x.strip()]  # "# " marks a heading
    head, tail = lines[:12], lines[-12:]
    secrecy = next((m.group(1) for x in head[:4] if (m := SECRECY.match(x))), "")
    number = next((m.group(0).replace(" ", "") for x in head if (m := DOC_NUMBER.search(x))), "")
    masthead = next((m.group(1) for x in head[:5] if (m := MASTHEAD.match(x.replace(" ", ""))) and not TITLE.match(x)), "")
    title = next((x.replace(" ", "") for x in head if TITLE.match(x.replace(" ", ""))), "")
    date, office = "", ""
    for i in range(len(tail) - 1, -1, -1):  # the date of writing: the last date line near the end
        iso = _iso(tail[i])
        if iso and len(tail[i]) <= 20:
            date = iso
            before = tail[i - 1].replace(" ", "") if i > 0 else ""
            office = before if OFFICE.match(before) else ""
            break
    if not (number or secrecy or masthead or title):  # a speech or a report, not a 公文: no marks at all
        return OfficialMarks()
    return OfficialMarks(office=office or masthead, number=number, date=date, title=title, secrecy=secrecy)


FIELDS = ("发文机关", "发文字号", "成文日期", "年份", "标题", "密级")


def parse_filters(items: list[str] | None) -> dict[str, str]:
    """["发文机关=水务局", "年份=2024"] -> {"发文机关": "水务局", "年份": "2024"}; a bad one raises InputError."""
    from assistant.core.errors import Code, InputError

    out = {}
    for text in items or []:
        key, sep, value = text.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in FIELDS or not value:
            raise InputError(Code.FILTER_BAD, text=text, names="、".join(FIELDS))
        out[key] = value
    return out


def parse_filter_text(text: str) -> dict[str, str]:
    """What a person types in the page's filter box: "发文机关=水务局 年份=2024" (spaces, commas or semicolons between)."""
    return parse_filters([t for t in re.split(r"[\s,，;；、]+", (text or "").replace("＝", "=")) if t])


def matches(marks: dict[str, str], filters: dict[str, str]) -> bool:
    """Every filter holds: 年份 and 成文日期 by prefix, the others by containment (发文机关=水务局 matches 市水务局)."""
    for key, want in filters.items():
        have = marks.get(key, "")
        if not have or (key in ("年份", "成文日期") and not have.startswith(want)) or want not in have:
            return False
    return True
