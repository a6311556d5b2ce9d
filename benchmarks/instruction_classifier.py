"""Could the shipped embedder find instructions the rules have not seen? A measured no, for now.

A logistic regression over embeddinggemma vectors (its classification prompt), trained on a small
labelled set of our own (benchmarks/data/instruction_examples.py) plus the corpus and CMRC
sentences as ordinary text; thresholds read off held-out DRCD and rgb_zh_dev sentences. Printed:
how many of the fresh phrasings (benchmarks/injection_carriers.FRESH, never tuned on) and of the
hostile set it finds at each threshold, beside the false alarms on the held-out sentences. The
sentences compared are those a cheap filter passes (a program, an answer or a directive word).

    python benchmarks/instruction_classifier.py      # about 3 minutes on 2 cores
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.pipeline import make_embedder  # noqa: E402
from assistant.core.config import load_settings  # noqa: E402
from benchmarks.data.instruction_examples import INSTRUCTIONS, ORDINARY  # noqa: E402
from benchmarks.injection_carriers import FRESH, KINDS, PLACES  # noqa: E402
from tests.hostile import INJECTIONS  # noqa: E402

CUE = re.compile(r"(AI|人工智能|模型|助手|程序|系统|机器|回答|答复|回复|答案|作答|提问|问到|问起|查询|输出|表述|口径"
                 r"|answer|reply|respond|model|assistant|仅供|忽略|一律|统一|必须|请)", re.IGNORECASE)
SENT = re.compile(r"[^。！？\n]+[。！？]?")


def cued(texts: list[str]) -> list[str]:
    return [s for t in texts for s in SENT.findall(t) if CUE.search(s) and 6 <= len(s) <= 300]


def passages(bench: Path, name: str) -> list[str]:
    return [json.loads(x)["text"] for x in (bench / name / "passages.jsonl").read_text("utf-8").splitlines() if x.strip()]


def fit(pos: np.ndarray, neg: np.ndarray, l2: float, steps: int = 3000, rate: float = 0.5) -> tuple[np.ndarray, float]:
    """Class-weighted logistic regression by gradient descent (numpy only)."""
    x = np.vstack([pos, neg])
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    weight = np.where(y == 1, len(neg) / len(pos), 1.0)
    weight /= weight.mean()
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        g = (1 / (1 + np.exp(-(x @ w + b))) - y) * weight
        w -= rate * (x.T @ g / len(y) + l2 * w / len(y))
        b -= rate * g.mean()
    return w, b


def main() -> int:
    bench, corpus = ROOT.parent / "shared" / "bench", ROOT.parent / "shared" / "corpus"
    embedder = make_embedder(load_settings())

    def vec(texts: list[str]) -> np.ndarray:
        return embedder._encode(list(texts), "Classification")  # noqa: SLF001 - the model's own task prompt

    train_ordinary = cued([p.read_text("utf-8") for p in sorted(corpus.iterdir())] + passages(bench, "cmrc2018"))
    held_out = cued(passages(bench, "drcd_test_zhs") + passages(bench, "rgb_zh_dev"))
    fresh = [f(PLACES[i] + KINDS[i], f"人民路{100 + i}号") for i, f in enumerate(FRESH.values())]
    pos, neg, test, fr, hostile = (vec(INSTRUCTIONS), vec(ORDINARY + train_ordinary), vec(held_out), vec(fresh),
                                   vec(INJECTIONS))
    print(f"labelled: {len(INSTRUCTIONS)} instructions, {len(ORDINARY) + len(train_ordinary)} ordinary; "
          f"held-out ordinary sentences: {len(held_out)}")
    print("| l2 | threshold | fresh found | hostile found | held-out false alarms |\n| --- | --- | --- | --- | --- |")
    for l2 in (0.1, 1.0, 10.0):
        w, b = fit(pos, neg, l2)
        scores = test @ w + b
        ranked = np.sort(scores)
        for label, thr in (("0", 0.0), ("3rd highest ordinary", ranked[-3]), ("highest ordinary", ranked[-1])):
            print(f"| {l2} | {label} | {np.mean(fr @ w + b > thr):.1f} | {np.mean(hostile @ w + b > thr):.2f} | "
                  f"{int(np.sum(scores > thr))} of {len(held_out)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
