"""Figures in Chinese text with what they measure: value, scale (万/亿), unit (座, %, 个百分点).

All offsets refer to the NFKC-normalized text (`citations.normalize`), where full-width
digits and punctuation are ASCII and thousands separators are gone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text.chinese import parse_chinese_numeral

_SCALE = r"万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千|百"
# longest first: 平方千米 before 千米, 个百分点 before 个
_UNITS = sorted(
    "个百分点 百分点 % ‰ 倍 平方公里 平方千米 平方米 立方米 千瓦时 千瓦 兆瓦 公里 千米 米 吨 美元 元 人次 人 户 家 座 "
    "个 台 套 项 条 所 辆 张 件 架 栋 亩 公顷 年 月 日 天 岁 名 位 次 批 艘 部 颗 块 处 间 只 份 种 类 篇 "
    "小时 分钟 秒 GW MW kW TB PB 标准机架".split(), key=len, reverse=True)
_FIGURE = re.compile(
    rf"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:(多|余)\s*)?({_SCALE})?\s*(?:(多|余)\s*)?({'|'.join(map(re.escape, _UNITS))})?"
)
_RATIO = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*[:∶]\s*(\d+(?:\.\d+)?)(?![\d.])")
_ORDINAL = re.compile(r"第(\d{1,3}|[一二三四五六七八九十]{1,3})(?![一二三四五六七八九十\d])")
# classifiers that count things: the noun after them is what is counted
COUNTERS = frozenset("个 家 座 台 套 项 条 所 辆 张 件 架 栋 名 位 批 艘 部 颗 块 处 间 只 份 种 类 篇 户 人 次 标准机架".split())
_SAME_UNIT = {"百分点": "个百分点", "平方千米": "平方公里"}
_YEAR_RANGE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[—\-–~至到]+\s*((?:19|20)\d{2})\s*年")
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*年")


@dataclass(frozen=True)
class Figure:
    value: float
    text: str  # the number as written, normalized: "1.5"
    scale: str  # "", "万", "亿", "万亿" ...
    unit: str  # "", "座", "%", "个百分点" ...
    start: int
    end: int
    ordinal: bool = False

    @property
    def is_percent(self) -> bool:
        """4.5%, 3个百分点, 12‰: a share or a rate, what 增长率/增速/占比 asks for."""
        return self.unit in ("%", "个百分点", "‰")

    @property
    def is_ratio(self) -> bool:
        """7∶3 (kept as value 7, unit ":3")."""
        return self.unit.startswith(":")

    @property
    def is_year(self) -> bool:
        return (not self.ordinal and self.unit == "年" and not self.scale and self.value.is_integer()
                and 1900 <= self.value <= 2100)

    def same_quantity(self, other: Figure) -> bool:
        """Same value and scale; units agree when both are given (个 counts anything countable).

        10% is not 10个百分点, 1.5万亿元 is not 1.5亿元, 126座 is 126个 but not 126吨.
        """
        if self.ordinal != other.ordinal or abs(self.value - other.value) > 1e-9 or self.scale != other.scale:
            return False
        a, b = self.unit, other.unit
        if not a or not b or a == b:
            return True
        return (a == "个" and b in COUNTERS) or (b == "个" and a in COUNTERS)


def figures(norm: str) -> list[Figure]:
    """Figures in normalized text, ordinals as ordinal figures.

    [(f.text, f.scale, f.unit) for f in figures("建成126座水库,投资1.5万亿元,增长3个百分点,居第四")]
    -> [("126", "", "座"), ("1.5", "万亿", "元"), ("3", "", "个百分点"), ("4", "", "")]
    """
    out: list[Figure] = []
    taken: list[tuple[int, int]] = []
    for m in _ORDINAL.finditer(norm):
        raw = m.group(1)
        v = int(raw) if raw.isdigit() else parse_chinese_numeral(raw)
        if v:
            out.append(Figure(float(v), str(v), "", "", m.start(), m.end(), ordinal=True))
            taken.append((m.start(), m.end()))
    for m in _RATIO.finditer(norm):  # 7:3 is one figure: value 7, "unit" :3
        out.append(Figure(float(m.group(1)), _plain(m.group(1)), "", ":" + _plain(m.group(2)), m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _FIGURE.finditer(norm):
        if any(a <= m.start(1) < b for a, b in taken):
            continue
        unit = _SAME_UNIT.get(m.group(5) or "", m.group(5) or "")
        out.append(Figure(float(m.group(1)), _plain(m.group(1)), m.group(3) or "", unit, m.start(), m.end()))
    return sorted(out, key=lambda f: f.start)


def _plain(number: str) -> str:
    return number.rstrip("0").rstrip(".") if "." in number else number


# a news digest's timestamp, the date it was published and not of what it tells:
# "Apr 17, 2023 ... 只想当糕点师的他" (English month names never start an office document)
DATELINE = re.compile(r"^\s*(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}\b(\s*(\.{3}|…))?")


def without_dateline(text: str) -> str:
    """The text with its leading timestamp blanked, offsets kept: a timestamp supports no statement."""
    m = DATELINE.match(text)
    return " " * m.end() + text[m.end():] if m else text


def years(norm: str) -> set[int]:
    """Years named in a text, both ends of a range included: years("2012—2021年") -> {2012, 2021}."""
    found = {int(y) for y in _YEAR.findall(norm)}
    for a, b in _YEAR_RANGE.findall(norm):
        found |= {int(a), int(b)}
    return found


def year_spans(norm: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _YEAR.finditer(norm)]
    return spans + [(m.start(), m.end()) for m in _YEAR_RANGE.finditer(norm)]


def counted_noun(norm: str, fig: Figure, words) -> str:
    """The noun a counter figure counts: counted_noun("43座水闸开展检查", <43座>, cut) -> "水闸".

    `words` cuts text into words (jieba). Empty when the unit is not a counter.
    """
    if fig.unit not in COUNTERS:
        return ""
    run = re.match(r"[\u4e00-\u9fff]{1,12}", norm[fig.end:])
    if not run:
        return ""
    first = words(run.group(0))
    return first[0] if first and len(first[0]) >= 2 else ""


_SCALE = {"": 1.0, "十": 10.0, "百": 100.0, "千": 1e3, "万": 1e4, "十万": 1e5, "百万": 1e6, "千万": 1e7, "亿": 1e8,
          "万亿": 1e12}


def computed(fig: Figure, stated: list[Figure]) -> bool:
    """The figure is no stated one but the sum, difference or ratio of two that are: a model's arithmetic.

    computed(figures("2000个")[0], figures("1200个、800个")) -> True
    """
    def size(f: Figure) -> float:
        return f.value * _SCALE.get(f.scale, 1.0)

    target = size(fig)
    pool = [f for f in stated if not f.is_year and not f.ordinal and not f.same_quantity(fig)]
    for i, a in enumerate(pool):
        for b in pool[i + 1:]:
            x, y = size(a), size(b)
            candidates = [x + y, abs(x - y)]
            if y:
                candidates += [x / y * 100, x / y]
            if x:
                candidates += [y / x * 100, y / x]
            if any(abs(c - target) <= max(1e-9, abs(target) * 0.005) for c in candidates):
                return True
    return False


# dates and money, for questions that ask for one
DATE = re.compile(r"\d{4}年|\d{1,2}月(\d{1,2}[日号])?|\d{1,2}[日号]|[一二三四五六七八九十]{1,3}月|(上|下|本|今|去|明)(年|月|周)")
CURRENCY = re.compile(r"(人民币|美元|欧元|英镑|日元|韩元|卢布|兹罗提|港元|港币|澳元|加元|法郎|里拉|美金|元)")


def is_money(fig: Figure, norm: str) -> bool:
    """The figure is an amount of money: is_money(figures("1.32万亿欧元")[0], "1.32万亿欧元") -> True."""
    return fig.unit.endswith("元") or bool(CURRENCY.match(norm, fig.end))
