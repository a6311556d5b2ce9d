"""The package is layered: a module imports only from its own layer or the layers below it."""

from __future__ import annotations

import ast
import subprocess
import sys
import time

from .conftest import ROOT

LAYERS = ["core", "text", "ingest", "index", "answer", "batch", "web", "cli"]


def imports_of(path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("assistant."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("assistant.")}
    return found


def test_imports_only_go_down():
    wrong = []
    for pkg in LAYERS:
        for path in sorted((ROOT / "assistant" / pkg).glob("*.py")):
            for target in imports_of(path):
                if target in LAYERS and LAYERS.index(target) > LAYERS.index(pkg):
                    wrong.append(f"{path.relative_to(ROOT)} imports assistant.{target}")
    assert wrong == []


def test_every_package_says_its_job():
    for pkg in LAYERS:
        doc = ast.get_docstring(ast.parse((ROOT / "assistant" / pkg / "__init__.py").read_text("utf-8")))
        assert doc and len(doc.splitlines()) == 1, pkg


def test_help_answers_at_once():
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and "assistant" in out.stdout
    heavy = subprocess.run([sys.executable, "-c", "import sys, assistant.cli.main; "
                            "print(sorted(m for m in ('torch', 'numpy', 'gradio', 'llama_cpp', 'faiss') if m in sys.modules))"],
                           capture_output=True, text=True, cwd=ROOT)
    assert heavy.stdout.strip() == "[]", heavy.stdout + heavy.stderr
    assert time.perf_counter() - t0 < 10  # generous for a loaded CI machine; measured figure in the README
