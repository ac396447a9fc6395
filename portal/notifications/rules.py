"""The notification centre: every area leaves its notices for users here.

A notice stores its kind and parameters, not a sentence, so it is shown in the reader's language.
Each kind is registered once (``register_kind``) with its message, the label users see on their
notice settings, and whether it is also e-mailed by default. ``notify`` leaves event notices;
``add`` leaves a daily one that is added once a day however often a task runs. Every notice is
kept in-app; users choose per kind whether it also reaches them by e-mail, which is sent (in the
recipient's language) only once the transaction that added the notice commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlmodel import Session

from portal import db
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.children.models import Child, ChildStatus
from portal.mail import send_mail
from portal.notifications.models import Notification, NotificationPreference
from portal.regions.rules import names_of
from portal.types import utcnow
from portal.visits.schedule import visit_interval
from portal.web import public_link, public_url


@dataclass(frozen=True)
class Kind:
    name: str
    message: Any  # a lazy string with %(name)s parameters
    label: Any  # a lazy string for the settings page
    email: bool = True  # also e-mailed unless the user says otherwise
    param_labels: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


KINDS: dict[str, Kind] = {}
KIND_MAX_LENGTH = 32  # Notification.kind


def register_kind(kind: str, message, label, *, email: bool = True,
                  param_labels: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    """Declare a kind of notice. ``message`` is a lazy_gettext template with %(name)s parameters,
    ``label`` names the kind on the notice settings page, ``email`` is whether it is e-mailed
    unless the user turned that off. ``param_labels`` shows parameters stored as codes in the
    reader's language: ``{"outcome": {"approved": _l("approved"), …}}``."""
    if len(kind) > KIND_MAX_LENGTH:
        raise ValueError(f"notice kind {kind!r} is longer than {KIND_MAX_LENGTH} characters")
    KINDS[kind] = Kind(kind, message, label, email, dict(param_labels or {}))


register_kind("agreements_due", _l("%(count)d temporary guardianship agreements in %(village)s are due for renewal."),
              _l("Guardianship agreements due for renewal (daily)"), email=False)
register_kind("visits_overdue", _l("%(count)d children in %(village)s are overdue for a visit."),
              _l("Children overdue for a visit (daily)"), email=False)
register_kind("visits_long_overdue",
              _l("%(count)d children in %(village)s have waited more than twice their visit interval."),
              _l("Children long overdue for a visit (daily)"), email=False)


def text_of(notice: Notification) -> str:
    """The notice as a sentence in the current language."""
    kind = KINDS.get(notice.kind)
    if kind is None:
        return notice.kind
    params = {}
    for name, value in (notice.params or {}).items():
        if value is None:
            value = ""
        elif isinstance(value, str) and value in kind.param_labels.get(name, {}):
            value = kind.param_labels[name][value]
        params[name] = value
    return str(kind.message % params)


# --- leaving notices -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Recipient:
    id: int
    email: str | None
    locale: str
    by_email: bool


def _recipients(session: Session, user_ids: Iterable[int], kind: Kind) -> list[_Recipient]:
    """The active users among ``user_ids``, with whether this kind is e-mailed to them."""
    ids = {int(i) for i in user_ids}
    if not ids:
        return []
    from portal.helpers.models import HelperProfile

    pref = NotificationPreference
    # A helper's address is written to only once they have confirmed it is theirs.
    mailable = or_(HelperProfile.user_id.is_(None), HelperProfile.email_verified_at.is_not(None))
    rows = session.execute(
        select(User.id, User.email, User.locale, pref.by_email, mailable)
        .outerjoin(pref, and_(pref.user_id == User.id, pref.kind == kind.name))
        .outerjoin(HelperProfile, HelperProfile.user_id == User.id)
        .where(User.id.in_(ids), User.is_active)
    ).all()
    return [_Recipient(uid, email if ok else None, locale, kind.email if by_email is None else by_email)
            for uid, email, locale, by_email, ok in rows]


INSERT_CHUNK = 500


