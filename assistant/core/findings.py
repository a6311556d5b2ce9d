"""What the answer check finds about a statement: a code, the span of the passage it refers to, and
the facts it names. The Chinese sentence is made from the code at the edge (`words`), like an
error's; no decision anywhere is taken on that sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Check(StrEnum):
    """Why a statement is not verified (or why a reply does not answer)."""

    ECHO = "echo"  # the statement repeats the question
    TITLE = "title"  # a heading, not an answer
    UNSUPPORTED = "unsupported"  # the cited passage does not say it
    NO_SOURCE = "no_source"  # no mark, and no passage says it
    FIGURE_ABSENT = "figure_absent"  # the figure is in no passage
    FIGURE_WRITTEN = "figure_written"  # the same number, another unit or scale
    NOUN = "noun"  # the passage's figure counts another thing (水闸 not 水库)
    ASKED_NOUN = "asked_noun"  # the passage's figure counts another thing than the one asked
    CONTRAST = "contrast"  # 增长 for 下降, 同比 for 环比, 以上 for 以下
    OTHER_CLAUSE = "other_clause"  # another figure of the sentence states what is asked
    FRAME = "frame"  # the figure's sentence is not about what the statement says it counts
    TERMS = "terms"  # the passage is not about the question's words
    YEAR = "year"  # the figure is of another year
    YEAR_UNSTATED = "year_unstated"  # the passage does not say the year asked
    TIME = "time"  # the figure is of another time (去年 for 今年, the present for a target)
    PLACE_HOME = "place_home"  # "我市" is the document's own city, not the one asked
    PLACE_OTHER = "place_other"  # the figure is another place's
    PLACE_UNSTATED = "place_unstated"  # the passage does not say the place asked
    OFF_TOPIC = "off_topic"  # a statement about something else
    NO_PERSON = "no_person"  # a who-question answered without a person
    PERSON_ABSENT = "person_absent"  # the person is in no passage
    PERSON_ROLE = "person_role"  # the passage does not say the person holds that role
    JUDGEMENT = "judgement"  # the statement turns the passage's judgement round (充足 for 不足)
    CONDITION = "condition"  # the passage does not state a figure the question names as a condition
    DENIED = "denied"  # the passage denies what the statement asserts (没拿到冠军)
    ARITHMETIC = "arithmetic"  # a figure the statement computed: never verified, the stated one is
    # about the reply as a whole
    UNCHECKED = "unchecked"  # nothing in the reply could be checked against the passages
    NO_FIGURE = "no_figure"  # a how-many question answered without a figure
    NOT_ABOUT = "not_about"  # the words the reply stands on are not about what was asked
    FEW_ITEMS = "few_items"  # a question counting its items ("四条工作原则是什么") answered with fewer
    FEW_FIGURES = "few_figures"  # a question asking several figures ("从多少提升到多少") answered with fewer
    NO_MONEY = "no_money"  # a how-much-money question answered without an amount of money
    NO_DATE = "no_date"  # a when-question answered without a date
    NO_PLACE = "no_place"  # a where-question answered without a place said as where
    LIST_HEAD = "list_head"  # a list question answered about another thing


@dataclass(frozen=True)
class Finding:
    code: Check
    span: tuple[int, int] | None = None  # where in the passage's (normalized) text it refers to
    facts: tuple[tuple[str, str], ...] = ()  # the words it names: shown, said, asked, place…

    def get(self, name: str) -> str:
        return dict(self.facts).get(name, "")

    def words(self) -> str:
        """The finding in Chinese, for a reader."""
        from assistant.core.messages import FINDINGS_ZH, TIME_ZH

        return FINDINGS_ZH[self.code].format_map(_Blank(tuple((k, TIME_ZH.get(v, v)) for k, v in self.facts)))

    def to_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "span": list(self.span) if self.span else None,
                "facts": dict(self.facts), "words": self.words()}


class _Blank(dict):
    def __init__(self, facts: tuple[tuple[str, str], ...]):
        super().__init__(facts)

    def __missing__(self, key: str) -> str:
        return ""


def found(code: Check, span: tuple[int, int] | None = None, **facts: Any) -> Finding:
    """found(Check.YEAR, (4, 9), shown="812亿元", stated="2023", asked="2024")."""
    return Finding(code, span, tuple((k, str(v)) for k, v in facts.items()))
