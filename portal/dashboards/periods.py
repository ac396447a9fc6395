"""The period a dashboard shows: a month, a quarter, a year or custom dates, and the period just
before it (of the same length) that the figures are compared with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import lazy_gettext as _l

from portal.errors import DomainError

KINDS = ("month", "quarter", "year", "custom")
MAX_CUSTOM_DAYS = 3 * 366  # a longer range is a report of many years: ask for years instead


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day
    end: date  # last day, inclusive

    @property
    def value(self) -> str:
        """The period as the picker writes it: "2026-09", "2026-Q3", "2026", or the custom dates."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """Its first and its after-last instant, for timestamp columns (UTC, as they are stored)."""
        return (datetime.combine(self.start, time.min, tzinfo=timezone.utc),
                datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=timezone.utc))

    def previous(self) -> Period:
        """The period just before: the previous month, quarter or year, or as many days before."""
        if self.kind == "month":
            return month(_shift_months(self.start, -1))
        if self.kind == "quarter":
            return quarter(_shift_months(self.start, -3))
        if self.kind == "year":
            return year(self.start.year - 1)
        return Period("custom", self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def query(self) -> dict:
        """The URL arguments that select this period again (drill-down links keep it)."""
        if self.kind == "custom":
            return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}
        return {"period": self.kind, "value": self.value}


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month(day: date) -> Period:
    first = day.replace(day=1)
    return Period("month", first, _shift_months(first, 1) - timedelta(days=1))


def quarter(day: date) -> Period:
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period("quarter", first, _shift_months(first, 3) - timedelta(days=1))


def year(number: int) -> Period:
    return Period("year", date(number, 1, 1), date(number, 12, 31))


_BAD = _l("Choose the period like 2026-09 (a month), 2026-Q3 (a quarter), 2026 (a year), or two dates.")


def finished_year(kind: str | None, value: str | None, today: date) -> Period:
    """The period of a page the public reads: a whole year that has ended (the last one when none
    is asked). Any other period would let two published figures be subtracted (a custom range and
    the same range a day shorter; a quarter and two of its months; this year's figure last month
    and today) to give back a count the page hides as "<5"."""
    value = (value or "").strip()
    if (kind or "year").strip() == "year":
        if not value:
            return year(today.year - 1)
        if re.fullmatch(r"\d{4}", value, re.ASCII) and 2000 <= int(value) < today.year:
            return year(int(value))
    raise DomainError(_l("The public page shows whole years that have ended, such as %(year)d.", year=today.year - 1),
                      field="period")


def parse(kind: str | None, value: str | None, start: str | None, end: str | None, today: date) -> Period:
    """The period the picker asked for; the current month when nothing was asked. Refuses a value
    in another shape, a custom range that ends before it starts or spans more than three years."""
    kind = (kind or "month").strip()
    value = (value or "").strip()
    if kind not in KINDS:
        raise DomainError(_BAD, field="period")
    try:
        if kind == "custom":
            first, last = date.fromisoformat((start or "").strip()), date.fromisoformat((end or "").strip())
            if last < first or (last - first).days >= MAX_CUSTOM_DAYS:
                raise DomainError(_l("The period must end after it starts and span at most three years."),
                                  field="period")
            return Period("custom", first, last)
        if not value:
            return {"month": month, "quarter": quarter}.get(kind, lambda d: year(d.year))(today)
        if kind == "month" and re.fullmatch(r"\d{4}-\d{2}", value, re.ASCII):
            return month(date(int(value[:4]), int(value[5:]), 1))
        if kind == "quarter" and (m := re.fullmatch(r"(\d{4})-Q([1-4])", value, re.IGNORECASE | re.ASCII)):
            return quarter(date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1))
        if kind == "year" and re.fullmatch(r"\d{4}", value, re.ASCII):
            return year(int(value))
    except ValueError:
        pass
    raise DomainError(_BAD, field="period")
