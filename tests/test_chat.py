"""The chat page's library parts with fakes: follow-ups, documents, conversation, HTML."""

from __future__ import annotations

import pytest

from assistant.answer.conversation import Turn, history_of, run_turn, to_markdown
from assistant.answer.followup import acceptable, leans_back, standalone
from assistant.answer.pipeline import Assistant
from assistant.answer.present import zh_error
from assistant.core.errors import AssistantError, Code, InputError
from assistant.index.documents import DocumentStore, safe_name
from assistant.index.store import Index
from assistant.web.app import ChatApp
from assistant.web.page import serve
from assistant.web.render import conversation_html

from .fakes import ScriptedGenerator, cite


@pytest.fixture
def built(settings, embedder, docs_dir):
    Index(settings.index_dir).update([str(docs_dir)], embedder, chunk_size=settings.chunk_size,
                                     chunk_overlap=settings.chunk_overlap)
    return settings




# ---- follow-up questions ------------------------------------------------------------
def test_leans_back_on_pronouns_and_bare_questions():
    assert leans_back("那2027年的目标呢？")
    assert leans_back("它什么时候开始施行？")
    assert leans_back("由哪个部门负责？")
    assert not leans_back("2025年全区地区生产总值是多少？")


def test_rewrite_used_when_it_keeps_the_users_words():
    gen = ScriptedGenerator("改写：2027年全区地区生产总值的目标是多少？")
    q = standalone("那2027年的目标呢？", ["2025年全区地区生产总值的目标是多少？"], gen)
    assert q == "2027年全区地区生产总值的目标是多少？"
    assert "最新问题：那2027年的目标呢？" in gen.prompts[0][-1]["content"]


def test_rewrite_that_drops_a_number_or_repeats_the_old_question_falls_back():
    prev = "2025年全区地区生产总值的目标是多少？"
    assert not acceptable("2025年全区地区生产总值的目标是多少？", "那2027年呢？", prev)
    assert not acceptable(prev, "由哪个部门负责？", prev)
    q = standalone("由哪个部门负责？", [prev], ScriptedGenerator(prev))
    assert q.startswith("由哪个部门负责？") and prev in q


def test_short_follow_up_rewrite_is_accepted():
    prev = "汛前要检查多少座水库？"
    assert acceptable("汛前要检查多少座水闸？", "那水闸呢？", prev)
    assert not acceptable(prev, "那水闸呢？", prev)


def test_standalone_question_is_not_rewritten():
    gen = ScriptedGenerator("不该被调用")
    assert standalone("2024年新建口袋公园多少座？", ["检查什么时候结束？"], gen) == "2024年新建口袋公园多少座？"
    assert gen.prompts == []


# ---- documents ----------------------------------------------------------------------
def test_safe_name_keeps_uploads_inside_the_folder():
    assert safe_name("../../etc/通知<1>.txt") == "通知_1_.txt"
    assert safe_name("C:\\Users\\a\\报告.DOCX") == "报告.docx"
    assert safe_name("..") == "document"
    assert "/" not in safe_name("a/b/../../c.md")


def test_upload_list_delete(built, embedder, tmp_path):
    store = DocumentStore(Index(built.index_dir), max_bytes=10_000)
    up = tmp_path / "incoming" / "../x"
    up = tmp_path / "防汛通知.txt"
    up.write_text("今年汛前共检查水库88座，由水务局牵头。\n", "utf-8")
    report = store.add([(str(up), "../../防汛通知.txt")], embedder, chunk_size=80, chunk_overlap=20)
    assert report.added and report.added[0].startswith(str(built.index_dir / "uploads"))
    names = {d.name: d for d in store.list()}
    assert names["防汛通知.txt"].uploaded and names["防汛通知.txt"].chunks >= 1
    assert not names["安全检查通知.txt"].uploaded
    stored = built.index_dir / "uploads" / "防汛通知.txt"
    assert stored.is_file()
    store.delete(names["防汛通知.txt"].source)
    assert not stored.exists()
    assert "防汛通知.txt" not in {d.name for d in store.list()}
    with pytest.raises(InputError) as gone:
        store.delete(names["防汛通知.txt"].source)
    assert gone.value.code == Code.DOC_NOT_IN_INDEX and "资料库中没有" in zh_error(gone.value)


def test_upload_limits_are_reported_in_chinese(built, tmp_path):
    store = DocumentStore(Index(built.index_dir), max_bytes=100)
    big = tmp_path / "大文件.txt"
    big.write_text("字" * 200, "utf-8")
    with pytest.raises(InputError) as large:
        store.store(big)
    assert large.value.code == Code.UPLOAD_TOO_LARGE and "超过上限" in zh_error(large.value)
    exe = tmp_path / "程序.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(InputError) as kind:
        store.store(exe)
    assert kind.value.code == Code.UPLOAD_TYPE and "格式不支持" in zh_error(kind.value)
    assert not (built.index_dir / "uploads").exists() or not any((built.index_dir / "uploads").iterdir())


