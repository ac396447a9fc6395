"""The recommender's speed at a scale: fit time and memory against implicit's ALS, and the time of
recommend_needs / recommend_helpers. Usage:

    .venv/bin/python bench/matching.py [--scale small|province] [--data DIR] [--seed N]

The last line printed is one JSON object (see matching/bench.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
