"""Comparing a partner's list with the registry, and deciding on what it found.

Nothing in the registry changes while a list is compared: each row only lands in one of four
groups (matched with a change, matched without, new candidate, could not be placed). A person then
confirms or dismisses each suggestion (audited); only rows matched by identity number may be
confirmed all at once. Only civil-affairs staff whose subtree covers the list's region run or see
it, and the registry searched is that region's subtree alone: a list cannot tell its uploader
whether a child is on file anywhere else.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import defer
from sqlmodel import Session

from portal import access
from portal.audit.rules import record, record_many
from portal.children.models import Child
from portal.children.rules import ChildValues, update_child
from portal.clues.models import ClueSource
from portal.clues.rules import open_verification
from portal.comparisons import linkage, placing, reading
from portal.comparisons.labels import MEANING_LABELS
from portal.comparisons.models import (
    Comparison,
    ComparisonRow,
    Meaning,
    Outcome,
    PartnerColumns,
    RowState,
    RunStatus,
)
from portal.errors import DomainError, NotFound
from portal.notifications.rules import notify, register_kind
from portal.regions.models import Level, Region
from portal.regions.rules import level_of_code, names_of, subtree_bounds
from portal.types import utcnow

register_kind(
    "comparison_reassess",
    _l("File no. %(child)s was updated from the list of %(partner)s: reassess the child."),
    _l("Files updated from partner lists"), email=False,
)

INSERT_BATCH = 2000
PAGE = 50


# --- a partner's columns, mapped once ----------------------------------------------------------------


def _check_region(session: Session, actor, region_code: str) -> Region:
    access.require(actor, "comparisons.run")
    region = session.get(Region, (region_code or "").strip())
    if region is None or region.level == Level.village or not access.allowed(actor, "comparisons.run", region.code):
        raise NotFound(_l("Choose a region inside yours (a county, city or town)."))
    return region


def save_columns(session: Session, actor, *, region_code: str, partner: str, meaning: str,
                 columns: dict) -> PartnerColumns:
    """Map a partner's headings once for a region: the name's heading and the identity number's
    or the birth date's are required, each heading is used once. Refuses staff outside the
    region, an empty partner name and an unknown meaning."""
    region = _check_region(session, actor, region_code)
    partner = " ".join((partner or "").split())[:60]
    if not partner:
        raise DomainError(_l("Name the partner (the department the lists come from)."), field="partner")
    if meaning not in Meaning.__members__:
        raise DomainError(_l("Choose what the partner's list means."), field="meaning")
    cleaned = {key: (columns.get(key) or "").strip()[:60] for key in reading.KEYS}
    if not cleaned["name"] or not (cleaned["id_number"] or cleaned["birth_date"]):
        raise DomainError(_l("Name the columns of the name and of the identity number or the birth date."),
                          field="columns")
    named = [v for v in cleaned.values() if v]
    if len(set(named)) != len(named):
        raise DomainError(_l("Each column of the partner's file is mapped once."), field="columns")
    row = session.scalar(select(PartnerColumns).where(PartnerColumns.region_code == region.code,
                                                      PartnerColumns.partner == partner))
    if row is None:
        row = PartnerColumns(region_code=region.code, partner=partner, meaning=Meaning(meaning))
        session.add(row)
    row.meaning, row.columns = Meaning(meaning), {k: v for k, v in cleaned.items() if v}
    row.changed_by_id, row.changed_at = actor.id, utcnow()
    session.flush()
    record(session, actor, "comparison.columns", "comparison_partner", row.id, region_code=region.code,
           detail={"partner": partner, "meaning": meaning, "columns": row.columns})
    return row


def partners_for(session: Session, actor) -> list[PartnerColumns]:
    """The partners mapped for the actor's region, the regions inside it and the ones above it."""
    access.require(actor, "comparisons.run")
    above = [actor.region_code[:n] + "0" * (12 - n) for n in (2, 4, 6, 9) if n < len(actor.region_code.rstrip("0"))]
    low, high = subtree_bounds(actor.region_code, level_of_code(actor.region_code))
    stmt = select(PartnerColumns).where(PartnerColumns.region_code.between(low, high)
                                        | PartnerColumns.region_code.in_(above))
    return list(session.scalars(stmt.order_by(PartnerColumns.partner, PartnerColumns.region_code)))


