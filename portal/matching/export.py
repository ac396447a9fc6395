"""The portal's data in the recommender's exchange format (``matching.data``): four CSV files.

What leaves the portal here is what the public board and the helpers' own profiles show, nothing
about a child: a need is its public summary, category, urgency, target, places and **town** (never
the village, and the region tree stops at the towns, so no file names a child's village); the
internal description, the children and their files are never selected. Helpers are volunteers and
donors (``u<user id>``) and approved organizations (``o<organization id>``), placed in their first
service area (a village area counts as its town). Interactions are claims, withdrawals, verified
deliveries, disputes, the views and "not interested" recorded on the board and donors' settled gifts to money needs; invitations are staff actions and are not
exported. Every query selects plain columns and is read in batches (``yield_per``), so the province
demo set (200,000 needs) streams through without loading ORM objects.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.categories import CERTIFIED_SKILLS
from portal.donations.models import Donation, DonationStatus
from portal.helpers.models import (
    Certificate,
    HelperArea,
    HelperProfile,
    HelperSkill,
    Organization,
    OrganizationArea,
    OrganizationMember,
    OrgStatus,
    ReviewStatus,
)
from portal.matching.models import MatchEvent, MatchInteraction
from portal.needs.models import Claim, ClaimStatus, Delivery, DeliveryStatus, Need, NeedKind, NeedStatus
from portal.regions.models import Level, Region

BATCH = 5000

REGIONS, NEEDS, HELPERS, INTERACTIONS = "regions.csv", "needs.csv", "helpers.csv", "interactions.csv"


# --- helper ids of the exchange format -------------------------------------------------------------


def user_key(user_id: int) -> str:
    return f"u{user_id}"


def org_key(organization_id: int) -> str:
    return f"o{organization_id}"


def parse_key(key: str) -> tuple[str, int] | None:
    """("u", 12) for "u12", ("o", 3) for "o3"; None for anything else."""
    if len(key) < 2 or key[0] not in "uo" or not key[1:].isdigit():
        return None
    return key[0], int(key[1:])


def claimer_key(helper_id: int, organization_id: int | None) -> str:
    """The helper a claim belongs to: the organization it was made for, else the person."""
    return org_key(organization_id) if organization_id else user_key(helper_id)


def _town(code: str) -> str:
    """A village's town; any other region as it is."""
    return code[:9] + "000" if code[9:] != "000" else code


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


# --- export ----------------------------------------------------------------------------------------


@dataclass
class Exported:
    """How many rows went into each file."""

    counts: dict[str, int] = field(default_factory=dict)
    region_codes: set[str] = field(default_factory=set)
    need_ids: set[int] = field(default_factory=set)
    helper_keys: set[str] = field(default_factory=set)


