"""The air-gapped laptop, simulated: a network namespace with only loopback, no compiler, no local package store.

`laptop(command)` runs a command there (root only: `unshare -n -m`). `python -m tests.offline_proof TARBALL WORK
RESULT.json` is what runs inside: unpack the bundle, install it with no argument, index the samples, answer a
question, load the chat page in Chromium and record every request, then update an older install that holds data
(killed half-way once, then run again). Shared by tests/test_offline_bundle.py and benchmarks/offline.py.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "汛前要检查多少座水库？"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

# Inside the namespace: loopback up; every C/C++ compiler replaced by a refusal; the compiler's OpenMP runtime
# (libgomp) emptied; the machine's own package stores (find-links folders, file:// indexes) emptied, so only the
# bundle's wheels can be installed.
PRELUDE = r"""
set -e
ip link set lo up
refuse=$(mktemp)
printf '#!/bin/sh\necho "no compiler on this laptop" >&2\nexit 127\n' >"$refuse"
chmod 755 "$refuse"
for c in cc gcc c++ g++ clang clang++ cpp x86_64-linux-gnu-gcc x86_64-linux-gnu-g++; do
  p=$(command -v "$c" 2>/dev/null) || continue
  mount --bind "$refuse" "$(readlink -f "$p")"
done
for lib in /usr/lib/x86_64-linux-gnu/libgomp.so.1 /usr/lib/aarch64-linux-gnu/libgomp.so.1; do
  if [ -e "$lib" ]; then mount --bind /dev/null "$(readlink -f "$lib")"; fi  # a laptop with no compiler may lack it
done
for d in /opt/wheels /opt/pypi /opt/pypi-more; do
  if [ -d "$d" ]; then mount -t tmpfs none "$d"; fi
done
exec "$@"
"""


def can_simulate() -> str:
    """Empty when this machine can make the namespace, else why not."""
    if os.geteuid() != 0:
        return "needs root for unshare -n -m"
    if not shutil.which("unshare") or not shutil.which("ip"):
        return "needs unshare (util-linux) and ip (iproute2)"
    return ""


def laptop(cmd: list[str], *, timeout: float, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["unshare", "-n", "-m", "--propagation", "private", "bash", "-c", PRELUDE, "bash", *cmd],
                          timeout=timeout, **kw)


def _run(cmd: list[str], log: Path, **kw) -> tuple[int, float, str, str]:
    """(exit code, seconds, stdout, stderr), both appended to `log`."""
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"$ {' '.join(cmd)}\n{res.stdout}{res.stderr}\n")
    return res.returncode, time.perf_counter() - t0, res.stdout, res.stderr


def isolation() -> dict:
    """What this namespace lets through: the compiler, and the outside network by name and by address."""
    gcc = subprocess.run(["gcc", "--version"], capture_output=True, text=True)
    out = {"gcc_works": gcc.returncode == 0}
    for host in ("pypi.org", "1.1.1.1"):
        try:
            socket.create_connection((host, 443), timeout=3).close()
            out[f"reach_{host}"] = True
        except OSError:
            out[f"reach_{host}"] = False
    return out


def unpack(tarball: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    with tarfile.open(tarball) as tar:
        tar.extractall(dest, filter="tar")
    (folder,) = dest.iterdir()
    return folder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_check(launcher: Path, work: Path, shots: Path) -> dict:
    """`assistant serve` from the install, loaded in Chromium; every request the page makes, recorded."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = open(work / "serve.log", "w")
    proc = subprocess.Popen([str(launcher), "serve", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                            cwd=work)
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None:
                    return {"error": (work / "serve.log").read_text()}
                time.sleep(1)
        requests: list[str] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pg = browser.new_page(locale="zh-CN", viewport={"width": 1200, "height": 900})
            pg.on("request", lambda r: requests.append(r.url))
            pg.goto(url)
            pg.wait_for_selector("#question textarea", timeout=60_000)
            pg.wait_for_timeout(1500)
            title = pg.title()
            shots.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(shots / "offline-install-page.png"), full_page=True)
            browser.close()
        off = [u for u in requests if not u.startswith(url) and not u.startswith("data:")]
        return {"title": title, "requests": len(requests), "off_host": off}
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def older_install(target: Path, index_from: Path) -> dict[str, bytes]:
    """A target as an older version left it: an index with uploads, an index of an older format, settings,
    logins, and a runtime of its own. Returns the data files that must come through the update unchanged."""
    (target / "index").mkdir(parents=True)
    shutil.copytree(index_from, target / "index" / "office")
    (target / "index" / "office" / "uploads").mkdir(exist_ok=True)
    (target / "index" / "office" / "uploads" / "上传的通知.txt").write_text("各单位：请于五月前报送材料。\n", "utf-8")
    old = target / "index" / "old" / "gen-000001"
    old.mkdir(parents=True)
    (old / "manifest.json").write_text(json.dumps({"format": 0}), "utf-8")
    (target / "index" / "old" / "CURRENT").write_text("gen-000001\n", "utf-8")
    (target / "assistant.toml").write_text("top_k = 4\n", "utf-8")
    (target / "logins.txt").write_text("# logins made with assistant users add\n", "utf-8")
    (target / "runtime" / "0.0.9-20250101-000000" / "bin").mkdir(parents=True)
    (target / "runtime" / "current").symlink_to("0.0.9-20250101-000000")
    (target / "INSTALLED.txt").write_text("VERSION=0.0.9\n", "utf-8")
    return {str(p.relative_to(target)): p.read_bytes() for p in target.rglob("*")
            if p.is_file() and ("index" in p.parts or p.name in ("assistant.toml", "logins.txt"))}


