"""The dev questions over the corpus as scans: each document laid out on A4 pages as an image-only PDF,
indexed through OCR, and scored next to the text version in one run (same models, same questions).

    python benchmarks/scanned.py [--noisy] [--out /tmp/scanned-bench]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ocr import file_lines, scanned_pdf  # noqa: E402

SHARED = ROOT.parent / "shared"


def run(args: list[str]) -> str:
    res = subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, cwd=ROOT)
    if res.returncode != 0:
        raise SystemExit(f"failed: assistant {' '.join(args)}\n{res.stderr[-2000:]}")
    return res.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    ap.add_argument("--gold", type=Path, default=SHARED / "eval" / "dev.jsonl")
    ap.add_argument("--out", type=Path, default=Path("/tmp/scanned-bench"))
    ap.add_argument("--noisy", action="store_true")
    args = ap.parse_args()
    scans = args.out / "scans"
    scans.mkdir(parents=True, exist_ok=True)
    pages = 0
    for f in sorted(args.corpus.iterdir()):
        pages += scanned_pdf(file_lines(f), scans / f"{f.stem}.pdf", noisy=args.noisy)
    gold = args.out / "dev.scanned.jsonl"  # the same questions, the sources renamed to the PDFs
    with open(gold, "w", encoding="utf-8") as out:
        for line in args.gold.read_text("utf-8").splitlines():
            d = json.loads(line)
            d["sources"] = [Path(s).stem + ".pdf" for s in d.get("sources", [])]
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
    rows = {}
    for name, docs, questions in (("text", args.corpus, args.gold), ("scanned", scans, gold)):
        index = args.out / f"index-{name}"
        t0 = time.perf_counter()
        run(["index", str(docs), "--index", str(index), "--rebuild"])
        index_s = time.perf_counter() - t0
        summary = json.loads(run(["eval", str(questions), "--index", str(index), "--json"]))
        rows[name] = (summary, index_s)
    print(f"\n{pages} scanned pages{' (noisy)' if args.noisy else ''}\n")
    keys = [k for k, v in rows["text"][0].items() if isinstance(v, int | float)]
    print("| measure | text | scanned |\n| --- | --- | --- |")
    print(f"| index seconds | {rows['text'][1]:.0f} | {rows['scanned'][1]:.0f} |")
    for k in keys:
        print(f"| {k} | {rows['text'][0][k]} | {rows['scanned'][0].get(k)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