def export(session: Session, directory, *, open_only: bool = False) -> Exported:
    """Write the four exchange files into ``directory``. ``open_only`` exports only the needs on the
    board now (and what happened to them): enough for the profile rules, which learn no history."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    done = Exported()
    done.counts[REGIONS] = _write(path, REGIONS, region_rows(session, done.region_codes))
    done.counts[NEEDS] = _write(path, NEEDS, need_rows(session, done.need_ids, done.region_codes, open_only=open_only))
    done.counts[HELPERS] = _write(path, HELPERS, helper_rows(session, done.helper_keys, done.region_codes))
    done.counts[INTERACTIONS] = _write(path, INTERACTIONS, interaction_rows(session, done.need_ids, done.helper_keys))
    return done


def _write(path: Path, name: str, rows: Iterable[tuple]) -> int:
    """One exchange file: its exact header, then the rows (as ``matching.data.write`` writes them)."""
    from matching.data import COLUMNS  # the library (numpy, scikit-learn) loads when first used

    count = 0
    with open(path / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS[name])
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _stream(session: Session, stmt) -> Iterator:
    return iter(session.execute(stmt.execution_options(yield_per=BATCH)))


def region_rows(session: Session, exported: set[str]) -> Iterator[tuple]:
    """The tree down to the towns: needs are placed in their town, and a village code would say
    where a child lives. Codes go into ``exported``: a need or helper placed outside it is left out."""
    stmt = select(Region.code, Region.parent_code, Region.level, Region.name).where(Region.level != Level.village)
    for code, parent, level, name in _stream(session, stmt.order_by(Region.code)):
        exported.add(code)
        yield code, parent or "", str(level), name


def need_rows(session: Session, exported: set[int], regions: set[str], *, open_only: bool = False) -> Iterator[tuple]:
    """Needs that were ever on the board, in their public form only; their ids go into ``exported``."""
    stmt = select(Need.id, Need.published_at, Need.category, Need.town_code, Need.urgency, Need.kind, Need.target_fen,
                  Need.slots, Need.public_summary)
    stmt = stmt.where(Need.status == NeedStatus.published) if open_only else stmt.where(Need.published_at.is_not(None))
    rows = _stream(session, stmt.order_by(Need.id))
    for need_id, published, category, town, urgency, kind, target, slots, summary in rows:
        if town not in regions:
            continue
        exported.add(need_id)
        yield (str(need_id), _time(published), str(category), town, urgency,
               target if kind == NeedKind.money else 0, slots, summary)


def fresh_need_rows(session: Session, need_ids: list[int]) -> list[tuple]:
    """needs.csv rows of the given needs on the board, in their public form only, for a fitted
    model to fold in without training again (``matching.TongxinModel.add_needs``)."""
    if not need_ids:
        return []
    stmt = select(Need.id, Need.published_at, Need.category, Need.town_code, Need.urgency, Need.kind, Need.target_fen,
                  Need.slots, Need.public_summary).where(Need.id.in_(need_ids), Need.status == NeedStatus.published)
    return [(str(need_id), _time(published), str(category), town, urgency,
             target if kind == NeedKind.money else 0, slots, summary)
            for need_id, published, category, town, urgency, kind, target, slots, summary in session.execute(stmt)]


def helper_rows(session: Session, exported: set[str], regions: set[str]) -> Iterator[tuple]:
    """Active volunteers and donors, and approved organizations, that have a service area."""
    for row in itertools.chain(_people(session), _organizations(session)):
        if row[2] in regions:
            exported.add(row[0])
            yield row


def _first_areas(session: Session, stmt) -> dict[int, str]:
    first: dict[int, str] = {}
    for owner, code in _stream(session, stmt):
        first.setdefault(owner, code)
    return first


def _people(session: Session) -> Iterator[tuple]:
    areas = _first_areas(session, select(HelperArea.user_id, HelperArea.region_code)
                         .order_by(HelperArea.user_id, HelperArea.region_code))
    skills: dict[int, list[str]] = {}
    for user_id, skill in _stream(session, select(HelperSkill.user_id, HelperSkill.skill)
                                  .order_by(HelperSkill.user_id, HelperSkill.skill)):
        skills.setdefault(user_id, []).append(str(skill))
    # A skill that needs a qualification counts only once staff verified a certificate for it.
    verified = {(user_id, str(skill)) for user_id, skill in session.execute(
        select(Certificate.user_id, Certificate.skill).where(Certificate.status == ReviewStatus.verified))}
    stmt = (select(User.id, User.role, HelperProfile.bio, HelperProfile.capacity)
            .join(HelperProfile, HelperProfile.user_id == User.id)
            .where(User.role.in_([Role.volunteer, Role.donor]), User.is_active, HelperProfile.deactivated_at.is_(None))
            .order_by(User.id))
    for user_id, role, bio, capacity in _stream(session, stmt):
        if user_id not in areas:
            continue  # placed nowhere: nothing to match on
        counting = [s for s in skills.get(user_id, []) if s not in CERTIFIED_SKILLS or (user_id, s) in verified]
        yield user_key(user_id), "donor" if role == Role.donor else "volunteer", _town(areas[user_id]), ";".join(counting), \
            bio or "", max(0, capacity)


def helper_profile_row(session: Session, user_id: int, organization_id: int | None) -> tuple[str, str, list[str], str]:
    """(kind, region, skills, text) of one helper as ``helper_rows`` exports it: a person, or the
    organization they act for."""
    if organization_id is not None:
        org = session.get(Organization, organization_id)
        first = session.scalar(select(OrganizationArea.region_code).where(
            OrganizationArea.organization_id == organization_id).order_by(OrganizationArea.region_code).limit(1))
        return "organization", _town(first) if first else "", list(org.skills or []), org.description or ""
    user = session.get(User, user_id)
    profile = session.get(HelperProfile, user_id)
    first = session.scalar(select(HelperArea.region_code).where(HelperArea.user_id == user_id)
                           .order_by(HelperArea.region_code).limit(1))
    verified = set(session.scalars(select(Certificate.skill).where(Certificate.user_id == user_id,
                                                                   Certificate.status == ReviewStatus.verified)))
    skills = [str(s) for s in session.scalars(select(HelperSkill.skill).where(HelperSkill.user_id == user_id)
                                              .order_by(HelperSkill.skill))
              if s not in CERTIFIED_SKILLS or s in verified]
    return ("donor" if user.role == Role.donor else "volunteer", _town(first) if first else "", skills,
            (profile.bio if profile else "") or "")


def _organizations(session: Session) -> Iterator[tuple]:
    areas = _first_areas(session, select(OrganizationArea.organization_id, OrganizationArea.region_code)
                         .order_by(OrganizationArea.organization_id, OrganizationArea.region_code))
    members = {org_id: n for org_id, n in session.execute(
        select(OrganizationMember.organization_id, func.count()).group_by(OrganizationMember.organization_id))}
    stmt = (select(Organization.id, Organization.skills, Organization.description)
            .where(Organization.status == OrgStatus.approved).order_by(Organization.id))
    for org_id, skills, description in _stream(session, stmt):
        if org_id not in areas:
            continue
        # An organization takes on as many needs at once as it has members (at least one).
        yield org_key(org_id), "organization", _town(areas[org_id]), ";".join(skills or []), description or "", \
            max(1, members.get(org_id, 0))


def interaction_rows(session: Session, needs: set[int], helpers: set[str]) -> Iterator[tuple]:
    """What helpers did with needs, for the exported needs and helpers only."""
    def kept(key: str, need_id: int) -> bool:
        return need_id in needs and key in helpers

    claims = select(Claim.helper_id, Claim.organization_id, Claim.need_id, Claim.status, Claim.claimed_at,
                    Claim.closed_at).order_by(Claim.id)
    for helper_id, org_id, need_id, status, claimed_at, closed_at in _stream(session, claims):
        key = claimer_key(helper_id, org_id)
        if not kept(key, need_id):
            continue
        yield key, str(need_id), "claim", _time(claimed_at), 0
        if status == ClaimStatus.withdrawn and closed_at is not None:
            yield key, str(need_id), "withdraw", _time(closed_at), 0

    deliveries = (select(Claim.helper_id, Claim.organization_id, Delivery.need_id, Delivery.status, Delivery.decided_at)
                  .join(Claim, Claim.id == Delivery.claim_id)
                  .where(Delivery.status.in_([DeliveryStatus.verified, DeliveryStatus.disputed]),
                         Delivery.decided_at.is_not(None))
                  .order_by(Delivery.id))
    for helper_id, org_id, need_id, status, decided_at in _stream(session, deliveries):
        key = claimer_key(helper_id, org_id)
        if kept(key, need_id):
            yield key, str(need_id), "deliver" if status == DeliveryStatus.verified else "dispute", _time(decided_at), 0

    # Views (interest, not a refusal) and "not interested" (a refusal); invitations are staff's.
    seen = (select(MatchInteraction.helper_key, MatchInteraction.need_id, MatchInteraction.event, MatchInteraction.at)
            .where(MatchInteraction.event.in_([MatchEvent.view, MatchEvent.dismiss])).order_by(MatchInteraction.id))
    for key, need_id, event, at in _stream(session, seen):
        if kept(key, need_id):
            yield key, str(need_id), str(event), _time(at), 0

    for key, need_id, at, amount_fen in donation_rows(session):
        if kept(key, need_id):
            yield key, str(need_id), "donate", _time(at), amount_fen


def donation_rows(session: Session) -> Iterator[tuple[str, int, datetime, int]]:
    """Each settled gift of a donor's account towards a money need, not wholly refunded:
    (helper key, need id, when it was paid, the fen it kept > 0). Guests and gifts to funds are not
    interactions with a need."""
    stmt = (select(Donation.donor_id, Donation.need_id, Donation.paid_at, Donation.amount_fen - Donation.refunded_fen)
            .where(Donation.donor_id.is_not(None), Donation.need_id.is_not(None), Donation.paid_at.is_not(None),
                   Donation.status.in_([DonationStatus.paid, DonationStatus.partially_refunded]))
            .order_by(Donation.id))
    for donor_id, need_id, paid_at, kept in _stream(session, stmt):
        if kept > 0:
            yield user_key(donor_id), need_id, paid_at, int(kept)
