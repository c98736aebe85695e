"""The `minigrad` command: `minigrad train` (train.py) and `minigrad compare` (compare.py, report.py)."""
