#!/usr/bin/env bash
# The test command: sets up what is missing, then lint and the whole test suite, real models included.
# The offline bundle's proof (one module, several minutes: built, installed in a network namespace with no
# compiler, used) is marked slow and runs with --slow, before a release and after changing offline/.
set -euo pipefail
cd "$(dirname "$0")/.."
MARK=(-m "not slow")
if [ "${1:-}" = "--slow" ]; then MARK=(); shift; fi
bash scripts/setup.sh
. .venv/bin/activate
ruff check assistant tests benchmarks offline
ASSISTANT_REQUIRE_MODELS=1 python -m pytest -q -ra --durations=30 "${MARK[@]}" "$@"
