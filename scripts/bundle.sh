#!/usr/bin/env bash
# Makes the offline bundle for an air-gapped laptop (on a connected machine, one command):
#   bash scripts/bundle.sh OUT      → OUT/assistant-offline-<version>-linux-<arch>-py<XY>/ and its .tar.gz
# It sets this machine up first (scripts/setup.sh: the venv, the portable llama.cpp wheel, the verified models).
# On the laptop: copy the folder (or the .tar.gz, then tar -xzf), and run `bash install.sh` in it.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bash scripts/bundle.sh OUT [--no-tarball]" >&2; exit 2; }
OUT=$(realpath -m "$1")  # before the cd below
shift
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
python -m offline.build "$OUT" --llama-wheel "$(bash scripts/llama_wheel.sh portable)" "$@"
