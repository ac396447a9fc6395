"""The exchange format: four CSV files, read into arrays the models work on.

``regions.csv``       region_code,parent_code,level,name
``needs.csv``         need_id,created_at,category,region_code,urgency,amount_fen,slots,text
``helpers.csv``       helper_id,kind,region_code,skills,text,capacity
``interactions.csv``  helper_id,need_id,event,at,amount_fen

UTF-8 with a header row; extra columns are ignored. Every bad row is reported with its file, line
and reason, and a data set with any bad row is refused whole (:class:`DataError`): a model is never
fitted on half a file.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

LEVELS = ("province", "city", "county", "town", "village")
KINDS = ("volunteer", "organization", "donor")
EVENTS = ("view", "claim", "deliver", "donate", "withdraw", "dispute", "dismiss")  # dismiss: "not interested"
POSITIVE_EVENTS = frozenset({"claim", "deliver", "donate"})

COLUMNS = {
    "regions.csv": ("region_code", "parent_code", "level", "name"),
    "needs.csv": ("need_id", "created_at", "category", "region_code", "urgency", "amount_fen", "slots", "text"),
    "helpers.csv": ("helper_id", "kind", "region_code", "skills", "text", "capacity"),
    "interactions.csv": ("helper_id", "need_id", "event", "at", "amount_fen"),
}
MAX_PROBLEMS = 50  # reported in full; the count says how many more


class DataError(ValueError):
    """The data set is refused; ``problems`` lists (file, line, reason) for each bad row."""

    def __init__(self, problems: list[tuple[str, int, str]], total: int | None = None):
        self.problems = problems
        self.total = total if total is not None else len(problems)
        lines = [f"{name}:{line}: {reason}" for name, line, reason in problems[:MAX_PROBLEMS]]
        if self.total > len(lines):
            lines.append(f"… and {self.total - len(lines)} more")
        super().__init__("\n".join(lines))


def parse_time(text: str) -> float:
    """ISO 8601 to seconds since the epoch; a time without an offset is taken as UTC."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def format_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat(timespec="seconds")


