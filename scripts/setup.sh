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
if ! .venv/bin/python -c "import torch, torchvision, hypothesis, pytest, matplotlib" 2>/dev/null; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q "torch==2.14.1" "torchvision==0.29.1"
fi
.venv/bin/python -m pip install -q --no-build-isolation -e ".[test]" 2>/dev/null \
  || .venv/bin/python -m pip install -q -e ".[test]"

# FashionMNIST cannot be downloaded on a closed network; Debian packages the four original files.
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && [ -z "${MINIGRAD_DATA:-}" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq >/dev/null 2>&1 || true
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null \
      || echo "setup: could not install Debian's dataset-fashion-mnist; minigrad will try its other sources" >&2
  fi
fi
