"""Volunteer service hours: logging them, their approval by the child director or supervisor over
the place served, the totals a volunteer's service certificate (志愿服务证明) shows, and the
signed code that lets anyone check a printed certificate.

Only approved hours count, in every total. An entry is decided once: approved or rejected (with
a reason), never changed afterwards; a second decision on the same entry is refused even when two
staff press the button at the same moment (one conditional UPDATE decides).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from itsdangerous import BadData
from sqlalchemy import func, select, update
from sqlmodel import Session

from portal import access
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit.rules import record
from portal.crypto import signed_codes
from portal.errors import Conflict, DomainError, NotAllowed, NotFound
from portal.helpers.models import (
    HoursStatus,
    Organization,
    OrganizationArea,
    OrganizationMember,
    OrgStatus,
    VolunteerHours,
)
from portal.regions.models import Level, Region
from portal.regions.rules import level_of_code, subtree_bounds
from portal.types import utcnow

MAX_MINUTES = 24 * 60  # one entry is one day's service
EARLIEST = date(2000, 1, 1)
MAX_DESCRIPTION = 500
MAX_REASON = 500
# Hours are approved by the child director or supervisor over the place served: a village or a town.
SERVICE_LEVELS = (Level.village, Level.town)

STATUS_LABELS = {
    HoursStatus.pending: _l("Waiting for approval"),
    HoursStatus.approved: _l("Approved"),
    HoursStatus.rejected: _l("Rejected"),
}


def hours_text(minutes: int) -> str:
    """Minutes as hours with one decimal, rounded half up: 90 → "1.5", 5 → "0.1"."""
    return str((Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- logging and deciding ----------------------------------------------------------------------


def log_hours(
    session: Session,
    volunteer,
    *,
    region_code: str,
    service_date: date,
    minutes: int,
    description: str = "",
    delivery_id: int | None = None,
    organization_id: int | None = None,
    today: date | None = None,
) -> VolunteerHours:
    """Log ``minutes`` of service that ``volunteer`` gave in ``region_code`` on ``service_date``,
    waiting for approval. The needs area calls this when a volunteer reports a delivery.

    Refuses anyone but a volunteer, minutes outside 1…1440 (and more than 24 hours logged for one
    day in all), a date in the future or before 2000, a region that does not exist or is above a
    town (no one there could approve it), a delivery already logged, and an organization the
    volunteer is not a member of.
    """
    if not access.allowed(volunteer, "hours.log"):
        raise NotAllowed(_l("Only volunteers log service hours."))
    from portal.helpers.rules import require_acting

    require_acting(session, volunteer)  # a confirmed contact, an active account
    today = today or date.today()
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        raise DomainError(_l("Service time is between 1 minute and 24 hours for one day."), field="minutes")
    if not isinstance(service_date, date) or service_date > today:
        raise DomainError(_l("The service date cannot be in the future."), field="service_date")
    if service_date < EARLIEST:
        raise DomainError(_l("The service date cannot be before 2000."), field="service_date")
    region = session.get(Region, region_code) if region_code else None
    if region is None:
        raise DomainError(_l("Region %(code)s does not exist.", code=region_code or ""), field="region_code")
    if region.level not in SERVICE_LEVELS:
        raise DomainError(_l("Give the village or town where the service took place."), field="region_code")
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise DomainError(_l("The description is at most %(n)d characters.", n=MAX_DESCRIPTION), field="description")
    if organization_id is not None:
        if session.get(Organization, organization_id) is None:
            raise NotFound(_l("This organization does not exist."))
        if session.get(OrganizationMember, (organization_id, volunteer.id)) is None:
            raise NotAllowed(_l("You are not a member of this organization."))
        if session.get(Organization, organization_id).status != OrgStatus.approved:
            raise NotAllowed(_l("Your organization is not approved (or is suspended) and cannot act."))
    if delivery_id is not None and session.scalar(
        select(VolunteerHours.id).where(VolunteerHours.delivery_id == delivery_id,
                                        VolunteerHours.user_id == volunteer.id)
    ) is not None:
        raise Conflict(_l("Hours for this delivery are already logged."))
    same_day = session.scalar(
        select(func.coalesce(func.sum(VolunteerHours.minutes), 0)).where(
            VolunteerHours.user_id == volunteer.id, VolunteerHours.service_date == service_date,
            VolunteerHours.status != HoursStatus.rejected,
        )
    ) or 0
    if same_day + minutes > MAX_MINUTES:
        raise DomainError(_l("No more than 24 hours can be logged for one day."), field="minutes")
    entry = VolunteerHours(
        user_id=volunteer.id, organization_id=organization_id, delivery_id=delivery_id, region_code=region.code,
        service_date=service_date, minutes=minutes, description=description,
    )
    session.add(entry)
    session.flush()
    record(session, volunteer, "hours.log", "volunteer_hours", entry.id, region_code=region.code,
           detail={"service_date": service_date.isoformat(), "minutes": minutes, "delivery": delivery_id,
                   "organization": organization_id})
    return entry


def decide_hours(session: Session, actor, hours: VolunteerHours, approve: bool, reason: str = "") -> VolunteerHours:
    """Approve or reject a pending entry. The child director or supervisor over the place served
    decides (rule "hours.decide"); rejecting needs a reason. The needs area calls this when the
    director verifies a delivery."""
    access.require(actor, "hours.decide", hours)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise DomainError(_l("The reason is at most %(n)d characters.", n=MAX_REASON), field="reason")
    if not approve and not reason:
        raise DomainError(_l("Give a reason for rejecting these hours."), field="reason")
    if hours.status != HoursStatus.pending:
        raise Conflict(_l("These hours have already been decided."))
    status = HoursStatus.approved if approve else HoursStatus.rejected
    # One conditional UPDATE decides: of two decisions sent at the same moment, one wins.
    result = session.execute(
        update(VolunteerHours)
        .where(VolunteerHours.id == hours.id, VolunteerHours.status == HoursStatus.pending)
        .values(status=status, reason=reason, decided_by_id=actor.id, decided_at=utcnow())
    )
    session.refresh(hours)
    if result.rowcount != 1:
        raise Conflict(_l("These hours have already been decided."))
    record(session, actor, "hours.approve" if approve else "hours.reject", "volunteer_hours", hours.id,
           region_code=hours.region_code,
           detail={"volunteer": hours.user_id, "minutes": hours.minutes, "reason": reason})
    return hours


def load_hours(session: Session, hours_id: int) -> VolunteerHours:
    found = session.get(VolunteerHours, hours_id)
    if found is None:
        raise NotFound(_l("These hours do not exist."))
    return found


# --- lists and totals --------------------------------------------------------------------------


def _own(volunteer, start: date | None, end: date | None):
    conditions = [VolunteerHours.user_id == volunteer.id]
    if start is not None:
        conditions.append(VolunteerHours.service_date >= start)
    if end is not None:
        conditions.append(VolunteerHours.service_date <= end)
    return conditions


def hours_of(session: Session, volunteer, start: date | None = None, end: date | None = None) -> list[VolunteerHours]:
    """The volunteer's entries of every status served between ``start`` and ``end`` (inclusive),
    newest first."""
    stmt = select(VolunteerHours).where(*_own(volunteer, start, end))
    return list(session.scalars(stmt.order_by(VolunteerHours.service_date.desc(), VolunteerHours.id.desc())))


def approved_minutes(session: Session, volunteer, start: date | None = None, end: date | None = None) -> int:
    """Approved minutes served between ``start`` and ``end`` (inclusive)."""
    stmt = select(func.coalesce(func.sum(VolunteerHours.minutes), 0)).where(
        *_own(volunteer, start, end), VolunteerHours.status == HoursStatus.approved
    )
    return int(session.scalar(stmt) or 0)


@dataclass(frozen=True)
class MonthTotal:
    month: date  # the first day of the month
    minutes: int
    services: int


def monthly_totals(session: Session, volunteer, start: date | None = None, end: date | None = None) -> list[MonthTotal]:
    """Approved minutes and number of approved services per month, oldest month first."""
    stmt = (
        select(VolunteerHours.service_date, VolunteerHours.minutes)
        .where(*_own(volunteer, start, end), VolunteerHours.status == HoursStatus.approved)
        .order_by(VolunteerHours.service_date)
    )
    months: OrderedDict[date, list[int]] = OrderedDict()
    for served_on, minutes in session.execute(stmt):
        totals = months.setdefault(served_on.replace(day=1), [0, 0])
        totals[0] += minutes
        totals[1] += 1
    return [MonthTotal(month, minutes, services) for month, (minutes, services) in months.items()]


def pending_for(session: Session, actor, page: int, per_page: int) -> tuple[list[VolunteerHours], int]:
    """Pending entries served inside ``actor``'s region subtree, oldest logged first, and how many
    there are in all."""
    access.require(actor, "hours.decide")
    low, high = subtree_bounds(actor.region_code, level_of_code(actor.region_code))
    stmt = select(VolunteerHours).where(VolunteerHours.status == HoursStatus.pending,
                                        VolunteerHours.region_code.between(low, high))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(VolunteerHours.created_at, VolunteerHours.id).offset((page - 1) * per_page).limit(per_page)
    )
    return list(rows), total


def volunteer_names(session: Session, entries) -> dict[int, str]:
    """User id → display name for the volunteers of ``entries``, in one query."""
    ids = sorted({e.user_id for e in entries})
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


# --- the certificate's period and its verification code ----------------------------------------


def parse_period(start: str | None, end: str | None, today: date | None = None) -> tuple[date, date]:
    """The certificate period from two ISO dates (YYYY-MM-DD); missing ones default to this
    calendar year up to today. Refuses unreadable dates, an end after today, a start before 2000
    or after the end."""
    today = today or date.today()

    def read(text: str | None, default: date, field: str) -> date:
        text = (text or "").strip()
        if not text:
            return default
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise DomainError(_l("Enter a date as YYYY-MM-DD."), field=field) from None

    first, last = read(start, date(today.year, 1, 1), "start"), read(end, today, "end")
    if last > today:
        raise DomainError(_l("The period cannot end after today."), field="end")
    if first < EARLIEST:
        raise DomainError(_l("The period cannot start before 2000."), field="start")
    if first > last:
        raise DomainError(_l("The period must start on or before its last day."), field="start")
    return first, last


CERTIFICATE_SALT = "hours-certificate"


def _serializer(secret_key: str):
    return signed_codes(secret_key, CERTIFICATE_SALT)


def certificate_code(secret_key: str, user_id: int, name: str, start: date, end: date, minutes: int) -> str:
    """The long signed code printed on certificates issued before the short codes (still verified):
    its user and the name printed, period and approved minutes, signed (HMAC) with the application's
    secret key, so a changed figure no longer verifies (nor does a name changed afterwards)."""
    return _serializer(secret_key).dumps([user_id, name, start.isoformat(), end.isoformat(), minutes])


# The short code typed from paper: 10 characters of an alphabet without look-alikes (no 0/O, 1/I/L),
# printed in two groups of five. 31^10 ≈ 8·10^14 codes: not to be found by trying.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def short_code(secret_key: str, user_id: int, name: str, start: date, end: date, minutes: int,
               issuer: str = "") -> str:
    """The keyed hash of what a certificate states, as 10 characters of ``CODE_ALPHABET``."""
    message = json.dumps([user_id, name, start.isoformat(), end.isoformat(), minutes, issuer], ensure_ascii=False)
    number = int.from_bytes(hmac.new(secret_key.encode(), f"{CERTIFICATE_SALT}:{message}".encode(),
                                     hashlib.sha256).digest(), "big")
    out = []
    for _ in range(CODE_LENGTH):
        number, r = divmod(number, len(CODE_ALPHABET))
        out.append(CODE_ALPHABET[r])
    return "".join(out)


def grouped(code: str) -> str:
    """A short code as printed: ``ABCDE-FGHJK``."""
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code


def typed_code(text: str) -> str | None:
    """A short code as typed (any case, spaces or hyphens), or None when it cannot be one."""
    code = "".join(c for c in (text or "").upper() if c not in " -\t")
    return code if len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code) else None


@dataclass(frozen=True)
class ServiceCertificate:
    """What a certificate states; ``code`` proves it."""

    user_id: int
    name: str
    start: date
    end: date
    minutes: int
    code: str
    months: tuple[MonthTotal, ...] = ()
    issued_on: date | None = None
    issuer: str = ""  # the issuing unit: the civil-affairs bureau of the volunteer's county
    seal_path: str | None = None  # that county's seal image, when one is configured

    @property
    def hours(self) -> str:
        return hours_text(self.minutes)


@dataclass(frozen=True)
class Issuer:
    name: str
    seal_path: str | None = None


def issuer_of(session: Session, volunteer, seal_folder: str | None) -> Issuer:
    """The unit that issues ``volunteer``'s certificate: the civil-affairs bureau of the county of
    their first service area (an organization member's: their organization's). A county configures its unit's name (``<county code>.txt``) and its
    seal image (``<county code>.png``) in ``seal_folder``; without them the bureau is named after
    the county and no seal is printed."""
    from pathlib import Path

    from flask_babel import gettext

    from portal.helpers.models import HelperArea

    if volunteer.role == Role.org_member:
        area = session.scalar(select(OrganizationArea.region_code)
                              .join(OrganizationMember,
                                    OrganizationMember.organization_id == OrganizationArea.organization_id)
                              .where(OrganizationMember.user_id == volunteer.id)
                              .order_by(OrganizationArea.region_code).limit(1))
    else:
        area = session.scalar(select(HelperArea.region_code).where(HelperArea.user_id == volunteer.id)
                              .order_by(HelperArea.region_code).limit(1))
    county_code = area[:6] + "000000" if area and len(area) == 12 else None
    county = session.get(Region, county_code) if county_code else None
    if county is None:
        return Issuer("")
    folder = Path(seal_folder) if seal_folder else None
    name_file = folder / f"{county.code}.txt" if folder else None
    seal = folder / f"{county.code}.png" if folder else None
    name = name_file.read_text(encoding="utf-8").strip()[:100] if name_file and name_file.is_file() else ""
    return Issuer(name or gettext("%(county)s Civil Affairs Bureau", county=county.name)[:100],
                  str(seal) if seal and seal.is_file() else None)


def certificate_for(session: Session, volunteer, start: date, end: date, secret_key: str,
                    today: date | None = None, issuer: Issuer | None = None) -> ServiceCertificate:
    """The certificate of ``volunteer``'s (or organization member's) own approved hours between
    ``start`` and ``end``."""
    access.require(volunteer, "hours.mine")
    minutes = approved_minutes(session, volunteer, start, end)
    issuer = issuer or Issuer("")
    code = short_code(secret_key, volunteer.id, volunteer.display_name, start, end, minutes, issuer.name)
    return ServiceCertificate(
        user_id=volunteer.id, name=volunteer.display_name, start=start, end=end, minutes=minutes,
        code=grouped(code), months=tuple(monthly_totals(session, volunteer, start, end)),
        issued_on=today or date.today(), issuer=issuer.name, seal_path=issuer.seal_path,
    )


def record_issue(session: Session, certificate: ServiceCertificate) -> None:
    """Keep what a printed short code stands for (once: the same certificate gives the same code)."""
    from portal.helpers.models import HoursCertificate

    code = typed_code(certificate.code)
    if code is None or session.scalar(select(HoursCertificate.id).where(HoursCertificate.code == code)):
        return
    session.add(HoursCertificate(code=code, user_id=certificate.user_id, name=certificate.name,
                                 start=certificate.start, end=certificate.end, minutes=certificate.minutes,
                                 issuer=certificate.issuer, issued_on=certificate.issued_on or date.today()))


def verify_certificate(session: Session, code: str, secret_key: str) -> ServiceCertificate | None:
    """The certificate ``code`` was issued for (name, period, minutes), or None when the code is
    not one this portal issued. A short code is looked up and checked against its row; a long
    code (certificates printed before the short codes) is checked by its signature."""
    from portal.helpers.models import HoursCertificate

    short = typed_code(code)
    if short is not None:
        row = session.scalar(select(HoursCertificate).where(HoursCertificate.code == short))
        if row is None or not hmac.compare_digest(short, short_code(secret_key, row.user_id, row.name, row.start,
                                                                        row.end, row.minutes, row.issuer)):
            return None
        return ServiceCertificate(user_id=row.user_id, name=row.name, start=row.start, end=row.end,
                                  minutes=row.minutes, code=grouped(short), issued_on=row.issued_on, issuer=row.issuer)
    try:
        user_id, name, start, end, minutes = _serializer(secret_key).loads((code or "").strip())
        start, end = date.fromisoformat(start), date.fromisoformat(end)
        if not isinstance(user_id, int) or not isinstance(minutes, int) or not isinstance(name, str):
            return None
    except (BadData, TypeError, ValueError):
        return None
    user = session.get(User, user_id)
    if user is None:
        return None
    return ServiceCertificate(user_id=user.id, name=name, start=start, end=end, minutes=minutes,
                       code=code.strip())
