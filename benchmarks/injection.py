"""The planted-instruction detector: found in the injection corpus, and false alarms on ordinary text.

Detection: every pattern of tests/hostile.py planted inside an ordinary sentence pair.
False alarms: every sentence of ../shared/corpus and of the passages of the public Chinese sets
in ../shared/bench (Wikipedia, news), none of which addresses an assistant.

    python benchmarks/injection.py [--bench ../shared/bench]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.text.injection import suspect_spans  # noqa: E402
from benchmarks.data.official_notices import sentences as official_sentences  # noqa: E402
from tests.hostile import INJECTIONS, LOOKALIKES  # noqa: E402

_SENT = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def texts(bench: Path, corpus: Path) -> dict[str, list[str]]:
    out = {"corpus": [p.read_text("utf-8") for p in sorted(corpus.iterdir()) if p.is_file()]}
    for name in ("cmrc2018", "drcd_test_zhs", "rgb_zh_dev"):
        f = bench / name / "passages.jsonl"
        if f.is_file():
            out[name] = [json.loads(line)["text"] for line in f.read_text("utf-8").splitlines() if line.strip()]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=str(ROOT.parent / "shared" / "bench"))
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    args = ap.parse_args()
    found = sum(bool(suspect_spans(f"全区共有水库12座。{x}\n各单位要按时报送。")) for x in INJECTIONS)
    print(f"planted instructions found: {found} of {len(INJECTIONS)}")
    print(f"official look-alikes flagged: {sum(bool(suspect_spans(x)) for x in LOOKALIKES)} of {len(LOOKALIKES)}")
    notices = official_sentences()
    flagged_notices = [x for x in notices if suspect_spans(x)]
    print(f"official notices of our own (要求/必须/一律/请/答复) flagged: {len(flagged_notices)} of {len(notices)}")
    for x in flagged_notices[:5]:
        print(f"  flagged: {x}")
    print("| text | documents | sentences | flagged | ms per 100k characters |\n| --- | --- | --- | --- | --- |")
    for name, docs in texts(Path(args.bench), Path(args.corpus)).items():
        t0 = time.perf_counter()
        flagged = [d[s:e] for d in docs for s, e in suspect_spans(d)]
        ms = (time.perf_counter() - t0) * 1000
        chars = sum(len(d) for d in docs)
        sentences = sum(len(_SENT.findall(d)) for d in docs)
        print(f"| {name} | {len(docs)} | {sentences:,} | {len(flagged)} | {ms / max(chars, 1) * 1e5:.1f} |")
        for f in flagged[:5]:
            print(f"  flagged: {f.strip()[:80]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
