"""Helpers: volunteers, donors and social organizations, their profiles, certificates and hours.

A helper's own phone and identity number are encrypted at rest like a child's. A phone number
or e-mail address belongs to an account only once its owner has confirmed it with a code: only
then are its keyed hash (``phone_hash``) or lower-cased form (``email_key``) set, and those are
unique. So nobody can take someone else's number by typing it at sign-up, and sign-in by phone or
e-mail finds confirmed contacts only.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import JSON, Column, Field, SQLModel

from portal.categories import Skill
from portal.types import EncryptedText, UTCDateTime, enum_column, utcnow


def _created() -> Column:
    return Column(UTCDateTime(), nullable=False)


def _when() -> Column:
    return Column(UTCDateTime(), nullable=True)


class HelperProfile(SQLModel, table=True):
    """What a volunteer, donor or organization member tells the portal about themselves."""

    __tablename__ = "helper_profile"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    phone: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    phone_hash: str | None = Field(default=None, max_length=64, unique=True)
    email_key: str | None = Field(default=None, max_length=254, unique=True)
    id_number: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    id_number_hash: str | None = Field(default=None, max_length=64, unique=True)
    phone_verified_at: datetime | None = Field(default=None, sa_column=_when())
    email_verified_at: datetime | None = Field(default=None, sa_column=_when())
    categories: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    weekdays: bool = Field(default=False)
    weekends: bool = Field(default=True)
    hours_per_month: int = Field(default=0)
    capacity: int = Field(default=1)  # open tasks at once
    languages: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    bio: str = Field(default="", max_length=500)
    anonymous: bool = Field(default=False)  # donors: give without their name shown
    deactivated_reason: str = Field(default="", max_length=500)
    deactivated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    deactivated_at: datetime | None = Field(default=None, sa_column=_when())


class HelperArea(SQLModel, table=True):
    """A region a volunteer serves (or, for a donor, a region they prefer to give to)."""

    __tablename__ = "helper_area"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    region_code: str = Field(foreign_key="region.code", primary_key=True, max_length=12, index=True)


class HelperSkill(SQLModel, table=True):
    __tablename__ = "helper_skill"
    __table_args__ = (UniqueConstraint("user_id", "skill"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    skill: Skill = Field(sa_type=enum_column(Skill))
    subjects: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class ReviewStatus(StrEnum):
    pending = "pending"
    verified = "verified"
    rejected = "rejected"


class CertificateKind(StrEnum):
    skill = "skill"  # a qualification backing a skill
    no_criminal_record = "no_criminal_record"  # 无犯罪记录证明: vetting for close contact with children


class Certificate(SQLModel, table=True):
    """A qualification a volunteer uploads; a skill it backs counts as verified once staff agree.

    A no-criminal-record certificate (``kind``) backs no skill: county staff compare it with the
    volunteer's real name and identity number, and once approved it lets the volunteer take
    needs that put an adult alone with a child until ``issued_on`` is a year old
    (``portal.helpers.vetting``). ``holder_hash`` is the keyed hash of the name and identity number
    it was checked against: a later change of either leaves the volunteer unvetted."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    kind: CertificateKind = Field(default=CertificateKind.skill, sa_type=enum_column(CertificateKind),
                                  sa_column_kwargs={"server_default": "skill"})
    skill: Skill | None = Field(default=None, sa_type=enum_column(Skill), nullable=True)
    issued_on: date | None = None
    holder_hash: str | None = Field(default=None, max_length=64)
    title: str = Field(max_length=100)
    file_path: str = Field(max_length=200)
    status: ReviewStatus = Field(default=ReviewStatus.pending, sa_type=enum_column(ReviewStatus), index=True)
    reason: str = Field(default="", max_length=500)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = Field(default=None, sa_column=_when())


