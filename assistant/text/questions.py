"""Question words, in one place: the words that ask, and what a question asks for (its slot).

Every layer that needs to know whether a question wants a figure, a date, a person or a place
asks here, so the answer check, the quote fallback and retrieval agree on it.
"""

from __future__ import annotations

import re
from enum import StrEnum

from assistant.core.records import Kind

# words that ask and name nothing (removed before a question's words are matched to a passage)
ASKING = re.compile(r"(多少|几|哪些|哪个|哪里|哪|什么|是否|怎么|如何|为什么|吗|呢|请问|是)")
# the answer is a figure: a count, an amount, a share, a rank
HOW_MANY = re.compile(r"(多少|几[个家座台项名位次倍成年月天%]|几何|百分之几|比重|占比|增速|增幅|增长率|排第几|第几)")
# the answer is a thing, not a figure, even when a figure word is in the question
WHICH = re.compile(r"(哪些|哪几|哪个|什么|谁|哪里|哪儿)")
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


def figures_asked(question: str) -> int:
    """How many figures a question asks for: figures_asked("从2016年的多少提升到多少？") -> 2; one
    "多少" asks for one, a question that asks for no figure for none."""
    return len(_ASKS_FIGURE.findall(question)) if asks_for_figure(question) else 0


ASKS_RANK = re.compile(r"第几|排名|名次|位次|排在")  # a rank is asked: an ordinal answers it, no other figure does


def asks_rank(question: str) -> bool:
    """asks_rank("研发费用占比在全省排第几？") -> True"""
    return bool(ASKS_RANK.search(question))


ASKS_RATE = re.compile(r"增长率|增速|增幅|比重|占比|百分之几|百分比|(?<!效)率(是|为|多少|有多)")  # a percent answers it
ASKS_RATIO = re.compile(r"之比|比例|比值|比为|比是|几比几")  # a ratio answers it, and nothing else asks one


def asks_rate(question: str) -> bool:
    """asks_rate("2023一季度中国GDP增长率") -> True; asks_rate("GDP是多少？") -> False"""
    return bool(ASKS_RATE.search(question))


def asks_ratio(question: str) -> bool:
    """asks_ratio("制造业与服务业增加值之比是多少？") -> True; asks_ratio("增加值达到了多少？") -> False"""
    return bool(ASKS_RATIO.search(question))


_ASKS_FIGURE = re.compile(r"多少|几[个家座台项名位次倍成年月天%]|百分之几|第几")  # each asks for one figure


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


# What a comparison asks with, that the same question about one side drops: "有什么不同", "相比，"
COMPARE_ASK = re.compile(r"[，,]?(?:相比|比较|对比)(?:而言|来看|之下)?[，,]?|(?:有|存在)?(?:什么|何|哪些)(?:不同|区别|差异|异同)(?:之处)?"
                         r"|的?(?:区别|差异|不同之处|异同)(?:是什么|在哪里|在哪|有哪些)?")
SEPARATELY = re.compile(r"[，,]?\s*分别")  # "X和Y，分别从…提升到…": the same question asked of each
SIDE_JOINERS = ("和", "与", "同", "跟", "及", "以及", "对比")  # the words that join a comparison's sides
WHICH_MORE = re.compile(r"(?:哪个|哪一个|谁)的?(.{1,12}?)更(?:多|高|快|大|少|低|慢|小|强|好|优)")  # asked of one side: 是多少
# the words a text gives a reason with: "最根本的制约因素还是…", "主要是由于…", "根源在于…"
CAUSE_WORDS = re.compile(r"(原因|因素|由于|因为|导致|造成|制约|根源|根本在于|症结|归因|源于|缘于|所致|之所以)")
ASKS = re.compile(r"(什么|多少|几|哪|谁|如何|怎|吗|是否|有没有|何)")  # the words that make a sentence a question


# items counted and asked for: "四条工作原则是什么", "三个关键领域是什么"
COUNTED_ITEMS = r"[两二三四五六七八九十](?:个|条|项|大|点|种|类)[^，。？?]{0,8}(?:是什么|是哪些|指什么|包括什么)"


