"""What the model reads: each hit narrowed to its best sentence and neighbours, within a token budget."""

from __future__ import annotations

from assistant.answer.context import BigramIdf, best_window, select
from assistant.answer.generation import estimated_tokens
from assistant.core.records import Chunk, Hit

FILLER = "各部门要按照职责分工，认真抓好落实工作。"
ANSWER = "全市今年新建5G基站4200个。"


def hit(text: str, no: int = 0) -> Hit:
    return Hit(Chunk(f"a.txt-{no}", "a.txt", "标题", text, 1000 * no, 1000 * no + len(text), 3, ()), 1.0, 0.5, 1.0)


def chars(text: str) -> int:
    return len(text)


IDF = BigramIdf.of_texts([FILLER, ANSWER, "全市工业增加值增长5%。"])


def test_a_long_hit_is_narrowed_to_its_best_sentence_and_neighbours_within_the_cap():
    text = FILLER * 4 + ANSWER + FILLER * 4
    got = select("全市新建了多少5G基站？", [hit(text)], IDF, budget=60, per_hit=60, cost=chars)
    assert len(got) == 1
    window = got[0].chunk
    assert ANSWER in window.text and len(window.text) <= 60
    assert text[window.start:window.end] == window.text  # still a span of the document: citations point at it
    assert window.text.startswith(ANSWER)  # what follows the best sentence comes first


def test_each_hit_s_best_sentence_comes_before_any_neighbours_then_rank_order_grows_first():
    hits = [hit(ANSWER + FILLER * 3, no) for no in range(5)]
    got = select("全市新建了多少5G基站？", hits, IDF, budget=100, per_hit=40, cost=chars)
    assert [h.chunk.text for h in got] == [ANSWER + FILLER] + [ANSWER] * 4  # 17 + 20 + 4 x 16 = 100 characters
    by_tokens = select("全市新建了多少5G基站？", hits, IDF, budget=100, per_hit=40, cost=estimated_tokens)
    assert sum(len(h.chunk.text) for h in by_tokens) > 100  # a token holds more than one Chinese character


def test_a_small_budget_still_reaches_the_sentence_that_answers_in_a_lower_passage():
    hits = [hit("全市今年新建基站的工作" + FILLER * 4, 0), hit(FILLER * 2, 1), hit(FILLER * 3 + ANSWER + FILLER * 3, 2)]
    got = select("全市新建了多少5G基站？", hits, IDF, budget=70, per_hit=70, cost=chars)
    assert any(ANSWER in h.chunk.text for h in got)
    assert sum(len(h.chunk.text) for h in got) <= 70


def test_a_sentence_longer_than_the_cap_is_kept_whole():
    long = "全市今年新建5G基站" + "和各类通信设施" * 20 + "共4200个。"
    got = select("全市新建了多少5G基站？", [hit(FILLER + long + FILLER)], IDF, budget=40, per_hit=40, cost=chars)
    assert got[0].chunk.text == long


def test_the_retry_window_covers_the_question_within_its_cap():
    window, cover = best_window("全市新建了多少5G基站？", [hit(FILLER * 3 + ANSWER + FILLER)], IDF, 30, chars)
    assert window is not None and window.chunk.text == ANSWER and cover > 0.5


def test_a_run_of_short_items_stays_with_the_sentence_that_names_it():
    run = "超常发力！精准聚力！一体发力！革新动力！大会提出的四条工作原则，振聋发聩。"
    text = FILLER * 6 + run + FILLER * 6
    idf = BigramIdf.of_texts([FILLER, run])
    got = select("会议提出的四条工作原则是什么？", [hit(text)], idf, budget=45, per_hit=45, cost=chars)
    assert got[0].chunk.text == run