def load_partner(session: Session, actor, partner_id: int) -> PartnerColumns:
    row = session.get(PartnerColumns, partner_id) if isinstance(partner_id, int) else None
    if row is None or row not in partners_for(session, actor):
        raise NotFound(_l("This partner is not mapped for your region."))
    return row


# --- comparing ---------------------------------------------------------------------------------------


def accept_list(session: Session, actor, *, partner_id: int, region_code: str, filename: str, stream,
                now=None) -> Comparison:
    """Read and check a partner's list (``stream``, a binary file) for a comparison with the files
    of ``region_code``'s subtree, and keep its rows (encrypted) for the worker: the comparison is
    ``queued``. Nothing is placed yet and no file changes.

    Refuses a region outside the actor's, a partner not mapped for it, and a bad file
    (``FileRejected``: not .xlsx/.csv, another encoding, missing columns, no rows, too many rows);
    a refused list leaves nothing behind.
    """
    region = _check_region(session, actor, region_code)
    partner = load_partner(session, actor, partner_id)
    config = current_app.config
    rows = reading.read_list(filename, stream, partner.columns, config["COMPARISON_MAX_ROWS"])
    now = now or utcnow()
    comparison = Comparison(region_code=region.code, partner=partner.partner, meaning=partner.meaning,
                            filename=(filename or "")[:200], rows=len(rows), counts={}, created_by_id=actor.id,
                            created_at=now, purge_after=now + timedelta(days=config["COMPARISON_KEEP_DAYS"]),
                            status=RunStatus.queued.value, pending=json.dumps(rows, ensure_ascii=False))
    session.add(comparison)
    session.flush()
    record(session, actor, "comparison.upload", "comparison", comparison.id, region_code=region.code,
           detail={"partner": partner.partner, "meaning": partner.meaning.value, "rows": len(rows)})
    return comparison


def runs_at_once(comparison: Comparison) -> bool:
    """Whether the upload's request places the list itself rather than the worker: a short list
    (``COMPARISON_INLINE_ROWS``) for a county or a town. Reading the registry is most of the cost
    of a short list: about a second for a county, several for a province's 100,000 files."""
    return comparison.rows <= current_app.config["COMPARISON_INLINE_ROWS"] and \
        level_of_code(comparison.region_code) in (Level.county, Level.town)


# A run still "running" this long after it began has lost its worker (a list of 50,000 rows takes
# well under a minute): it may be run again, and the lost run, should it ever come back, keeps nothing.
STALE_AFTER = timedelta(minutes=30)


class Superseded(Exception):
    """The run was given up for lost and run again meanwhile: what it found is not kept."""


def claim(session: Session, comparison_id: int, now=None) -> datetime | None:
    """Move a queued comparison to ``running`` unless a worker got there first (a task delivered
    twice, a retry sent twice): one conditional UPDATE decides. The run's start, or None."""
    now = now or utcnow()
    result = session.execute(update(Comparison).where(Comparison.id == comparison_id,
                                                      Comparison.status == RunStatus.queued.value)
                             .values(status=RunStatus.running.value, error="", started_at=now))
    return now if result.rowcount == 1 else None


def is_stale(comparison: Comparison, now=None) -> bool:
    """A run that began more than ``STALE_AFTER`` ago and has not ended: its worker ended with it."""
    return (comparison.status == RunStatus.running.value and comparison.started_at is not None
            and (now or utcnow()) - comparison.started_at > STALE_AFTER)


def place_list(session: Session, comparison: Comparison, progress=None) -> list[placing.Placed]:
    """Where each kept row of ``comparison`` lands among the files of its region's subtree. Only
    reads (``session`` may be a read-only one): a person decides on what it found."""
    if comparison.pending is None:
        raise DomainError(_l("The rows of this list are no longer kept: upload it again."))
    rows = [(line, values) for line, values in json.loads(comparison.pending)]
    registry = linkage.Registry.load(session, comparison.region_code)
    places = linkage.Places(session, comparison.region_code)
    return placing.place_rows(registry, places, comparison.meaning, rows, progress)


