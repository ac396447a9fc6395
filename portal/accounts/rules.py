"""Account rules: signing in, creating accounts within one's subtree, passwords, deactivation.

Resets that someone else starts are in ``resets``; sessions in ``sessions``."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal import access
from portal.accounts import resets, sessions
from portal.accounts.contacts import confirmed_contact, find_helper_by_contact
from portal.accounts.models import User
from portal.accounts.passwords import (
    hash_password,
    needs_rehash,
    unusable_password_hash,
    verify_password,
)
from portal.accounts.roles import STAFF_ROLE_LEVELS, STAFF_ROLES, Role
from portal.accounts.users import (
    USERNAME_RE,
    check_new_password,
    find_user,
    normalise_username,
    store_password,
)
from portal.audit.rules import record
from portal.errors import Conflict, DomainError, NotAllowed
from portal.regions.models import Region
from portal.regions.rules import level_of_code, subtree_bounds
from portal.types import utcnow

LOCALES = ("zh", "en")


class LoginFailed(DomainError):
    """Wrong user name or password: one message for both, so accounts cannot be enumerated."""

    status = 401

    def __init__(self):
        super().__init__(_l("Wrong user name or password."))


class AccountDeactivated(DomainError):
    status = 403

    def __init__(self):
        super().__init__(_l("This account has been deactivated. Ask the staff who manage your account."))


def verify_credentials(session: Session, username: str, password: str) -> User:
    """The user with these credentials; refuses unknown users and wrong passwords alike, and
    deactivated accounts (only once the password has proven who is asking). Only reads: call it
    on a read session, so the slow password check never holds the database's write lock."""
    user = find_user(session, username) or _helper_by_contact(session, username)
    if not verify_password(user.password_hash if user else None, password):
        raise LoginFailed()
    if not user.is_active:
        raise AccountDeactivated()
    return user


def _helper_by_contact(session: Session, identifier: str) -> User | None:
    """Volunteers, donors and organization members may also sign in with their mobile or e-mail."""
    return find_helper_by_contact(session, identifier)


def throttle_key(session: Session, identifier: str) -> str:
    """What failed sign-ins are counted against: the account's user name when ``identifier``
    names an account (by user name, mobile or e-mail), else the identifier itself."""
    user = find_user(session, identifier) or _helper_by_contact(session, identifier)
    return user.username if user else normalise_username(identifier)


def record_login(session: Session, user: User, password: str) -> None:
    """Note a successful sign-in (and upgrade the stored hash if the parameters have risen)."""
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    record(session, user, "login", "user", user.id, region_code=user.region_code)


def authenticate(session: Session, username: str, password: str) -> User:
    """``verify_credentials`` then ``record_login`` on one session (command line, tests)."""
    user = verify_credentials(session, username, password)
    record_login(session, user, password)
    return user


def check_account_values(session: Session, username: str, role: Role | str,
                         region_code: str | None) -> tuple[str, Role, str | None]:
    """The user name, role and region of an account, normalised; refuses a malformed user name,
    a staff role without an existing region of its level, and a region for anyone else."""
    username = normalise_username(username)
    role = Role(role)
    region_code = (region_code or "").strip() or None
    if not USERNAME_RE.match(username):
        raise DomainError(
            _l("User name: 3 to 64 lower-case letters, digits, dots, dashes or underscores."), field="username"
        )
    if role in STAFF_ROLES:
        region = session.get(Region, region_code) if region_code else None
        if region is None:
            raise DomainError(_l("Region %(code)s does not exist.", code=region_code or ""), field="region_code")
        if region.level not in STAFF_ROLE_LEVELS[role]:
            raise DomainError(_l("This role does not work at this region's level."), field="region_code")
    elif region_code:
        raise DomainError(_l("Only staff accounts belong to a region."), field="region_code")
    return username, role, region_code


def gives_temporary_password(actor: User) -> bool:
    """Staff creating accounts below them are the holder's supervisors: they hand over a temporary
    password. An administrator never chooses or sees one (DESIGN.md §2)."""
    return actor.role != Role.admin


