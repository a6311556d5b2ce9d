"""One door for indexing: the command line and the page change the index through Library alone."""

from __future__ import annotations

import pytest

from assistant.answer.library import Library
from assistant.answer.pipeline import Assistant
from assistant.core.errors import Code, InputError
from assistant.index import audit

from .fakes import ScriptedGenerator, cite


def test_index_then_upload_then_remove_each_answered_at_once(settings, embedder, docs_dir, tmp_path):
    a = Assistant(settings, embedder=embedder, generator=ScriptedGenerator(cite("新建口袋公园28座")))
    lib = Library(a)
    report = lib.index_paths([str(docs_dir)], user="cli-user")
    assert len(report.added) == 2 and len(lib.documents()) == 2
    up = tmp_path / "补充通知.txt"
    up.write_text("今年计划新建口袋公园28座。", "utf-8")
    lib.upload([(str(up), "补充通知.txt")], user="zhang")
    assert a.ask("今年计划新建口袋公园多少座？").status == "answered"  # no reload by the caller
    source = next(d.source for d in lib.documents() if d.name == "补充通知.txt")
    lib.delete(source, user="zhang")
    assert a.ask("今年计划新建口袋公园多少座？").status == "not_found"
    who = [(e.user, e.action) for e in audit.recent(settings.index_dir)]
    assert who[0] == ("zhang", audit.Action.DELETE) and ("cli-user", audit.Action.ADD) in who


def test_nothing_readable_fails_before_any_model(settings, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "a.exe").write_bytes(b"MZ")
    lib = Library(Assistant(settings))  # no embedder given: it would have to load one
    with pytest.raises(InputError) as e:
        lib.index_paths([str(empty)])
    assert e.value.code == Code.NOTHING_READABLE
