"""Donations (DESIGN.md §4): money given into a fund or towards a money need, its receipt and refunds.

A donation is recorded ``pending`` (an offline gift above ``OFFLINE_CONFIRM_FEN`` waits in
``awaiting_confirmation`` for a second staff member) and becomes ``paid`` only through
``rules.settle``, which posts its one ledger transaction, adds the need's part to the need and gives
it the next receipt number of the year, all in one database transaction. Online gifts (Stripe) use
the same table: their Stripe ids are nullable and unique where Stripe's are. Amounts are whole fen.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Column, Field, SQLModel

from portal.types import UTCDateTime, enum_column, utcnow


def _created() -> Column:
    return Column(UTCDateTime(), nullable=False)


def _when() -> Column:
    return Column(UTCDateTime(), nullable=True)


def _fen(default_zero: bool = True) -> Column:
    return Column(BigInteger, nullable=False, default=0) if default_zero else Column(BigInteger, nullable=False)


class Channel(StrEnum):
    online = "online"  # Stripe Checkout: card, Alipay, WeChat Pay
    bank = "bank"  # a bank transfer recorded by staff
    cash = "cash"  # cash handed to staff


class DonationStatus(StrEnum):
    pending = "pending"  # recorded or checkout started, not yet paid
    awaiting_confirmation = "awaiting_confirmation"  # an offline gift waiting for a second staff member
    paid = "paid"
    failed = "failed"
    refunded = "refunded"
    partially_refunded = "partially_refunded"
    disputed = "disputed"


# A donation in one of these has been settled: it has exactly one gift posting and a receipt.
SETTLED_STATUSES = frozenset({DonationStatus.paid, DonationStatus.refunded, DonationStatus.partially_refunded,
                              DonationStatus.disputed})


class Donation(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="ck_donation_amount"),
        CheckConstraint("refunded_fen >= 0 AND refunded_fen <= amount_fen", name="ck_donation_refunded"),
        CheckConstraint("need_fen >= 0 AND general_fen >= 0", name="ck_donation_split"),
        CheckConstraint("currency = 'CNY'", name="ck_donation_currency"),
        Index("ix_donation_region_status", "region_code", "status", "created_at"),
        Index("ix_donation_donor", "donor_id", "created_at"),
        Index("ix_donation_need", "need_id", "status"),
        Index("ix_donation_fund", "fund_id", "status"),
        # The public pages' newest gifts of a fund or a need (migration 0015).
        Index("ix_donation_fund_paid", "fund_id", "paid_at", "id"),
        Index("ix_donation_need_paid", "need_id", "paid_at", "id"),
        # The general fund's page: the newest need gifts that gave above their target (migration 0017).
        Index("ix_donation_excess_paid", "paid_at", "id", sqlite_where=text("general_fen > 0"),
              postgresql_where=text("general_fen > 0")),
    )

    id: int | None = Field(default=None, primary_key=True)
    # What it is for: a fund (general, a programme) or a money need (its fund in the ledger).
    fund_id: int = Field(foreign_key="ledger_fund.id")
    need_id: int | None = Field(default=None, foreign_key="need.id")
    # Whose staff look after it: the need's county, or the region of the staff who recorded it.
    region_code: str | None = Field(default=None, max_length=12)
    donor_id: int | None = Field(default=None, foreign_key="user_account.id")
    guest_name: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=200)
    anonymous: bool = Field(default=False)
    message: str = Field(default="", max_length=500)
    amount_fen: int = Field(sa_column=_fen(False))
    currency: str = Field(default="CNY", max_length=3)
    channel: Channel = Field(sa_type=enum_column(Channel, length=8))
    status: DonationStatus = Field(default=DonationStatus.pending, sa_type=enum_column(DonationStatus, length=24))
    # Set when it is settled: what went to the need and what exceeded its target (general fund).
    need_fen: int = Field(default=0, sa_column=_fen())
    general_fen: int = Field(default=0, sa_column=_fen())
    refunded_fen: int = Field(default=0, sa_column=_fen())
    # Offline gifts.
    payer: str = Field(default="", max_length=100)
    paid_on: date | None = None
    reference: str = Field(default="", max_length=100)  # bank transaction number, cash receipt book number
    receipt_scan_path: str | None = Field(default=None, max_length=200)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    confirmed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # Online gifts (next step): Stripe's ids, unique where Stripe's are (a subscription pays many).
    stripe_checkout_session_id: str | None = Field(default=None, max_length=255, unique=True)
    stripe_payment_intent_id: str | None = Field(default=None, max_length=255, unique=True)
    stripe_charge_id: str | None = Field(default=None, max_length=255, unique=True)
    stripe_subscription_id: str | None = Field(default=None, max_length=255, index=True)
    stripe_invoice_id: str | None = Field(default=None, max_length=255, unique=True)
    # A monthly gift's subscription, once the donor (or staff) cancelled it: no month is charged after.
    monthly_cancelled_at: datetime | None = Field(default=None, sa_column=_when())
    ledger_transaction_id: int | None = Field(default=None, foreign_key="ledger_transaction.id", unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    paid_at: datetime | None = Field(default=None, sa_column=_when())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())

    @property
    def kept_fen(self) -> int:
        return self.amount_fen - self.refunded_fen


def giver_key(donor_id: int | None, guest_name: str) -> str:
    """Who gave, as the public pages count givers: a signed-in donor by account, a guest by name
    (guests who gave no name count as one)."""
    return f"user:{donor_id}" if donor_id is not None else f"guest:{guest_name or ''}"


class DonationGiver(SQLModel, table=True):
    """Each giver of a fund once, written when their first gift to it is settled: a fund's or a
    need's public page counts its givers from here instead of over every gift (migration
    ``0016_fund_totals``). A settled gift stays settled (a refund marks it), so a giver once counted
    stays counted; ``ledger-check`` compares this with the gifts."""

    __tablename__ = "donation_giver"
    __table_args__ = (UniqueConstraint("fund_id", "giver", name="uq_donation_giver"),)

    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="ledger_fund.id")
    giver: str = Field(max_length=120)


class DonationFundGivers(SQLModel, table=True):
    """How many givers a fund has (its ``donation_giver`` rows), one row per fund moved with each
    new giver: the general fund has a hundred thousand, and counting them took longer than the
    whole page may."""

    __tablename__ = "donation_fund_givers"
    __table_args__ = (CheckConstraint("givers >= 0", name="ck_donation_fund_givers"),)

    fund_id: int = Field(foreign_key="ledger_fund.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    givers: int = Field(default=0)


class ReceiptCounter(SQLModel, table=True):
    """The last receipt number given in one year: taken with one UPDATE … RETURNING in the posting
    transaction, so numbers have no gaps (a rolled-back posting gives its number back)."""

    __tablename__ = "receipt_counter"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_number: int = Field(default=0)


class Receipt(SQLModel, table=True):
    """The receipt of one paid donation. A refund marks it; its number is never given again."""

    __table_args__ = (UniqueConstraint("year", "number", name="uq_receipt_year_number"),)

    id: int | None = Field(default=None, primary_key=True)
    donation_id: int = Field(foreign_key="donation.id", unique=True)
    year: int
    number: int
    issued_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    refunded_fen: int = Field(default=0, sa_column=_fen())
    refunded_at: datetime | None = Field(default=None, sa_column=_when())

    @property
    def code(self) -> str:
        return f"{self.year}-{self.number:06d}"


class RefundStatus(StrEnum):
    awaiting_confirmation = "awaiting_confirmation"  # above REFUND_CONFIRM_FEN: a second staff member
    done = "done"
    cancelled = "cancelled"


class DonationRefund(SQLModel, table=True):
    __tablename__ = "donation_refund"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="ck_donation_refund_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    donation_id: int = Field(foreign_key="donation.id", index=True)
    amount_fen: int = Field(sa_column=_fen(False))
    reason: str = Field(max_length=500)
    status: RefundStatus = Field(default=RefundStatus.awaiting_confirmation,
                                 sa_type=enum_column(RefundStatus, length=24))
    requested_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    confirmed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    ledger_transaction_id: int | None = Field(default=None, foreign_key="ledger_transaction.id", unique=True)
    stripe_refund_id: str | None = Field(default=None, max_length=255, unique=True)
    # Set when the row books a lost dispute, not a refund: Stripe's ``amount_refunded`` of a charge
    # counts its refunds only, so what disputes took back is kept apart from it (``refunds``).
    stripe_dispute_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    done_at: datetime | None = Field(default=None, sa_column=_when())


class StripeEvent(SQLModel, table=True):
    """Each Stripe event id once (unique): the row is written in the same transaction that applies
    the event, so an event sent again finds it and changes nothing."""

    __tablename__ = "stripe_event"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=255, unique=True)
    type: str = Field(max_length=100)
    outcome: str = Field(default="", max_length=40)  # applied, ignored, anomaly, unknown_gift
    donation_id: int | None = Field(default=None, foreign_key="donation.id", index=True)
    received_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class DonationAnomaly(SQLModel, table=True):
    """Something Stripe reported that does not match our books (another amount or currency, a
    dispute, a gift we do not know): recorded for staff, the ledger unchanged."""

    __tablename__ = "donation_anomaly"

    id: int | None = Field(default=None, primary_key=True)
    donation_id: int | None = Field(default=None, foreign_key="donation.id", index=True)
    region_code: str | None = Field(default=None, max_length=12)
    event_id: str = Field(default="", max_length=255)
    kind: str = Field(max_length=40)  # amount_mismatch, currency_mismatch, dispute, unknown_gift, …
    detail: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    resolved_at: datetime | None = Field(default=None, sa_column=_when())
