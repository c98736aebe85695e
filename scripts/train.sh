#!/usr/bin/env bash
# The README's main command: set up (venv, torch, data), then train minigrad and the torch reference side by side
# on FashionMNIST and compare them step by step. Defaults: 1 epoch on all 60,000 training images, batch 64, SGD
# lr 1e-3, seed 0, one BLAS thread per framework; about a minute on 2 cores. The report lands in runs/compare/
# (report.json, loss_drift.png). Any `minigrad compare` option can be added, e.g.
#   bash scripts/train.sh --epochs 10 --check-grads
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/minigrad compare "$@"
