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
                   r"|总统|总理|首相|主演|导演|编剧|作者|创始人|首席执行官|CEO|冠军|得主|代言人|发言人|执导|出演|领衔|饰演|扮演)")
# "谁演的", "由谁扮演": the role asked is 饰演, though the question does not write it
PLAYED_BY = re.compile(r"(谁(来)?(饰|扮)?演|演员是谁|扮演者|饰演者)")


def roles_asked(question: str) -> list[str]:
    """The roles a question asks a person to hold: roles_asked("高启强谁演的？") -> ["饰演"]."""
    out = [m.group(0) for m in ROLES.finditer(question)]
    return out + ["饰演"] if PLAYED_BY.search(question) and "饰演" not in out else out


class Slot(StrEnum):
    """What the answer to a question must hold."""

    FIGURE = "figure"
    DATE = "date"
    PERSON = "person"
    PLACE = "place"
    OTHER = "other"  # a thing, a list, a measure: no single slot


# a question that is only a noun phrase ending in a quantity asks for a figure: "2023年五一旅游人次"
QUANTITY_NOUN = re.compile(r"(人次|人数|人口|票房|销量|销售额|产量|产值|总额|金额|营收|收入|利润|增长率|增速|增幅|GDP|生产总值"
                           r"|数量|面积|长度|高度|票价|价格|市值|估值|排名)[？?]?$")
# the counter a how-many question names: "多少支球队" counts 支, "多少人" counts 人
_COUNTED = re.compile(r"(?:多少|几)(万|亿)?([个家座台项名位次支只人户所条件辆架艘吨元天年届枚块场部集])([\u4e00-\u9fff]{0,2})")


def asks_for_figure(question: str) -> bool:
    """The answer to this question is a figure: asks_for_figure("有多少家企业？") -> True."""
    if WHICH.search(question) or WHO.search(question):
        return False
    return bool(HOW_MANY.search(question) or QUANTITY_NOUN.search(question.strip()))


def counted(question: str) -> tuple[str, ...]:
    """What a how-many question counts in, its counter and the last character of the noun after it,
    () when none: counted("有多少支球队参赛？") -> ("支", "队"); counted("招录多少人？") -> ("人", "名", "位")."""
    m = _COUNTED.search(question)
    if not m or m.group(2) == "个":  # 个 counts anything: "几个项目" is answered by "3项"
        return ()
    unit, noun = m.group(2), re.sub(r"(参|参加|参与|入|进|来|去|获|是|有|在|被|将)$", "", m.group(3))
    people = ("名", "位") if unit == "人" else ()
    return (unit, *people, *(noun[-1:] if noun and noun[-1] != unit else ()))


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