def test_reindex_picks_up_changed_and_vanished_files(built, embedder, docs_dir):
    store = DocumentStore(Index(built.index_dir))
    (docs_dir / "工作总结.md").write_text("# 区政府2024年工作总结\n\n全年新建口袋公园18座。\n", "utf-8")
    (docs_dir / "安全检查通知.txt").unlink()
    report = store.reindex(embedder, chunk_size=80, chunk_overlap=20)
    assert len(report.updated) == 1 and len(report.removed) == 1
    assert [d.name for d in store.list()] == ["工作总结.md"]


def test_same_name_different_content_gets_a_new_name(built, tmp_path):
    store = DocumentStore(Index(built.index_dir))
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("甲", "utf-8")
    b.write_text("乙", "utf-8")
    first, second = store.store(a, "通知.txt"), store.store(b, "通知.txt")
    assert first.name == "通知.txt" and second.name == "通知(2).txt"
    assert store.store(a, "通知.txt") == first  # the same bytes again: no copy


# ---- a conversation -----------------------------------------------------------------
def test_run_turn_streams_and_ends_with_a_checked_answer(built, embedder):
    gen = ScriptedGenerator(cite("全区共有危险化学品企业27家"))
    a = Assistant(built, embedder=embedder, generator=gen)
    turn = Turn("全区危险化学品企业有多少家？")
    phases = [t.phase for t in run_turn(a, turn, [])]
    assert phases[0] == "searching" and "writing" in phases and phases[-1] == "done"
    assert turn.answer.status == "answered" and turn.answer.citations
    assert turn.first_token_ms > 0


def test_follow_up_turn_searches_the_rewrite(built, embedder):
    def reply(prompt: str) -> str:
        if "最新问题" in prompt:
            return "检查范围中的人员密集场所抽查比例是多少？"
        return cite("抽查比例不低于20%")(prompt)
    a = Assistant(built, embedder=embedder, generator=ScriptedGenerator(reply))
    first = Turn("检查范围包括哪些人员密集场所？")
    list(run_turn(a, first, []))
    second = Turn("那它的抽查比例呢？")
    list(run_turn(a, second, history_of([first])))
    assert second.rewritten and second.query == "检查范围中的人员密集场所抽查比例是多少？"
    assert second.answer.status == "answered"
    for t in (first, second):  # the rewrite counts in both: first text never after the whole
        assert 0 < t.first_token_ms <= t.total_ms
        assert f"共 {t.total_ms / 1000:.1f} 秒" in conversation_html([t])


def test_warm_loads_the_index_the_embedder_and_the_model_before_any_question(built, embedder):
    gen = ScriptedGenerator("好")
    a = Assistant(built, embedder=embedder, generator=gen)
    assert a._parts is None
    a.warm()
    assert a._parts is not None and len(gen.prompts) == 2  # the fixed instructions evaluated once, and the rest
    a.ask("全区危险化学品企业有多少家？")
    assert gen.prompts[0][0] == gen.prompts[2][0]  # the system prompt every question starts with
    empty = ScriptedGenerator("好")  # no index yet: the model is warmed all the same, then the error
    with pytest.raises(AssistantError):
        Assistant(built.with_overrides(index_dir=built.index_dir.parent / "none"), embedder=embedder,
                  generator=empty).warm()
    assert len(empty.prompts) == 2


def test_stop_ends_the_turn(built, embedder):
    a = Assistant(built, embedder=embedder, generator=ScriptedGenerator(cite("全区共有危险化学品企业27家")))
    turn, seen = Turn("全区危险化学品企业有多少家？"), []
    for t in run_turn(a, turn, [], stop=lambda: len(seen) >= 3):
        seen.append(t.phase)
    assert turn.phase == "stopped" and turn.answer is None


def test_errors_become_one_chinese_line(built, embedder):
    a = Assistant(built, embedder=embedder, generator=ScriptedGenerator("x"))
    turn = Turn("   ")
    list(run_turn(a, turn, []))
    assert turn.phase == "error" and turn.error == "问题是空的：请先输入问题。"
    missing = Assistant(built.with_overrides(index_dir=built.index_dir.parent / "none"), embedder=embedder,
                        generator=ScriptedGenerator("x"))
    turn = Turn("有多少家？")
    list(run_turn(missing, turn, []))
    assert "资料库还是空的" in turn.error


def test_markdown_export_has_answers_and_sources(built, embedder):
    a = Assistant(built, embedder=embedder, generator=ScriptedGenerator(cite("全区共有危险化学品企业27家")))
    turn = Turn("全区危险化学品企业有多少家？")
    list(run_turn(a, turn, []))
    md = to_markdown([turn])
    assert "## 1. 全区危险化学品企业有多少家？" in md and "**状态：已回答**" in md
    assert "来源：" in md and "安全检查通知.txt" in md


