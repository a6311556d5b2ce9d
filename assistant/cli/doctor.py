"""`assistant doctor`: is this installation able to answer, and what state are its indexes in.

Without --index it checks the installation (models, llama.cpp, torch; with --smoke both models run once on
this CPU) and lists every index under the home folder's index/: an index that needs rebuilding is listed with
its command, not counted as a broken install. With --index that one index must be healthy too.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from assistant.answer.pipeline import make_embedder, make_generator
from assistant.core import models
from assistant.core.config import Settings, physical_cores, project_home
from assistant.core.errors import AssistantError
from assistant.core.messages import cli_language
from assistant.index.onnx_embedding import BACKEND, converted_dir, is_ready
from assistant.index.stores import STORE_FILE, open_store


def cmd_doctor(args: argparse.Namespace, s: Settings) -> int:
    problems = _runtime(s)
    if getattr(args, "smoke", False) and not problems:
        problems += _smoke(s)
    if args.index_dir:
        problems += _index(s, Path(args.index_dir).expanduser(), indent="  ", label="index")
    else:
        _every_index(s)
    print("all good" if not problems else f"{problems} problem(s) found")
    return 0 if not problems else 1


def _runtime(s: Settings) -> int:
    problems = 0
    print(f"models folder   {s.models_dir}")
    for st in models.status(s.models_dir):
        ok = "ok" if st.ok else "; ".join(st.problems)
        problems += (not st.ok) and st.spec.default
        print(f"  {st.spec.name:22s} {ok}")
    source = s.models_dir / models.SPECS[models.DEFAULT_EMBEDDING].target
    if s.embed_backend in ("auto", BACKEND) and source.is_dir():
        fast = converted_dir(s.models_dir, source)
        ready = is_ready(fast, source)
        print(f"  {'int8 embedder':22s} {'ok (converted and checked)' if ready else 'not converted yet: run assistant models install'}")
        problems += not ready
    if s.llm_url:
        problems += _server(s)
    else:
        print(f"chat model      {s.chat_model or models.SPECS[models.DEFAULT_CHAT].target}")
    print(f"threads         {s.threads} (physical cores: {physical_cores()})")
    try:
        import llama_cpp

        gpu = bool(llama_cpp.llama_supports_gpu_offload())
        print(f"llama.cpp       {llama_cpp.__version__}, GPU offload "
              f"{'yes, layers: ' + str(s.n_gpu_layers) if gpu else 'no (CPU)'}")
    except ImportError:
        print("llama.cpp       NOT INSTALLED: pip install llama-cpp-python")
        problems += 1
    try:
        import torch

        print(f"embeddings on   {'cuda' if torch.cuda.is_available() else 'cpu'} (torch {torch.__version__})")
    except ImportError:
        print("torch           NOT INSTALLED")
        problems += 1
    return problems


def _server(s: Settings) -> int:
    """Generation on a model server: reachable, and serving the model named?"""
    try:
        gen = make_generator(s)
        names = gen.served()
        model = gen.chosen()
    except AssistantError as e:
        print(f"chat model      PROBLEM: {e.words(cli_language())}")
        return 1
    found = model in names or not names  # a server that lists nothing may still route by name
    print(f"chat model      {model} on the model server {s.llm_url}: reachable, serves {', '.join(names) or '?'}"
          + ("" if found else f" — PROBLEM: not {model}"))
    return 0 if found else 1


def _smoke(s: Settings) -> int:
    """Run both models once on this CPU: a build it cannot run fails here, not on the first question."""
    try:
        t0 = time.perf_counter()
        vec = make_embedder(s).embed_queries(["汛前要检查多少座水库？"])
        t1 = time.perf_counter()
        pieces = list(make_generator(s).stream([{"role": "user", "content": "请回答：一加一等于几？"}],
                                               max_tokens=8))
        t2 = time.perf_counter()
    except AssistantError as e:
        print(f"smoke test      PROBLEM: {e.words(cli_language())}")
        return 1
    print(f"smoke test      embedding ok ({vec.shape[1]} dims, {t1 - t0:.1f} s with loading); "
          f"chat model ok ({len(pieces)} pieces, {t2 - t1:.1f} s with loading)")
    return 0


def _index(s: Settings, folder: Path, *, indent: str, label: str) -> int:
    """One index: 0 when it loads and matches its embedding model, else 1 (the problem is printed)."""
    print(f"{label:15s} {folder}")
    try:
        index = open_store(folder)
        state = index.load()
        emb = state.manifest.embedding
        print(f"{indent}kept in {index}")
        print(f"{indent}{len(state.docs)} documents, {len(state.chunks)} chunks, embedding model {emb.name} "
              f"(dim {emb.dim}), updated {state.manifest.updated}")
        index.check_embedder(state.manifest, make_embedder(s, state.manifest))
        print(f"{indent}embedding model matches the index")
    except AssistantError as e:
        print(f"{indent}PROBLEM: {e.words(cli_language())}")
        return 1
    return 0


def _every_index(s: Settings) -> None:
    """Each index under the home's index/ (and the configured one): listed, problems shown, none fatal."""
    home = project_home() / "index"
    marks = ("CURRENT", STORE_FILE)  # an index kept in its folder, or one that records its store
    found = sorted({p.parent for m in marks for p in home.glob(f"*/{m}")}) if home.is_dir() else []
    if any((s.index_dir / m).is_file() for m in marks) and s.index_dir not in found:
        found.append(s.index_dir)
    if not found:
        print(f"indexes         none yet in {home}: build one with `assistant index FOLDER --index {home}/NAME`")
        return
    for folder in found:
        _index(s, folder, indent="  ", label="index")