def store_placed(session: Session, actor, comparison: Comparison, placed: list[placing.Placed],
                 started_at: datetime | None = None) -> None:
    """Keep where every row landed, all in ``session``'s transaction (all rows or none), and close
    the run: ``done``, the kept upload dropped (each row keeps what it said), the run audited.
    Refuses an uploader who may no longer compare lists of the region; a run that began at
    ``started_at`` but was given up for lost and run again since stops with ``Superseded``."""
    if started_at is not None and (comparison.status != RunStatus.running.value
                                   or comparison.started_at != started_at):
        raise Superseded()
    if comparison.status not in (RunStatus.queued.value, RunStatus.running.value):
        raise DomainError(_l("This comparison has already been run."))
    _check_region(session, actor, comparison.region_code)
    counts = {o.value: 0 for o in Outcome} | {"exact": 0, "fuzzy": 0}
    for p in placed:
        counts[p.outcome.value] += 1
        if p.match:
            counts[p.match] += 1
    for start in range(0, len(placed), INSERT_BATCH):
        # One executemany per batch: render_nulls keeps rows with and without a file together (else
        # SQLAlchemy splits the batch at every change of which columns are empty).
        session.execute(insert(ComparisonRow).execution_options(render_nulls=True), [
            {"comparison_id": comparison.id, "line": p.line, "data": json.dumps(p.data, ensure_ascii=False),
             "outcome": p.outcome, "match": p.match, "score": p.score, "child_id": p.child_id,
             "region_code": p.region_code, "suggestion": p.suggestion or {}, "reason": p.reason,
             "state": RowState.open if p.outcome in (Outcome.changed, Outcome.new) else RowState.closed}
            for p in placed[start : start + INSERT_BATCH]
        ])
    comparison.rows, comparison.counts = len(placed), counts
    comparison.status, comparison.error, comparison.pending = RunStatus.done.value, "", None
    record(session, actor, "comparison.run", "comparison", comparison.id, region_code=comparison.region_code,
           detail={"partner": comparison.partner, "meaning": comparison.meaning.value, "rows": len(placed), **counts})
    session.flush()


def record_failure(session: Session, comparison: Comparison, exc: Exception) -> None:
    """A run that stopped: ``failed``, with what it met in words (a refusal's own message, else only
    the error's kind), the rows kept for a retry; audited. Nothing of the run was written. A run
    that was superseded leaves the comparison to the run that replaced it."""
    if isinstance(exc, Superseded):
        return
    if isinstance(exc, DomainError):
        error = str(exc.message)
    else:
        error = _("The comparison stopped with an error (%(kind)s); nothing of it was kept.",
                  kind=exc.__class__.__name__)
    comparison.status, comparison.error = RunStatus.failed.value, error[:300]
    record(session, None, "comparison.failed", "comparison", comparison.id, region_code=comparison.region_code,
           detail={"error": exc.__class__.__name__})


def retry(session: Session, actor, comparison_id: int, now=None) -> Comparison:
    """Queue a failed comparison again (its kept rows, as uploaded), or one whose run was lost with
    its worker (``is_stale``); audited. Refuses staff who may not run lists of its region, and a
    comparison that neither failed nor lost its run."""
    comparison = load_comparison(session, actor, comparison_id)
    access.require(actor, "comparisons.run", comparison.region_code)
    stale = is_stale(comparison, now)
    if not (comparison.status == RunStatus.failed.value or stale) or comparison.pending is None:
        raise DomainError(_l("Only a comparison that failed can be run again."))
    comparison.status, comparison.error, comparison.started_at = RunStatus.queued.value, "", None
    record(session, actor, "comparison.retry", "comparison", comparison.id, region_code=comparison.region_code,
           detail={"lost_run": stale})
    session.flush()
    return comparison


def run_comparison(session: Session, actor, *, partner_id: int, region_code: str, filename: str, stream,
                   now=None) -> Comparison:
    """Upload, place and keep a list at once, in ``session``'s transaction (what the worker does
    in two steps; the benchmark and the rules' tests call this). Refusals as ``accept_list``."""
    comparison = accept_list(session, actor, partner_id=partner_id, region_code=region_code, filename=filename,
                             stream=stream, now=now)
    store_placed(session, actor, comparison, place_list(session, comparison))
    return comparison


# --- reading what was found ----------------------------------------------------------------------------


def comparisons_for(session: Session, actor, limit: int = 100) -> list[Comparison]:
    """The comparisons of the actor's subtree, newest first."""
    access.require(actor, "comparisons.view")
    low, high = subtree_bounds(actor.region_code, level_of_code(actor.region_code))
    stmt = select(Comparison).options(defer(Comparison.pending)).where(Comparison.region_code.between(low, high))
    return list(session.scalars(stmt.order_by(Comparison.created_at.desc(), Comparison.id.desc()).limit(limit)))


