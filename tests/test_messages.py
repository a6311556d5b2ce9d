"""Errors carry codes; each code has one English and one Chinese line, chosen at the edge."""

from __future__ import annotations

import string

from assistant.answer.present import zh_error
from assistant.cli.main import main
from assistant.core.errors import Code, InputError
from assistant.core.messages import EN, ZH, cli_language


def test_every_code_has_both_lines_with_the_same_values():
    assert set(EN) == set(Code) and set(ZH) == set(Code)
    fields = string.Formatter()
    for code in Code:
        en = {f for _, f, _, _ in fields.parse(EN[code]) if f}
        zh = {f for _, f, _, _ in fields.parse(ZH[code]) if f}
        assert zh <= en, (code, zh - en)  # Chinese may say less, never a value English lacks
        assert any("\u4e00" <= ch <= "\u9fff" for ch in ZH[code]), code


def test_the_page_words_an_error_by_its_code_not_its_text():
    e = InputError(Code.QUESTION_TOO_LONG, n=2400, limit=2000)
    assert str(e) == "the question has 2,400 characters; the limit is 2,000: ask a shorter question"
    assert zh_error(e) == "问题太长（2,400 字）：请把问题缩短到 2,000 字以内。"


def test_the_command_line_speaks_the_locale(capsys, monkeypatch, tmp_path):
    assert cli_language({"LANG": "zh_CN.UTF-8"}) == "zh" and cli_language({"LANG": "en_US.UTF-8"}) == "en"
    assert cli_language({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}) == "en" and cli_language({}) == "en"
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(["ask", "   ", "--index", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err.strip() == "错误: 问题是空的：请先输入问题"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert main(["ask", "   ", "--index", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err.strip().startswith("error: the question is empty")
