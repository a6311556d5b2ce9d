"""People in answers: a person counts as "X of Y" only when the passage names X right next to Y."""

from __future__ import annotations

import re

from assistant.answer.claims import View, coverage, has, terms
from assistant.core.findings import Check, Finding, found
from assistant.text.names import NATION, tagged
from assistant.text.questions import ROLES, WHO, roles_asked
from assistant.text.sentences import SENTENCE_STOPS

_ROLE = ROLES


def check_person(stmt_norm: str, question: str, view: View) -> Finding | None:
    """A person named as "X of Y" must stand next to Y in the passage."""
    if not WHO.search(question) and not _ROLE.search(question):
        return None
    # the place asked, but not the nation: "中国版《忠犬八公》的导演" is named far from "中国"
    need = terms(question) + tuple(w for w, flag in tagged(question) if flag == "ns" and w not in NATION)
    need += tuple(r for r in roles_asked(question) if r not in need)
    names = asserted_names(stmt_norm, question, need)
    near = tuple(t for t in need if not titled(t, view.norm + view.around))
    if not names and WHO.search(question):
        return found(Check.NO_PERSON)
    for name in names:
        beside = [_beside(view.norm, m.start(), m.end()) for m in re.finditer(re.escape(name), view.norm)]
        windows = [w for w, _, _ in beside]
        if not windows:
            return found(Check.PERSON_ABSENT, name=name)
        if not any(not obj and _stands_as(near, w, c) for w, c, obj in beside):
            miss = [t for t in near if not any(has(t, w) for w in windows)]
            return found(Check.PERSON_ROLE, name=name, asked="、".join(miss) or question)
    return None


def titled(term: str, text: str) -> bool:
    """The term is part of a title the passage writes in 《》: the passage's topic, near every name in it."""
    return any(term in m.group(1) for m in _TITLE.finditer(text))


_TITLE = re.compile(r"《([^》]{1,40})》")


def asserted_names(stmt: str, question: str, need: tuple[str, ...]) -> list[str]:
    """What a statement names beyond the question's words: "国家数据局局长是王某某" -> ["王某某"]."""
    rest = stmt
    for t in sorted({*need, *(m.group(0) for m in _ROLE.finditer(stmt))}, key=len, reverse=True):
        rest = rest.replace(t, " ")
    out = [w for w, flag in tagged(stmt) if flag.startswith("nr") and len(w) >= 2 and w not in question
           and not _joined_word(w)]
    for run in re.findall(r"[\u4e00-\u9fff·]{2,8}", rest):
        run = run.strip("是为由任系的了即和及、")
        tags = tagged(run)
        known_word = len(tags) == 1 and not tags[0][1].startswith("nr")  # 党组, 主任: words, not people
        if 2 <= len(run) <= 4 and run[0] in SURNAMES and not known_word and run not in out and run not in question:
            out.append(run)
    return out


def _joined_word(w: str) -> bool:
    """A "name" the tokenizer glued from a conjunction and a word: "与天舟三号和天舟四号" gives 和天舟."""
    if w[0] not in _CONJUNCTIONS or len(w) < 3:
        return False
    rest = tagged(w[1:])
    return len(rest) == 1 and not rest[0][1].startswith("nr")


_CONJUNCTIONS = "和与及同跟并"


# the common Chinese surnames (about 90% of people): a run of 2-4 characters starting with one may be a name
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏"
    "韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)


def _beside(text: str, start: int, end: int, reach: int = 40) -> tuple[str, str, bool]:
    """What a sentence says right around a name (up to `reach` characters each side, within the
    sentence), the clause that holds it ("由李明执导，王芳、赵强主演": 李明's clause says 执导), and whether the
    name is another person's object in that clause."""
    stops = SENTENCE_STOPS + "\n"
    lo = max(0, start - reach)
    cut = max(text.rfind(c, lo, start) for c in stops)
    hi = min(len(text), end + reach // 2)
    after = [i for i in (text.find(c, end, hi) for c in stops) if i >= 0]
    window = text[max(lo, cut + 1):min(after) if after else hi]
    a = max(text.rfind(c, 0, start) for c in stops + "，,") + 1
    b = min([i for i in (text.find(c, end) for c in stops + "，,") if i >= 0] or [len(text)])  # a clause: to a comma
    return window, text[a:b], _object_of(text[a:start]) and not _AS.search(text[end:b])


_AS = re.compile(r"^[^，,。；;]{0,6}?(为|成为|担任|出任|当选)")  # 任命李四为局长: the object holds the role


def _object_of(before: str) -> bool:
    """The clause names a person and then a verb before this name: the name is that verb's object, and a
    role said after it is the subject's ("李娜击败王芳获得冠军": 王芳 did not win; "王芳和李娜获得冠军": both did;
    "张三任命李四为局长": 李四 is, by 为)."""
    seen_person = False
    for w, flag in tagged(before):
        if flag.startswith("nr") and len(w) >= 2:
            seen_person = True
        elif seen_person and flag.startswith("v"):
            return True
    return False


def _stands_as(need: tuple[str, ...], window: str, clause: str) -> bool:
    """The name's window holds what was asked, and a role asked is said in the name's own clause
    whenever that clause names a role at all."""
    roles = [t for t in need if _ROLE.fullmatch(t)]
    if coverage(need, window) < 0.999:
        return False
    return not (_ROLE.search(clause) and any(not has(r, clause) for r in roles))
