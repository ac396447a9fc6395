"""Recording and searching the audit log.

``record`` is the one way anything is written to the log: every read of a child's file and every
change of money, role or status goes through it. It takes the acting user explicitly; the address
comes from the current request when there is one ("cli" or "task" otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select
from sqlmodel import Session

from portal.accounts.models import PasswordReset
from portal.accounts.roles import Role
from portal.audit.models import AuditEntry
from portal.errors import DomainError
from portal.regions.rules import level_of_code, subtree_bounds
from portal.types import utcnow


def _address() -> str:
    if has_request_context():
        return request.remote_addr or "unknown"
    return "local"


def record(
    session: Session,
    actor,
    action: str,
    object_type: str,
    object_id,
    *,
    region_code: str | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Add one entry to ``session``; it commits with the change it describes."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None) or "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        region_code=region_code,
        address=_address()[:64],
        detail=detail or {},
    )
    session.add(entry)
    return entry


def record_many(session: Session, actor, action: str, object_type: str, objects: list[tuple[object, str | None]]) -> None:
    """One entry per (object id, region code), in one statement (bulk imports)."""
    from sqlalchemy import insert

    if not objects:
        return
    now, address = utcnow(), _address()[:64]
    actor_id, actor_name = getattr(actor, "id", None), getattr(actor, "username", None) or "system"
    session.execute(insert(AuditEntry), [
        {"at": now, "actor_id": actor_id, "actor_name": actor_name, "action": action, "object_type": object_type,
         "object_id": str(object_id), "region_code": region_code, "address": address, "detail": {}}
        for object_id, region_code in objects
    ])


def record_reads(actor, object_type: str, objects: list[tuple[object, str | None]]) -> None:
    """``record_read`` for many objects shown on one page (an activity's children): one transaction."""
    from flask import g

    from portal.db import READ_METHODS, write_session

    if not objects:
        return
    if has_request_context() and request.method not in READ_METHODS and g.get("db_session") is not None:
        record_many(g.db_session, actor, "read", object_type, objects)
        g.db_session.flush()
        return
    with write_session() as s:
        record_many(s, actor, "read", object_type, objects)


def record_read(actor, object_type: str, object_id, *, region_code: str | None = None, detail=None) -> None:
    """Log a read before the data is shown; if the entry cannot be written, this raises.

    On a page that only reads, the entry commits in its own short transaction at once. In a
    request that writes, the request's session already holds the write lock (SQLite): a second
    writer would wait for it for ever, so the entry goes into that session and is flushed now.
    """
    from flask import g

    from portal.db import READ_METHODS, write_session

    if has_request_context() and request.method not in READ_METHODS and g.get("db_session") is not None:
        record(g.db_session, actor, "read", object_type, object_id, region_code=region_code, detail=detail)
        g.db_session.flush()
        return
    with write_session() as s:
        record(s, actor, "read", object_type, object_id, region_code=region_code, detail=detail)


# What a read of a child's file is logged as: the file, its history, its visits' photos.
CHILD_FILE_OBJECTS = ("child", "child_history", "visit_photo")


def _read_after_reset():
    """A read of a child's file by an account in its first day after someone else reset its
    password: the reset may have put the account in other hands, so its supervisors look twice."""
    return and_(AuditEntry.action == "read", AuditEntry.object_type.in_(CHILD_FILE_OBJECTS), exists().where(
        PasswordReset.user_id == AuditEntry.actor_id, PasswordReset.completed_at <= AuditEntry.at,
        AuditEntry.at < PasswordReset.flag_until))


def flagged_after_reset(session: Session, entries: list[AuditEntry]) -> set[int]:
    """The ids of ``entries`` that are reads flagged by ``_read_after_reset`` (one query)."""
    ids = [e.id for e in entries if e.action == "read"]
    if not ids:
        return set()
    return set(session.scalars(select(AuditEntry.id).where(AuditEntry.id.in_(ids), _read_after_reset())))


OUTSIDE = _l("This region is outside your region: search inside your own.")
NO_SUCH_REGION = _l("No single region has that name: pick one of the suggestions.")


def region_to_search(session: Session, viewer, text: str) -> str:
    """The code of the region ``text`` names (a name path as the suggestions fill it in, a name,
    or a 12-digit code) for a search of the log by ``viewer``; "" when nothing was typed. A name is
    looked for inside the viewer's own region first. Refuses text that names no single region,
    and a region outside the viewer's own (administrators may name any)."""
    from portal import access
    from portal.regions.names import find_by_path

    text = " ".join((text or "").split())
    if not text:
        return ""
    scope = None if viewer.role == Role.admin else viewer.region_code
    code = find_by_path(session, text, within=scope)
    if code is None:
        raise DomainError(OUTSIDE if scope and find_by_path(session, text) else NO_SUCH_REGION, field="region")
    if scope and not access.within_scope(viewer, code):
        raise DomainError(OUTSIDE, field="region")
    return code


@dataclass
class AuditFilter:
    region: str = ""  # a region's code (``region_to_search``): entries about its subtree only
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    after_reset: bool = False  # only reads flagged as made in an account's first day after a reset


def search(
    session: Session, viewer, filters: AuditFilter, page: int, per_page: int, tz: tzinfo = timezone.utc
) -> tuple[list[AuditEntry], int]:
    """Entries ``viewer`` may see that match ``filters``, newest first, and the total count.

    Administrators see every entry; civil-affairs staff see entries about objects in their own
    region's subtree and entries about their own actions. Dates are days in ``tz``.
    """
    stmt = select(AuditEntry)
    if viewer.role != Role.admin:
        low, high = subtree_bounds(viewer.region_code, level_of_code(viewer.region_code))
        stmt = stmt.where(or_(AuditEntry.region_code.between(low, high), AuditEntry.actor_id == viewer.id))
    if filters.region:
        low, high = subtree_bounds(filters.region, level_of_code(filters.region))
        stmt = stmt.where(AuditEntry.region_code.between(low, high))
    if filters.actor:
        stmt = stmt.where(AuditEntry.actor_name == filters.actor.strip().lower())
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action.strip())
    if filters.object_type:
        stmt = stmt.where(AuditEntry.object_type == filters.object_type.strip())
    if filters.object_id:
        stmt = stmt.where(AuditEntry.object_id == filters.object_id.strip())
    if filters.after_reset:
        stmt = stmt.where(_read_after_reset())
    if filters.date_from:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(filters.date_from, time.min, tz))
    if filters.date_to:
        stmt = stmt.where(AuditEntry.at < datetime.combine(filters.date_to + timedelta(days=1), time.min, tz))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return list(rows), total

