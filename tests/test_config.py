from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.config import Settings, load_settings
from assistant.core.errors import InputError


def test_defaults_follow_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path))
    s = Settings()
    assert s.models_dir == tmp_path / "models" and s.index_dir == tmp_path / "index" / "default"
    assert Settings(n_threads=3).threads == 3


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


@pytest.mark.parametrize("text,match", [("top_kk = 3\n", "unknown setting"), ("top_k = [\n", "not valid TOML")])
def test_bad_config_files(tmp_path, text, match):
    cfg = tmp_path / "a.toml"
    cfg.write_text(text, "utf-8")
    with pytest.raises(InputError, match=match):
        load_settings(cfg)
    with pytest.raises(InputError, match="not found"):
        load_settings(tmp_path / "missing.toml")
