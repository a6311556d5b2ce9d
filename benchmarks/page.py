"""Chat page benchmark: what the page adds to the first token, and three browsers at once.

Starts `assistant serve` on an index, drives Debian's Chromium with Playwright, and for each
question measures, in the same request:
  page first token  - from pressing Enter to the first answer text drawn on the page
                      (performance.now() in the page, a MutationObserver on the chat)
  library first token - the library's own time from starting the turn to its first token
                      (Turn.first_token_ms, shown in the page's timing line)
The difference is what the page adds (Gradio's queue, the network hop, drawing). Then three
browsers ask at the same moment; each one's wait, first token and total are printed.

    python benchmarks/page.py --index index/sample
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
QUESTIONS = [
    "汛前要检查多少座水库？",
    "2025年全市地区生产总值预期增长多少？",
    "核心数据应当部署在哪里？",
    "隐患要在什么时候之前整改到位？",
    "2024年全市新增城镇就业多少人？",
    "数据安全管理办法由哪个部门负责解释？",
]

# Record when the newest turn first shows answer text, in the page's own clock.
OBSERVE = """() => {
  window.__first = undefined;
  const n = document.querySelectorAll('#chat .turn').length;
  const obs = new MutationObserver(() => {
    const t = document.querySelectorAll('#chat .turn')[n];
    const b = t && t.querySelector('.body');
    if (b && b.innerText.trim() && window.__first === undefined) { window.__first = performance.now(); obs.disconnect(); }
  });
  obs.observe(document.querySelector('#chat'), {childList: true, subtree: true, characterData: true});
  return n;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path, port: int, *flags: str) -> subprocess.Popen:
    """`assistant serve` on the index (with any further flags), once its page answers."""
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--index", str(index), "--port", str(port),
                             *flags], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(180):
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return proc
        except OSError:
            time.sleep(1)
    proc.kill()
    raise SystemExit("the page did not come up")


def open_page(browser, url: str):
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(url)
    page.wait_for_selector("#question textarea")
    return page


def ask_timed(page, question: str) -> dict:
    n = page.evaluate(OBSERVE)
    page.fill("#question textarea", question)
    t0 = page.evaluate("performance.now()")
    page.press("#question textarea", "Enter")
    page.wait_for_function(f"(document.querySelectorAll('#chat .turn')[{n}] || {{}}).dataset?.phase === 'done'",
                           timeout=300_000)
    turn = page.locator("#chat .turn").nth(n)
    timing = turn.locator(".timing")
    return {"question": question, "page_ms": page.evaluate("window.__first") - t0,
            "library_ms": float(timing.get_attribute("data-first-token-ms")),
            "status": "已回答" in turn.locator(".badge").inner_text()}


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def concurrent(browser, url: str, questions: list[str]) -> list[dict]:
    pages = [open_page(browser, url) for _ in questions]
    for p in pages:
        p.evaluate(OBSERVE)
    starts = []
    for p, q in zip(pages, questions, strict=True):
        p.fill("#question textarea", q)
    for p in pages:
        starts.append(p.evaluate("performance.now()"))
        p.press("#question textarea", "Enter")
    rows = [{"seen": []} for _ in pages]
    done = [False] * len(pages)
    while not all(done):
        for i, p in enumerate(pages):
            if done[i]:
                continue
            badge = p.locator("#chat .turn .badge").first
            if badge.count() and "排队" in (text := badge.inner_text()) and text not in rows[i]["seen"]:
                rows[i]["seen"].append(text)
            if p.locator("#chat .turn[data-phase=done]").count():
                done[i] = True
                rows[i]["total_s"] = (p.evaluate("performance.now()") - starts[i]) / 1000
                rows[i]["first_s"] = (p.evaluate("window.__first") - starts[i]) / 1000
                rows[i]["answered"] = "已回答" in p.locator("#chat .turn .badge").first.inner_text()
        time.sleep(0.05)
    for p in pages:
        p.context.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", type=Path, default=ROOT / "index" / "sample")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    if not args.index.exists():
        subprocess.run([sys.executable, "-m", "assistant.cli", "index", str(ROOT / "examples" / "sample_docs"),
                        "--index", str(args.index)], check=True, cwd=ROOT)
    port = args.port or free_port()
    server = start_server(args.index, port)
    url = f"http://127.0.0.1:{port}/"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)
            page = open_page(browser, url)
            ask_timed(page, "防汛检查由谁负责？")  # loads the models; not counted
            rows = [ask_timed(page, q) for q in QUESTIONS]
            page.context.close()
            print(f"{'question':36s} {'page first':>11s} {'library first':>14s} {'page adds':>10s}")
            for r in rows:
                print(f"{r['question']:36s} {r['page_ms']:9.0f}ms {r['library_ms']:12.0f}ms "
                      f"{r['page_ms'] - r['library_ms']:8.0f}ms")
            adds = [r["page_ms"] - r["library_ms"] for r in rows]
            print(f"page adds to the first token: median {statistics.median(adds):.0f} ms, "
                  f"max {max(adds):.0f} ms over {len(rows)} questions; "
                  f"page first token p50 {pct([r['page_ms'] for r in rows], .5) / 1000:.1f} s")
            print("\nthree browsers asking at once:")
            for i, r in enumerate(concurrent(browser, url, QUESTIONS[:3]), 1):
                print(f"  browser {i}: first token {r['first_s']:.1f} s, done {r['total_s']:.1f} s, "
                      f"answered={r['answered']}, saw: {' → '.join(r['seen']) or '(answered at once)'}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
