"""Which x86 instruction-set extensions a shared library uses, read from its disassembly.

A llama.cpp built with -march=native on a recent CPU uses AVX-512 and dies on an office laptop with
"illegal instruction". The portable build targets x86-64 with AVX2/FMA/F16C/BMI2: this module proves
it by disassembling the libraries (binutils' objdump) and looking for AVX-512 registers and encodings.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# AVX-512 shows as zmm registers, opmask registers k1-k7, embedded broadcasts {1toN}, or the EVEX-only
# upper sixteen xmm/ymm registers (AVX-512VL). None of them exists in AVX2 code.
AVX512 = re.compile(r"%zmm\d|%k[0-7]\b|\{1to\d+\}|%[xy]mm(?:1[6-9]|2\d|3[01])\b")
AVX2 = re.compile(r"\bv(?:pmaddubsw|pbroadcast[bwdq]|perm[dq]|pgatherd|gatherdps|inserti128)\b.*%ymm")
FMA = re.compile(r"\bvfn?m(?:add|sub)\d{3}[ps][sd]\b")


@dataclass
class LibraryISA:
    """What one library's code uses: counts of instruction lines, and the first AVX-512 lines seen."""

    path: Path
    instructions: int = 0
    avx2: int = 0
    fma: int = 0
    avx512: int = 0
    avx512_examples: list[str] = field(default_factory=list)


def scan(lib: Path) -> LibraryISA:
    """Disassemble `lib` (streaming: a few hundred MB of text for libggml-cpu) and count what it uses."""
    objdump = shutil.which("objdump")
    if objdump is None:
        raise RuntimeError("objdump not found: install binutils")
    found = LibraryISA(lib)
    with subprocess.Popen([objdump, "-d", "--no-show-raw-insn", str(lib)], stdout=subprocess.PIPE,
                          text=True, errors="replace") as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "\t" not in line:  # labels, section headers
                continue
            found.instructions += 1
            if AVX512.search(line):
                found.avx512 += 1
                if len(found.avx512_examples) < 5:
                    found.avx512_examples.append(line.strip())
            elif FMA.search(line):
                found.fma += 1
            elif AVX2.search(line):
                found.avx2 += 1
    if proc.returncode != 0:
        raise RuntimeError(f"objdump failed on {lib}")
    return found


def wheel_libraries(wheel: Path, dest: Path) -> list[Path]:
    """Extract the shared libraries of a llama-cpp-python wheel into `dest`, each distinct content once
    (the wheel carries libggml-cpu.so, .so.0 and .so.0.25.3 as copies of one file)."""
    libs, seen = [], set()
    with zipfile.ZipFile(wheel) as zf:
        for name in sorted(zf.namelist(), key=len):
            if re.search(r"\.so(\.\d+)*$", name):
                data = zf.read(name)
                digest = hashlib.sha256(data).digest()
                if digest in seen:
                    continue
                seen.add(digest)
                out = dest / Path(name).name
                out.write_bytes(data)
                libs.append(out)
    return sorted(libs)


def check_portable(libs: list[Path]) -> list[LibraryISA]:
    """Scan each library; the caller refuses a build where any has AVX-512 code."""
    return [scan(p) for p in libs]
