#!/usr/bin/env bash
# The test command: sets up what is missing, then lint and the whole test suite, real models included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
ruff check assistant tests benchmarks offline
ASSISTANT_REQUIRE_MODELS=1 python -m pytest -q -ra --durations=30
