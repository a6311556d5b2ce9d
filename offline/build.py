"""Make the offline bundle on a connected machine: one folder (and a .tar.gz of it) that installs with no network.

    python -m offline.build OUT --llama-wheel WHEEL [--no-tarball]
    bash scripts/bundle.sh OUT          # sets the machine up first and passes the portable llama.cpp wheel

OUT/assistant-offline-<version>-linux-<arch>-py<XY>/ holds wheels/ (every runtime dependency, CPU-only torch,
the portable llama-cpp-python), models/ (the verified defaults and .verified.json), samples/, install.sh,
uninstall.sh, the Chinese guide, BUNDLE.txt (what install.sh checks) and SHA256SUMS of every file.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from importlib import metadata
from pathlib import Path

from assistant.core import models
from assistant.index.onnx_embedding import BACKEND, converted_dir, is_ready
from offline import isa

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
PROJECT = "doc-assistant"
CPU_FLAGS = "avx avx2 fma f16c bmi2"  # what the portable llama.cpp build needs (scripts/llama_wheel.sh)
FORBIDDEN = re.compile(r"^(nvidia[-_]|triton|cuda|cupy|torchvision)", re.I)  # the laptop has no GPU stack
SUMS = "SHA256SUMS"
UNLISTED = {SUMS, f"models/{models.STAMP}"}  # the stamp is a cache: the laptop rewrites it when it verifies


class BundleError(RuntimeError):
    """A bundle that must not be made (a missing model, a CUDA wheel, AVX-512 code): one line for the maker."""


def bundle_name(version: str) -> str:
    py = f"py{sys.version_info.major}{sys.version_info.minor}"
    return f"assistant-offline-{version}-linux-{platform.machine()}-{py}"


def collect_wheels(llama_wheel: Path, dest: Path, log=print) -> list[Path]:
    """Every runtime dependency as a wheel: the project (built here), its requirements, pip itself."""
    dest.mkdir(parents=True)
    cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--wheel-dir", str(dest),
           "--only-binary", "llama-cpp-python", str(ROOT), str(llama_wheel), "pip"]
    log("collecting wheels: " + " ".join(cmd[3:]))
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise BundleError("pip wheel failed: " + (res.stderr.strip().splitlines() or ["?"])[-1])
    wheels = sorted(dest.glob("*.whl"))
    check_wheels(wheels, llama_wheel)
    return wheels


def check_wheels(wheels: list[Path], llama_wheel: Path) -> None:
    """No GPU stack, nothing to compile on the laptop, and exactly the llama.cpp build that was checked."""
    from packaging.tags import sys_tags
    from packaging.utils import parse_wheel_filename

    here = set(sys_tags())
    for w in wheels:
        name, _, _, tags = parse_wheel_filename(w.name)
        if FORBIDDEN.match(name):
            raise BundleError(f"{w.name}: a GPU package has no place in the CPU bundle (is torch pinned?)")
        if not tags & here:
            raise BundleError(f"{w.name}: does not install on this Python/platform")
    llama = [w for w in wheels if w.name.startswith("llama_cpp_python-")]
    if len(llama) != 1 or models.sha256_file(llama[0]) != models.sha256_file(llama_wheel):
        raise BundleError("the wheelhouse's llama-cpp-python is not the checked portable build")


LEGACY = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def glibc_floor(wheels: list[Path]) -> tuple[int, int]:
    """The oldest glibc every wheel installs on: per wheel the most lenient of its tags, then the strictest wheel.
    A plain linux_* tag (built here, not repaired) needs this machine's own glibc."""
    from packaging.utils import parse_wheel_filename

    here = tuple(int(x) for x in platform.libc_ver()[1].split(".")[:2])
    floor = (2, 5)
    for w in wheels:
        needs = []
        for tag in parse_wheel_filename(w.name)[3]:
            m = re.match(r"manylinux_(\d+)_(\d+)_", tag.platform)
            legacy = tag.platform.split("_x86_64")[0].split("_aarch64")[0]
            if m:
                needs.append((int(m[1]), int(m[2])))
            elif legacy in LEGACY:
                needs.append(LEGACY[legacy])
            elif tag.platform.startswith("linux_"):
                needs.append(here)
        if needs:
            floor = max(floor, min(needs))
    return floor


def check_portable(llama_wheel: Path, log=print) -> list[isa.LibraryISA]:
    """Refuse a llama.cpp build with AVX-512 code: it would die on a laptop with 'illegal instruction'."""
    with tempfile.TemporaryDirectory() as tmp:
        found = isa.check_portable(isa.wheel_libraries(llama_wheel, Path(tmp)))
    for lib in found:
        log(f"  {lib.path.name}: {lib.instructions} instructions, AVX2 {lib.avx2}, FMA {lib.fma}, "
            f"AVX-512 {lib.avx512}")
        if lib.avx512:
            raise BundleError(f"{lib.path.name} has AVX-512 instructions ({lib.avx512_examples[0]}): build it with "
                              "scripts/llama_wheel.sh portable")
    return found


def place_models(models_dir: Path, dest: Path) -> None:
    """The verified default models, hard-linked when the disk allows (no second copy), else copied."""
    dest.mkdir(parents=True)
    for spec in models.SPECS.values():
        if not spec.default:
            continue
        problems = models.verify(spec, models_dir)
        if problems:
            raise BundleError(f"model {spec.name}: {problems[0]}: run `assistant models install` first")
        src = models_dir / spec.target
        files = [src] if src.is_file() else sorted(p for p in src.rglob("*") if p.is_file())
        if spec.kind == "embedding":  # its int8 conversion too, made from the verified folder, so the laptop need not
            fast = converted_dir(models_dir, src)
            if not is_ready(fast, src):
                raise BundleError(f"model {spec.name}: its {BACKEND} conversion is missing or stale: run "
                                  "`assistant models install` first")
            files += sorted(p for p in fast.rglob("*") if p.is_file())
        for f in files:
            out = dest / f.relative_to(models_dir)
            out.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(f, out)
            except OSError:
                shutil.copy2(f, out)
        models.verify(spec, dest)  # writes the bundle's own .verified.json
    shutil.copy2(ROOT / "models" / "README.md", dest / "README.md")


