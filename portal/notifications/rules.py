"""Notices for users: written by daily tasks, read on the home page and the notices page.

A notice stores its kind and parameters, not a sentence, so it is shown in the reader's language.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.children.models import Child, ChildStatus
from portal.notifications.models import Notification
from portal.regions.rules import names_of
from portal.types import utcnow
from portal.visits.rules import visit_interval

MESSAGES = {
    "agreements_due": _l("%(count)d temporary guardianship agreements in %(village)s are due for renewal."),
    "visits_overdue": _l("%(count)d children in %(village)s are overdue for a visit."),
    "visits_long_overdue": _l("%(count)d children in %(village)s have waited more than twice their visit interval."),
}


def text_of(notice: Notification) -> str:
    return str(MESSAGES[notice.kind] % notice.params) if notice.kind in MESSAGES else notice.kind


def add(session: Session, user_id: int, kind: str, subject: str, day: date, params: dict, link: str = "") -> None:
    """Add a notice unless the same one (user, kind, subject, day) exists: safe to run twice."""
    values = {"user_id": user_id, "kind": kind, "subject": subject, "day": day, "params": params, "link": link,
              "created_at": utcnow()}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(Notification).values(**values).on_conflict_do_nothing())


def unread_count(session: Session, user) -> int:
    stmt = select(func.count()).select_from(Notification).where(Notification.user_id == user.id,
                                                               Notification.read_at.is_(None))
    return session.scalar(stmt) or 0


def notices_for(session: Session, user, limit: int = 50) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    return list(session.scalars(stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def mark_all_read(session: Session, user) -> None:
    session.execute(update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                    .values(read_at=utcnow()))


def remind_overdue_visits(session: Session, today: date) -> dict:
    """The daily reminder: each village's child directors hear how many of their children are
    overdue; the town's supervisors are alerted about children overdue by more than their
    interval again (not visited within twice the interval)."""
    overdue = (
        select(Child.region_code, Child.risk_level, Child.next_visit_due)
        .where(Child.status == ChildStatus.active, Child.next_visit_due < today)
    )
    per_village: dict[str, int] = {}
    long_per_village: dict[str, int] = {}
    intervals: dict[tuple[str, str | None], int] = {}
    for village, level, due in session.execute(overdue):
        per_village[village] = per_village.get(village, 0) + 1
        key = (village[:6], level)
        if key not in intervals:
            intervals[key] = visit_interval(session, village, level)
        if due + timedelta(days=intervals[key]) < today:
            long_per_village[village] = long_per_village.get(village, 0) + 1
    if not per_village:
        return {"directors": 0, "supervisors": 0}
    names = names_of(session, per_village)
    staff = session.execute(
        select(User.id, User.role, User.region_code).where(
            User.is_active, User.role.in_([Role.child_director, Role.child_supervisor])
        )
    ).all()
    directors: dict[str, list[int]] = {}
    supervisors: dict[str, list[int]] = {}
    for user_id, role, region in staff:
        (directors if role == Role.child_director else supervisors).setdefault(region, []).append(user_id)
    sent = {"directors": 0, "supervisors": 0}
    for village, count in per_village.items():
        params = {"count": count, "village": names.get(village, village)}
        link = f"/visits/overdue?region={village}"
        for user_id in directors.get(village, []):
            add(session, user_id, "visits_overdue", village, today, params, link)
            sent["directors"] += 1
        long_count = long_per_village.get(village, 0)
        if long_count:
            town = village[:9] + "000"
            for user_id in supervisors.get(town, []):
                add(session, user_id, "visits_long_overdue", village, today,
                    {"count": long_count, "village": names.get(village, village)}, link)
                sent["supervisors"] += 1
    return sent





RENEWAL_NOTICE_DAYS = 30


def remind_agreement_renewals(session: Session, today: date) -> int:
    """Child directors hear, per village, how many temporary guardianship agreements of their
    active left-behind children are due for renewal within 30 days (or overdue)."""
    from portal.children.models import GuardianshipAgreement

    # The latest agreement of each child is the one that counts.
    latest = (
        select(GuardianshipAgreement.child_id, func.max(GuardianshipAgreement.renewal_due).label("due"))
        .group_by(GuardianshipAgreement.child_id).subquery()
    )
    stmt = (
        select(Child.region_code, func.count())
        .join(latest, latest.c.child_id == Child.id)
        .where(Child.status == ChildStatus.active, latest.c.due <= today + timedelta(days=RENEWAL_NOTICE_DAYS))
        .group_by(Child.region_code)
    )
    per_village = dict(session.execute(stmt).all())
    if not per_village:
        return 0
    names = names_of(session, per_village)
    directors = session.execute(
        select(User.id, User.region_code).where(User.is_active, User.role == Role.child_director,
                                                User.region_code.in_(per_village))
    ).all()
    for user_id, village in directors:
        add(session, user_id, "agreements_due", village, today,
            {"count": per_village[village], "village": names.get(village, village)}, "/children/?category=left_behind")
    return len(directors)