# ---- HTML ---------------------------------------------------------------------------
def test_html_escapes_documents_and_model_output_and_links_citations(settings, embedder, tmp_path):
    d = tmp_path / "evil"
    d.mkdir()
    (d / "恶意.txt").write_text("通知正文<script>alert(1)</script>，共有<img src=x onerror=alert(2)>企业5家。\n", "utf-8")
    s = settings.with_overrides(index_dir=tmp_path / "evil-index")
    Index(s.index_dir).update([str(d)], embedder, chunk_size=80, chunk_overlap=20)
    gen = ScriptedGenerator(lambda p: "共有<img src=x onerror=alert(5)>企业5家[1][9]。")
    turn = Turn("共有企业多少家<b>？</b>")
    list(run_turn(Assistant(s, embedder=embedder, generator=gen), turn, []))
    html = conversation_html([turn])
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html
    assert f'data-p="t{turn.uid}-p1"' in html  # [1] is a link to passage 1
    assert f'id="t{turn.uid}-p1" hidden' in html and "<mark>" in html
    assert "[9]" not in html  # a number that names no passage was dropped by the checker


def test_serving_on_the_network_needs_a_logins_file(settings):
    with pytest.raises(InputError, match="without a login"):
        serve(settings, host="0.0.0.0", port=1)


def test_chat_app_send_then_ask_yields_page_updates(built, embedder):
    gen = ScriptedGenerator(cite("全区共有危险化学品企业27家"))
    app = ChatApp(built, Assistant(built, embedder=embedder, generator=gen))
    turns, flags = [], {}
    box, html, turns = app.send("全区危险化学品企业有多少家？", turns, flags)
    assert box == "" and turns[0].phase == "waiting" and "全区危险化学品企业有多少家？" in html
    *_, (html, turns) = app.ask(turns, flags, 5)
    assert len(turns) == 1 and "已回答" in html and "27家" in html
    assert app.send("   ", turns, flags)[2] == turns and len(turns) == 1  # an empty Enter asks nothing
    rows, choices = app.documents()
    assert {r[0] for r in rows} == {"安全检查通知.txt", "工作总结.md"} and len(choices) == 2
    md_path = app.export(turns)
    assert md_path.endswith(".md") and "27家" in open(md_path, encoding="utf-8").read()


def test_chat_app_stop_cancels_running_and_waiting_questions(built, embedder):
    gen = ScriptedGenerator(cite("全区共有危险化学品企业27家"))
    app = ChatApp(built, Assistant(built, embedder=embedder, generator=gen))
    turns, flags = [], {}
    app.send("全区危险化学品企业有多少家？", turns, flags)
    running = app.ask(turns, flags, 5)
    next(running)
    app.send("检查什么时候结束？", turns, flags)  # sent while the first runs
    waiting = app.ask(turns, flags, 5)
    html, _ = next(waiting)
    assert "前面还有 1 个问题" in html
    app.stop(flags, turns)
    list(running)
    list(waiting)
    assert [t.phase for t in turns] == ["stopped", "stopped"]
    app.send("全区危险化学品企业有多少家？", turns, flags)
    list(app.ask(turns, flags, 5))
    assert turns[-1].phase == "done"  # a question sent after Stop runs
    assert app.waiting() == 0