# The rules, first match wins: a summary of "哪几个方面" is a summary; "哪些措施" is a measure, not a list.
KIND_RULES: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (Kind.SUMMARY, re.compile(r"(主要内容|主要讲|讲了(些)?什么|讲的是什么|说了(些)?什么|讲了哪(几|些)(个方面|点|部分)|概括|概述"
                              r"|总结一下|核心内容|主旨|要点是什么|大意)")),
    (Kind.COMPARISON, re.compile(r"(相比|比较(?!优势)|有何不同|有什么不同|有什么区别|有何区别|区别是什么|差异|异同|不同之处|分别(是|为|要|从)"
                                 r"|与.{1,12}(一样|相同)吗)")),
    (Kind.REASONS, re.compile(r"(为什么|为何|什么原因|原因是什么|原因有哪些|原因[？?]?$|缘由|理由|之所以)")),
    (Kind.MEASURES, re.compile(r"(措施|举措|办法|做法|怎么做|怎样做|如何.{0,4}(做|推进|推动|落实|加强|建设|实现|开展|优化|提升|解决)"
                               r"|要怎么|该怎么|做哪些工作|哪些工作|哪些要求|什么要求|从哪几方面|从哪些方面|着手|路径)")),
    (Kind.YES_NO, re.compile(r"(是否|有没有|是不是|能不能|会不会|可不可以|吗[？?。]?$)")),
    (Kind.LIST, re.compile(r"(哪些|哪几|包括|包含|有几[个项条方]|哪[两二三四五六七八九十]|几大|几个方面|几点"
                           r"|“[^”]+”(是什么|指的?是什么|指什么)|什么.{0,4}(思路|原则|目标|方向|理念|方针)|" + COUNTED_ITEMS + ")")),
)


def kind_of(question: str) -> Kind:
    """kind_of("这份通知主要讲了什么？") -> SUMMARY; kind_of("采取了哪些措施？") -> MEASURES;
    kind_of("有哪几个重点任务？") -> LIST; kind_of("增加值是多少？") -> FACT."""
    q = question.strip()
    for kind, rule in KIND_RULES:
        if rule.search(q):
            if kind == Kind.LIST and not _MANY.search(q) and asked_slot(q) != Slot.OTHER:
                return Kind.FACT  # "是什么" after a single slot ("比重是什么") asks for one fact
            return kind
    return Kind.FACT


_MANY = re.compile(r"(哪些|哪几|包括|包含|有几[个项条方]|哪[两二三四五六七八九十]|几大|几个方面|几点|指的?是什么|指什么|“"
                   r"|思路|原则|理念|方针|" + COUNTED_ITEMS + ")")


# words a list question asks with, that name no content: "有哪些措施", "从哪几方面"
LIST_WORDS = re.compile(r"(措施|举措|办法|做法|方面|工作|要求|原因|内容|哪些|哪几|具体|主要|包括|包含|提出|有关|相关|什么|怎么|怎样|如何"
                        r"|着手|讲话|报道|文章|文件|通知|发言|这篇|这份|该文|关于|意见|讲了|说了)+")
COUNT = re.compile(r"(?:哪|这|有)?([两二三四五六七八九十]|[2-9])(?:个|条|项|大|方面|点|种|类|件)")
_NUM = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def count_asked(question: str) -> int | None:
    """How many items a list question counts, None when it does not:
    count_asked("主要短板有哪三个？") -> 3; count_asked("“四个突出”是哪些？") -> 4."""
    m = COUNT.search(question)
    if not m:
        return None
    n = m.group(1)
    return int(n) if n.isdigit() else _NUM[n]


ITEM_BREAK = re.compile(r"[、，,；;！!]|和|与|及|以及")  # what separates the items of a list said in one sentence


def items_said(text: str) -> int:
    """How many items a reply names: its parts between list separators, or its quoted names.
    items_said("超常发力、精准聚力、一体发力、革新动力") -> 4; items_said("要与“一号改革工程”“一号开放工程”贯通") -> 2"""
    parts = [p for p in ITEM_BREAK.split(text) if p.strip(" 。.")]
    return max(len(parts), len(re.findall(r"“[^”]+”", text)))


# words a yes/no question asks with, that the sentence deciding it need not repeat: "是否已经实现"
YES_NO_WORDS = re.compile(r"^(是否|有没有|是不是|能否|能不能|会不会|已经|已|曾经|还|仍然|仍|目前|现在|这个|这|该|本|此)$")
