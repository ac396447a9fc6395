"""The training and clues panels: sessions held, person-times and coverage of the child directors
and supervisors ("开展培训N场N人次", "培训覆盖率N%"); clues found, transferred and children helped,
by outcome and by source ("发现线索N条，移送N条，救助N名"). Their rules stay in their areas: each
figure comes from the grouped public function of ``portal.training.rules`` or
``portal.clues.rules``, one statement per figure group, grouped by the row region's code prefix."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from portal.clues import rules as clues
from portal.clues.labels import OUTCOME_LABELS, SOURCE_LABELS
from portal.clues.models import ClueOutcome, ClueSource
from portal.dashboards.periods import Period
from portal.dashboards.tables import Column, Figure, Panel, Row, Scope, Table, panel, region_rows, total_of
from portal.training import rules as training

TOTAL = _l("Total")


def _whole(found: dict[str, dict], columns: list[Column], previous: dict[str, dict]) -> Row:
    """The total of everything in the scope, also what sits at the scope's own region (sessions a
    county held, a town's supervisors): the rows are the regions below, the total is the subtree."""
    rows = [Row(TOTAL, values, previous=previous.get(code, {})) for code, values in found.items()]
    rows += [Row(TOTAL, {}, previous=values) for code, values in previous.items() if code not in found]
    return total_of(rows, columns, TOTAL)


# --- training ------------------------------------------------------------------------------------


def _training(session: Session, scope: Scope, period: Period) -> list[dict[str, dict]]:
    """[this period's figures, the previous period's], by row region."""
    spans = [(p.start, p.end) for p in (period, period.previous())]
    return [{code: asdict(figures) for code, figures in found.items()}
            for found in training.figures_by_area(session, scope.code, spans, scope.row_digits)]


@panel("training")
def training_panel(session: Session, scope: Scope, period: Period, today: date) -> Panel:
    """Sessions held in the period and their person-times, by the holding region; the active child
    directors and supervisors working in each region, how many of them were trained in the period
    (at a session of any region) and the coverage, whole percent rounded down."""
    found, previous = scope.remember("training.by_region", lambda: _training(session, scope, period))
    columns = [Column("sessions", _l("Sessions held"), compare=True),
               Column("person_times", _l("Person-times"), compare=True),
               Column("trained", _l("Trained"), compare=True),
               Column("total", _l("Child directors and supervisors"), chart=False),
               Column("coverage", _l("Training coverage"), "percent", compare=True, chart=False)]
    rows = region_rows(scope, found, columns, previous)
    table = Table("training-by-region", _l("Training of child directors and supervisors"), columns, rows,
                  total=_whole(found, columns, previous))
    for row in [*table.rows, table.total]:
        people = row.values.get("total") or 0  # the people in post now, for both periods
        row.values["coverage"] = training.coverage_percent(row.values.get("trained") or 0, people)
        row.previous["coverage"] = training.coverage_percent(row.previous.get("trained") or 0, people)
    total = table.total
    figures = {name: Figure(total.values[name], table.key, total.previous.get(name))
               for name in ("sessions", "person_times", "trained", "coverage")}
    figures["people"] = Figure(total.values["total"], table.key)
    return Panel("training", _l("Training"), [table], figures)


# --- clues ---------------------------------------------------------------------------------------


@panel("clues")
def clues_panel(session: Session, scope: Scope, period: Period, today: date) -> Panel:
    """Clues received in the period (found), closed in it as transferred to a department, and the
    children registered or reassessed on clues closed in it (helped), by region; by outcome
    (closed in the period) and by source (received in the period)."""
    spans = [(p.start, p.end) for p in (period, period.previous())]
    found, previous = scope.remember("clues.by_region", lambda: clues.counts_by_area(
        session, scope.code, spans, scope.row_digits))
    now, before = scope.remember("clues.counts", lambda: clues.counts_for(session, scope.code, spans))
    columns = [Column("found", _l("Clues found"), compare=True),
               Column("transferred", _l("Transferred to a department"), compare=True),
               Column("helped", _l("Children helped"), compare=True)]
    by_region = Table("clues-by-region", _l("Clues by region"), columns, region_rows(scope, found, columns, previous),
                      total=_whole(found, columns, previous))
    # A child helped through clues of two villages is one child: the total counts children once.
    by_region.total.values["helped"], by_region.total.previous["helped"] = now["helped"], before["helped"]

    count = [Column("clues", _l("Clues"), compare=True)]
    by_outcome = Table("clues-by-outcome", _l("Clues closed in the period, by outcome"), count,
                       [Row(OUTCOME_LABELS[o], {"clues": now["by_outcome"][o.value]},
                            previous={"clues": before["by_outcome"][o.value]}) for o in ClueOutcome])
    by_source = Table("clues-by-source", _l("Clues received in the period, by source"), count,
                      [Row(SOURCE_LABELS[s], {"clues": now["by_source"][s.value]},
                           previous={"clues": before["by_source"][s.value]}) for s in ClueSource])
    for table in (by_outcome, by_source):
        table.total = total_of(table.rows, count, TOTAL)
    total = by_region.total
    figures = {name: Figure(total.values[name], by_region.key, total.previous[name])
               for name in ("found", "transferred", "helped")}
    for o, row in zip(ClueOutcome, by_outcome.rows, strict=True):
        figures[f"outcome.{o.value}"] = Figure(row.values["clues"], by_outcome.key, row.previous["clues"])
    return Panel("clues", _l("Finding children: clues"), [by_region, by_outcome, by_source], figures)
