from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.config import Settings, load_settings, project_home
from assistant.core.errors import InputError


def test_defaults_follow_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path))
    s = Settings()
    assert s.models_dir == tmp_path / "models" and s.index_dir == tmp_path / "index" / "default"
    assert Settings(n_threads=3).threads == 3


def test_without_a_home_set_the_checkout_is_found_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ASSISTANT_HOME")
    monkeypatch.chdir(tmp_path)  # `assistant ask` run from another folder still finds models/ and index/
    checkout = Path(__file__).resolve().parent.parent
    assert project_home() == checkout and (project_home() / "models" / "README.md").is_file()


def test_threads_default_to_the_physical_cores(monkeypatch):
    import psutil

    from assistant.core import config

    monkeypatch.setattr(psutil, "cpu_count", lambda logical=True: 6 if not logical else 12)
    assert Settings().threads == 6
    monkeypatch.setattr(psutil, "cpu_count", lambda logical=True: None)  # some VMs cannot tell
    monkeypatch.setattr(config.os, "cpu_count", lambda: 4)
    assert Settings().threads == 4


def test_toml_and_overrides(tmp_path):
    cfg = tmp_path / "a.toml"
    cfg.write_text('top_k = 3\nindex_dir = "idx"\nchat_model = "m.gguf"\n', "utf-8")
    s = load_settings(cfg)
    assert s.top_k == 3 and s.index_dir == Path("idx") and s.chat_model == "m.gguf"
    assert s.with_overrides(top_k=None, n_threads=4).top_k == 3  # unset flags keep the file's value
    assert s.with_overrides(n_threads=4).threads == 4


@pytest.mark.parametrize("text,match", [("top_kk = 3\n", "unknown setting"), ("top_k = [\n", "not valid TOML"),
                                        ("passage_chars = 700\n", "passage_chars -> passage_tokens")])
def test_bad_config_files(tmp_path, text, match):
    cfg = tmp_path / "a.toml"
    cfg.write_text(text, "utf-8")
    with pytest.raises(InputError, match=match):
        load_settings(cfg)
    with pytest.raises(InputError, match="not found"):
        load_settings(tmp_path / "missing.toml")


def test_every_setting_is_described_once_and_the_cli_help_reads_it(capsys):
    from dataclasses import fields

    import pytest

    from assistant.cli.main import main
    from assistant.core.config import describe

    for f in fields(Settings):
        assert f.metadata.get("help"), f.name
    with pytest.raises(SystemExit):
        main(["ask", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for name in ("top_k", "n_threads", "chat_model", "index_dir"):
        assert " ".join(describe(name).split()) in out, name
    assert "index/default" in describe("index_dir")


def test_settings_out_of_bounds_are_one_line(tmp_path):
    import pytest

    for bad in ({"top_k": 0}, {"dense_weight": 1.5}, {"chunk_overlap": 300}, {"fusion": "max"}, {"top_k": True}):
        with pytest.raises(InputError):
            Settings(**bad)