class OrgStatus(StrEnum):
    applied = "applied"
    more_info = "more_info"  # staff asked for more; the organization edits and resubmits
    approved = "approved"
    rejected = "rejected"
    suspended = "suspended"


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    credit_code: str = Field(max_length=18, unique=True)  # 统一社会信用代码
    legal_representative: str = Field(max_length=50)
    contact_name: str = Field(max_length=50)
    contact_phone: str = Field(sa_column=Column(EncryptedText, nullable=False))
    contact_email: str = Field(default="", max_length=254)
    description: str = Field(default="", max_length=1000)
    categories: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    skills: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    also_donor: bool = Field(default=False)
    status: OrgStatus = Field(default=OrgStatus.applied, sa_type=enum_column(OrgStatus), index=True)
    status_reason: str = Field(default="", max_length=500)
    status_changed_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class OrganizationArea(SQLModel, table=True):
    __tablename__ = "organization_area"

    organization_id: int = Field(foreign_key="organization.id", primary_key=True)
    region_code: str = Field(foreign_key="region.code", primary_key=True, max_length=12, index=True)


class OrganizationMember(SQLModel, table=True):
    __tablename__ = "organization_member"

    organization_id: int = Field(foreign_key="organization.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)
    is_admin: bool = Field(default=False)
    joined_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    # The organization answers for this member being alone with a child (its own checks); set by
    # one of its administrators, cleared by them. See ``portal.helpers.vetting``.
    vouched_at: datetime | None = Field(default=None, sa_column=_when())
    vouched_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class OrganizationInvite(SQLModel, table=True):
    """An invitation link: only the keyed hash of its token is stored."""

    __tablename__ = "organization_invite"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    email: str = Field(default="", max_length=254)
    invited_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    expires_at: datetime = Field(sa_column=_created())
    accepted_at: datetime | None = Field(default=None, sa_column=_when())
    accepted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    revoked_at: datetime | None = Field(default=None, sa_column=_when())


class VettingEvent(SQLModel, table=True):
    """One step of an organization's vetting: applied, approved, asked for more, … with a reason."""

    __tablename__ = "vetting_event"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    actor_id: int = Field(foreign_key="user_account.id")
    action: str = Field(max_length=20)
    reason: str = Field(default="", max_length=500)
    at: datetime = Field(default_factory=utcnow, sa_column=_created())


class ContactVerification(SQLModel, table=True):
    """A one-time code sent to a new helper's phone or e-mail; only its keyed hash is stored."""

    __tablename__ = "contact_verification"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    channel: str = Field(max_length=8)  # "email" | "sms"
    target_hash: str = Field(max_length=64)  # which number or address the code proves
    code_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    expires_at: datetime = Field(sa_column=_created())
    attempts: int = Field(default=0)
    used_at: datetime | None = Field(default=None, sa_column=_when())


class HoursStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class VolunteerHours(SQLModel, table=True):
    """Hours a volunteer served on one delivery, approved by the child director or supervisor who
    verifies that delivery. ``delivery_id`` is linked by the needs area."""

    __tablename__ = "volunteer_hours"
    __table_args__ = (
        Index("ix_volunteer_hours_user_status_date", "user_id", "status", "service_date"),
        UniqueConstraint("delivery_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    delivery_id: int | None = Field(default=None, index=True)
    region_code: str = Field(foreign_key="region.code", max_length=12, index=True)  # where the service was given
    service_date: date
    minutes: int
    description: str = Field(default="", max_length=500)
    status: HoursStatus = Field(default=HoursStatus.pending, sa_type=enum_column(HoursStatus))
    reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = Field(default=None, sa_column=_when())


class HoursCertificate(SQLModel, table=True):
    """A service certificate as issued: what its short verification code (10 characters, typed from
    paper) stands for. The code is a keyed hash of the other columns, so a row changed afterwards
    no longer verifies either."""

    __tablename__ = "hours_certificate"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=10, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=100)
    start: date
    end: date
    minutes: int
    issuer: str = Field(default="", max_length=100)  # the issuing unit printed on it
    issued_on: date