def unpacked_mb(wheels: list[Path]) -> int:
    """What the wheels take once installed (their members' sizes, plus bytecode and venv: about a fifth more)."""
    total = 0
    for w in wheels:
        with zipfile.ZipFile(w) as zf:
            total += sum(i.file_size for i in zf.infolist())
    return int(total * 1.2 / 2**20) + 50


def write_sums(folder: Path) -> int:
    """SHA256SUMS in `sha256sum -c` form for every file; returns the bytes covered."""
    lines, total = [], 0
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel not in UNLISTED:
            lines.append(f"{models.sha256_file(p)}  {rel}\n")
            total += p.stat().st_size
    (folder / SUMS).write_text("".join(lines), "utf-8")
    return total


def write_tarball(folder: Path) -> Path:
    """NAME.tar.gz beside the folder (gzip level 1: the models do not compress), and its .sha256."""
    out = folder.parent / f"{folder.name}.tar.gz"
    tmp = out.with_suffix(".gz.partial")
    with tarfile.open(tmp, "w:gz", compresslevel=1, format=tarfile.PAX_FORMAT) as tar:
        tar.add(folder, arcname=folder.name)
    os.replace(tmp, out)
    (folder.parent / f"{out.name}.sha256").write_text(f"{models.sha256_file(out)}  {out.name}\n", "utf-8")
    return out


def fill(template: Path, values: dict[str, str], dest: Path, *, mode: int = 0o644) -> None:
    text = template.read_text("utf-8")
    for k, v in values.items():
        text = text.replace(f"@{k}@", v)
    dest.write_text(text, "utf-8")
    dest.chmod(mode)


def build(out: Path, llama_wheel: Path, models_dir: Path, *, tarball: bool = True, log=print) -> Path:
    """The whole bundle, written beside its final place and renamed into it only when complete."""
    t0 = time.perf_counter()
    version = metadata.version(PROJECT)
    name = bundle_name(version)
    final = out / name
    work = out / f".{name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log(f"checking the llama.cpp build is portable: {llama_wheel.name}")
    check_portable(llama_wheel, log)
    wheels = collect_wheels(llama_wheel, work / "wheels", log)
    log(f"{len(wheels)} wheels, {sum(w.stat().st_size for w in wheels) / 2**20:.0f} MB")
    place_models(models_dir, work / "models")
    shutil.copytree(ROOT / "examples" / "sample_docs", work / "samples")
    cmake_args = (llama_wheel.parent / "CMAKE_ARGS").read_text().strip() if (
        llama_wheel.parent / "CMAKE_ARGS").is_file() else "unknown"
    values = {"VERSION": version, "PYTHON_VERSION": f"{sys.version_info.major}.{sys.version_info.minor}",
              "ARCH": platform.machine(), "NAME": name, "CPU_FLAGS": CPU_FLAGS,
              "GLIBC_MIN": ".".join(map(str, glibc_floor(wheels)))}
    fill(HERE / "install.sh", values, work / "install.sh", mode=0o755)
    fill(HERE / "uninstall.sh", values, work / "uninstall.sh", mode=0o755)
    fill(HERE / "guide.md", values, work / "离线安装说明.md")
    models_mb = sum(p.stat().st_size for p in (work / "models").rglob("*") if p.is_file()) // 2**20
    wheels_mb = sum(w.stat().st_size for w in wheels) // 2**20
    facts = {"PROJECT": PROJECT, "VERSION": version, "PYTHON_VERSION": values["PYTHON_VERSION"],
             "ARCH": values["ARCH"], "CPU_FLAGS": CPU_FLAGS, "GLIBC_MIN": values["GLIBC_MIN"],
             "RUNTIME_MB": unpacked_mb(wheels), "MODELS_MB": models_mb, "BUNDLE_MB": models_mb + wheels_mb,
             "BUILT": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "LLAMA_CMAKE_ARGS": cmake_args}
    (work / "BUNDLE.txt").write_text("".join(f'{k}="{v}"\n' for k, v in facts.items()), "utf-8")  # sourced by install.sh
    covered = write_sums(work)
    shutil.rmtree(final, ignore_errors=True)
    os.rename(work, final)
    log(f"bundle folder {final}: {covered / 1e9:.2f} GB in {len((final / SUMS).read_text().splitlines())} files")
    if tarball:
        tar = write_tarball(final)
        log(f"tarball {tar}: {tar.stat().st_size / 1e9:.2f} GB")
    log(f"done in {time.perf_counter() - t0:.0f} s")
    return final


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m offline.build", description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder to write the bundle into")
    ap.add_argument("--llama-wheel", type=Path, required=True, help="portable llama-cpp-python wheel "
                    "(bash scripts/llama_wheel.sh portable)")
    ap.add_argument("--models-dir", type=Path, default=ROOT / "models")
    ap.add_argument("--no-tarball", action="store_true", help="the folder only")
    args = ap.parse_args(argv)
    try:
        build(args.out.resolve(), args.llama_wheel.resolve(), args.models_dir, tarball=not args.no_tarball)
    except BundleError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
