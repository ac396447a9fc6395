"""Needs: what a child lacks, from the child director's report to a verified delivery (DESIGN.md §3).

A need rises level by level (village → town → county) until someone in government solves it or
it is published, with a public summary that names nobody, for helpers to claim. Every change of
status is a ``NeedEvent``; the need's history is that list. The internal description may name the
child and is encrypted at rest; the public board shows only the summary, category, age band, town,
urgency, slots left, deadline and, for money, the amount raised of the target.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Index, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from portal.categories import NeedCategory
from portal.types import EncryptedText, UTCDateTime, enum_column, utcnow


def _created() -> Column:
    return Column(UTCDateTime(), nullable=False)


def _when() -> Column:
    return Column(UTCDateTime(), nullable=True)


class NeedKind(StrEnum):
    service = "service"
    goods = "goods"
    money = "money"  # a target amount in fen, funded by donations
    pairing = "pairing"  # long-term one-to-one or many-to-one pairing (结对帮扶), for a period
    activity = "activity"  # for many children: a lecture, a summer camp


class NeedStatus(StrEnum):
    reported = "reported"  # at the village
    at_town = "at_town"
    at_county = "at_county"
    published = "published"
    claimed = "claimed"  # every slot taken
    delivered = "delivered"
    verified = "verified"
    resolved = "resolved"  # solved inside government, with how
    rejected = "rejected"
    cancelled = "cancelled"
    expired = "expired"


# Needs that put an adult alone with a child (未成年人保护法): every pairing, and services of these
# categories (home tutoring, counselling, companionship, escorting, care visits). Goods, money and
# activities for many children are not. Taking one needs vetting (``portal.helpers.vetting``).
CLOSE_CONTACT_CATEGORIES = frozenset({NeedCategory.education, NeedCategory.psychological, NeedCategory.companionship,
                                      NeedCategory.safety, NeedCategory.medical})


def close_contact(kind: str, category: str) -> bool:
    """Whether a need of ``kind`` and ``category`` puts an adult alone with a child."""
    return kind == NeedKind.pairing or (kind == NeedKind.service and category in CLOSE_CONTACT_CATEGORIES)


OPEN_STATUSES = frozenset({NeedStatus.reported, NeedStatus.at_town, NeedStatus.at_county})
BOARD_STATUSES = frozenset({NeedStatus.published})
CLOSED_STATUSES = frozenset({NeedStatus.verified, NeedStatus.resolved, NeedStatus.rejected, NeedStatus.cancelled,
                             NeedStatus.expired})


class Need(SQLModel, table=True):
    __table_args__ = (
        # The public board: published needs, most urgent then newest first, filtered by place. The
        # place indexes end in the board's order, so a county or town with few needs is read from
        # its own entries already in order (SQLite otherwise walked every published need for it).
        Index("ix_need_board", "status", "urgency", "published_at"),
        Index("ix_need_status_county", "status", "county_code", "urgency", "published_at"),
        Index("ix_need_status_town", "status", "town_code", "urgency", "published_at"),
        Index("ix_need_queue", "status", "region_code", "level_since"),
        # The board's deadline filter counts its matches from this alone (not from every published need).
        Index("ix_need_status_deadline", "status", "deadline"),
        # The board's category filter, in the board's order; staff lists of a subtree, newest first.
        Index("ix_need_status_category", "status", "category", "urgency", "published_at"),
        Index("ix_need_region_created", "region_code", "created_at"),
        CheckConstraint("slots_taken >= 0 AND slots_taken <= slots", name="ck_need_slots"),
        CheckConstraint("urgency BETWEEN 1 AND 3", name="ck_need_urgency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int | None = Field(default=None, foreign_key="child.id", index=True)  # None for an activity
    region_code: str = Field(foreign_key="region.code", max_length=12)  # the child's village (or the activity's place)
    town_code: str = Field(max_length=12)
    county_code: str = Field(max_length=12)
    category: NeedCategory = Field(sa_type=enum_column(NeedCategory))
    kind: NeedKind = Field(sa_type=enum_column(NeedKind))
    urgency: int = Field(default=2)  # 1 low … 3 high
    description: str = Field(sa_column=Column(EncryptedText, nullable=False))  # internal: may name the child
    public_summary: str = Field(default="", max_length=1000)
    age_band: str = Field(default="", max_length=8)  # e.g. "6-11", set when published
    slots: int = Field(default=1)
    slots_taken: int = Field(default=0)
    # Money needs: integers in fen, never floats; BIGINT, as the ledger's legs.
    target_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    raised_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    pairing_months: int = Field(default=0)
    deadline: date | None = None
    status: NeedStatus = Field(default=NeedStatus.reported, sa_type=enum_column(NeedStatus))
    level_since: datetime = Field(default_factory=utcnow, sa_column=_created())  # entered its current status
    resolution: str = Field(default="", max_length=500)  # how it was solved, or why it closed
    reported_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    published_at: datetime | None = Field(default=None, sa_column=_when())
    claimed_at: datetime | None = Field(default=None, sa_column=_when())  # first claim
    closed_at: datetime | None = Field(default=None, sa_column=_when())

    @property
    def slots_left(self) -> int:
        return self.slots - self.slots_taken


class NeedChild(SQLModel, table=True):
    """The children taking part in an activity need."""

    __tablename__ = "need_child"

    need_id: int = Field(foreign_key="need.id", primary_key=True)
    child_id: int = Field(foreign_key="child.id", primary_key=True, index=True)


class NeedEvent(SQLModel, table=True):
    __tablename__ = "need_event"
    __table_args__ = (Index("ix_need_event_need", "need_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id")
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")  # None: the portal itself
    action: str = Field(max_length=24)
    from_status: str = Field(default="", max_length=12)
    to_status: str = Field(default="", max_length=12)
    note: str = Field(default="", max_length=1000)
    at: datetime = Field(default_factory=utcnow, sa_column=_created())


class NeedPolicy(SQLModel, table=True):
    """How long a need waits at each level of one county before it rises by itself."""

    __tablename__ = "need_policy"

    county_code: str = Field(foreign_key="region.code", primary_key=True, max_length=12)
    village_days: int = Field(default=3)
    town_days: int = Field(default=7)
    county_days: int = Field(default=7)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class ClaimStatus(StrEnum):
    active = "active"
    delivered = "delivered"  # reported, waiting for the director
    verified = "verified"
    withdrawn = "withdrawn"


class Claim(SQLModel, table=True):
    """One helper's (or organization's) slot on a need; a pairing is a claim with a period."""

    __table_args__ = (
        UniqueConstraint("need_id", "helper_id", name="uq_claim_need_helper"),
        Index("ix_claim_helper_status", "helper_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    helper_id: int = Field(foreign_key="user_account.id")
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    status: ClaimStatus = Field(default=ClaimStatus.active, sa_type=enum_column(ClaimStatus))
    claimed_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    period_end: date | None = None  # pairings
    closed_at: datetime | None = Field(default=None, sa_column=_when())
    reason: str = Field(default="", max_length=500)  # withdrawal reason, or a pairing's closing summary


class DeliveryStatus(StrEnum):
    reported = "reported"
    verified = "verified"
    disputed = "disputed"


class Delivery(SQLModel, table=True):
    """What a claimer reports having delivered; the child director verifies or disputes it."""

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    report: str = Field(max_length=2000)
    status: DeliveryStatus = Field(default=DeliveryStatus.reported, sa_type=enum_column(DeliveryStatus))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = Field(default=None, sa_column=_when())
    reason: str = Field(default="", max_length=500)


class DeliveryPhoto(SQLModel, table=True):
    __tablename__ = "delivery_photo"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id", index=True)
    path: str = Field(max_length=200)
    receipt: bool = Field(default=False)


class PairingReport(SQLModel, table=True):
    __tablename__ = "pairing_report"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    text: str = Field(max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class ClaimMessage(SQLModel, table=True):
    """The contact channel between a claimer and the child director: no identities, just words."""

    __tablename__ = "claim_message"
    __table_args__ = (Index("ix_claim_message_claim", "claim_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id")
    sender_id: int = Field(foreign_key="user_account.id")
    text: str = Field(max_length=1000)
    at: datetime = Field(default_factory=utcnow, sa_column=_created())


class BoardVersion(SQLModel, table=True):
    """One row: a counter that goes up after every committed change to a need, so that each
    process knows when its rendered copies of the public board are stale (``board_cache``)."""

    __tablename__ = "board_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