@dataclass
class Regions:
    """The region tree. ``ancestors[i, l]`` is the index of region i's ancestor at level l (itself at
    its own level), -1 where it has none, so two regions' nearest common level is a row comparison."""

    codes: list[str]
    names: list[str]
    levels: np.ndarray  # int8: index into LEVELS
    parents: np.ndarray  # int32, -1 for roots
    index: dict[str, int]
    ancestors: np.ndarray  # int32 (n, len(LEVELS))

    @classmethod
    def build(cls, rows: list[tuple[str, str, str, str]]) -> Regions:
        codes = [r[0] for r in rows]
        index = {code: i for i, code in enumerate(codes)}
        levels = np.array([LEVELS.index(r[2]) for r in rows], dtype=np.int8)
        parents = np.array([index.get(r[1], -1) if r[1] else -1 for r in rows], dtype=np.int32)
        ancestors = np.full((len(rows), len(LEVELS)), -1, dtype=np.int32)
        # Walk up from each region; parents come before or after children in any order.
        for i in range(len(rows)):
            node, hops = i, 0
            while node >= 0 and hops <= len(LEVELS):
                ancestors[i, levels[node]] = node
                node, hops = parents[node], hops + 1
        return cls(codes, [r[3] for r in rows], levels, parents, index, ancestors)

    def common_level(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """For region index arrays a and b (same shape, or one a scalar): the deepest level they
        share — 0 nothing, 1 the province, 2 the city, 3 the county, 4 the town, 5 the village."""
        anc_a = self.ancestors[a]
        anc_b = self.ancestors[b]
        # Sharing a level means sharing every level above it: the leading run of equal ancestors
        # (a level missing from both, as in a tree without cities, does not break the run).
        run = np.logical_and.accumulate(anc_a == anc_b, axis=-1)
        run &= anc_a >= 0
        deepest_first = run[..., ::-1]
        return np.where(deepest_first.any(axis=-1), len(LEVELS) - deepest_first.argmax(axis=-1), 0).astype(np.int8)


@dataclass
class Dataset:
    """A catalogue of needs and helpers, the region tree, and the interactions between them."""

    regions: Regions
    need_ids: list[str]
    need_created: np.ndarray  # float64 seconds
    need_category: np.ndarray  # int16 into categories
    need_region: np.ndarray  # int32 into regions
    need_urgency: np.ndarray  # int8
    need_amount: np.ndarray  # int64 fen
    need_slots: np.ndarray  # int32
    need_text: list[str]
    categories: list[str]
    helper_ids: list[str]
    helper_kind: np.ndarray  # int8 into KINDS
    helper_region: np.ndarray  # int32 into regions
    helper_skills: list[tuple[str, ...]]
    helper_text: list[str]
    helper_capacity: np.ndarray  # int32
    inter_helper: np.ndarray  # int32
    inter_need: np.ndarray  # int32
    inter_event: np.ndarray  # int8 into EVENTS
    inter_at: np.ndarray  # float64 seconds
    inter_amount: np.ndarray  # int64 fen
    need_index: dict[str, int] = field(default_factory=dict)
    helper_index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        if not self.need_index:
            self.need_index = {nid: i for i, nid in enumerate(self.need_ids)}
        if not self.helper_index:
            self.helper_index = {hid: i for i, hid in enumerate(self.helper_ids)}

    @property
    def n_needs(self) -> int:
        return len(self.need_ids)

    @property
    def n_helpers(self) -> int:
        return len(self.helper_ids)

    def with_interactions(self, mask: np.ndarray) -> Dataset:
        """The same catalogue with only the interactions where ``mask`` is true."""
        return replace(
            self,
            inter_helper=self.inter_helper[mask],
            inter_need=self.inter_need[mask],
            inter_event=self.inter_event[mask],
            inter_at=self.inter_at[mask],
            inter_amount=self.inter_amount[mask],
        )

    def positive_mask(self) -> np.ndarray:
        return np.isin(self.inter_event, [EVENTS.index(e) for e in POSITIVE_EVENTS])

    def progress(self, at: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per need, from the interactions before ``at`` (default: all): places taken (claims less
        withdrawals) and fen given."""
        before = slice(None) if at is None else self.inter_at < at
        event, need = self.inter_event[before], self.inter_need[before]
        claims = np.zeros(self.n_needs, dtype=np.int64)
        np.add.at(claims, need[event == EVENTS.index("claim")], 1)
        np.add.at(claims, need[event == EVENTS.index("withdraw")], -1)
        given = np.zeros(self.n_needs, dtype=np.int64)
        donate = event == EVENTS.index("donate")
        np.add.at(given, need[donate], self.inter_amount[before][donate])
        return np.maximum(claims, 0), given

    def fill(self) -> tuple[np.ndarray, np.ndarray]:
        """Per need: the share of places taken (of the amount, for money needs) and whether anyone
        took or gave to it at all."""
        claims, given = self.progress()
        money = self.need_amount > 0
        share = np.where(money, given / np.maximum(self.need_amount, 1), claims / np.maximum(self.need_slots, 1))
        return share.astype(np.float32), np.where(money, given > 0, claims > 0)

    def open_needs(self, at: float | None = None) -> np.ndarray:
        """Indices of needs that can still be taken at time ``at`` (default: after every
        interaction): created by then, places left (claims less withdrawals below the slots), and
        for money needs the amount not yet reached."""
        claims, given = self.progress(at)
        at = np.inf if at is None else at
        money = self.need_amount > 0
        open_ = np.where(money, given < self.need_amount, claims < self.need_slots)
        open_ &= self.need_created <= at if np.isfinite(at) else True
        return np.flatnonzero(open_)


def _read(path: Path, name: str, problems: list) -> list[dict]:
    file = path / name
    if not file.exists():
        problems.append((name, 0, "file is missing"))
        return []
    with open(file, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS[name] if c not in (reader.fieldnames or [])]
        if missing:
            problems.append((name, 1, f"header lacks column(s): {', '.join(missing)}"))
            return []
        rows = []
        try:
            for row in reader:
                row["_line"] = reader.line_num
                rows.append(row)
        except (csv.Error, UnicodeDecodeError) as error:
            problems.append((name, reader.line_num, f"unreadable: {error}"))
        return rows


def _int(value: str | None, low: int | None = None, high: int | None = None) -> int:
    number = int((value or "").strip())
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{number} is outside {low}–{high if high is not None else '∞'}")
    return number


def load(directory: str | os.PathLike) -> Dataset:
    """Read and check the four files of ``directory``; :class:`DataError` lists every bad row."""
    path = Path(directory)
    problems: list[tuple[str, int, str]] = []
    raw = {name: _read(path, name, problems) for name in COLUMNS}
    if problems:
        raise DataError(problems)

    region_rows = []
    seen_regions: set[str] = set()
    for row in raw["regions.csv"]:
        code, level = row["region_code"].strip(), row["level"].strip()
        if not code:
            problems.append(("regions.csv", row["_line"], "region_code is empty"))
        elif code in seen_regions:
            problems.append(("regions.csv", row["_line"], f"region_code {code} appears twice"))
        elif level not in LEVELS:
            problems.append(("regions.csv", row["_line"], f"level {level!r} is not one of {'|'.join(LEVELS)}"))
        else:
            seen_regions.add(code)
            region_rows.append((code, (row["parent_code"] or "").strip(), level, row["name"] or ""))
    for code, parent, _level, _name in region_rows:
        if parent and parent not in seen_regions:
            problems.append(("regions.csv", 0, f"parent_code {parent} of {code} is not a region"))
    regions = Regions.build(region_rows)

    categories: dict[str, int] = {}
    needs: dict[str, tuple] = {}
    for row in raw["needs.csv"]:
        line, need_id = row["_line"], (row["need_id"] or "").strip()
        try:
            if not need_id:
                raise ValueError("need_id is empty")
            if need_id in needs:
                raise ValueError(f"need_id {need_id} appears twice")
            region = (row["region_code"] or "").strip()
            if region not in regions.index:
                raise ValueError(f"region_code {region!r} is not in regions.csv")
            category = (row["category"] or "").strip()
            if not category:
                raise ValueError("category is empty")
            needs[need_id] = (
                parse_time(row["created_at"] or ""),
                categories.setdefault(category, len(categories)),
                regions.index[region],
                _int(row["urgency"], 1, 3),
                _int(row["amount_fen"], 0),
                _int(row["slots"], 1),
                row["text"] or "",
            )
        except ValueError as error:
            problems.append(("needs.csv", line, str(error)))

    helpers: dict[str, tuple] = {}
    for row in raw["helpers.csv"]:
        line, helper_id = row["_line"], (row["helper_id"] or "").strip()
        try:
            if not helper_id:
                raise ValueError("helper_id is empty")
            if helper_id in helpers:
                raise ValueError(f"helper_id {helper_id} appears twice")
            kind = (row["kind"] or "").strip()
            if kind not in KINDS:
                raise ValueError(f"kind {kind!r} is not one of {'|'.join(KINDS)}")
            region = (row["region_code"] or "").strip()
            if region not in regions.index:
                raise ValueError(f"region_code {region!r} is not in regions.csv")
            skills = tuple(s.strip() for s in (row["skills"] or "").split(";") if s.strip())
            helpers[helper_id] = (
                KINDS.index(kind),
                regions.index[region],
                skills,
                row["text"] or "",
                _int(row["capacity"], 0),
            )
        except ValueError as error:
            problems.append(("helpers.csv", line, str(error)))

    need_index = {nid: i for i, nid in enumerate(needs)}
    helper_index = {hid: i for i, hid in enumerate(helpers)}
    inter = []
    for row in raw["interactions.csv"]:
        line = row["_line"]
        try:
            helper = helper_index.get((row["helper_id"] or "").strip())
            if helper is None:
                raise ValueError(f"helper_id {row['helper_id']!r} is not in helpers.csv")
            need = need_index.get((row["need_id"] or "").strip())
            if need is None:
                raise ValueError(f"need_id {row['need_id']!r} is not in needs.csv")
            event = (row["event"] or "").strip()
            if event not in EVENTS:
                raise ValueError(f"event {event!r} is not one of {'|'.join(EVENTS)}")
            amount = _int(row["amount_fen"] or "0", 0)
            if event == "donate" and amount <= 0:
                raise ValueError("a donation needs amount_fen above 0")
            inter.append((helper, need, EVENTS.index(event), parse_time(row["at"] or ""), amount))
        except ValueError as error:
            problems.append(("interactions.csv", line, str(error)))

    if problems:
        raise DataError(problems[:MAX_PROBLEMS], total=len(problems))
    return from_rows(regions, needs, helpers, inter, list(categories))


def from_rows(regions: Regions, needs: dict, helpers: dict, inter: list, categories: list[str]) -> Dataset:
    """Arrays from checked rows: needs {id: (created, category index, region index, urgency,
    amount, slots, text)}, helpers {id: (kind index, region index, skills, text, capacity)},
    interactions [(helper index, need index, event index, at, amount)]."""
    n = list(needs.values())
    h = list(helpers.values())
    columns = list(zip(*inter, strict=True)) if inter else [[]] * 5
    return Dataset(
        regions=regions,
        need_ids=list(needs),
        need_created=np.array([r[0] for r in n], dtype=np.float64),
        need_category=np.array([r[1] for r in n], dtype=np.int16),
        need_region=np.array([r[2] for r in n], dtype=np.int32),
        need_urgency=np.array([r[3] for r in n], dtype=np.int8),
        need_amount=np.array([r[4] for r in n], dtype=np.int64),
        need_slots=np.array([r[5] for r in n], dtype=np.int32),
        need_text=[r[6] for r in n],
        categories=categories,
        helper_ids=list(helpers),
        helper_kind=np.array([r[0] for r in h], dtype=np.int8),
        helper_region=np.array([r[1] for r in h], dtype=np.int32),
        helper_skills=[r[2] for r in h],
        helper_text=[r[3] for r in h],
        helper_capacity=np.array([r[4] for r in h], dtype=np.int32),
        inter_helper=np.array(columns[0], dtype=np.int32),
        inter_need=np.array(columns[1], dtype=np.int32),
        inter_event=np.array(columns[2], dtype=np.int8),
        inter_at=np.array(columns[3], dtype=np.float64),
        inter_amount=np.array(columns[4], dtype=np.int64),
    )


def write(directory: str | os.PathLike, rows: dict[str, list[tuple]]) -> None:
    """Write the exchange files: ``rows`` maps a file name to its rows in column order."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for name, columns in COLUMNS.items():
        with open(path / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows.get(name, []))
