"""The offline bundle's figures: build time and size, then install time on a simulated air-gapped laptop.

Builds the bundle (python -m offline.build) into OUT, then runs tests/offline_proof.py inside a network namespace
with only loopback and no compiler (root): unpack, install, index the samples, ask, load the page, update an older
install. Prints one table; the full record goes to OUT/work/result.json.

    sudo python benchmarks/offline.py [--out /tmp/offline-bench]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from offline.build import build  # noqa: E402
from tests.offline_proof import can_simulate, laptop  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/offline-bench"))
    ap.add_argument("--keep", action="store_true", help="keep OUT afterwards (several GB)")
    args = ap.parse_args()
    why = can_simulate()
    if why:
        print(f"error: {why}", file=sys.stderr)
        return 1
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    wheel = Path(subprocess.run(["bash", str(ROOT / "scripts" / "llama_wheel.sh"), "portable"], capture_output=True,
                                text=True, check=True).stdout.strip().splitlines()[-1])
    t0 = time.perf_counter()
    folder = build(args.out, wheel, ROOT / "models")
    build_s = time.perf_counter() - t0
    tarball = args.out / f"{folder.name}.tar.gz"
    work = args.out / "work"
    work.mkdir()
    res = laptop([sys.executable, "-m", "tests.offline_proof", str(tarball), str(work), str(work / "result.json")],
                 timeout=2400, cwd=ROOT)
    if res.returncode != 0:
        print("error: the proof failed inside the namespace", file=sys.stderr)
        return 1
    r = json.loads((work / "result.json").read_text("utf-8"))
    folder_b = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    wheels_b = sum(p.stat().st_size for p in (folder / "wheels").glob("*.whl"))
    rows = [
        ("bundle build (wheels, models, sums, tar.gz)", f"{build_s:.0f} s"),
        ("bundle folder", f"{folder_b / 1e9:.2f} GB ({wheels_b / 1e6:.0f} MB of {len(list((folder / 'wheels').glob('*.whl')))} wheels)"),
        ("bundle .tar.gz", f"{tarball.stat().st_size / 1e9:.2f} GB"),
        ("isolation in the namespace", json.dumps(r["isolation"])),
        ("unpack the .tar.gz", f"{r['unpack_s']} s"),
        ("bash install.sh (checks, sha256, venv, self-check)", f"{r['install']['seconds']} s, exit {r['install']['rc']}"),
        ("index the samples", f"{r['index']['seconds']} s"),
        ("ask (models loaded from cold)", f"{r['ask']['seconds']} s: {r['ask']['answer'].get('answer', '')[:40]}"),
        ("chat page in Chromium", f"{r['page'].get('requests')} requests, off 127.0.0.1: {r['page'].get('off_host')}"),
        ("update over an older install (after a kill)", f"{r['update']['seconds']} s, data changed: "
                                                        f"{r['update']['data_changed']}"),
    ]
    print("\n| step | figure |\n| --- | --- |")
    for k, v in rows:
        print(f"| {k} | {v} |")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
        tarball.unlink()
        shutil.rmtree(work / "laptop", ignore_errors=True)
        shutil.rmtree(work / "office", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
