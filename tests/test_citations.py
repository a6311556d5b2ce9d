from __future__ import annotations

import pytest

from assistant.answer.citations import check_answer, numbers
from assistant.answer.marks import parse_citations, split_statements
from assistant.core.findings import Check, found
from assistant.core.records import Chunk, Hit


def hit(text: str, source: str = "a.txt", start: int = 100) -> Hit:
    return Hit(Chunk(f"{source}-0", source, "标题", text, start, start + len(text), 3, ("一、概况",)), 1.0, 0.5, 1.0)


@pytest.mark.parametrize("text,expected", [
    ("甲[1]", [1]),
    ("甲[1][2]", [1, 2]),
    ("甲[1,2]。乙[3，4]", [1, 2, 3, 4]),
    ("甲【1】乙【2、3】", [1, 2, 3]),
    ("甲[2-4]", [2, 3, 4]),
    ("甲［1］", [1]),
    ("没有引用", []),
    ("[1] 重复 [1]", [1]),
])
def test_parse_citations(text, expected):
    assert parse_citations(text) == expected


def test_numbers_are_normalized():
    assert numbers("增长１１.６％，达1,200家，第3名") == ["11.6", "1200", "3"]


def test_split_statements_moves_trailing_markers():
    assert split_statements("甲是1。[1]乙是2[2]。") == [("甲是1。[1]", [1]), ("乙是2[2]。", [2])]


PASSAGES = [
    hit("全区共有危险化学品企业27家，抽查比例不低于20%。", "notice.txt"),
    hit("全年实现地区生产总值812亿元，增长6.1%。", "report.md", 500),
]


def test_supported_answer_gets_quoted_citation():
    checked = check_answer("全区共有危险化学品企业27家[1]。", "危险化学品企业有多少家？", PASSAGES)
    assert [s.supported for s in checked.statements] == [True]
    (c,) = checked.citations
    assert c.n == 1 and c.source == "notice.txt" and "27家" in c.quote
    assert c.start >= 100 and c.end - c.start == len(c.quote)
    assert not c.added_by_program


def test_number_missing_from_cited_passage_is_flagged():
    checked = check_answer("全区共有危险化学品企业35家[1]。", "危险化学品企业有多少家？", PASSAGES)
    (s,) = checked.statements
    assert not s.supported and "35" in s.problem
    assert checked.citations == []


def test_wrong_citation_is_corrected_by_the_program():
    checked = check_answer("地区生产总值812亿元[1]。", "地区生产总值是多少？", PASSAGES)
    (s,) = checked.statements
    assert s.supported and s.cites == (2,)
    assert [(c.n, c.added_by_program) for c in checked.citations] == [(2, True)]
    assert any(c.n == 2 and c.added_by_program for c in checked.citations)


def test_uncited_statement_is_attributed_when_it_matches_a_passage():
    checked = check_answer("地区生产总值812亿元，增长6.1%。", "地区生产总值？", PASSAGES)
    assert checked.statements[0].supported
    assert checked.citations[0].n == 2 and checked.citations[0].added_by_program


def test_unsupported_uncited_statement_is_flagged():
    checked = check_answer("该区还获得了全国文明城区称号。", "荣誉？", PASSAGES)
    assert not checked.statements[0].supported


def test_invalid_passage_numbers_are_dropped():
    checked = check_answer("危险化学品企业27家[7]。", "企业多少家？", PASSAGES)
    assert [(c.n, c.added_by_program) for c in checked.citations] == [(1, True)]


def test_refusal_is_recognized():
    checked = check_answer("资料中没有找到相关内容。", "人口是多少？", PASSAGES)
    assert checked.refused
    checked = check_answer("资料未提及人口，但全区共有危险化学品企业27家[1]。", "人口？", PASSAGES)
    assert not checked.refused


def test_numbers_from_the_question_are_not_claims():
    report = [hit("全区共有企业27家。", "notice.txt"),
              Hit(Chunk("r-0", "report.md", "2024年工作报告", "全年实现地区生产总值812亿元，增长6.1%。", 0, 20, 1), 1.0)]
    checked = check_answer("2024年地区生产总值812亿元[2]。", "2024年地区生产总值是多少？", report)
    assert checked.statements[0].supported


def test_a_figure_of_another_year_is_not_support():
    checked = check_answer("2024年地区生产总值812亿元[2]。", "2024年地区生产总值是多少？",
                           [hit("全区共有企业27家。"), hit("2023年全区实现地区生产总值812亿元，增长6.1%。")])
    (s,) = checked.statements
    assert not s.supported and "2023" in s.problem
    checked = check_answer("2024年地区生产总值812亿元[1]。", "2024年地区生产总值是多少？", [PASSAGES[1]])
    assert not checked.statements[0].supported, "a passage that names no year does not say it is 2024's"


def test_figure_about_another_place_is_not_support():
    passages = [hit("不断积蓄能量的宁波，过去5年数字经济核心产业增加值年均增速达16.4%。", "nb.txt")]
    checked = check_answer("佛山市数字经济核心产业增加值年均增速达16.4%[1]。",
                           "佛山市数字经济核心产业增加值年均增速是多少？", passages)
    (s,) = checked.statements
    assert not s.supported and "宁波" in s.problem and "佛山" in s.problem


def test_places_named_by_the_answer_are_no_conflict():
    passages = [hit("智能光伏产业方面，在宁海、象山等地布局了一批产业基地。", "nb.txt")]
    checked = check_answer("在宁海、象山等地布局了产业基地[1]。", "宁波要在哪些地方布局智能光伏产业基地？", passages)
    assert checked.statements[0].supported


def test_same_figure_named_for_another_city_elsewhere_is_not_support():
    passages = [hit("过去五年，我市数字经济核心产业增加值年均增速达16.4%。", "speech.txt"),
                hit("不断积蓄能量的宁波，过去5年数字经济核心产业增加值年均增速达16.4%。", "news.txt")]
    q = "佛山市数字经济核心产业增加值年均增速是多少？"
    checked = check_answer("佛山市数字经济核心产业增加值年均增速达16.4%[1]。", q, passages)
    assert not checked.statements[0].supported
    q = "宁波数字经济核心产业增加值年均增速是多少？"
    checked = check_answer("年均增速达16.4%[1]。", q, passages)
    assert checked.statements[0].supported


def test_tidy_citations_keeps_only_numbers_that_name_a_passage():
    from assistant.answer.marks import tidy_citations

    assert tidy_citations("甲【1】，乙[2,9]。[7]", 3) == "甲[1]，乙[2]。"
    assert tidy_citations("丙[1-3]。", 2) == "丙[1][2]。"


def test_recite_sets_marks_to_the_passages_that_hold_the_claim():
    from assistant.answer.marks import recite
    from assistant.core.records import Statement

    stmts = [Statement("水闸有43座[2]。", (1,), True), Statement("另有说法[1]。", (), False, found(Check.UNSUPPORTED))]
    assert recite("水闸有43座[2]。另有说法[1]。", stmts) == "水闸有43座[1]。另有说法。"