def create_account(
    session: Session,
    actor: User,
    *,
    username: str,
    display_name: str,
    role: Role,
    region_code: str | None,
    password: str | None = None,
    email: str | None = None,
    in_post_since: date | None = None,
    hours: int = 2,
) -> User:
    """Create an account that ``actor`` is allowed to grant (see ``access.may_grant``).

    Staff creating an account below them (they are its holder's supervisors) give a temporary
    ``password`` that the holder must change at first sign-in. An administrator gives none (any
    ``password`` is ignored): the account is created without a usable password and its first one
    goes through ``resets.start_reset``, confirmed by someone other than the administrator, so the
    administrator never holds a working credential of it (DESIGN.md §2). ``hours``: how long a
    one-time link or code stays valid.

    Refuses a role or region above the actor's own or outside their subtree, a region that does
    not exist or whose level does not fit the role, a taken user name and a weak password, and an
    administrator's account nobody but its creator could confirm the first password of.

    A child director's or supervisor's account keeps the day its holder took up the post
    (``in_post_since``, today unless given; never in the future): training is due from it.
    """
    username, role, region_code = check_account_values(session, username, role, region_code)
    if role in (Role.child_director, Role.child_supervisor):
        in_post_since = in_post_since or date.today()
        if in_post_since > date.today():
            raise DomainError(_l("The day the post was taken up cannot be in the future."), field="in_post_since")
    else:
        in_post_since = None
    if not access.may_grant(actor, role, region_code):
        raise NotAllowed(_l("You may only create accounts below your own level, inside your own region."))
    if find_user(session, username) is not None:
        raise Conflict(_l("User name %(name)s is taken.", name=username), field="username")
    temporary = gives_temporary_password(actor)
    if temporary:
        check_new_password(password or "", username)
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=(email or "").strip() or None,
        password_hash=hash_password(password) if temporary else unusable_password_hash(),
        role=role,
        region_code=region_code,
        created_by_id=actor.id,
        must_change_password=temporary,
        in_post_since=in_post_since,
    )
    session.add(user)
    try:
        with session.begin_nested():  # a savepoint: a lost race leaves the transaction usable
            session.flush()
    except IntegrityError:
        raise Conflict(_l("User name %(name)s is taken.", name=username), field="username") from None
    record(session, actor, "user.create", "user", user.id, region_code=region_code,
           detail={"role": role.value, "temporary_password": temporary})
    if not temporary:

        resets.start_reset(session, actor, user, hours=hours)
    return user


def change_password(session: Session, user: User, current: str, new: str, confirm: str) -> None:
    """Change one's own password: the current one must be right, the new one acceptable."""
    if not verify_password(user.password_hash, current):
        raise DomainError(_l("The current password is wrong."), field="current")
    if new == current:
        raise DomainError(_l("The new password must differ from the current one."), field="password")
    check_new_password(new, user.username, confirm)
    store_password(user, new, must_change=False)
    # Every session ends, this one too: a copy of this very cookie must not outlive the change.
    # The route signs the user in again on a fresh session.
    sessions.end_all(session, user.id, "password_change")
    record(session, user, "user.password_change", "user", user.id, region_code=user.region_code)


def set_active(session: Session, actor: User, target: User, active: bool) -> None:
    """Deactivate or reactivate ``target``; nobody deactivates themselves."""
    access.require(actor, "accounts.manage", target)
    if target.id == actor.id:
        raise DomainError(_l("You cannot deactivate your own account."))
    if target.is_active == active:
        return
    target.is_active = active
    if not active:
        sessions.end_all(session, target.id, "deactivated")
    action = "user.activate" if active else "user.deactivate"
    record(session, actor, action, "user", target.id, region_code=target.region_code)


