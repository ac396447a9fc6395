"""Password resets started by someone else: an administrator, or staff who manage the account.

DESIGN.md §2: an administrator manages accounts but can never sign in as someone else or obtain a
working password for another account. So whoever starts a reset never sees a credential:

- an account with a confirmed e-mail address or mobile gets a one-time link there;
- a staff account without one needs the supervisor above it (staff working in the nearest region
  above the account's that has staff other than the holder and the initiator) to confirm; the
  one-time code is then shown to that supervisor, once, to hand over in person;
- an administrator's account (and a helper's without a confirmed contact) needs a second
  administrator to confirm, under the same rule.

The one-time credential only sets a new password; it signs nobody in. Using it ends every session
of the account. Every step is audited and the holder is notified.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlmodel import Session

from portal import access, db
from portal.accounts import notices, sessions
from portal.accounts.contacts import confirmed_contact
from portal.accounts.models import PasswordReset, ResetRoute, User
from portal.accounts.roles import STAFF_ROLES, Role
from portal.accounts.users import check_new_password, find_user, store_password
from portal.audit.rules import record
from portal.errors import DomainError, NotFound
from portal.regions.models import Region
from portal.regions.rules import ancestors_of
from portal.types import utcnow

# No 0/O or 1/I/L: a code read out or copied by hand has no look-alike characters.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16  # about 79 bits: not guessable, even without counting tries
FLAG_READS_FOR = timedelta(days=1)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str | None) -> str:
    return "".join((raw or "").split()).replace("-", "").upper()


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def display_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def open_reset(session: Session, target: User) -> PasswordReset | None:
    """The reset of ``target`` still waiting to be confirmed or used, if any (what managers see)."""
    return session.scalar(select(PasswordReset).where(
        PasswordReset.user_id == target.id, PasswordReset.completed_at.is_(None), PasswordReset.cancelled_at.is_(None)
    ).order_by(PasswordReset.id.desc()).limit(1))


def confirming_region(session: Session, target: User, initiator: User) -> str | None:
    """The nearest region above ``target``'s that has active staff other than the holder and the
    initiator: its staff confirm a reset of ``target``. None when there is no such region."""
    region = session.get(Region, target.region_code) if target.region_code else None
    if region is None:
        return None
    for code in reversed(ancestors_of(region)):
        found = session.scalar(select(User.id).where(
            User.region_code == code, User.is_active, User.role.in_(STAFF_ROLES),
            User.id.not_in([target.id, initiator.id])).limit(1))
        if found is not None:
            return code
    return None


def _confirmers(session: Session, reset: PasswordReset, target: User, initiator: User) -> list[int]:
    if reset.route == ResetRoute.second_admin:
        stmt = select(User.id).where(User.role == Role.admin, User.is_active)
    else:
        stmt = select(User.id).where(User.region_code == reset.confirm_region_code, User.is_active,
                                     User.role.in_(STAFF_ROLES))
    return [i for i in session.scalars(stmt) if i not in (target.id, initiator.id)]


def start_reset(session: Session, actor: User, target: User, *, hours: int) -> PasswordReset:
    """``actor`` (who manages ``target``) starts a reset of ``target``'s password. When the holder
    has a confirmed contact, a one-time link goes there (after the commit); ``actor`` never gets it.

    An account with no password yet (an administrator created it, see ``rules.create_account``)
    gets its first one the same way; if no staff above a staff account can confirm that first
    password (the top of the region tree), a second administrator does.

    Refuses one's own account (change it under "My account"), a deactivated account, and a staff
    account with no supervisor above it (or an administrator's with no second administrator).
    A new reset cancels the account's earlier open ones.
    """
    access.require(actor, "accounts.manage", target)
    if target.id == actor.id:
        raise DomainError(_l("To change your own password, use “My account”."))
    if not target.is_active:
        raise DomainError(_l("Reactivate the account before resetting its password."))
    first = not target.has_password
    now = utcnow()
    reset = PasswordReset(user_id=target.id, initiated_by_id=actor.id, created_at=now)
    contact = confirmed_contact(session, target)
    code = None
    if contact is not None:
        reset.route = ResetRoute(contact[0])
        code = new_code()
        reset.code_hash, reset.expires_at = code_hash(code), now + timedelta(hours=hours)
    elif target.role in STAFF_ROLES and (region := confirming_region(session, target, actor)) is not None:
        reset.route, reset.confirm_region_code = ResetRoute.supervisor, region
    elif target.role in STAFF_ROLES and not first:
        raise DomainError(_l("No supervisor above this account can confirm a reset. The holder can reset "
                             "the password from a confirmed e-mail address."))
    else:
        reset.route = ResetRoute.second_admin
    confirmers = [] if code else _confirmers(session, reset, target, actor)
    if code is None and not confirmers:
        if first:
            raise DomainError(_l("Nobody but you could confirm this account's first password: there is no staff "
                                 "above its region and no second administrator."))
        raise DomainError(_l("A second administrator must confirm this reset, and there is none."))
    cancelled = session.execute(update(PasswordReset).where(
        PasswordReset.user_id == target.id, PasswordReset.completed_at.is_(None), PasswordReset.cancelled_at.is_(None)
    ).values(cancelled_at=now)).rowcount
    session.add(reset)
    session.flush()
    record(session, actor, "user.password_reset_started", "user", target.id, region_code=target.region_code,
           detail={"reset": reset.id, "route": reset.route.value, "confirm_region": reset.confirm_region_code,
                   "earlier_cancelled": cancelled, "first_password": first})
    if not first:  # a holder who has never signed in has nothing to be warned of
        notices.reset_started(session, reset, target, actor)
    if confirmers:
        to_confirm = notices.first_password_to_confirm if first else notices.reset_to_confirm
        to_confirm(session, reset, target, actor, confirmers)
    else:
        _send_link(session, target, contact, code, hours)
    return reset


def _send_link(session: Session, target: User, contact: tuple[str, str], code: str, hours: int) -> None:
    """Send the one-time link to the holder's confirmed contact once the reset has committed."""
    from portal.mail import send_mail
    from portal.sms import sms_backend
    from portal.web import public_url

    channel, address = contact
    link = public_url("accounts.reset_with_code", code=display_code(code))
    with force_locale(target.locale or "zh"):
        text = _("A password reset of your Tongxin account %(name)s was started by the staff who manage it. "
                 "Open this link within %(hours)d hours to choose a new password:\n\n%(link)s\n\n"
                 "If you did not ask for this, tell your supervisor.", name=target.username, hours=hours, link=link)
        subject = _("Tongxin: reset your password")
    if channel == "email":
        db.after_commit(session, lambda: send_mail(address, subject, text))
    else:
        backend = sms_backend()
        db.after_commit(session, lambda: backend(address, text))


def pending_confirmations(session: Session, actor: User) -> list[tuple[PasswordReset, User]]:
    """Resets waiting for ``actor``'s confirmation, oldest first."""
    stmt = (select(PasswordReset, User).join(User, User.id == PasswordReset.user_id)
            .where(PasswordReset.code_hash.is_(None), PasswordReset.completed_at.is_(None),
                   PasswordReset.cancelled_at.is_(None))
            .order_by(PasswordReset.created_at))
    if actor.role == Role.admin:
        stmt = stmt.where(PasswordReset.route == ResetRoute.second_admin)
    else:
        stmt = stmt.where(PasswordReset.route == ResetRoute.supervisor,
                          PasswordReset.confirm_region_code == actor.region_code)
    return [(r, u) for r, u in session.execute(stmt).all() if access.allowed(actor, "accounts.confirm_reset", r)]


def load_reset(session: Session, actor: User, reset_id: int) -> PasswordReset:
    """A reset ``actor`` may confirm; anything else is answered as unknown."""
    reset = session.get(PasswordReset, reset_id)
    if reset is None or not access.allowed(actor, "accounts.confirm_reset", reset):
        raise NotFound(_l("This reset does not exist or is not yours to confirm."))
    return reset


def confirm_reset(session: Session, actor: User, reset: PasswordReset, *, hours: int) -> str:
    """``actor`` confirms a reset waiting for them and receives the one-time code to hand over in
    person (shown once; only its hash is kept). Refuses whoever started it, the holder, anyone but
    the supervisor above (or a second administrator), and a reset already confirmed or closed."""
    access.require(actor, "accounts.confirm_reset", reset)
    now = utcnow()
    code = new_code()
    # Conditional: two supervisors pressing "confirm" at once get one code between them.
    confirmed = session.execute(update(PasswordReset).where(
        PasswordReset.id == reset.id, PasswordReset.code_hash.is_(None), PasswordReset.completed_at.is_(None),
        PasswordReset.cancelled_at.is_(None)
    ).values(code_hash=code_hash(code), confirmed_by_id=actor.id, confirmed_at=now,
             expires_at=now + timedelta(hours=hours))).rowcount
    if confirmed != 1:
        raise DomainError(_l("This reset has already been confirmed, used or cancelled."))
    session.refresh(reset)
    target = session.get(User, reset.user_id)
    record(session, actor, "user.password_reset_confirmed", "user", target.id, region_code=target.region_code,
           detail={"reset": reset.id})
    notices.reset_handled(session, reset)
    if target.has_password:  # an account's first password: its holder has no inbox yet
        notices.reset_confirmed(session, target, actor)
    return code


def complete_reset(session: Session, username: str, code: str, new: str, confirm: str) -> User:
    """The holder of a one-time code sets a new password for the account it was issued for. It
    signs nobody in, ends every session of the account, and works once, before it expires."""
    invalid = DomainError(_l("This code is wrong, expired, already used or not for this account."), field="code")
    user = find_user(session, username)
    normalised = normalise_code(code)
    if user is None or len(normalised) != CODE_LENGTH:
        raise invalid
    reset = session.scalar(select(PasswordReset).where(PasswordReset.code_hash == code_hash(normalised)))
    now = utcnow()
    if (reset is None or reset.user_id != user.id or reset.completed_at is not None
            or reset.cancelled_at is not None or reset.expires_at is None or reset.expires_at < now
            or not user.is_active):
        raise invalid
    check_new_password(new, user.username, confirm)
    # Conditional: the same code sent twice at once sets one password.
    used = session.execute(update(PasswordReset).where(PasswordReset.id == reset.id,
                                                       PasswordReset.completed_at.is_(None))
                           .values(completed_at=now, flag_until=now + FLAG_READS_FOR)).rowcount
    if used != 1:
        raise invalid
    first = not user.has_password
    store_password(user, new, must_change=False)
    ended = sessions.end_all(session, user.id, "password_reset")
    record(session, user, "user.password_reset_completed", "user", user.id, region_code=user.region_code,
           detail={"reset": reset.id, "sessions_ended": ended, "first_password": first})
    if not first:
        notices.reset_done(session, user)
    return user
