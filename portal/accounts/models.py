"""Accounts: one per person, with a role and (for staff) the region they work in; their sessions
and the password resets others start for them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Column, Field, SQLModel

from portal.accounts.passwords import has_usable_password
from portal.accounts.roles import HELPER_ROLES, STAFF_ROLES, Role
from portal.types import UTCDateTime, enum_column, utcnow


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254)
    # Set once the holder has shown they read this mailbox (a reset link from it used): only a
    # confirmed address receives a reset that someone else started.
    email_confirmed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_type=enum_column(Role), index=True)
    region_code: str | None = Field(default=None, foreign_key="region.code", index=True, max_length=12)
    locale: str = Field(default="zh", max_length=8)
    is_active: bool = Field(default=True)
    # The head (局长/分管领导) of the civil-affairs bureau of the user's own region: above the
    # configured total, a batch of a programme this region owns waits for them. Civil-affairs
    # staff only; set by whoever manages the account (``rules.set_head``).
    is_head: bool = Field(default=False)
    must_change_password: bool = Field(default=False)
    # The day a child director or supervisor took up the post (上岗): 60 days later an untrained
    # director is reported to the supervisor (``portal.training``). Unknown for older accounts,
    # where the day the account was made stands in for it.
    in_post_since: date | None = Field(default=None)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    password_changed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_login_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))

    # Flask-Login
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        # The cookie carries only the random token of this sign-in's server-side session record
        # (``UserSession``); the token is set on the loaded user by ``auth.sign_in``/``load_user``.
        return getattr(self, "_session_token", None)

    @property
    def has_password(self) -> bool:
        """False for an account an administrator created until its holder sets the first password."""
        return has_usable_password(self.password_hash)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_helper(self) -> bool:
        return self.role in HELPER_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin


class UserSession(SQLModel, table=True):
    """One sign-in. The cookie holds a random token; only its hash is stored, so a copy of this
    table opens no session. A session ends (``ended_at``, ``end_reason``) on logout, password change
    or reset, deactivation, "sign out everywhere" and, for staff, idleness; an ended one never
    comes back."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=255)
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    end_reason: str = Field(default="", max_length=32)


class ResetRoute(StrEnum):
    """How the one-time credential of a reset reaches the account's holder."""

    email = "email"  # a link to the account's confirmed e-mail address
    sms = "sms"  # a link to the helper's confirmed mobile
    supervisor = "supervisor"  # the supervisor above confirms and hands a code over in person
    second_admin = "second_admin"  # another administrator confirms and hands the code over


class PasswordReset(SQLModel, table=True):
    """A password reset someone (an administrator, or staff managing the account) started for
    another account. Whoever starts it never sees the credential: it goes to the holder's own
    confirmed contact, or is issued to a confirming supervisor (or second administrator) who hands
    it over. It only sets a new password. Reads in the day after (``flag_until``) are flagged."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    initiated_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    route: ResetRoute = Field(sa_type=enum_column(ResetRoute))
    # Who may confirm a ``supervisor`` reset: staff working in exactly this region.
    confirm_region_code: str | None = Field(default=None, max_length=12)
    confirmed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    code_hash: str | None = Field(default=None, max_length=64, unique=True)
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    flag_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