def set_head(session: Session, actor: User, target: User, is_head: bool) -> None:
    """Name ``target`` the head (局长/分管领导) of the civil-affairs bureau of their own region, or
    stop them being it: large disbursement batches of programmes that region owns wait for its
    head. Decided by whoever manages the account (the level above, or an administrator), never by
    the holder or a peer. Refuses a holder who is not civil-affairs staff, and naming a
    deactivated account."""
    access.require(actor, "accounts.manage", target)
    if target.id == actor.id:
        raise NotAllowed(_l("You cannot name yourself head: the level above does."))
    if is_head and target.role != Role.civil_affairs:
        raise DomainError(_l("Only civil-affairs staff can be the head of a civil-affairs bureau."))
    if is_head and not target.is_active:
        raise DomainError(_l("This account is deactivated: reactivate it before naming it head."))
    if target.is_head == is_head:
        return
    target.is_head = is_head
    record(session, actor, "user.head_set" if is_head else "user.head_unset", "user", target.id,
           region_code=target.region_code)


def set_locale(session: Session, user: User, locale: str) -> None:
    if locale not in LOCALES:
        raise DomainError(_l("Unknown language."))
    user.locale = locale


def manageable_accounts(
    session: Session, actor: User, *, query: str = "", page: int = 1, per_page: int = 50
) -> tuple[list[User], int]:
    """Accounts ``actor`` manages (strictly below them in their subtree; all for admins), by name."""
    stmt = select(User)
    if actor.role != Role.admin:
        low, high = subtree_bounds(actor.region_code, level_of_code(actor.region_code))
        stmt = stmt.where(User.region_code.between(low, high), User.region_code != actor.region_code)
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(or_(User.username.like(like), func.lower(User.display_name).like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(User.username).offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


# --- password reset by mail ----------------------------------------------------------------------


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="password-reset")


def reset_token(user: User, secret_key: str) -> str:
    # Bound to the current hash: the link stops working once it has been used.
    return _serializer(secret_key).dumps({"id": user.id, "h": user.password_hash[-16:]})


def user_for_reset_token(session: Session, token: str, secret_key: str, max_age_seconds: int) -> User:
    invalid = DomainError(_l("This reset link is invalid or has expired. Ask for a new one."))
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age_seconds)
    except (SignatureExpired, BadSignature):
        raise invalid from None
    user = session.get(User, data.get("id"))
    if user is None or not user.is_active or user.password_hash[-16:] != data.get("h"):
        raise invalid
    return user


def reset_with_token(session: Session, user: User, new: str, confirm: str) -> None:
    check_new_password(new, user.username, confirm)
    store_password(user, new, must_change=False)
    sessions.end_all(session, user.id, "password_reset")
    record(session, user, "user.password_reset_by_mail", "user", user.id, region_code=user.region_code)


def users_for_reset_request(session: Session, identifier: str) -> list[User]:
    """The active users with this user name or e-mail address whose address they have confirmed
    themselves (several accounts may share one address: each gets its own link). An address only
    typed in by whoever created the account gets nothing: its creator may read that mailbox."""
    ident = (identifier or "").strip().lower()
    if not ident:
        return []
    stmt = select(User).where(
        or_(User.username == ident, func.lower(User.email) == ident), User.is_active, User.email.is_not(None)
    )
    found = session.scalars(stmt.order_by(User.id))
    return [user for user in found if confirmed_contact(session, user) == ("email", user.email)]


# --- confirming one's own e-mail address ---------------------------------------------------------


def _email_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="email-confirm")


def email_confirmation_token(user: User, secret_key: str) -> str:
    """A link's token that proves ``user``'s address, bound to the account and the address."""
    if not user.email:
        raise DomainError(_l("Your account has no e-mail address."))
    return _email_serializer(secret_key).dumps({"id": user.id, "e": user.email.lower()})


def confirm_email(session: Session, user: User, token: str, secret_key: str, max_age_seconds: int) -> None:
    """``user``, signed in with their own password, opens the link sent to their address: the
    address is theirs. Refuses a link of another account (an administrator who reads the mailbox
    cannot confirm it for the holder), of another address, tampered or expired."""
    invalid = DomainError(_l("This confirmation link is invalid, expired or for another account."))
    try:
        data = _email_serializer(secret_key).loads(token, max_age=max_age_seconds)
    except (SignatureExpired, BadSignature):
        raise invalid from None
    if data.get("id") != user.id or not user.email or data.get("e") != user.email.lower():
        raise invalid
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        record(session, user, "user.email_confirmed", "user", user.id, region_code=user.region_code)
