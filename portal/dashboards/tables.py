"""What a dashboard is made of: panels, each a few tables (a chart draws each table's numbers),
and the named figures the report's sentences quote; the registry of panel functions; the scope
(a region and the regions one level below it that its tables break down by)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session

from portal import access
from portal.dashboards.periods import Period
from portal.regions.models import LEVEL_DIGITS, LEVEL_ORDER, Level, Region
from portal.regions.rules import CODE_LENGTH, children_of, get_region, level_of_code, subtree_bounds

SMALL_CELL = 5  # counts under this are shown as "<5" where helpers or the public can see them


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    unit: str = "count"  # count | money (fen) | percent | hours | days
    compare: bool = False  # a figure of the period: the previous period's value stands beside it
    chart: bool = True  # drawn in the table's chart (a total beside its parts is left to the table)


@dataclass
class Row:
    label: object
    values: dict[str, float | int | None]
    code: str | None = None  # a region one level below: the row links to its dashboard
    previous: dict[str, float | int | None] = field(default_factory=dict)


@dataclass
class Table:
    key: str  # the anchor of the table on the page; a sentence links here
    title: object
    columns: list[Column]
    rows: list[Row]
    chart: str = "bar"  # bar | pie (one column) | none
    total: Row | None = None

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Figure:
    """One number a sentence quotes, with the table it came from."""

    value: float | int | None
    table: str
    previous: float | int | None = None


@dataclass
class Panel:
    key: str
    title: object
    tables: list[Table]
    figures: dict[str, Figure] = field(default_factory=dict)


@dataclass
class Scope:
    """A region's subtree, and the regions its tables are broken down by (one level below; a
    village is its own single row)."""

    region: Region
    rows: list[Region]
    # The figures a summary task stored for this region, period and day (``snapshots``): each
    # step of a panel reads its result from here when present instead of asking the database.
    snapshot: dict | None = None
    recording: dict | None = None  # set by the task: every step's result is kept here to be stored

    def remember(self, name: str, compute: Callable[[], object]):
        """The result of step ``name`` of a panel (JSON-shaped: numbers, strings, lists, dicts
        with string keys), from the snapshot when it holds it, else computed now."""
        if self.snapshot is not None and name in self.snapshot:
            return self.snapshot[name]
        value = compute()
        if self.recording is not None:
            self.recording[name] = value
        return value

    @property
    def code(self) -> str:
        return self.region.code

    @property
    def prefix(self) -> str:
        return access.scope_prefix(self.region.code)

    @property
    def row_level(self) -> Level:
        rank = LEVEL_ORDER.index(Level(self.region.level))
        return LEVEL_ORDER[min(rank + 1, len(LEVEL_ORDER) - 1)]

    @property
    def row_digits(self) -> int:
        return LEVEL_DIGITS[self.row_level] if self.region.level != Level.village else CODE_LENGTH

    def within(self, column):
        """SQL: ``column`` (a region code) lies inside the subtree (a range, so indexes serve it)."""
        low, high = subtree_bounds(self.region.code, self.region.level)
        return column.between(low, high)

    def row_key(self, column):
        """SQL: the code (padded to 12 digits by ``Scope.pad``) of the row region ``column`` is in."""
        return func.substr(column, 1, self.row_digits)

    def pad(self, key: str | None) -> str:
        return (key or "").ljust(CODE_LENGTH, "0")


def scope_for(session: Session, code: str) -> Scope:
    """The scope of the region ``code`` (``NotFound`` for no such region)."""
    region = get_region(session, code)
    if level_of_code(region.code) == Level.village:
        return Scope(region, [region])
    return Scope(region, children_of(session, region.code))


def region_rows(scope: Scope, found: dict[str, dict], columns: list[Column],
                previous: dict[str, dict] | None = None) -> list[Row]:
    """One row per region below the scope, in code order, even a region without any figure:
    silence is worth seeing. ``found`` maps padded row codes to their values."""
    blank = {c.key: 0 for c in columns}
    drill = scope.region.level != Level.village
    return [Row(label=r.name, values={**blank, **found.get(r.code, {})}, code=r.code if drill else None,
                previous={**blank, **(previous or {}).get(r.code, {})})
            for r in scope.rows]


def total_of(rows: list[Row], columns: list[Column], label) -> Row:
    """The total row of the additive columns (counts, money, hours); ratios are left to the panel."""
    additive = [c for c in columns if c.unit in ("count", "money", "hours")]
    return Row(label=label, values={c.key: sum(r.values.get(c.key) or 0 for r in rows) for c in additive},
               previous={c.key: sum(r.previous.get(c.key) or 0 for r in rows) for c in additive if c.compare})


# --- the registry -------------------------------------------------------------------------------

PanelFn = Callable[[Session, Scope, Period, date], Panel]
PANELS: dict[str, PanelFn] = {}


def panel(key: str) -> Callable[[PanelFn], PanelFn]:
    """Register a panel function: adding a panel (training coverage, clues) is one function with
    this decorator, in a module that ``portal.dashboards.panels`` imports."""

    def register(fn: PanelFn) -> PanelFn:
        PANELS[key] = fn
        return fn

    return register


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None