def interrupted_install(install: Path, target: Path, log: Path) -> dict:
    """Start installing into `target`, kill it while pip is writing the new runtime, and look at what is left."""
    proc = subprocess.Popen(["bash", str(install), str(target)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    killed_in = ""
    while time.time() < deadline and proc.poll() is None:
        fresh = [p for p in (target / "runtime").glob("0*") if not p.name.startswith("0.0.9")]
        if fresh and list(fresh[0].glob("lib/python*/site-packages/torch")):
            os.killpg(proc.pid, signal.SIGKILL)
            killed_in = "pip install"
            break
        time.sleep(0.2)
    proc.wait()
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"interrupted install: killed during {killed_in or 'nothing (it finished first)'}\n")
    return {"killed_during": killed_in, "current_after_kill": os.readlink(target / "runtime" / "current")}


def prove(tarball: Path, work: Path) -> dict:
    log = work / "proof.log"
    r: dict = {"isolation": isolation()}
    t0 = time.perf_counter()
    bundle = unpack(tarball, work / "laptop")
    r["unpack_s"] = round(time.perf_counter() - t0, 1)
    # 1. a new user: copy, `bash install.sh`, two commands
    rc, secs, out, err = _run(["bash", str(bundle / "install.sh")], log)
    r["install"] = {"rc": rc, "seconds": round(secs, 1), "output": out + err}
    if rc != 0:
        return r
    launcher = bundle / "assistant"
    rc, secs, out, err = _run([str(launcher), "index", str(bundle / "samples")], log)
    r["index"] = {"rc": rc, "seconds": round(secs, 1)}
    rc, secs, out, err = _run([str(launcher), "ask", QUESTION, "--json"], log)
    r["ask"] = {"rc": rc, "seconds": round(secs, 1), "answer": json.loads(out) if rc == 0 else err}
    r["page"] = page_check(launcher, work, ROOT / "artifacts" / "browser")
    # 2. an update over an older install that holds data: killed half-way, then run again
    target = work / "office"
    kept = older_install(target, bundle / "index" / "default")
    r["interrupted"] = interrupted_install(bundle / "install.sh", target, log)
    rc, secs, out, err = _run(["bash", str(bundle / "install.sh"), str(target)], log)
    r["update"] = {"rc": rc, "seconds": round(secs, 1), "output": out + err}
    now = {k: (target / k).read_bytes() if (target / k).is_file() else None for k in kept}
    r["update"]["data_changed"] = sorted(k for k in kept if now[k] != kept[k])
    r["update"]["runtime"] = sorted(p.name for p in (target / "runtime").iterdir())
    rc, _, out, err = _run([str(target / "assistant"), "search", QUESTION, "--index", str(target / "index" / "office"),
                            "--json"], log)
    r["update"]["search_rc"] = rc
    r["update"]["search_top"] = json.loads(out)["hits"][0]["text"][:80] if rc == 0 else err[-300:]
    return r


def main() -> int:
    tarball, work, result = (Path(a) for a in sys.argv[1:4])
    out = prove(tarball, work)
    result.write_text(json.dumps(out, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
