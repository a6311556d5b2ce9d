"""The chat page in a real browser: Debian's Chromium driven by Playwright, real models.

The server is `assistant serve` in a subprocess over a fresh index of examples/sample_docs.
Screenshots go to artifacts/browser/ (look at them: fonts, layout, highlighted passages).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import MODELS, ROOT, SAMPLES, need, real_models_required

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "browser"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.real


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        msg = "chromium not installed: apt-get install chromium fonts-noto-cjk (scripts/setup.sh does)"
        if real_models_required():
            pytest.fail(msg)
        pytest.skip(msg)
    need(MODELS / "embeddinggemma-300m", "EmbeddingGemma")
    need(MODELS / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "Qwen2.5-Coder-1.5B GGUF")
    base = tmp_path_factory.mktemp("page")
    docs = base / "docs"
    shutil.copytree(SAMPLES, docs)
    index = base / "index"
    env = {**os.environ, "ASSISTANT_HOME": str(ROOT)}
    cli = [sys.executable, "-m", "assistant.cli"]
    subprocess.run([*cli, "index", str(docs), "--index", str(index)], check=True, env=env, cwd=base,
                   capture_output=True)
    port = _free_port()
    log = open(base / "serve.log", "w")
    proc = subprocess.Popen([*cli, "serve", "--index", str(index), "--port", str(port)], env=env, cwd=base,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            assert proc.poll() is None, (base / "serve.log").read_text()
            time.sleep(1)
    else:
        raise AssertionError("the page did not come up: " + (base / "serve.log").read_text())
    yield url, base
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(server, browser):
    url, _ = server
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
    pg = ctx.new_page()
    pg.requests = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.goto(url)
    pg.wait_for_selector("#question textarea")
    yield pg
    ctx.close()


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def ask(pg, question: str, timeout: float = 240) -> tuple[list[str], object]:
    """Type a question, press Enter, and collect the answer text as it streams; the last turn."""
    n = pg.locator("#chat .turn").count()
    pg.fill("#question textarea", question)
    pg.press("#question textarea", "Enter")
    try:
        pg.wait_for_function(f"document.querySelectorAll('#chat .turn').length > {n}", timeout=30_000)
    except Exception:
        shot(pg, "debug-no-turn")
        raise
    turn = pg.locator("#chat .turn").nth(n)
    seen: list[str] = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        phase = turn.get_attribute("data-phase")
        body = turn.locator(".body")
        text = body.first.inner_text() if body.count() else ""
        if text and (not seen or seen[-1] != text):
            seen.append(text)
        if phase in ("done", "error", "stopped"):
            return seen, turn
        time.sleep(0.05)
    raise AssertionError(f"no answer to {question} within {timeout} s; saw {seen[-3:]}")


def test_page_loads_with_nothing_leaving_the_machine(page, server):
    url, _ = server
    assert page.title() == "文档问答助手"
    assert page.locator("text=只根据资料库中的文件回答").count() == 1
    font = page.evaluate("getComputedStyle(document.querySelector('.gradio-container')).fontFamily")
    assert "Microsoft YaHei" in font and "Noto Sans CJK SC" in font
    page.wait_for_timeout(1000)
    outside = [u for u in page.requests if not u.startswith(url) and not u.startswith("data:")]
    assert outside == [], outside
    shot(page, "01-page")


def test_answer_streams_with_a_citation_that_opens_the_highlighted_passage(page):
    seen, turn = ask(page, "汛前要检查多少座水库？")
    assert turn.get_attribute("data-phase") == "done"
    assert len(seen) >= 3, seen  # the text grew on the page, piece by piece
    assert "126" in seen[-1]
    assert "已回答" in turn.locator(".badge").inner_text()
    link = turn.locator(".body a.cite").first
    assert re.fullmatch(r"\[\d\]", link.inner_text())
    assert turn.locator(".sources li").first.inner_text().count("防汛工作通知") == 1
    passage = turn.locator(".passage:not([hidden])")
    assert passage.count() == 0
    link.click()
    assert passage.count() == 1
    assert "126座水库" in passage.locator("mark").first.inner_text()
    shot(page, "02-answer-with-highlighted-passage")
    # the same passage opens from the list of sources, after another one was open
    page.evaluate("document.querySelectorAll('#chat .passage').forEach(p => p.hidden = true)")
    assert passage.count() == 0
    turn.locator(".sources li a.cite").first.click()
    assert passage.count() == 1 and "126座水库" in passage.locator("mark").first.inner_text()
    page.locator("#new").click()
    page.wait_for_function("!document.querySelector('#chat .turn')")


def test_follow_up_is_rewritten_before_search(page):
    ask(page, "汛前要检查多少座水库？")
    _, turn = ask(page, "那水闸呢？")
    searched = turn.locator(".searched").inner_text()
    assert "水闸" in searched and searched != "按上下文检索：那水闸呢？", searched
    assert "43" in turn.locator(".body").inner_text()
    shot(page, "03-follow-up")


def _upload(page, path: Path) -> None:
    page.get_by_role("tab", name="资料库", exact=True).click()
    page.set_input_files("#upload input[type=file]", str(path))
    page.wait_for_selector(f"#upload :text('{path.name}')", timeout=120_000)  # a loaded machine is slow to show it
    page.locator("#add").click()
    page.wait_for_selector("#doc-msg :text('已添加')", timeout=180_000)
    page.wait_for_selector(f"#doc-table :text('{path.name}')", timeout=30_000)


def _new_file(base: Path, name: str, text: str) -> Path:
    up = base / "upload" / name
    up.parent.mkdir(exist_ok=True)
    up.write_text(text, "utf-8")
    return up


def test_uploaded_document_is_answered_then_never_cited_after_delete(page, server):
    _, base = server
    up = _new_file(base, "职工食堂开放安排.txt", "关于调整职工食堂开放时间的通知\n自下周一起，职工食堂早餐供应时间调整为"
                   "7点至8点30分，午餐供应时间为11点30分至13点。\n")
    _upload(page, up)
    assert (base / "index" / "uploads" / up.name).is_file()
    shot(page, "04-documents")
    page.get_by_role("tab", name="问答", exact=True).click()
    _, turn = ask(page, "职工食堂午餐几点开始供应？")
    assert turn.get_attribute("data-phase") == "done"
    assert up.name in turn.locator(".sources").inner_text()
    page.get_by_role("tab", name="资料库", exact=True).click()
    page.locator("#pick input").click()
    page.get_by_role("option", name=re.compile(up.name)).click()
    page.locator("#delete").click()
    page.wait_for_selector("#doc-msg :text('已删除')", timeout=60_000)
    assert not (base / "index" / "uploads" / up.name).exists()
    page.get_by_role("tab", name="问答", exact=True).click()
    _, turn = ask(page, "职工食堂午餐几点开始供应？")
    assert up.name not in turn.inner_text()
    shot(page, "05-after-delete")


def test_document_with_html_shows_as_text(page, server):
    _, base = server
    up = _new_file(base, "网页片段说明.txt", "网页片段说明：示例代码<script>window.__pwned=1</script>和"
                   "<img src=x onerror=\"window.__pwned=2\">都应当原样显示为文字。\n")
    _upload(page, up)
    page.get_by_role("tab", name="检索", exact=True).click()
    page.fill("#search-box textarea", "网页片段说明 示例代码")
    page.locator("#search-btn").click()
    page.wait_for_selector("#search-results a.cite", timeout=60_000)
    page.locator("#search-results a.cite").first.click()
    text = page.locator("#search-results .passage:not([hidden]) .text").first.inner_text()
    assert "<script>window.__pwned=1</script>" in text and "<img src=x" in text
    assert page.locator("#search-results img").count() == 0
    assert page.evaluate("window.__pwned === undefined")
    shot(page, "06-html-as-text")


def test_a_cited_scan_opens_as_the_page_image_with_the_cited_lines_boxed(page, server):
    from .test_ocr import _need_ocr, scan

    _need_ocr()
    _, base = server
    up = base / "upload" / "冬季消防检查通知扫描件.png"
    up.parent.mkdir(exist_ok=True)
    scan(["关于开展冬季消防安全检查的通知", "各街道办事处：", "全区共有37所学校、14家医院纳入重点检查范围，",
          "检查工作于12月20日前完成。"]).save(up)
    _upload(page, up)
    page.get_by_role("tab", name="问答", exact=True).click()
    _, turn = ask(page, "冬季消防安全检查纳入重点检查范围的学校有多少所？")
    assert turn.get_attribute("data-phase") == "done" and "37" in turn.locator(".body").inner_text()
    turn.locator(".body a.cite").first.click()
    passage = turn.locator(".passage:not([hidden])")
    img = passage.locator(".scan img")
    img.wait_for(timeout=10_000)
    page.wait_for_function("(i) => i.complete && i.naturalWidth > 0", arg=img.element_handle(), timeout=10_000)
    assert 1 <= passage.locator(".scan .box").count() <= 2  # the cited sentence's lines, not the whole page
    box, pic = passage.locator(".scan .box").first.bounding_box(), img.bounding_box()
    assert pic["y"] + 0.3 * pic["height"] < box["y"] + box["height"] and box["width"] > 0.3 * pic["width"]
    assert "37所学校" in passage.locator(".text").inner_text() and "扫描件" in passage.inner_text()
    shot(page, "07-scan-with-cited-lines-boxed")


def test_stop_ends_generation_and_the_model_is_free_again(page):
    n = page.locator("#chat .turn").count()
    page.fill("#question textarea", "请概括2025年市政府工作报告中的主要目标。")
    page.press("#question textarea", "Enter")
    turn = page.locator("#chat .turn").nth(n)
    turn.locator(".body.streaming").wait_for(timeout=120_000)
    page.wait_for_function(
        f"(document.querySelectorAll('#chat .turn')[{n}].querySelector('.body') || {{}}).innerText", timeout=120_000)
    page.locator("#stop").click()
    page.wait_for_function(f"document.querySelectorAll('#chat .turn')[{n}].dataset.phase === 'stopped'",
                           timeout=30_000)
    page.wait_for_function(  # the stop button's own reply may come last; the answer says "stopped" after it
        f"document.querySelectorAll('#chat .turn')[{n}].querySelector('.badge').innerText.includes('已停止')",
        timeout=10_000)
    page.wait_for_timeout(500)  # the page takes Enter again once the stopped answer's event has closed
    _, after = ask(page, "汛前要检查多少座水库？", timeout=120)
    assert after.get_attribute("data-phase") == "done" and "126" in after.inner_text()
    shot(page, "07-stopped")


def test_new_conversation_and_markdown_export(page):
    ask(page, "汛前要检查多少座水库？")
    with page.expect_download() as dl:
        page.locator("#export").click()
        page.locator("#exported a[download]").first.click()
    md = Path(dl.value.path()).read_text("utf-8")
    assert md.startswith("# 问答记录") and "汛前要检查多少座水库？" in md and "防汛工作通知" in md
    page.locator("#new").click()
    page.wait_for_function("!document.querySelector('#chat .turn')")


def test_a_second_browser_waits_in_the_queue_and_sees_its_place(server, browser, page):
    url, _ = server
    other = browser.new_context(locale="zh-CN").new_page()
    other.goto(url)
    other.wait_for_selector("#question textarea")
    page.fill("#question textarea", "2025年全市地区生产总值预期增长多少？")
    page.press("#question textarea", "Enter")
    page.wait_for_selector("#chat .turn")
    other.fill("#question textarea", "数据安全管理办法中的核心数据应当部署在哪里？")
    other.press("#question textarea", "Enter")
    # the waiting browser sees its question and its place in line at once
    other.wait_for_selector("#chat .badge:has-text('排队等待中：前面还有 1 个问题')", timeout=10_000)
    shot(other, "08-queued")
    # search and the documents list answer at once while the model is busy
    other.get_by_role("tab", name="检索", exact=True).click()
    t0 = time.time()
    other.fill("#search-box textarea", "核心数据")
    other.locator("#search-btn").click()
    other.wait_for_selector("#search-results a.cite", timeout=20_000)
    assert time.time() - t0 < 20
    other.get_by_role("tab", name="问答", exact=True).click()
    other.wait_for_function("document.querySelector('#chat .turn[data-phase=done]')", timeout=300_000)
    assert page.locator("#chat .turn").first.get_attribute("data-phase") == "done"
    other.context.close()


def test_login_required_with_an_auth_file(browser, server, tmp_path):
    url, base = server
    logins = tmp_path / "logins.txt"
    env = {**os.environ, "ASSISTANT_HOME": str(ROOT)}
    for name, role, password in (("zhang", "admin", "办公室密码2025"), ("li", "staff", "科员密码2025")):
        subprocess.run([sys.executable, "-m", "assistant.cli", "users", "add", name, "--role", role, "--file",
                        str(logins)], env={**env, "ASSISTANT_NEW_PASSWORD": password}, check=True, cwd=base)
    assert "办公室密码2025" not in logins.read_text("utf-8")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--index", str(base / "index"),
                             "--port", str(port), "--auth-file", str(logins)], env=env, cwd=base,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        login_url = f"http://127.0.0.1:{port}/"
        for _ in range(120):
            try:
                urllib.request.urlopen(login_url, timeout=2).read()
                break
            except OSError:
                time.sleep(1)
        pg = browser.new_context(locale="zh-CN").new_page()
        pg.goto(login_url)
        pg.wait_for_selector("input[type=password]")
        assert pg.locator("#question").count() == 0
        assert pg.locator("text=请输入用户名和密码").count() == 1
        pg.locator("input[type=text]").first.fill("zhang")
        pg.locator("input[type=password]").fill("wrong")
        pg.locator("input[type=password]").press("Enter")
        pg.wait_for_timeout(1500)
        assert pg.locator("#question").count() == 0
        assert pg.locator("text=凭据不正确").count() == 1
        shot(pg, "09-login")
        pg.locator("input[type=text]").first.fill("li")
        pg.locator("input[type=password]").fill("科员密码2025")
        pg.locator("input[type=password]").press("Enter")
        pg.wait_for_selector("#question textarea", timeout=30_000)
        # staff may ask but not delete: the documents tab says so, in Chinese, and nothing is removed
        pg.get_by_role("tab", name="资料库", exact=True).click()
        pg.locator("#pick input").click()
        pg.get_by_role("option").first.click()
        pg.locator("#delete").click()
        pg.wait_for_selector("#doc-msg:has-text('只有管理员')", timeout=30_000)
        shot(pg, "10-staff-cannot-delete")
        pg.context.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_batch_tab_runs_an_uploaded_table_and_offers_the_result(page, server):
    import csv

    _, base = server
    src = base / "upload" / "批量问题.csv"
    src.parent.mkdir(exist_ok=True)
    with open(src, "w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows([["序号", "问题", "期望答案"], ["1", "汛前要检查多少座水库？", "126"],
                                 ["2", "全市有多少座机场？", "无答案"]])
    page.get_by_role("tab", name="批量问答", exact=True).click()
    page.set_input_files("#batch-file input[type=file]", str(src))
    page.wait_for_selector(f"#batch-file :text('{src.name}')", timeout=120_000)  # a loaded machine is slow to show it
    page.locator("#batch-run").click()
    page.wait_for_selector("#batch-msg :text('共 2 题')", timeout=300_000)
    msg = page.locator("#batch-msg").inner_text()
    assert "已回答 1" in msg and "资料中没有 1" in msg and "准确率 100.0%" in msg, msg
    with page.expect_download() as dl:
        page.locator("#batch-out a[download]").first.click()
    with open(dl.value.path(), encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["序号"] for r in rows] == ["1", "2"] and "126" in rows[0]["answer"]
    assert rows[0]["status"] == "answered" and rows[1]["status"] == "not_found"
    shot(page, "10-batch")
