"""Four browsers at once on a shared model server: time to the last answer, in line against concurrent.

Starts llama.cpp's `llama-server` with 4 parallel slots on the bundled GGUF, then the chat page twice
(`assistant serve --llm-url ... --llm-parallel 1`, the one line a laptop has, and `--llm-parallel 4`),
and in each drives four Chromium pages that send four different questions at the same moment.

    python benchmarks/shared_server.py --llama-server /path/to/llama-server

llama-server is not on PyPI; it builds from the llama.cpp sources inside llama-cpp-python's sdist
(docs/benchmarks.md says how).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.core import models  # noqa: E402
from assistant.core.config import Settings  # noqa: E402
from benchmarks.page import ARGS, QUESTIONS, concurrent, free_port, open_page, start_server  # noqa: E402

ALIAS = "qwen-1.5b"


def wait_for(url: str, proc: subprocess.Popen, what: str, seconds: int = 300) -> None:
    for _ in range(seconds):
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"{what} exited") from None
            time.sleep(1)
    proc.kill()
    raise SystemExit(f"{what} did not come up")


def start_llama_server(binary: str, gguf: Path, port: int, slots: int, ctx_per_slot: int) -> subprocess.Popen:
    proc = subprocess.Popen([binary, "-m", str(gguf), "--alias", ALIAS, "--host", "127.0.0.1", "--port", str(port),
                             "--parallel", str(slots), "-c", str(slots * ctx_per_slot), "-t", str(os.cpu_count() or 2),
                             "--no-webui"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(f"http://127.0.0.1:{port}/v1/models", proc, "llama-server")
    return proc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--llama-server", required=True, help="the llama-server binary")
    ap.add_argument("--index", type=Path, default=ROOT / "index" / "sample")
    ap.add_argument("--browsers", type=int, default=4)
    args = ap.parse_args()
    if not args.index.exists():
        subprocess.run([sys.executable, "-m", "assistant.cli", "index", str(ROOT / "examples" / "sample_docs"),
                        "--index", str(args.index)], check=True, cwd=ROOT)
    s = Settings()
    gguf = s.models_dir / models.SPECS[models.DEFAULT_CHAT].target
    llama_port = free_port()
    llama = start_llama_server(args.llama_server, gguf, llama_port, args.browsers, 4096)
    llm_url = f"http://127.0.0.1:{llama_port}/v1"
    from playwright.sync_api import sync_playwright

    results = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)
            for label, parallel in (("in line (--llm-parallel 1)", 1), (f"concurrent (--llm-parallel {args.browsers})",
                                                                        args.browsers)):
                port = free_port()
                page_proc = start_server(args.index, port, "--llm-url", llm_url, "--llm-model", ALIAS,
                                         "--llm-parallel", str(parallel))
                url = f"http://127.0.0.1:{port}/"
                try:
                    warm = open_page(browser, url)
                    concurrent(browser, url, ["防汛检查由谁负责？"])  # loads the embedder; not counted
                    warm.context.close()
                    t0 = time.perf_counter()
                    rows = concurrent(browser, url, QUESTIONS[:args.browsers])
                    results[label] = (time.perf_counter() - t0, rows)
                finally:
                    page_proc.terminate()
                    page_proc.wait(timeout=30)
            browser.close()
    finally:
        llama.terminate()
        llama.wait(timeout=30)
    print(f"\n{args.browsers} browsers asking at once; llama-server with {args.browsers} slots on {os.cpu_count()} cores")
    for label, (_wall, rows) in results.items():
        last = max(r["total_s"] for r in rows)
        firsts = ", ".join(f"{r['first_s']:.1f}" for r in rows)
        print(f"{label:28s} last answer {last:5.1f} s; first tokens {firsts} s; "
              f"answered {sum(r['answered'] for r in rows)}/{len(rows)}")
    lasts = [max(r["total_s"] for r in rows) for _, rows in results.values()]
    print(f"time to the last answer: {lasts[0]:.1f} s in line, {lasts[1]:.1f} s concurrent "
          f"({lasts[0] / lasts[1]:.2f}x)")


if __name__ == "__main__":
    main()
