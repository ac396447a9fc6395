"""The dashboard's panels: children, visits, needs, helpers, the staff network, money, training and
clues. Each is one function registered with ``@panel``; each table is one aggregate statement
(``query.grouped``, or a grouped function of the area that owns the rule). No panel names a child:
rows are regions, categories, statuses, outcomes, sources, funds and programmes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, func, or_, select
from sqlmodel import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.children.grading import LEVEL_LABELS as RISK_LABELS
from portal.children.grading import RiskLevel
from portal.children.labels import CATEGORY_LABELS
from portal.children.models import Category, Child, ChildMove, ChildStatus, GuardianshipAgreement
from portal.dashboards.periods import Period
from portal.dashboards.query import both, grouped, in_period, split
from portal.dashboards.tables import Column, Figure, Panel, Row, Scope, Table, panel, percent, region_rows, total_of
from portal.needs.labels import KIND_LABELS, STATUS_LABELS
from portal.needs.models import OPEN_STATUSES, Claim, ClaimStatus, Need, NeedKind, NeedStatus, PairingReport
from portal.needs.overview import Durations
from portal.visits.models import Visit

TOTAL = _l("Total")
WAITING = OPEN_STATUSES | {NeedStatus.published, NeedStatus.claimed, NeedStatus.delivered}
DAY = 86_400.0


def _table(key, title, scope: Scope, columns: list[Column], found: dict, previous: dict | None = None,
           chart: str = "bar") -> Table:
    rows = region_rows(scope, found, columns, previous)
    # The total counts everything in the scope, also what sits at the scope's own region (a
    # town's supervisor works at the town, not in one of its villages).
    whole = [Row(TOTAL, values, previous=(previous or {}).get(code, {})) for code, values in found.items()]
    return Table(key, title, columns, rows, chart=chart, total=total_of(whole, columns, TOTAL))


def _figure(table: Table, key: str) -> Figure:
    return Figure(table.total.values.get(key), table.key, table.total.previous.get(key))


# --- children -----------------------------------------------------------------------------------


@panel("children")
def children_panel(session: Session, scope: Scope, period: Period, today: date) -> Panel:
    """Children in the registry by grading colour, new, moved and aged out in the period; by category."""
    active = Child.status == ChildStatus.active
    figures = {"active": active}
    for level in RiskLevel:
        figures[level.value] = and_(active, Child.risk_level == level)
    figures["ungraded"] = and_(active, Child.risk_level.is_(None))
    figures |= both("new", Child.created_at, period)
    figures |= both("aged_out", Child.updated_at, period, Child.status == ChildStatus.aged_out)
    for c in Category:  # the JSON list of categories, read as text: portable and one pass
        figures[f"category.{c.value}"] = and_(active, cast(Child.categories, String).like(f'%"{c.value}"%'))
    found, previous = split(grouped(session, scope, "children.by_region", Child.region_code, figures))
    moves, moves_prev = split(grouped(session, scope, "children.moves", ChildMove.from_region_code,
                                      both("moved", ChildMove.moved_at, period)))
    for code, values in moves.items():
        found.setdefault(code, {}).update(values)
        previous.setdefault(code, {}).update(moves_prev[code])
    columns = [Column("active", _l("In the registry"), chart=False)]  # the chart stacks the colours
    columns += [Column(level.value, RISK_LABELS[level]) for level in RiskLevel]
    columns += [Column("ungraded", _l("Not yet graded")), Column("new", _l("New"), compare=True, chart=False),
                Column("moved", _l("Moved away"), compare=True, chart=False),
                Column("aged_out", _l("Aged out"), compare=True, chart=False)]
    by_region = _table("children-by-region", _l("Children by region and grading"), scope, columns, found, previous,
                       chart="stack")

    counts = [sum(values.get(f"category.{c.value}", 0) for values in found.values()) for c in Category]
    category_rows = [Row(CATEGORY_LABELS[c], {"children": int(n or 0)}) for c, n in zip(Category, counts, strict=True)]
    by_category = Table("children-by-category", _l("Children in the registry by category"),
                        [Column("children", _l("Number of children"))], category_rows, chart="pie")
    figures_out = {name: _figure(by_region, name) for name in ("active", "new", "moved", "aged_out", "red")}
    for c, row in zip(Category, category_rows, strict=True):
        figures_out[f"category.{c.value}"] = Figure(row.values["children"], by_category.key)
    return Panel("children", _l("Children"), [by_region, by_category], figures_out)


# --- visits and guardianship agreements -----------------------------------------------------------


@panel("visits")
def visits_panel(session: Session, scope: Scope, period: Period, today: date) -> Panel:
    """Visits made in the period; visits due and overdue today; coverage (the share of active
    children whose next visit is not overdue, so visited within their interval); agreements."""
    active = Child.status == ChildStatus.active
    soon = today + timedelta(days=7)
    found = dict(grouped(session, scope, "visits.due", Child.region_code, {
        "active": active,
        "covered": and_(active, Child.next_visit_due >= today),
        "overdue": and_(active, or_(Child.next_visit_due < today, Child.next_visit_due.is_(None))),
        "due_soon": and_(active, Child.next_visit_due.between(today, soon)),
    }))
    prev = period.previous()
    done, done_prev = split(grouped(session, scope, "visits.done", Child.region_code,
                                    both("visits", Visit.visited_on, period, dates=True),
                                    Visit.visited_on.between(prev.start, period.end),
                                    source=Visit.__table__.join(Child.__table__, Visit.child_id == Child.id)))
    latest = (select(GuardianshipAgreement.child_id.label("child_id"),
                     func.max(GuardianshipAgreement.renewal_due).label("due"))
              .group_by(GuardianshipAgreement.child_id).subquery())
    agreements = grouped(session, scope, "visits.agreements_due", Child.region_code,
                         {"agreements_due": and_(active, latest.c.due <= today + timedelta(days=30))},
                         source=latest.join(Child.__table__, latest.c.child_id == Child.id))
    signed, signed_prev = split(grouped(session, scope, "visits.agreements_signed", Child.region_code,
                                        both("agreements_signed", GuardianshipAgreement.signed_on, period, dates=True),
                                        source=GuardianshipAgreement.__table__.join(
                                            Child.__table__, GuardianshipAgreement.child_id == Child.id)))
    for extra in (done, agreements, signed):  # merged into copies: a recorded step stays as it was
        for code, values in extra.items():
            found[code] = {**found.get(code, {}), **values}
    previous = {code: {**done_prev.get(code, {}), **signed_prev.get(code, {})} for code in found}
    columns = [Column("visits", _l("Visits made"), compare=True), Column("active", _l("Number of children"), chart=False),
               Column("covered", _l("Visited within their interval")), Column("coverage", _l("Coverage rate"), "percent"),
               Column("due_soon", _l("Due within 7 days"), chart=False), Column("overdue", _l("Overdue")),
               Column("agreements_signed", _l("Guardianship agreements signed"), compare=True, chart=False),
               Column("agreements_due", _l("Agreements to renew within 30 days"), chart=False)]
    table = _table("visits-by-region", _l("Visits and guardianship agreements"), scope, columns, found, previous)
    for row in [*table.rows, table.total]:
        row.values["coverage"] = percent(row.values.get("covered", 0), row.values.get("active", 0))
    figures = {name: _figure(table, name) for name in ("visits", "overdue", "agreements_signed", "agreements_due")}
    figures["coverage"] = Figure(table.total.values["coverage"], table.key)
    return Panel("visits", _l("Visits"), [table], figures)


# --- needs ---------------------------------------------------------------------------------------


@panel("needs")
def needs_panel(session: Session, scope: Scope, period: Period, today: date) -> Panel:
    """Needs reported, solved inside government, published and verified in the period, waiting
    now; by status and kind; median days to publish, claim and verify; pairings and their reports."""
    figures = {}
    figures |= both("reported", Need.created_at, period)
    figures |= both("resolved", Need.closed_at, period, Need.status == NeedStatus.resolved)
    figures |= both("published", Need.published_at, period)
    figures |= both("verified", Need.closed_at, period, Need.status == NeedStatus.verified)
    figures["waiting"] = Need.status.in_(list(WAITING))
    figures["waiting_30"] = and_(Need.status.in_(list(WAITING)), Need.created_at < period.bounds()[1] - timedelta(days=30))
    found, previous = split(grouped(session, scope, "needs.by_region", Need.region_code, figures))
    columns = [Column("reported", _l("Reported"), compare=True),
               Column("resolved", _l("Solved inside government"), compare=True),
               Column("published", _l("Published"), compare=True),
               Column("verified", _l("Solved by helpers (verified)"), compare=True),
               Column("waiting", _l("Waiting now")), Column("waiting_30", _l("Waiting over 30 days"), chart=False)]
    by_region = _table("needs-by-region", _l("Needs by region"), scope, columns, found, previous)

    by_status = scope.remember("needs.by_status", lambda: {str(k): int(n) for k, n in session.execute(
        select(Need.status, func.count()).where(scope.within(Need.region_code)).group_by(Need.status))})
    status_table = Table("needs-by-status", _l("Needs by status (now)"), [Column("needs", _l("Needs"))],
                         [Row(STATUS_LABELS[s], {"needs": by_status.get(s.value, 0)}) for s in NeedStatus
                          if by_status.get(s.value)], chart="pie")
    by_kind = scope.remember("needs.by_kind", lambda: {str(k): int(n) for k, n in session.execute(
        select(Need.kind, func.count()).where(scope.within(Need.region_code), in_period(Need.created_at, period))
        .group_by(Need.kind))})
    kind_table = Table("needs-by-kind", _l("Needs reported in the period by kind"), [Column("needs", _l("Needs"))],
                       [Row(KIND_LABELS[k], {"needs": by_kind.get(k.value, 0)}) for k in NeedKind], chart="pie")

    speed = scope.remember("needs.speed", lambda: _speed(session, scope, period))
    speed_table = Table("needs-speed", _l("Median days, for needs of the period"),
                        [Column("needs", _l("Needs")), Column("median", _l("Median (days)"), "days")],
                        [Row(label, {"needs": count, "median": median})
                         for label, (count, median) in zip(SPEED_LABELS, speed, strict=True)], chart="bar")

    pairings = scope.remember("needs.pairings", lambda: _pairings(session, scope, today))
    pairing_table = Table("needs-pairings", _l("Pairings for one-to-one support"),
                          [Column("value", _l("Now"))],
                          [Row(_l("Pairings active"), {"value": pairings["active"]}),
                           Row(_l("Children paired"), {"value": pairings["children"]}),
                           Row(_l("Pairings without a report in the last 31 days"), {"value": pairings["missing"]})],
                          chart="bar")
    figures_out = {name: _figure(by_region, name) for name in ("reported", "resolved", "published", "verified", "waiting")}
    solved = by_region.total
    figures_out["solved"] = Figure(solved.values["resolved"] + solved.values["verified"], by_region.key,
                                   solved.previous["resolved"] + solved.previous["verified"])
    figures_out["paired_children"] = Figure(pairings["children"], pairing_table.key)
    figures_out["pairings_missing"] = Figure(pairings["missing"], pairing_table.key)
    return Panel("needs", _l("Needs"), [by_region, status_table, kind_table, speed_table, pairing_table], figures_out)


SPEED_LABELS = [_l("Report to publication"), _l("Publication to first claim"), _l("Publication to verified delivery")]


def _speed(session: Session, scope: Scope, period: Period) -> list[list]:
    """Medians of days to publish (report → publish), to claim and to verify (publish → first claim
    or verified delivery), over the needs whose step fell in the period: ``[count, median]`` each.
    Only the timestamps of that period's needs are read (medians have no portable SQL function)."""
    verified = and_(Need.status == NeedStatus.verified, in_period(Need.closed_at, period))
    rows = session.execute(select(Need.created_at, Need.published_at, Need.claimed_at, Need.closed_at,
                                  verified.label("verified"))
                           .where(scope.within(Need.region_code),
                                  or_(in_period(Need.published_at, period), in_period(Need.claimed_at, period),
                                      verified))).all()
    start, end = period.bounds()

    def inside(moment) -> bool:
        return moment is not None and start <= moment < end

    steps = [[], [], []]
    for created, published, claimed, closed, was_verified in rows:
        if inside(published):
            steps[0].append((created, published))
        if published and inside(claimed):
            steps[1].append((published, claimed))
        if published and was_verified:
            steps[2].append((published, closed))
    out = []
    for pairs in steps:
        found = Durations.of([max(0.0, (b - a).total_seconds() / DAY) for a, b in pairs])
        out.append([found.count, None if found.median is None else round(found.median, 1)])
    return out


