"""A comparison's sides, each asked, searched, answered and checked on its own.

"廊坊市和重庆九龙坡区发展数字经济的做法有什么不同？" compares 廊坊市 with 重庆九龙坡区; "高技术制造业产值占比和
金融业增加值占GDP比重，分别从2016年的多少提升到多少？" asks the same question of two indicators. One search
for the whole question finds the side the passages say most about, and a small model given both
sides' passages gives one side's figures to the other. So each side becomes a question of its own
("廊坊市发展数字经济的做法是什么？"), is answered from its own passages and checked against them, and the
answer states each side on its own line with its own source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import zip_longest

from assistant.answer.prompt import NOT_FOUND_TEXT
from assistant.core.records import Answer, Citation, Hit, Kind, Statement, Status
from assistant.text.names import NATION, core, tagged
from assistant.text.questions import ASKS, COMPARE_ASK, SEPARATELY, SIDE_JOINERS, WHICH_MORE

_NAME = ("ns", "nr", "nt", "nz")
_PART = ("n", "ns", "nr", "nt", "nz", "nrt", "j")  # a name's parts: "前湾"+"新区", "重庆"+"九龙坡区"
_CLAUSE_END = re.compile(r"[，,。；;：:？?]")
_JOIN = re.compile("|".join(sorted(map(re.escape, SIDE_JOINERS), key=len, reverse=True)))
_CONTEXT_TAGS = ("m", "t", "ns", "f")  # what leads the first side and belongs to every side: "到2027年宁波"
_CONTEXT_WORDS = ("到", "在", "至", "截至", "截止", *NATION, "全区", "全县", "我市", "我省", "我区", "本市")
MAX_SIDES = 4


@dataclass(frozen=True)
class Side:
    label: str  # the side as the question names it: "廊坊市", "金融业增加值占GDP比重"
    question: str  # the question asked of this side alone
    named: bool = False  # the side is a place, a person or a body, named as the text names its subject


def sides_of(question: str) -> tuple[str, str] | None:
    """The two names a comparison joins, or None: sides_of("海曙区和前湾新区分别要打造什么？") ->
    ("海曙区", "前湾新区"); sides_of("制造业与服务业之比") -> None (no names)."""
    words = tagged(question)
    for i, (w, _) in enumerate(words):
        if w not in SIDE_JOINERS or i == 0:
            continue
        a = _run(words, i - 1, -1)
        b = _run(words, i + 1, 1)
        if a and b:
            return a, b
    return None


def _run(words, start: int, step: int) -> str:
    """The name that ends (step -1) or starts (step 1) at `start`: its run of name parts, one name in it."""
    got, j = [], start
    while 0 <= j < len(words) and words[j][1] in _PART and len(got) < 3:
        got.append(words[j])
        j += step
    if step < 0:
        got.reverse()
    return "".join(w for w, _ in got) if any(f in _NAME for _, f in got) else ""


def sides(question: str) -> list[Side]:
    """The sides of a comparison, each with its own question; [] when the question names no sides.

    sides("廊坊市和重庆九龙坡区的做法有什么不同？") -> 廊坊市: "廊坊市的做法是什么？", 重庆九龙坡区: …;
    sides("到2027年宁波数字经济增加值和核心产业营业收入分别要达到多少？") -> "到2027年宁波数字经济增加值要达到多少？",
    "到2027年宁波核心产业营业收入要达到多少？" (what leads the first side, a time or a place, leads every side)."""
    return _named(question) or _separately(question)


def _named(q: str) -> list[Side]:
    pair = sides_of(q)
    if pair is None:
        return []
    a, b = pair
    m = re.search(re.escape(a) + f"(?:{_JOIN.pattern})" + re.escape(b), q)
    if m is None:
        return []
    return [Side(x, _alone(q[:m.start()] + x + q[m.end():]), named=True) for x in (a, b)]


def _separately(q: str) -> list[Side]:
    """"X和Y，分别…": the clause before 分别 split at its joiners, each part asked what follows."""
    m = SEPARATELY.search(q)
    if m is None:
        return []
    before = q[:m.start()]
    start = max((c.end() for c in _CLAUSE_END.finditer(before)), default=0)
    clause = before[start:]
    joins = list(_JOIN.finditer(clause))
    if not joins:
        return []
    last = joins[-1]
    heads = [*clause[:last.start()].split("、"), clause[last.end():]]
    if not 2 <= len(heads) <= MAX_SIDES or any(len(h) < 2 for h in heads):
        return []
    context = _context(heads[0])
    cores = [heads[0][len(context):], *heads[1:]]
    if any(len(c) < 2 for c in cores):
        return []
    tail = _shared_tail(cores)
    cores = [c + tail for c in cores[:-1]] + [cores[-1]]
    rest = q[m.end():]
    return [Side(c, _alone(q[:start] + context + c + rest)) for c in cores]


def _shared_tail(cores: list[str]) -> str:
    """What the last side ends with that one-word sides before it share: "工业和服务业增加值" asks of
    工业增加值 and 服务业增加值; "高技术制造业产值占比和金融业增加值占GDP比重" shares nothing."""
    last = [w for w, _ in tagged(cores[-1])]
    if len(last) < 2 or any(len(tagged(c)) != 1 for c in cores[:-1]):
        return ""
    return "".join(last[1:])


def _context(head: str) -> str:
    """The leading words of the first side that set when and where ("到2027年宁波"), not what."""
    out = ""
    for w, f in tagged(head):
        if f in _CONTEXT_TAGS or w in _CONTEXT_WORDS:
            out += w
        else:
            break
    return out if len(out) < len(head) else ""


def _alone(question: str) -> str:
    """The question as asked of one side: 分别 and the comparison's own words dropped, and 是什么
    put where they asked ("…的做法有什么不同？" -> "…的做法是什么？")."""
    q = WHICH_MORE.sub(r"\1是多少", SEPARATELY.sub("", question))
    q = COMPARE_ASK.sub("", q).strip("，, ")
    body = q.rstrip("？?。 ")
    if not ASKS.search(body):
        body += "是什么"
    return body + "？"


def interleaved(lists: list[list[Hit]]) -> list[Hit]:
    """Each side's hits taken in turns (side A's first, side B's first, …), each passage once."""
    out: list[Hit] = []
    seen: set[str] = set()
    for row in zip_longest(*lists):
        for h in row:
            if h is not None and h.chunk.chunk_id not in seen:
                seen.add(h.chunk.chunk_id)
                out.append(h)
    return out


