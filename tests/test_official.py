"""Official-document marks (GB/T 9704) read from our own notices; a speech has none."""

from __future__ import annotations

from assistant.text.official import OfficialMarks, matches, read_marks

NOTICE = """机密★1年
特急
某市人民政府办公室文件
某政办发〔2024〕12号
关于做好2024年防汛工作的通知
各区县人民政府，市政府各部门：
汛前要对全市126座水库开展全面检查。
某市人民政府办公室
2024年3月5日
（此件公开发布）"""

LETTER = """某市水务局
某水函［2023］7 号
关于报送水闸检查情况的函
市防汛办：
现将我局检查情况报送如下。
某市水务局
二〇二三年十一月二十日"""

SPEECH = "在全市防汛工作会议上的讲话\n同志们：\n今年汛期形势严峻。\n2024年5月10日"


def test_a_notice_gives_every_mark():
    m = read_marks(NOTICE)
    assert m == OfficialMarks(office="某市人民政府办公室", number="某政办发〔2024〕12号", date="2024-03-05",
                              title="关于做好2024年防汛工作的通知", secrecy="机密")
    assert m.fields()["年份"] == "2024"


def test_a_letter_with_other_brackets_and_a_chinese_date():
    m = read_marks(LETTER)
    assert m.number == "某水函［2023］7号" and m.date == "2023-11-20" and m.office == "某市水务局"
    assert m.title == "关于报送水闸检查情况的函" and not m.secrecy


def test_a_speech_is_not_an_official_document():
    assert read_marks(SPEECH) == OfficialMarks()


def test_filters_by_office_containment_and_year_prefix():
    fields = read_marks(NOTICE).fields()
    assert matches(fields, {"发文机关": "人民政府办公室", "年份": "2024"})
    assert not matches(fields, {"年份": "2023"})
    assert not matches(fields, {"密级": "绝密"})
    assert not matches({}, {"年份": "2024"})


def _two_documents(settings, embedder, folder):
    """A notice of the city government and a letter of the water bureau, both saying the same figure."""
    from assistant.answer.library import Library
    from assistant.answer.pipeline import Assistant

    from .fakes import ScriptedGenerator, cite

    folder.mkdir()
    (folder / "通知.txt").write_text(NOTICE, "utf-8")
    (folder / "函.txt").write_text(LETTER.replace("现将我局检查情况报送如下。", "汛前要对全市126座水库开展全面检查。"), "utf-8")
    a = Assistant(settings, embedder=embedder, generator=ScriptedGenerator(cite("汛前要对全市126座水库开展全面检查")))
    Library(a).index_paths([str(folder)])
    return a


def test_marks_are_kept_per_document_and_filter_search_and_answers(settings, embedder, tmp_path):
    import pytest

    from assistant.answer.pipeline import Assistant
    from assistant.core.errors import Code, InputError
    from assistant.text.official import parse_filters

    folder = tmp_path / "公文"
    a = _two_documents(settings, embedder, folder)
    fresh = Assistant(settings, embedder=embedder)  # read back from disk
    assert fresh.marks_of(str(folder / "通知.txt"))["发文字号"] == "某政办发〔2024〕12号"
    q = "汛前要检查多少座水库？"
    assert {h.chunk.source.rsplit("/", 1)[-1] for h in fresh.search(q)} == {"通知.txt", "函.txt"}
    only = fresh.search(q, filters=parse_filters(["发文机关=水务局"]))
    assert only and {h.chunk.source.rsplit("/", 1)[-1] for h in only} == {"函.txt"}
    assert fresh.search(q, filters={"年份": "2019"}) == []
    assert a.ask(q, filters={"年份": "2024"}).citations[0].source.endswith("通知.txt")
    assert a.ask(q, filters={"年份": "2019"}).status == "not_found"
    with pytest.raises(InputError) as e:
        parse_filters(["部门=水务局"])
    assert e.value.code == Code.FILTER_BAD


def test_a_bad_filter_is_one_line_before_anything_loads(capsys, monkeypatch):
    from assistant.cli.main import main

    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert main(["search", "水库", "--filter", "部门=水务局"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "名称=值" in err[0] and "发文机关" in err[0]


def test_the_page_filters_answers_and_search_by_official_marks(settings, embedder, tmp_path):
    from assistant.text.official import parse_filter_text
    from assistant.web.app import ChatApp

    a = _two_documents(settings, embedder, tmp_path / "公文")
    assert parse_filter_text("发文机关＝水务局，年份=2024") == {"发文机关": "水务局", "年份": "2024"}
    app = ChatApp(settings, a)
    turns, flags = [], {}
    box, html, _ = app.send("汛前要检查多少座水库？", turns, flags, "发文机关=水务局")
    assert box == "" and "只在这些公文中查找：发文机关=水务局" in html
    *_, (html, turns) = app.ask(turns, flags, 5)
    assert {c.source.rsplit("/", 1)[-1] for c in turns[0].answer.citations} == {"函.txt"}
    box, html, _ = app.send("汛前要检查多少座水库？", turns, flags, "部门=水务局")
    assert box == "汛前要检查多少座水库？" and len(turns) == 1 and "名称=值" in html  # said, nothing asked
    assert "函.txt" in app.search("水库检查", 5, "发文机关=水务局") and "通知.txt" not in app.search(
        "水库检查", 5, "发文机关=水务局")
    assert "名称=值" in app.search("水库检查", 5, "年份")
