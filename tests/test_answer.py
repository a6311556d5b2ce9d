from __future__ import annotations

import json
import re

import pytest

from assistant.answer.pipeline import Assistant, Done, Restart, Retrieved, Token
from assistant.core.errors import InputError
from assistant.index.store import Index

from .fakes import ScriptedGenerator, sentence_number


@pytest.fixture
def built(settings, embedder, docs_dir):
    Index(settings.index_dir).update([str(docs_dir)], embedder, chunk_size=settings.chunk_size,
                                     chunk_overlap=settings.chunk_overlap)
    return settings


def numbered(prompt: str, needle: str) -> int:
    n = sentence_number(prompt, needle)
    assert n, f"{needle} not in prompt"
    return n


@pytest.mark.parametrize("cite", ["passage", "sentence"])
def test_answer_with_citation(built, embedder, cite):
    gen = ScriptedGenerator(lambda p: f"全区共有危险化学品企业27家[{numbered(p, '27家')}]。")
    a = Assistant(built.with_overrides(cite=cite), embedder=embedder, generator=gen).ask("全区危险化学品企业有多少家？")
    assert a.status == "answered" and a.answer.endswith("[1]。")  # the reader sees passage numbers
    assert a.statements[0].quote.text in a.passages[0].chunk.text
    assert "27家" in a.answer
    (c,) = a.citations
    assert c.source.endswith("安全检查通知.txt") and "27家" in c.quote
    assert c.headings[-1] == "（一）重点行业"
    doc_text = (built.index_dir.parent / "docs" / "安全检查通知.txt").read_text("utf-8")
    assert doc_text[c.start:c.end] == c.quote
    d = a.to_dict()
    json.dumps(d, ensure_ascii=False)
    assert set(d) >= {"question", "status", "answer", "citations", "hits", "timings"}
    assert set(d["citations"][0]) >= {"n", "source", "chunk_id", "start", "end", "quote"}
    assert set(d["hits"][0]) >= {"source", "chunk_id", "score", "text"}
    assert set(d["timings"]) >= {"retrieve_ms", "prompt_tokens", "first_token_ms", "completion_tokens", "total_ms"}


def test_prompt_is_chinese_numbered_and_grounded(built, embedder):
    gen = ScriptedGenerator("资料中没有找到相关内容。")
    Assistant(built, embedder=embedder, generator=gen).ask("检查什么时候结束？")
    system, user = gen.prompts[0]
    assert "只能依据" in system["content"] and "[1]" in system["content"]
    assert user["content"].startswith("<资料>\n[1]")
    assert "[2]" in user["content"]
    assert user["content"].rstrip().endswith("问题：检查什么时候结束？\n回答：")


def test_stream_yields_retrieved_tokens_then_done(built, embedder):
    gen = ScriptedGenerator(lambda p: f"检查至6月30日结束[{numbered(p, '6月30日')}]。")
    events = list(Assistant(built, embedder=embedder, generator=gen).stream("检查什么时候结束？"))
    assert isinstance(events[0], Retrieved) and events[0].hits
    tokens = [e.text for e in events if isinstance(e, Token)]
    assert len(tokens) > 3 and "".join(tokens).startswith("检查至")
    assert isinstance(events[-1], Done) and events[-1].answer.status == "answered"


def test_model_refusal_gives_not_found(built, embedder):
    gen = ScriptedGenerator("资料中没有找到相关内容。")
    a = Assistant(built, embedder=embedder, generator=gen).ask("全区常住人口是多少？")
    assert a.status == "not_found" and a.reason == "model_refused" and a.citations == []


def test_invented_number_gives_not_found(built, embedder):
    gen = ScriptedGenerator("全区常住人口为58.3万人[1]。")
    a = Assistant(built, embedder=embedder, generator=gen).ask("全区常住人口是多少？")
    assert a.status == "not_found" and a.reason == "unverified"
    assert "58.3" in a.draft and "58.3" not in a.answer
    assert a.statements and not a.statements[0].supported


def test_unknown_name_is_refused_before_the_model(built, embedder):
    gen = ScriptedGenerator("不应被调用")
    a = Assistant(built, embedder=embedder, generator=gen).ask("深圳市南山区危险化学品企业有多少家？")
    assert a.status == "not_found" and a.reason == "retrieval_gate"
    assert gen.prompts == []


@pytest.mark.parametrize("question,match", [("", "empty"), ("   ", "empty"), ("问" * 100_000, "100,000")])
def test_bad_questions(built, embedder, question, match):
    with pytest.raises(InputError, match=match):
        Assistant(built, embedder=embedder, generator=ScriptedGenerator("")).ask(question)


def test_refusal_gets_one_retry_on_a_covering_window(built, embedder):
    def reply(prompt: str) -> str:
        if "\n\n[" in prompt.split("问题：")[0]:  # the full context, several passages: the small model refuses
            return "资料中没有找到相关内容。"
        return f"27家[{sentence_number(prompt, '27家')}]"

    gen = ScriptedGenerator(reply)
    events = list(Assistant(built, embedder=embedder, generator=gen).stream("全区危险化学品企业有多少家？"))
    assert any(isinstance(e, Restart) for e in events)
    a = events[-1].answer
    assert a.status == "answered" and a.citations[0].source.endswith("安全检查通知.txt")
    assert len(gen.prompts) == 2 and len(a.passages) == 1


def test_no_retry_when_no_passage_covers_the_question(built, embedder):
    gen = ScriptedGenerator("资料中没有找到相关内容。")
    events = list(Assistant(built, embedder=embedder, generator=gen).stream("全区常住人口和人均收入是多少？"))
    assert not any(isinstance(e, Restart) for e in events)
    assert events[-1].answer.status == "not_found" and len(gen.prompts) == 1


def test_answer_marks_match_the_checked_citations(built, embedder):
    def wrong(p: str) -> str:  # the claim stands in one passage, the model cites another
        right = numbered(p, "27家")
        return f"全区共有危险化学品企业27家[{1 if right != 1 else 2}]。"

    a = Assistant(built, embedder=embedder, generator=ScriptedGenerator(wrong)).ask("全区危险化学品企业有多少家？")
    assert a.status == "answered"
    marks = {int(n) for n in re.findall(r"\[(\d+)\]", a.answer)}
    assert marks == {c.n for c in a.citations} and "27家" in a.passages[min(marks) - 1].chunk.text