def test_serve_on_a_network_address_needs_a_login(capsys):
    from assistant.cli.main import main

    assert main(["serve", "--host", "0.0.0.0", "--port", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: refusing to serve on 0.0.0.0 without a login") and "\n" not in err


def test_model_choices_and_switch(built, embedder):
    models_dir = built.models_dir
    models_dir.mkdir(parents=True, exist_ok=True)
    (models_dir / "a.gguf").write_bytes(b"GGUF" + b"\0" * 16)
    (models_dir / "broken.gguf").write_bytes(b"nope")
    app = ChatApp(built, Assistant(built, embedder=embedder, generator=ScriptedGenerator("x")))
    names = [n for n, _ in app.model_choices()]
    assert "a.gguf" in names and "broken.gguf" in names
    assert "无法使用这个模型" in app.set_model(str(models_dir / "broken.gguf"))
    msg = app.set_model(str(models_dir / "a.gguf"))
    assert msg.startswith("已切换对话模型：a.gguf")
    assert app.current_model() == str(models_dir / "a.gguf")


def test_batch_tab_answers_an_uploaded_table_in_the_line(built, embedder, tmp_path):
    import csv

    gen = ScriptedGenerator(cite("全区共有危险化学品企业27家"))
    app = ChatApp(built, Assistant(built, embedder=embedder, generator=gen))
    up = tmp_path / "清单.csv"
    with open(up, "w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows([["问题", "期望答案"], ["全区危险化学品企业有多少家？", "27家"], ["", "无答案"]])
    msg, out = app.batch(str(up), "", False, lambda *a, **k: None)
    assert "共 2 题：已回答 1" in msg and "出错 1" in msg and "准确率 100.0%" in msg
    assert out.endswith("清单.answers.csv") and out.startswith(str(built.index_dir / "batch"))
    assert app.waiting() == 0
    msg, out = app.batch(str(up), "", False, lambda *a, **k: None)
    assert "无法开始" in msg and "从头重新回答" in msg and out is None
    msg, out = app.batch(str(up), "", True, lambda *a, **k: None)
    assert "共 2 题" in msg


def test_this_notice_points_at_the_document_the_last_answer_cited_not_at_its_question(built, embedder):
    from assistant.answer.conversation import cited_last

    gen = ScriptedGenerator(cite("全区共有危险化学品企业27家"))
    a = Assistant(built, embedder=embedder, generator=gen)
    first = Turn("全区危险化学品企业有多少家？")
    list(run_turn(a, first, []))
    notice = first.answer.citations[0].source
    assert notice.endswith("安全检查通知.txt") and cited_last([first]) == notice
    second = Turn("这份通知主要讲了什么？")
    asked = len(gen.prompts)
    list(run_turn(a, second, history_of([first]), cited=cited_last([first])))
    assert second.query == "这份通知主要讲了什么？" and not second.rewritten  # not "…有多少家危险化学品企业"
    assert second.scope == notice and second.answer.scope == notice
    assert {h.chunk.source for h in second.hits} == {notice}
    assert second.answer.kind == "summary" and second.answer.status == "answered"
    assert second.answer.answer.startswith("共3点：") and "一、检查时间" in second.answer.answer
    assert len(gen.prompts) == asked  # the outline is copied, the model is not asked
    assert "只在这份文件中查找：安全检查通知.txt" in conversation_html([first, second])
    assert 'data-kind="summary"' in conversation_html([second])
    md = to_markdown([first, second])
    assert "> 只在这份文件中查找：安全检查通知.txt" in md and "问题类型：概要" in md and "\n1. 一、检查时间" in md


def test_a_question_that_names_a_document_is_answered_from_it_alone(built, embedder):
    from assistant.answer.scope import DocRef, named_document

    docs = [DocRef("/d/安全检查通知.txt", "关于开展2025年度安全生产大检查的通知", "安监〔2025〕3号"),
            DocRef("/d/工作总结.md", "区政府2024年工作总结")]
    assert named_document("《区政府2024年工作总结》中新增就业岗位多少个？", docs) == "/d/工作总结.md"
    assert named_document("安监〔2025〕3号要求什么时候报送总结？", docs) == "/d/安全检查通知.txt"
    assert named_document("安全检查通知里的联系人是谁？", docs) == "/d/安全检查通知.txt"
    assert named_document("新增就业岗位多少个？", docs) == ""
    headline = [DocRef("/d/p1.txt", "《忠犬八公》中国版定档，冯小刚、陈冲主演")]  # a film named in a headline
    assert named_document("《忠犬八公》中国版的导演是谁？", headline) == ""
    assert named_document("《区政府2024年工作总结》的要点？", [DocRef("/d/x.md", "区政府2024年工作总结（定稿）")]) == "/d/x.md"
    gen = ScriptedGenerator(cite("新增就业岗位1.2万个"))
    ans = Assistant(built, embedder=embedder, generator=gen).ask("《区政府2024年工作总结》中新增就业岗位多少个？")
    assert ans.scope.endswith("工作总结.md") and {h.chunk.source for h in ans.hits} == {ans.scope}
    assert ans.status == "answered" and ans.to_dict()["scope"] == ans.scope
    elsewhere = Assistant(built, embedder=embedder, generator=gen).search("新增就业岗位多少个？安全检查")
    batch_like = Assistant(built, embedder=embedder, generator=gen).ask(
        "《区政府2024年工作总结》中新增就业岗位多少个？", hits=elsewhere)  # batch retrieves before it asks
    assert {h.chunk.source for h in batch_like.hits} == {ans.scope}


def test_a_title_written_without_its_brackets_still_names_its_document():
    from assistant.answer.scope import DocRef, named_document

    docs = [DocRef("/c/论坛.txt", "强化数字引领 推动高质量发展——二〇二二数字经济论坛发言摘编（二）"),
            DocRef("/c/发言.txt", "在2024年全市新质生产力高质量发展大会上的交流发言")]
    assert named_document("二〇二二数字经济论坛发言摘编（二）主要讲了什么？", docs) == "/c/论坛.txt"
    assert named_document("数字经济高质量发展有哪些措施？", docs) == ""  # a few shared words name nothing