def _keys(label: str) -> tuple[str, ...]:
    """How the text may write a named side: its last name part, whole and without its suffix
    ("重庆九龙坡区" -> 九龙坡区, 九龙坡; the text writes "重庆市九龙坡区")."""
    names = [w for w, f in tagged(label) if f in _NAME] or [label]
    return tuple(dict.fromkeys((names[-1], core(names[-1]))))


def speaks_of(side: Side, found: list[Side], text: str, end: int) -> bool:
    """The words quoted up to text[:end] are about this side: the last side the text names before
    they end is this one. A speech digest runs one speaker into the next ("……共同富裕的强大动力。
    重庆市九龙坡区委书记……"): the sentence before 九龙坡区's heading is not 九龙坡区's."""
    if not side.named:
        return True

    def last(s: Side) -> int:
        return max(text.rfind(k, 0, end) for k in _keys(s.label))

    own = last(side)
    return own >= 0 and all(last(o) < own for o in found if o is not side)


_SENTENCE_START = re.compile(r"[。！？!?；;\n]|\u3000\u3000")
MIN_PART = 12  # a passage's part about a side shorter than this is no passage


def own_part(side: Side, found: list[Side], hit: Hit, text: str) -> Hit | None:
    """The longest part of a passage that speaks of this side (speaks_of), from the sentence that
    names it to the sentence that names another side; the passage as it is for a side that is not
    a named subject; None when no part of it is this side's."""
    if not side.named:
        return hit
    c = hit.chunk

    def sentence_start(at: int) -> int:
        return max([m.end() for m in _SENTENCE_START.finditer(text, c.start, at)], default=c.start)

    marks = sorted((m.start(), s is side) for s in found for k in _keys(s.label)
                   for m in re.finditer(re.escape(k), text[:c.end]) if m.start() >= c.start)
    parts, begin = [], c.start if speaks_of(side, found, text, c.start) else None
    for at, mine in marks:
        if mine and begin is None:
            begin = sentence_start(at)
        elif not mine and begin is not None:
            parts.append((begin, sentence_start(at)))
            begin = None
    if begin is not None:
        parts.append((begin, c.end))
    start, end = max(parts, key=lambda p: p[1] - p[0], default=(0, 0))
    if end - start < MIN_PART:
        return None
    if (start, end) == (c.start, c.end):
        return hit
    cut = replace(c, text=text[start:end], start=start, end=end,
                  page=c.page_at(start - c.start), page_breaks=tuple(b - (start - c.start) for b in c.page_breaks
                                                                     if start - c.start < b <= end - c.start))
    return replace(hit, chunk=cut)


_MARK = re.compile(r"\[(\d+)\]")


def joined(question: str, answers: list[tuple[Side, Answer]], hits: list[Hit]) -> Answer | None:
    """Each side's answer on its own line ("廊坊市：…[1]"), its citations numbered after the side
    before it, a side the documents do not answer said so on its line; None when no side is shown."""
    if not any(a.status.shown for _, a in answers):
        return None
    passages: list[Hit] = []
    lines: list[str] = []
    statements: list[Statement] = []
    citations: list[Citation] = []
    for side, a in answers:
        if not a.status.shown:
            lines.append(f"{side.label}：{NOT_FOUND_TEXT}")
            continue
        new: dict[int, int] = {}
        for n, p in enumerate(a.passages, 1):
            at = next((i for i, q in enumerate(passages) if q.chunk.chunk_id == p.chunk.chunk_id), None)
            if at is None:
                passages.append(p)
                at = len(passages) - 1
            new[n] = at + 1
        lines.append(f"{side.label}：" + _MARK.sub(lambda m, new=new: f"[{new.get(int(m.group(1)), m.group(1))}]",
                                                  a.answer))
        statements += [replace(s, cites=tuple(new.get(c, c) for c in s.cites),
                               quote=replace(s.quote, n=new.get(s.quote.n, s.quote.n)) if s.quote else None)
                       for s in a.statements]
        citations += [replace(c, n=new.get(c.n, c.n)) for c in a.citations]
    status = Status.ANSWERED if any(a.status == Status.ANSWERED for _, a in answers) else Status.QUOTED
    return Answer(question, status, "\n".join(lines), citations=citations, hits=hits, passages=passages,
                  statements=statements, kind=Kind.COMPARISON)
