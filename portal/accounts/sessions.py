"""Server-side sessions: one record per sign-in, so a session can be ended for good.

The signed cookie carries only a random token; the record (found by the token's hash) says whose
session it is, since when, from where, when it was last used and whether it has ended. Logging out,
changing or resetting the password, deactivation and "sign out everywhere" end records, and an
ended record is never reopened, so a copied or replayed cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update
from sqlmodel import Session

from portal.accounts.models import User, UserSession
from portal.audit.rules import record as record_audit
from portal.errors import NotFound
from portal.types import utcnow

# Last-seen is written at most this often: every request writing it would queue all requests
# of a SQLite deployment behind one write lock.
TOUCH_EVERY = timedelta(seconds=60)
TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: User, *, address: str = "", user_agent: str = "") -> str:
    """Open a session for ``user`` (who has just proven who they are) and return its token, which
    only the client keeps."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    session.add(UserSession(token_hash=token_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                            address=(address or "")[:64], user_agent=(user_agent or "")[:255]))
    return token


def find_active(session: Session, token: str) -> tuple[UserSession, User] | None:
    """The open session with this token and its active user, or None (unknown, made-up or ended
    token, deactivated account). Only reads."""
    if not token or len(token) > 128:
        return None
    row = session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
    ).first()
    if row is None or not row[1].is_active:
        return None
    return row[0], row[1]


def idle_too_long(record: UserSession, user: User, idle_minutes: int, now: datetime,
                  lifetime: timedelta | None = None) -> bool:
    """Staff and administrator sessions end after ``idle_minutes`` without activity, everyone's
    after ``lifetime`` (the cookie's), counted from the server's last-seen time: a cookie cannot
    move that clock."""
    # Last-seen lags by up to TOUCH_EVERY; that minute is within the policy's tolerance.
    idle = now - record.last_seen_at
    if lifetime is not None and idle > lifetime:
        return True
    return (user.is_staff or user.is_admin) and idle > timedelta(minutes=idle_minutes)


def due_for_touch(record: UserSession, now: datetime) -> bool:
    return now - record.last_seen_at >= TOUCH_EVERY


def touch(session: Session, session_id: int, now: datetime) -> None:
    """Note activity on an open session (one UPDATE, nothing for an ended one)."""
    session.execute(update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None))
                    .values(last_seen_at=now))


def end(session: Session, session_id: int, reason: str) -> None:
    session.execute(update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None))
                    .values(ended_at=utcnow(), end_reason=reason))


def end_all(session: Session, user_id: int, reason: str, *, keep: int | None = None) -> int:
    """End every open session of ``user_id`` (but ``keep``); returns how many were ended."""
    stmt = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep)
    return session.execute(stmt.values(ended_at=utcnow(), end_reason=reason)).rowcount


def open_sessions(session: Session, user: User, idle_minutes: int,
                  lifetime: timedelta | None = None) -> list[UserSession]:
    """``user``'s sessions that still work, most recently used first."""
    rows = session.scalars(select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                           .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc()))
    now = utcnow()
    return [r for r in rows if not idle_too_long(r, user, idle_minutes, now, lifetime)]


KEEP_ENDED = timedelta(days=30)


def purge_old(session: Session, lifetime: timedelta, now: datetime) -> int:
    """Delete records of sessions ended (or unused beyond ``lifetime``) more than 30 days ago: they
    can never work again, and the audit log keeps every sign-in."""
    cutoff = now - KEEP_ENDED
    return session.execute(delete(UserSession).where(or_(
        UserSession.ended_at < cutoff, UserSession.last_seen_at < cutoff - lifetime))).rowcount


def end_own(session: Session, user: User, session_id: int) -> None:
    """``user`` ends one of their own sessions. Another user's session id is answered as unknown."""
    record = session.get(UserSession, session_id)
    if record is None or record.user_id != user.id or record.ended_at is not None:
        raise NotFound(_l("This session does not exist or has already ended."))
    end(session, record.id, "ended_by_user")
    record_audit(session, user, "session.end", "user", user.id, region_code=user.region_code,
                 detail={"session": record.id})


def end_others(session: Session, user: User, keep: int | None) -> int:
    """"Sign out everywhere": ``user`` ends all their sessions but the one they are using."""
    ended = end_all(session, user.id, "signed_out_everywhere", keep=keep)
    record_audit(session, user, "session.end_others", "user", user.id, region_code=user.region_code,
                 detail={"ended": ended})
    return ended
