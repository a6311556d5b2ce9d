"""Question words, in one place: the words that ask, and what a question asks for (its slot).

Every layer that needs to know whether a question wants a figure, a date, a person or a place
asks here, so the answer check, the quote fallback and retrieval agree on it.
"""

from __future__ import annotations

import re
from enum import StrEnum

# words that ask and name nothing (removed before a question's words are matched to a passage)
ASKING = re.compile(r"(多少|几|哪些|哪个|哪里|哪|什么|是否|怎么|如何|为什么|吗|呢|请问|是)")
# the answer is a figure: a count, an amount, a share, a rank
HOW_MANY = re.compile(r"(多少|几[个家座台项名位次倍成年月天%]|几何|百分之几|比重|占比|增速|增幅|增长率|排第几|第几)")
# the answer is a thing, not a figure, even when a figure word is in the question
WHICH = re.compile(r"(哪些|哪个|什么|谁|哪里|哪儿)")
WHEN = re.compile(r"(何时|什么时候|哪一?年|哪一?天|哪一?月|几月|几号|几日|日期|时间是|具体时间|哪个时间|时间[？?]?$|时候[？?]?$)")
# the answer is an amount of money
MONEY = re.compile(r"(多少钱|多少资金|多少经费|(金额|价格|票价|售价|费用|赔偿|投资|花费|资金)(是|为|有|达|达到|共)?多少)")
WHERE = re.compile(r"(哪里|哪儿|在哪|什么地方|何地|何处|哪个城市|哪座城市|哪个国家|哪个省|地点|举办地|举行地)")
WHO = re.compile(r"(谁|哪位|什么人|哪个人|哪一位|是谁)")
# offices and roles a person holds: "X的主演" asks for a person without a question word
ROLES = re.compile(r"(书记|主任|局长|部长|厅长|处长|市长|区长|县长|省长|主席|总经理|董事长|院长|校长|负责人|所长|司长|主管"
                   r"|总统|总理|首相|主演|导演|编剧|作者|创始人|首席执行官|CEO|冠军|得主|代言人|发言人|执导|出演|领衔)")


class Slot(StrEnum):
    """What the answer to a question must hold."""

    FIGURE = "figure"
    DATE = "date"
    PERSON = "person"
    PLACE = "place"
    OTHER = "other"  # a thing, a list, a measure: no single slot


def asks_for_figure(question: str) -> bool:
    """The answer to this question is a figure: asks_for_figure("有多少家企业？") -> True."""
    return bool(HOW_MANY.search(question)) and not WHICH.search(question)


def asked_slot(question: str) -> Slot:
    """asked_slot("《某剧》的导演是谁") -> PERSON; asked_slot("何时举行") -> DATE; asked_slot("增长多少") -> FIGURE."""
    if WHO.search(question):
        return Slot.PERSON
    if WHEN.search(question):
        return Slot.DATE
    if WHERE.search(question):
        return Slot.PLACE
    if asks_for_figure(question):
        return Slot.FIGURE
    if _ROLE_ASKED.search(question):
        return Slot.PERSON
    return Slot.OTHER


_ROLE_ASKED = re.compile(ROLES.pattern + r"(是|有|为)?(哪些|哪几位|哪几个)?\s*[？?。]?$")
