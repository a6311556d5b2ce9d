"""Generation speed of the portable llama.cpp build next to the -march=native one, in one run, same model, same prompt.

Each wheel is unpacked into a folder of its own and imported from there (PYTHONPATH first), so the two builds
never share a library. Rounds alternate between the builds so that machine noise falls on both. Also prints what
each build's libraries use (AVX2, FMA, AVX-512 instruction lines) from their disassembly.

    python benchmarks/portable.py [--rounds 3] [--tokens 128]
      [--portable WHEEL] [--native WHEEL]     # default: bash scripts/llama_wheel.sh portable|native (cached)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from offline import isa  # noqa: E402

MODEL = ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PASSAGE = ("汛前要对全市126座水库、43座水闸开展全面检查，各区县要在5月31日前完成隐患整改，并把检查结果报市防汛办。"
           "检查内容包括大坝安全、泄洪设施、监测预警和应急预案，发现问题的要建立台账、限期销号。")
PROMPT = "以下是资料：\n" + "\n".join(f"[{i}] {PASSAGE}" for i in range(1, 5)) + "\n请根据资料写一份详细的工作说明：\n"

CHILD = r"""
import json, sys, time
import llama_cpp
llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=2048, n_threads=int(sys.argv[3]), verbose=False, seed=1)
prompt, n_gen = sys.argv[2], int(sys.argv[4])
llm.create_completion("预热", max_tokens=4)  # warm-up: first-touch page faults, thread pool
llm.reset()  # no prefix reuse: the prompt is read in full
ban_eos = {llm.token_eos(): -1e9}  # exactly n_gen tokens from both builds
t0 = time.perf_counter(); first = None; n = 0
for part in llm.create_completion(prompt, max_tokens=n_gen, temperature=0.0, top_k=1, logit_bias=ban_eos,
                                  stream=True):
    n += 1
    if first is None:
        first = time.perf_counter()
end = time.perf_counter()
n_prompt = len(llm.tokenize(prompt.encode("utf-8")))
n = llm.n_tokens - n_prompt  # tokens, not stream pieces (a piece may hold several)
print(json.dumps({"tokens": n, "prompt_tokens": n_prompt, "prompt_tok_s": n_prompt / (first - t0),
                  "gen_tok_s": (n - 1) / (end - first), "lib": llama_cpp.__file__}))
"""


def wheel_for(flavor: str) -> Path:
    out = subprocess.run(["bash", str(ROOT / "scripts" / "llama_wheel.sh"), flavor], capture_output=True, text=True,
                         check=True).stdout
    return Path(out.strip().splitlines()[-1])


def unpack(wheel: Path, dest: Path) -> Path:
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(dest)
    for so in dest.rglob("*.so*"):
        so.chmod(0o755)
    return dest


def run_once(folder: Path, tokens: int, threads: int) -> dict:
    env = {"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"}
    res = subprocess.run([sys.executable, "-c", CHILD, str(MODEL), PROMPT, str(threads), str(tokens)],
                         capture_output=True, text=True, env=env, check=True)
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["lib"].startswith(str(folder)), out["lib"]  # the build under test, not the venv's
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--portable", type=Path)
    ap.add_argument("--native", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    wheels = {"portable": args.portable or wheel_for("portable"), "native": args.native or wheel_for("native")}
    with tempfile.TemporaryDirectory() as tmp:
        folders = {k: unpack(w, Path(tmp) / k) for k, w in wheels.items()}
        for k, folder in folders.items():
            for lib in sorted(folder.rglob("llama_cpp/lib/libggml-cpu.so")):
                r = isa.scan(lib)
                print(f"{k:8s} {lib.name}: {r.instructions} instructions; AVX2 {r.avx2}, FMA {r.fma}, "
                      f"AVX-512 {r.avx512}  ({wheels[k].parent.name})")
        runs: dict[str, list[dict]] = {k: [] for k in folders}
        for i in range(args.rounds):
            for k in (list(folders) if i % 2 == 0 else list(reversed(folders))):
                r = run_once(folders[k], args.tokens, args.threads)
                runs[k].append(r)
                print(f"round {i + 1} {k:8s} generation {r['gen_tok_s']:.1f} tok/s ({r['tokens']} tokens), "
                      f"prompt {r['prompt_tok_s']:.0f} tok/s ({r['prompt_tokens']} tokens)", flush=True)
    med = {k: statistics.median(r["gen_tok_s"] for r in v) for k, v in runs.items()}
    prompt = {k: statistics.median(r["prompt_tok_s"] for r in v) for k, v in runs.items()}
    print(f"\n| build | generation tok/s | prompt tok/s |  (medians of {args.rounds} rounds)\n| --- | --- | --- |")
    for k in runs:
        print(f"| {k} | {med[k]:.1f} | {prompt[k]:.0f} |")
    print(f"portable / native: generation {med['portable'] / med['native']:.3f}, "
          f"prompt {prompt['portable'] / prompt['native']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
