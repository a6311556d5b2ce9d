"""Questions about one document: the document a question names, or the one "这份通知" points back at.

A question that names a document — its title in 《》, its 发文字号, its file name — is answered from
that document alone. "这份通知/该文件/这篇讲话" after an answer points at the document that answer
cited, never at the earlier question's words.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.text.chinese import normalize
from assistant.text.names import titles_in

# words that point back at a document already in the conversation
POINTS_AT_DOCUMENT = re.compile(
    r"(这份|这篇|这个|这则|这一|该|本|此|上述|上面的?|刚才的?)"
    r"(文件|通知|报告|讲话|方案|意见|办法|公文|文章|报道|材料|文档|发言|决定|规定|纪要|函|批复|请示|通报|总结|计划|稿子?)"
)
MIN_NAME = 4  # a title or file name shorter than this names too many things to scope a question
TITLE_PART = 10  # a part of a title this long, written in the question without 《》, names its document
_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
WHOLE = 0.8  # a title in 《》 names a document whose title it is, near enough whole: 《忠犬八公》 is a film
# a news headline only mentions ("《忠犬八公》中国版定档"), not that headline's document


@dataclass(frozen=True)
class DocRef:
    source: str
    title: str
    number: str = ""  # 发文字号, when the document has one


def points_back(question: str) -> bool:
    """The question speaks of a document already in the conversation: "这份通知主要讲了什么？"."""
    return bool(POINTS_AT_DOCUMENT.search(question))


def named_document(question: str, docs: Iterable[DocRef]) -> str:
    """The source of the one document the question names by title, 发文字号 or file name; "" when it
    names none (or names several equally well)."""
    q = normalize(question)
    titles = [normalize(t) for t in titles_in(question)]
    best: list[tuple[int, str]] = []
    for d in docs:
        names = [normalize(d.title), normalize(os.path.splitext(os.path.basename(d.source))[0])]
        score = 0
        for t in titles:
            for name in names:
                bare = _BRACKETED.sub("", name) or name  # "工作总结（定稿）" is the 工作总结
                if len(name) >= MIN_NAME and len(t) >= MIN_NAME and (name in t or t in name and len(t) >= WHOLE * len(bare)):
                    score = max(score, min(len(t), len(name)))
        for part in re.split(r"——|—|\s+|：|:", normalize(d.title)):  # a title's own part, named without 《》
            if len(part) >= TITLE_PART and part in q:
                score = max(score, len(part))
        if d.number and normalize(d.number) in q:
            score = max(score, len(d.number) + 100)  # a document number names one document
        stem = names[1]
        if len(stem) >= MIN_NAME and not stem.isdigit() and stem in q:
            score = max(score, len(stem))
        if score:
            best.append((score, d.source))
    if not best:
        return ""
    best.sort(reverse=True)
    if len(best) > 1 and best[1][0] == best[0][0]:
        return ""
    return best[0][1]


def unnamed(question: str, doc: DocRef | None) -> str:
    """The question without the words that name its document (《title》, 发文字号, file name): what is
    left asks about the content, and only that must stand in the documents."""
    q = re.sub(r"《[^《》]*》", "", question)
    if doc is not None:
        for name in (doc.number, os.path.splitext(os.path.basename(doc.source))[0],
                     os.path.basename(doc.source)):
            if name and len(name) >= MIN_NAME:
                q = q.replace(name, "")
    return q
