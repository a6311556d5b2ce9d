"""Follow-up questions: rewrite a question that leans on earlier turns into one that stands alone.

"那2027年的目标呢？" after "2025年数字经济的目标是什么？" is searched as "2027年数字经济的目标是什么？".
The chat model writes the rewrite (the way conversational search engines condense a question);
the program checks it kept what the user typed, and falls back to a plain join when it did not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from assistant.answer.generation import Generator

# Words that point back at an earlier turn, a question with no subject, or a bare "…呢？".
_LEANS_BACK = re.compile(
    r"^(那|那么|那个|这|这个|这些|那些|它|它们|其|该|此|上述|前面|刚才|同样|还有|另外|此外|然后|再"
    r"|由|谁|哪|什么|多少|几|是否|有没有|要|需要|应|如何|怎么|为什么|何时|具体)"
    r"|(它|它们|其中|他们|她们|该项|这项|这些|那些|上述|前者|后者|同期|相应|对应)"
    r"|呢[？?]?$"
)
_KEEP = re.compile(r"\d+(?:\.\d+)?%?|[A-Za-z]{2,}|《[^》]+》|“[^”]+”")

REWRITE_PROMPT = (
    "你的任务：把用户的最新问题改写成一个不依赖上下文、可以单独检索的完整问题。\n"
    "规则：补全最新问题里省略或指代的主语、对象和范围（从之前的问题中取）；保留最新问题里的每个数字、"
    "年份和名称；不要回答问题，不要添加之前对话中没有的内容；只输出改写后的一个问题。\n\n"
    "示例\n之前的问题：2025年全市数字经济核心产业增加值的目标是多少？\n最新问题：那2027年呢？\n"
    "改写：2027年全市数字经济核心产业增加值的目标是多少？\n\n"
    "示例\n之前的问题：防汛检查由哪个部门牵头？\n最新问题：它要在什么时候之前完成？\n"
    "改写：防汛检查要在什么时候之前完成？\n"
)


def leans_back(question: str) -> bool:
    """Whether a question probably depends on earlier turns (pronoun, "那…呢", a bare fragment)."""
    q = question.strip()
    return bool(_LEANS_BACK.search(q)) or len(q) <= 6


def kept_terms(question: str) -> list[str]:
    """Numbers, Latin words and quoted names the rewrite must keep verbatim."""
    return [m.group(0) for m in _KEEP.finditer(question)]


def _clean(text: str) -> str:
    line = next((x for x in text.strip().splitlines() if x.strip()), "")
    return re.sub(r"^(改写|问题|改写后的问题)[:：]\s*", "", line.strip()).strip("“”\"' ")


def acceptable(rewrite: str, question: str, previous: str) -> bool:
    """A rewrite keeps every number and name the user typed, is a question, and is not a ramble."""
    if not rewrite or len(rewrite) > max(120, 2 * (len(question) + len(previous))):
        return False
    if "[" in rewrite or "资料" in rewrite and "资料" not in question + previous:
        return False
    if not all(t in rewrite for t in kept_terms(question)):
        return False
    # the rewrite must carry the new question's own words, not just repeat the old one
    core = re.sub(r"[？?。！!\s]", "", question)
    core = re.sub(r"^(那么|那|还有|另外|此外|然后|再)|呢$", "", core) or core
    m = SequenceMatcher(None, core, rewrite, autojunk=False).find_longest_match(0, len(core), 0, len(rewrite))
    return m.size >= min(3, len(core))


def fallback(question: str, previous: str) -> str:
    """Without a usable rewrite, search with both: the earlier question gives the subject."""
    return f"{question.strip()}（接上一个问题：{previous.strip()}）"


def standalone(question: str, history: Sequence[str], generator: Generator | None,
               *, max_tokens: int = 80) -> str:
    """The question to search for: as typed when it stands alone, else rewritten with history.

    `history` holds the earlier standalone questions, oldest first.
    """
    q = question.strip()
    if not history or not leans_back(q):
        return q
    previous = history[-1]
    if generator is None:
        return fallback(q, previous)
    earlier = "\n".join(history[-2:])
    messages = [
        {"role": "system", "content": REWRITE_PROMPT},
        {"role": "user", "content": f"之前的问题：{earlier}\n最新问题：{q}\n改写："},
    ]
    rewrite = _clean("".join(generator.stream(messages, max_tokens=max_tokens)))
    if acceptable(rewrite, q, previous) and rewrite != q:
        return rewrite
    return fallback(q, previous)