def _pairings(session: Session, scope: Scope, today: date) -> dict[str, int]:
    """Active pairings (claims on pairing needs), the children they pair, and those without a
    pairing report in the last 31 days."""
    recent = (select(PairingReport.claim_id).where(PairingReport.created_at >= _midnight(today - timedelta(days=31)))
              .distinct().subquery())
    row = session.execute(
        select(func.count(Claim.id), func.count(func.distinct(Need.child_id)),
               func.count(Claim.id).filter(recent.c.claim_id.is_(None)))
        .join(Need, Need.id == Claim.need_id).outerjoin(recent, recent.c.claim_id == Claim.id)
        .where(scope.within(Need.region_code), Need.kind == NeedKind.pairing,
               Claim.status.in_([ClaimStatus.active, ClaimStatus.delivered]))).one()
    return {"active": int(row[0]), "children": int(row[1]), "missing": int(row[2])}


def _midnight(day: date):
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


# --- the staff network ---------------------------------------------------------------------------


@panel("network")
def network_panel(session: Session, scope: Scope, period: Period, today: date) -> Panel:
    """Child directors and supervisors in post, and the villages that have a child director
    ("配齐村居儿童主任N名", coverage of villages)."""
    from portal.regions.models import Level, Region

    staff = dict(grouped(session, scope, "network.staff", User.region_code, {
        "directors": User.role == Role.child_director,
        "supervisors": User.role == Role.child_supervisor,
    }, User.is_active.is_(True)))
    with_director = select(User.region_code).where(User.role == Role.child_director, User.is_active.is_(True)).distinct()
    villages = grouped(session, scope, "network.villages", Region.code, {
        "villages": Region.level == Level.village,
        "villages_covered": and_(Region.level == Level.village, Region.code.in_(with_director)),
    })
    for code, values in villages.items():
        staff[code] = {**staff.get(code, {}), **values}
    columns = [Column("supervisors", _l("Child supervisors")), Column("directors", _l("Child directors")),
               Column("villages", _l("Villages and communities"), chart=False),
               Column("villages_covered", _l("With a child director"), chart=False),
               Column("coverage", _l("Coverage rate"), "percent")]
    table = _table("network-by-region", _l("Child directors and supervisors"), scope, columns, staff)
    for row in [*table.rows, table.total]:
        row.values["coverage"] = percent(row.values.get("villages_covered", 0), row.values.get("villages", 0))
    figures = {name: _figure(table, name) for name in ("directors", "supervisors", "villages")}
    figures["workers"] = Figure(table.total.values["directors"] + table.total.values["supervisors"], table.key)
    figures["village_coverage"] = Figure(table.total.values["coverage"], table.key)
    return Panel("network", _l("Child directors and supervisors"), [table], figures)


# Registers the helpers and money panels, then the training and clues panels.
from portal.dashboards import helpers_money, training_clues  # noqa: E402,F401