def load_comparison(session: Session, actor, comparison_id: int) -> Comparison:
    """The comparison if ``actor`` may see it; NotFound otherwise (as if it did not exist)."""
    # The kept upload (a whole list, encrypted) is read only when a run or a retry needs it.
    found = session.get(Comparison, comparison_id, options=[defer(Comparison.pending)]) \
        if isinstance(comparison_id, int) else None
    if found is None or not access.allowed(actor, "comparisons.view", found):
        raise NotFound(_l("This comparison does not exist or is outside your region."))
    return found


def rows_of(session: Session, actor, comparison: Comparison, outcome: str, page: int = 1) -> tuple[list, int]:
    """(rows of one group, with what each said decrypted, total) for a page; the read is audited,
    and each row matched to a file is written as a read of that file (the page names the child)."""
    access.require(actor, "comparisons.view", comparison)
    if outcome not in Outcome.__members__:
        outcome = Outcome.changed.value
    stmt = select(ComparisonRow).where(ComparisonRow.comparison_id == comparison.id, ComparisonRow.outcome == outcome)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(ComparisonRow.line).offset((max(page, 1) - 1) * PAGE).limit(PAGE)))
    record(session, actor, "comparison.read", "comparison", comparison.id, region_code=comparison.region_code,
           detail={"outcome": outcome, "page": page})
    record_many(session, actor, "read", "child", [(r.child_id, r.region_code) for r in rows if r.child_id])
    return rows, total


def data_of(row: ComparisonRow) -> dict:
    return json.loads(row.data) if row.data else {}


def village_names(session: Session, rows: list[ComparisonRow]) -> dict[str, str]:
    return names_of(session, {r.region_code for r in rows if r.region_code})


# --- deciding ---------------------------------------------------------------------------------------


def _load_row(session: Session, actor, row_id: int) -> tuple[ComparisonRow, Comparison]:
    row = session.get(ComparisonRow, row_id) if isinstance(row_id, int) else None
    comparison = session.get(Comparison, row.comparison_id) if row else None
    if comparison is None or not access.allowed(actor, "comparisons.view", comparison):
        raise NotFound(_l("This row does not exist or is outside your region."))
    if row.state != RowState.open:
        raise DomainError(_l("This row has already been decided."))
    return row, comparison


def _values_of(child: Child) -> ChildValues:
    return ChildValues(
        name=child.name, gender=child.gender, birth_date=child.birth_date, region_code=child.region_code,
        id_number=child.id_number or "", ethnicity=child.ethnicity, household_registration=child.household_registration or "",
        address=child.address or "", categories=list(child.categories), school=child.school, grade=child.grade,
        school_stage=str(child.school_stage), disability_category=child.disability_category,
        disability_level=child.disability_level, chronic_illness=child.chronic_illness, benefits=list(child.benefits),
    )


def _apply(session: Session, actor, row: ComparisonRow, comparison: Comparison, today: date) -> None:
    child = session.get(Child, row.child_id)
    if child is None or not access.allowed(actor, "children.edit", child):
        raise NotFound(_l("This file does not exist or is outside your region."))
    values = _values_of(child)
    if "add_category" in row.suggestion:
        values.categories = sorted(set(values.categories) | {row.suggestion["add_category"]})
    if "school_stage" in row.suggestion:
        values.school_stage = row.suggestion["school_stage"]
    # The children area audits the change and tells the programmes (政策找人 re-evaluates the child).
    update_child(session, actor, child, values, today)
    directors = _directors_of(session, child.region_code)
    notify(session, directors, "comparison_reassess", {"child": child.id, "partner": comparison.partner},
           link=f"/children/{child.id}", subject=f"cmp:{comparison.id}:{child.id}")


def _directors_of(session: Session, village: str) -> list[int]:
    from portal.accounts.models import User
    from portal.accounts.roles import Role

    return list(session.scalars(select(User.id).where(User.is_active, User.role == Role.child_director,
                                                      User.region_code == village)))


def _decide(session: Session, actor, row: ComparisonRow, comparison: Comparison, today: date) -> None:
    if row.outcome == Outcome.changed:
        _apply(session, actor, row, comparison, today)
        row.state = RowState.confirmed
    elif row.outcome == Outcome.new:
        send_candidate(session, actor, row)
    else:
        raise DomainError(_l("This row has nothing to confirm."))
    row.decided_by_id, row.decided_at = actor.id, utcnow()
    record(session, actor, "comparison.confirm", "comparison_row", row.id, region_code=row.region_code,
           detail={"comparison": comparison.id, "line": row.line, "outcome": row.outcome.value,
                   "child": row.child_id, "suggestion": row.suggestion})