def _kind(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        raise ValueError(f"notice kind {name!r} is not registered")
    return kind


def _deliver(session: Session, kind: Kind, recipients: list[_Recipient], subject: str, day: date,
             params: dict, link: str, about: str | None = None) -> int:
    """The one insert path: a notice per recipient unless the same (user, kind, subject, day)
    exists; the new ones are e-mailed, after the commit, to those who want them."""
    if not recipients:
        return 0
    insert = db.insert_for(session)
    now = utcnow()
    added: set[int] = set()
    for start in range(0, len(recipients), INSERT_CHUNK):
        rows = [{"user_id": r.id, "kind": kind.name, "subject": subject, "day": day, "params": params,
                 "link": link, "created_at": now, "about": about} for r in recipients[start:start + INSERT_CHUNK]]
        stmt = insert(Notification).values(rows).on_conflict_do_nothing().returning(Notification.user_id)
        added.update(session.execute(stmt).scalars())
    mails = [_mail(r, Notification(user_id=r.id, kind=kind.name, subject=subject, day=day, params=params, link=link))
             for r in recipients if r.id in added and r.by_email and r.email]
    if mails:
        db.after_commit(session, lambda: _send(mails))
    return len(added)


def _send(mails: list[tuple[str, str, str]]) -> None:
    for to, subject, body in mails:
        send_mail(to, subject, body)


def _mail(recipient: _Recipient, notice: Notification) -> tuple[str, str, str]:
    """(to, subject, body) of the e-mail for ``notice``, in the recipient's language."""
    locale = recipient.locale if recipient.locale in current_app.config["LANGUAGES"] else \
        current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        body = text_of(notice)
        if notice.link:
            body += "\n\n" + (public_link(notice.link) if notice.link.startswith("/") else notice.link)
        body += "\n\n-- \n" + _("To choose which notices also reach you by e-mail: %(url)s",
                                   url=public_url("notifications.preferences"))
        return recipient.email, _("Tongxin: new notice"), body


def notify(session: Session, user_ids: Iterable[int], kind: str, params: dict, link: str = "",
           subject: str | None = None, about: str | None = None) -> int:
    """Leave a notice of ``kind`` for each active user among ``user_ids``; the number left.

    Without ``subject`` every call leaves new notices (events); with one, a user gets at most one
    notice of this kind about that subject a day, however often it is called. A notice that asks
    its reader to act names what it is ``about`` ("need:302"): ``mark_done`` on that closes it.
    """
    spec = _kind(kind)
    return _deliver(session, spec, _recipients(session, user_ids, spec), subject or uuid.uuid4().hex, date.today(),
                    params, link, about)


def mark_done(session: Session, about: str, kinds: Iterable[str]) -> int:
    """What the notices of ``kinds`` about ``about`` asked for has been done (by anyone): they are
    marked done, and read, for everyone who received them. The number marked."""
    now = utcnow()
    return session.execute(
        update(Notification).where(Notification.about == about, Notification.kind.in_(list(kinds)),
                                   Notification.done_at.is_(None))
        .values(done_at=now, read_at=func.coalesce(Notification.read_at, now))
        .execution_options(synchronize_session=False)
    ).rowcount


def add(session: Session, user_id: int, kind: str, subject: str, day: date, params: dict, link: str = "",
        about: str | None = None) -> bool:
    """Add a notice unless the same one (user, kind, subject, day) exists: safe to run twice.
    True when it was added (and so e-mailed, if the user wants this kind by e-mail). A notice that
    asks for something names what it is ``about``, as with ``notify``."""
    spec = _kind(kind)
    return _deliver(session, spec, _recipients(session, [user_id], spec), subject, day, params, link, about) == 1


# --- reading notices -----------------------------------------------------------------------------


def unread_count(session: Session, user) -> int:
    stmt = select(func.count()).select_from(Notification).where(Notification.user_id == user.id,
                                                               Notification.read_at.is_(None))
    return session.scalar(stmt) or 0


def notices_for(session: Session, user, limit: int = 50, offset: int = 0) -> list[Notification]:
    """A user's own notices, newest first."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(stmt))


def notice_count(session: Session, user) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == user.id)) or 0


def mark_all_read(session: Session, user) -> None:
    session.execute(update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                    .values(read_at=utcnow()))


# --- e-mail settings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Preference:
    """One line of the settings page: kinds that share a label are chosen together."""

    kinds: tuple[str, ...]
    label: str
    by_email: bool

    @property
    def key(self) -> str:
        return ",".join(self.kinds)


def preferences_for(session: Session, user) -> list[Preference]:
    """Whether each registered kind of notice also reaches ``user`` by e-mail, in registration order."""
    chosen = dict(session.execute(
        select(NotificationPreference.kind, NotificationPreference.by_email)
        .where(NotificationPreference.user_id == user.id)
    ).all())
    groups: dict[str, list[str]] = {}
    for name, kind in KINDS.items():
        groups.setdefault(str(kind.label), []).append(name)
    return [Preference(tuple(kinds), label, all(chosen.get(k, KINDS[k].email) for k in kinds))
            for label, kinds in groups.items()]


def set_preferences(session: Session, user, by_email: set[str]) -> None:
    """E-mail ``user`` the registered kinds in ``by_email`` and no others (unknown names are ignored)."""
    rows = {p.kind: p for p in session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for name in KINDS:
        row = rows.get(name)
        if row is None:
            session.add(NotificationPreference(user_id=user.id, kind=name, by_email=name in by_email))
        else:
            row.by_email = name in by_email
    session.flush()


# --- daily reminders -----------------------------------------------------------------------------


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
            {"count": per_village[village], "village": names.get(village, village)}, "/children/?agreement_due=1")
    return len(directors)
