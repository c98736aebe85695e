#!/usr/bin/env bash
# Set up everything minigrad's commands need, idempotently: a virtual environment in .venv with minigrad
# (editable) and its test/reference extras, and the real FashionMNIST files from Debian's package when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# torch==2.14.1 / torchvision==0.29.1 are installed from files on this machine's disk; never ask for newer ones
if ! .venv/bin/python -c "import torch, torchvision, hypothesis, pytest, matplotlib, expecttest, safetensors" 2>/dev/null; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q "torch==2.14.1" "torchvision==0.29.1" expecttest "safetensors>=0.4"
fi
.venv/bin/python -m pip install -q --no-build-isolation -e ".[test]" 2>/dev/null \
  || .venv/bin/python -m pip install -q -e ".[test]"

# FashionMNIST cannot be downloaded on a closed network; Debian packages the four original files.
# Graphviz (optional) lets minigrad.viz render SVG/PNG; without it draw_graph gives DOT text only.
# chromium (for the tests) runs the stepping page in a headless browser; without it that test skips (fails in CI).
want=""
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && [ -z "${MINIGRAD_DATA:-}" ]; then
  want="dataset-fashion-mnist"
fi
command -v dot >/dev/null 2>&1 || want="$want graphviz"
command -v chromium >/dev/null 2>&1 || want="$want chromium"
if [ -n "$want" ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null 2>&1 || true
  for pkg in $want; do
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null 2>&1 \
      || echo "setup: could not install Debian's $pkg; minigrad will manage without it or try its other sources" >&2
  done
fi
