"""The one shape of every dashboard query: rows of a region's subtree, grouped in SQL by the region
one level below it (a prefix of the 12-digit code), each figure a SUM of a CASE (a count with a
condition, or an amount). One statement per table, whatever the number of children."""

from __future__ import annotations

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from portal.dashboards.periods import Period
from portal.dashboards.tables import Scope


def in_period(column, period: Period, dates: bool = False):
    """SQL: a timestamp (or, with ``dates``, a date) column falls inside ``period``."""
    if dates:
        return column.between(period.start, period.end)
    start, end = period.bounds()
    return and_(column >= start, column < end)


def grouped(session: Session, scope: Scope, name: str, region_column, figures: dict, *where,
            source=None) -> dict[str, dict]:
    """``{row region code: {figure: value}}`` for the rows ``where`` selects in the scope (step
    ``name`` of a panel: a stored snapshot may answer it, see ``Scope.remember``).
    ``figures`` maps names to a condition (counted) or a ``(condition, amount)`` pair (summed).
    Grouping happens on a subquery's column: PostgreSQL does not take two renderings of an
    expression with bound parameters (``substr(…, 1, 6)``) as the same GROUP BY expression."""
    return scope.remember(name, lambda: _grouped(session, scope, region_column, figures, where, source))


def _grouped(session: Session, scope: Scope, region_column, figures: dict, where, source) -> dict[str, dict]:
    parts = []
    for name, figure in figures.items():
        condition, amount = figure if isinstance(figure, tuple) else (figure, 1)
        parts.append(case((condition, amount), else_=0).label(name))
    inner = select(scope.row_key(region_column).label("region"), *parts)
    if source is not None:
        inner = inner.select_from(source)
    inner = inner.where(scope.within(region_column), *where).subquery()
    stmt = select(inner.c.region, *[func.sum(inner.c[name]) for name in figures]).group_by(inner.c.region)
    return {scope.pad(code): {name: int(value or 0) for name, value in zip(figures, values, strict=True)}
            for code, *values in session.execute(stmt)}


def split(found: dict[str, dict]) -> tuple[dict[str, dict], dict[str, dict]]:
    """Figures named ``x__prev`` (the previous period's) apart from the others."""
    current = {code: {k: v for k, v in values.items() if not k.endswith("__prev")} for code, values in found.items()}
    previous = {code: {k[:-6]: v for k, v in values.items() if k.endswith("__prev")} for code, values in found.items()}
    return current, previous


def both(name: str, column, period: Period, condition=None, amount=None, dates: bool = False) -> dict:
    """The figure ``name`` for ``period`` and (as ``name__prev``) for the period before it."""
    out = {}
    for key, p in ((name, period), (f"{name}__prev", period.previous())):
        cond = in_period(column, p, dates) if condition is None else and_(condition, in_period(column, p, dates))
        out[key] = (cond, amount) if amount is not None else cond
    return out