def confirm_row(session: Session, actor, row_id: int, today: date | None = None) -> ComparisonRow:
    """A person confirms one suggestion: a matched file takes the change (and is re-evaluated for
    the programmes), a new candidate is sent to its village to be checked. Refuses rows outside
    the actor's region, rows already decided, and rows with nothing to confirm."""
    row, comparison = _load_row(session, actor, row_id)
    _decide(session, actor, row, comparison, today or date.today())
    session.flush()
    return row


def bulk_confirm(session: Session, actor, comparison: Comparison, today: date | None = None) -> int:
    """Confirm at once every open change found by identity number (never a fuzzy match, never a
    new candidate: those need a person's look each). A row whose file can no longer take the
    change (closed since, moved away) stays open for a person. The number confirmed."""
    access.require(actor, "comparisons.view", comparison)
    rows = list(session.scalars(select(ComparisonRow).where(
        ComparisonRow.comparison_id == comparison.id, ComparisonRow.outcome == Outcome.changed,
        ComparisonRow.match == "exact", ComparisonRow.state == RowState.open).order_by(ComparisonRow.line)))
    confirmed = 0
    for row in rows:
        try:
            with session.begin_nested():
                _decide(session, actor, row, comparison, today or date.today())
        except DomainError:  # also NotFound: the file left the actor's reach or was closed
            session.refresh(row)
            continue
        confirmed += 1
    record(session, actor, "comparison.bulk_confirm", "comparison", comparison.id, region_code=comparison.region_code,
           detail={"rows": confirmed, "left_open": len(rows) - confirmed})
    session.flush()
    return confirmed


def dismiss_row(session: Session, actor, row_id: int, reason: str) -> ComparisonRow:
    """A person decides a suggestion does not hold (with the reason); the file stays as it is."""
    row, comparison = _load_row(session, actor, row_id)
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise DomainError(_l("Give the reason."), field="reason")
    row.state, row.decided_by_id, row.decided_at = RowState.dismissed, actor.id, utcnow()
    record(session, actor, "comparison.dismiss", "comparison_row", row.id, region_code=row.region_code,
           detail={"comparison": comparison.id, "line": row.line, "reason": reason})
    session.flush()
    return row


def send_candidate(session: Session, actor, row: ComparisonRow) -> None:
    """A confirmed new candidate becomes a clue to verify on site (source: the partner list): it
    waits at the town of the row's village, its supervisor assigns a child director, and the check
    is tracked to an outcome (a file registered, or why not) like every other lead."""
    comparison = session.get(Comparison, row.comparison_id)
    data = data_of(row)
    village = names_of(session, [row.region_code]).get(row.region_code, row.region_code)
    facts = "; ".join(part for part in (
        data.get("name", ""), data.get("birth_date", ""), data.get("guardian", ""), data.get("school", ""),
    ) if part)
    text = _("Line %(line)s of the list of %(partner)s (%(meaning)s) names a child with no file here: %(facts)s. "
             "Check on site and register the child if the entry is right.",
             line=row.line, partner=comparison.partner, meaning=MEANING_LABELS[comparison.meaning], facts=facts)
    open_verification(session, actor, region_code=row.region_code, place=(data.get("address") or village)[:200],
                      text=text[:2000], source=ClueSource.partner_list.value,
                      source_ref=f"comparison {comparison.id} line {row.line}")
    row.state = RowState.sent


# --- purging ---------------------------------------------------------------------------------------


def purge_expired(session: Session, now=None) -> int:
    """Drop the rows of every list kept past its retention (they hold identity numbers): the date
    set at upload, or the retention configured now when it was shortened since. The comparison's
    counts stay. The number of lists purged."""
    now = now or utcnow()
    kept_since = now - timedelta(days=current_app.config["COMPARISON_KEEP_DAYS"])
    ids = list(session.scalars(select(Comparison.id).where(
        Comparison.purged_at.is_(None), or_(Comparison.purge_after <= now, Comparison.created_at <= kept_since))))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(delete(ComparisonRow).where(ComparisonRow.comparison_id.in_(chunk)))
        session.execute(update(Comparison).where(Comparison.id.in_(chunk)).values(purged_at=now, pending=None))
    for comparison_id in ids:
        record(session, None, "comparison.purge", "comparison", comparison_id)
    return len(ids)
