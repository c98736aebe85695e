#!/usr/bin/env bash
# The README's benchmark command: set up (venv, torch, data), then every benchmark; writes benchmarks/results.md,
# benchmarks/results.json and the charts. Extra arguments go to benchmarks/run.py (--quick, --only, --threads).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m benchmarks.run "$@"
