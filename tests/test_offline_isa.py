"""The instruction-set check that guards the bundle: AVX-512 code is found, AVX2 code passes, and the llama.cpp
that this checkout runs (the portable wheel of scripts/llama_wheel.sh) has none."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from offline import isa

AVX2_C = """
#include <immintrin.h>
void axpy(float *y, const float *x, float a, int n) {
  __m256 va = _mm256_set1_ps(a);
  for (int i = 0; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
}
"""
AVX512_C = AVX2_C + """
__attribute__((target("avx512f"))) void axpy16(float *y, const float *x, float a, int n) {
  __m512 va = _mm512_set1_ps(a);
  for (int i = 0; i + 16 <= n; i += 16)
    _mm512_storeu_ps(y + i, _mm512_fmadd_ps(va, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
}
"""


def _lib(tmp_path: Path, name: str, source: str) -> Path:
    if not shutil.which("gcc") or not shutil.which("objdump"):
        pytest.skip("needs gcc and objdump to build the probe libraries")
    src = tmp_path / f"{name}.c"
    src.write_text(source)
    out = tmp_path / f"lib{name}.so"
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-mavx2", "-mfma", str(src), "-o", str(out)], check=True)
    return out


def test_avx512_code_is_found_and_avx2_code_passes(tmp_path):
    plain = isa.scan(_lib(tmp_path, "avx2", AVX2_C))
    assert plain.avx512 == 0 and plain.fma > 0
    wide = isa.scan(_lib(tmp_path, "avx512", AVX512_C))
    assert wide.avx512 > 0 and "zmm" in wide.avx512_examples[0]


@pytest.mark.real
def test_the_llama_cpp_in_use_is_the_portable_build():
    llama_cpp = pytest.importorskip("llama_cpp")
    lib_dir = Path(llama_cpp.__file__).parent / "lib"
    cpu = sorted(lib_dir.glob("libggml-cpu.so*"))
    assert cpu, f"no libggml-cpu in {lib_dir}"
    found = isa.scan(cpu[0])
    assert found.instructions > 10_000
    assert found.fma > 0  # the AVX2/FMA baseline is really used
    assert found.avx512 == 0, found.avx512_examples
