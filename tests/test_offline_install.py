"""install.sh on bad input, with a miniature bundle: each case is one Chinese line, a non-zero exit, nothing lost.

These fail before any wheel is installed, so a bundle of a few small files is enough; the real bundle, built
and installed with no network and no compiler, is tests/test_offline_bundle.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from offline.build import HERE, write_sums

from .conftest import SAMPLES

PY = f"{sys.version_info.major}.{sys.version_info.minor}"


def _bundle(root: Path, **over) -> Path:
    b = root / "bundle"
    (b / "wheels").mkdir(parents=True)
    (b / "models" / "emb").mkdir(parents=True)
    shutil.copy2(HERE / "install.sh", b / "install.sh")
    shutil.copytree(SAMPLES, b / "samples")
    (b / "models" / "chat.gguf").write_bytes(b"GGUF" + b"\0" * 1000)
    (b / "models" / "emb" / "modules.json").write_text("[]", "utf-8")
    (b / "wheels" / "pip-99-py3-none-any.whl").write_bytes(b"not really a wheel")
    vals = {"PROJECT": '"doc-assistant"', "VERSION": '"9.9.9"', "PYTHON_VERSION": f'"{PY}"', "ARCH": '"x86_64"',
            "CPU_FLAGS": '"avx2 fma"', "GLIBC_MIN": '"2.17"', "RUNTIME_MB": "10", "MODELS_MB": "1", "BUNDLE_MB": "1", **over}
    (b / "BUNDLE.txt").write_text("".join(f"{k}={v}\n" for k, v in vals.items()), "utf-8")
    write_sums(b)
    return b


def _shim(folder: Path, name: str, script: str) -> None:
    folder.mkdir(exist_ok=True)
    p = folder / name
    p.write_text("#!/bin/sh\n" + script + "\n", "utf-8")
    p.chmod(0o755)


def _install(bundle: Path, *args: str, path_first: Path | None = None, **env) -> subprocess.CompletedProcess:
    e = {**os.environ, "PYTHON": sys.executable, **env}
    if path_first:
        e["PATH"] = f"{path_first}:{e['PATH']}"
    return subprocess.run(["bash", str(bundle / "install.sh"), *args], capture_output=True, text=True, env=e,
                          timeout=120)


def _one_line(res: subprocess.CompletedProcess, code: int, *words: str) -> str:
    assert res.returncode == code, (res.returncode, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("安装失败：")
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def machine_is_x86():
    if os.uname().machine != "x86_64":
        pytest.skip("the miniature bundle says x86_64")


@pytest.fixture
def installed(tmp_path) -> Path:
    """A target that already holds an install's data: it must come through every failure byte for byte."""
    t = tmp_path / "target"
    (t / "index" / "office" / "uploads").mkdir(parents=True)
    (t / "index" / "office" / "uploads" / "通知.txt").write_text("原有文件", "utf-8")
    (t / "assistant.toml").write_text("top_k = 7\n", "utf-8")
    (t / "logins.txt").write_text("zhang:scrypt$...\n", "utf-8")
    (t / "runtime" / "0.0.9-old").mkdir(parents=True)
    (t / "runtime" / "current").symlink_to("0.0.9-old")
    return t


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_wrong_os_and_architecture(tmp_path, installed, machine_is_x86):
    b = _bundle(tmp_path)
    before = _snapshot(installed)
    _shim(tmp_path / "bin", "uname", '[ "$1" = -s ] && echo Darwin || echo x86_64')
    _one_line(_install(b, str(installed), path_first=tmp_path / "bin"), 10, "只适用于 Linux", "Darwin")
    shutil.rmtree(tmp_path / "bin")
    _shim(tmp_path / "bin", "uname", '[ "$1" = -s ] && echo Linux || echo aarch64')
    _one_line(_install(b, str(installed), path_first=tmp_path / "bin"), 10, "x86_64", "aarch64")
    assert _snapshot(installed) == before
    assert os.readlink(installed / "runtime" / "current") == "0.0.9-old"


def test_cpu_without_the_needed_instructions(tmp_path, machine_is_x86):
    b = _bundle(tmp_path, CPU_FLAGS='"avx2 fma no_such_flag"')
    _one_line(_install(b), 10, "指令集", "no_such_flag")


def test_system_library_too_old(tmp_path, machine_is_x86):
    b = _bundle(tmp_path, GLIBC_MIN='"99.1"')
    _one_line(_install(b), 10, "glibc", "99.1")


def test_wrong_python(tmp_path, installed, machine_is_x86):
    b = _bundle(tmp_path)
    _shim(tmp_path / "bin", "python9", 'echo 3.9')
    line = _one_line(_install(b, str(installed), PYTHON=str(tmp_path / "bin" / "python9")), 10, f"需要 Python {PY}")
    assert "PYTHON=" in line  # says how to name another interpreter
    _one_line(_install(b, PYTHON=str(tmp_path / "nowhere" / "python3")), 10, f"Python {PY}")


def test_missing_or_altered_file(tmp_path, installed, machine_is_x86):
    b = _bundle(tmp_path)
    before = _snapshot(installed)
    (b / "models" / "emb" / "modules.json").unlink()
    _one_line(_install(b, str(installed)), 11, "缺少 models/emb/modules.json", "重新完整复制")
    b2 = _bundle(tmp_path / "two")
    (b2 / "models" / "chat.gguf").write_bytes(b"GGUF" + b"\1" * 1000)  # same size, other bytes
    _one_line(_install(b2, str(installed)), 11, "models/chat.gguf 的内容与原件不符")
    (b2 / "SHA256SUMS").unlink()
    _one_line(_install(b2, str(installed)), 11, "SHA256SUMS")
    assert _snapshot(installed) == before


def test_no_disk_space(tmp_path, installed, machine_is_x86):
    b = _bundle(tmp_path, RUNTIME_MB=str(10**9))  # a terabyte of runtime fits on no disk
    before = _snapshot(installed)
    _one_line(_install(b, str(installed)), 12, "磁盘空间不足", "bash install.sh /其他/文件夹")
    assert _snapshot(installed) == before


def test_unwritable_target_and_bad_arguments(tmp_path, machine_is_x86):
    b = _bundle(tmp_path)
    (tmp_path / "file").write_text("x")
    _one_line(_install(b, str(tmp_path / "file" / "sub")), 12, "无法创建目标文件夹")
    _one_line(_install(b, "a", "b"), 2, "参数太多")
    assert "bash install.sh" in _install(b, "--help").stdout


def test_pip_failure_keeps_the_old_runtime(tmp_path, installed, machine_is_x86):
    """A wheelhouse pip cannot install from (here: a broken pip wheel) fails with the log named, old install kept."""
    b = _bundle(tmp_path)
    before = _snapshot(installed)
    line = _one_line(_install(b, str(installed)), 13, "install.log", "已安装的内容未改动")
    assert "install.log" in line
    assert os.readlink(installed / "runtime" / "current") == "0.0.9-old"
    assert sorted(p.name for p in (installed / "runtime").iterdir()) == ["0.0.9-old", "current"]
    after = _snapshot(installed)
    for name, data in before.items():
        assert after[name] == data
