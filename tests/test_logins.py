"""Logins fit for an office: hashed passwords, slowed and locked guessing, roles, a log of who did what."""

from __future__ import annotations

import asyncio

import pytest

from assistant.answer.pipeline import Assistant
from assistant.cli.main import main
from assistant.core.errors import InputError
from assistant.index import audit
from assistant.index.store import Index
from assistant.web.app import ChatApp
from assistant.web.logins import Gate, Role, add_user, convert, hash_password, read_logins, verify_password

from .fakes import ScriptedGenerator


def test_passwords_are_salted_hashes():
    a, b = hash_password("办公室2025"), hash_password("办公室2025")
    assert a != b and a.startswith("scrypt$") and "办公室" not in a
    assert verify_password("办公室2025", a) and not verify_password("办公室2026", a)
    assert not verify_password("x", "garbage")


def test_users_add_list_and_plain_text_refused(tmp_path, monkeypatch, capsys):
    f = tmp_path / "logins.txt"
    monkeypatch.setenv("ASSISTANT_NEW_PASSWORD", "一个足够长的密码")
    assert main(["users", "add", "zhang", "--role", "admin", "--file", str(f)]) == 0
    assert main(["users", "add", "li", "--file", str(f)]) == 0
    assert "一个足够长的密码" not in f.read_text("utf-8")
    logins = read_logins(f)
    assert logins["zhang"].role == Role.ADMIN and logins["li"].role == Role.STAFF
    assert main(["users", "list", str(f)]) == 0 and "zhang\tadmin" in capsys.readouterr().out
    monkeypatch.setenv("ASSISTANT_NEW_PASSWORD", "short")
    assert main(["users", "add", "wang", "--file", str(f)]) == 2
    assert "8 characters" in capsys.readouterr().err
    old = tmp_path / "old.txt"
    old.write_text("# office\nzhang:秘密密码一号\nli:pw:with:colons:staff\n", "utf-8")
    with pytest.raises(InputError, match="plain text.*users convert"):
        read_logins(old)
    assert convert(old) == 2 and "秘密密码一号" not in old.read_text("utf-8")
    converted = read_logins(old)
    assert converted["zhang"].role == Role.ADMIN and converted["li"].role == Role.STAFF
    assert verify_password("pw:with:colons", converted["li"].hashed)


def test_a_non_utf8_logins_file_is_one_line(tmp_path, capsys):
    f = tmp_path / "logins.txt"
    f.write_bytes("zhang:密码".encode("gbk"))
    assert main(["users", "list", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "UTF-8" in err and "Traceback" not in err


def test_guessing_is_slowed_then_locked_per_name_and_address():
    now = [0.0]
    gate = Gate({"zhang": add_login("zhang", "正确的密码123", Role.ADMIN)}, delay=0.0, clock=lambda: now[0])
    check = lambda name, pw, addr="10.0.0.9": asyncio.run(gate.check(name, pw, addr))  # noqa: E731
    assert check("zhang", "正确的密码123")
    for _ in range(5):
        assert not check("zhang", "wrong")
    assert gate.locked("zhang", "")
    assert not check("zhang", "正确的密码123"), "locked: even the right password waits"
    now[0] += 31
    assert check("zhang", "正确的密码123")
    for i in range(20):  # one address trying many names
        check(f"user{i}", "x", "10.0.0.66")
    assert gate.locked("anyone", "10.0.0.66") and not gate.locked("anyone", "10.0.0.67")


def test_each_failure_costs_time():
    import time

    gate = Gate({"zhang": add_login("zhang", "正确的密码123", Role.ADMIN)}, delay=0.2)
    t0 = time.perf_counter()
    for _ in range(3):
        asyncio.run(gate.check("zhang", "wrong", "127.0.0.1"))
    assert time.perf_counter() - t0 >= 0.6


def add_login(name, password, role):
    from assistant.web.logins import Login

    return Login(name, hash_password(password), role)


def test_staff_ask_but_only_admins_change_documents_and_the_log_says_who(settings, embedder, docs_dir, tmp_path):
    Index(settings.index_dir).update([str(docs_dir)], embedder, chunk_size=80, chunk_overlap=20)
    gate = Gate({"zhang": add_login("zhang", "x" * 8, Role.ADMIN), "li": add_login("li", "y" * 8, Role.STAFF)})
    app = ChatApp(settings, Assistant(settings, embedder=embedder, generator=ScriptedGenerator("好")), gate=gate)
    source = app.documents()[1][0][1]
    msg = app.delete(source, user="li")
    assert "只有管理员" in msg and len(app.documents()[0]) == 2
    assert "只有管理员" in app.set_model("/x.gguf", user="li")
    new = tmp_path / "新通知.txt"
    new.write_text("全区新建口袋公园15座。", "utf-8")
    assert "只有管理员" in app.add([str(new)], lambda *a, **k: None, user="li")
    assert "已删除" in app.delete(source, user="zhang")
    (entry,) = audit.recent(settings.index_dir)
    assert entry.user == "zhang" and entry.action == audit.Action.DELETE and entry.target == source
    assert app.history()[0][1:3] == ["zhang", "删除"]


def test_without_logins_the_one_user_may_do_everything(settings, embedder, docs_dir):
    Index(settings.index_dir).update([str(docs_dir)], embedder, chunk_size=80, chunk_overlap=20)
    app = ChatApp(settings, Assistant(settings, embedder=embedder, generator=ScriptedGenerator("好")))
    assert app.refused(None, "删除文档") == ""


def test_top_k_below_one_is_refused(capsys):
    for bad in ("0", "-1", "x"):
        with pytest.raises(SystemExit) as e:
            main(["search", "问题", "--top-k", bad])
        assert e.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_add_user_replaces_a_password(tmp_path):
    f = tmp_path / "l.txt"
    assert add_user(f, "zhang", "第一个密码很长很长", Role.STAFF)
    assert not add_user(f, "zhang", "第二个密码很长很长", Role.ADMIN)
    (login,) = read_logins(f).values()
    assert login.role == Role.ADMIN and verify_password("第二个密码很长很长", login.hashed)
