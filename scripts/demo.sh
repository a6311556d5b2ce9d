#!/usr/bin/env bash
# The main job on a fresh machine: set up, index the sample documents, answer a sample question,
# then open the chat page on them (the address is printed; Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
assistant index examples/sample_docs --index index/sample
assistant ask "汛前要检查多少座水库？" --index index/sample
assistant serve --index index/sample --port "${PORT:-7860}"
