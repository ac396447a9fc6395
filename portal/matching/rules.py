"""What the recommender may show whom, views and invitations.

Helpers get "recommended for you": needs on the public board now, in their public form only
(``portal.needs.board``), inside their service area and of a kind they can act on, minus the ones
they already claimed. Staff who publish a need see the helpers the model ranks best for it among
those who could take it on (active, confirmed, serving the need's town), and invite them: the
helper gets a notice linking to the need's public page; an invitation is recorded and audited,
and the same helper is not invited to the same need twice within a day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlmodel import Session

from portal import access, db
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit.rules import record
from portal.errors import Conflict, DomainError
from portal.helpers import orgs
from portal.helpers.models import (
    HelperArea,
    HelperProfile,
    Organization,
    OrganizationArea,
    OrganizationMember,
    OrgStatus,
)
from portal.helpers.vetting import vetted_among
from portal.matching import labels, notices, service
from portal.matching.export import claimer_key, org_key, parse_key, user_key
from portal.matching.models import MatchEvent, MatchInteraction
from portal.needs import board
from portal.needs.models import Claim, Need, NeedKind, NeedStatus, close_contact
from portal.regions.models import Level
from portal.regions.rules import level_of_code
from portal.types import utcnow

log = logging.getLogger(__name__)

FOR_YOU = 5  # needs recommended on the board
SUGGESTED = 10  # helpers suggested to staff
MAX_CANDIDATES = 5000  # needs ranked for one helper: the most urgent and newest in their area
INVITE_AGAIN_AFTER = timedelta(days=1)


# --- who is the helper ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Acting:
    """The helper a signed-in user is on the board: themselves, or the organization they act for."""

    key: str
    user_id: int
    organization_id: int | None
    kind: str  # volunteer | donor | organization


def acting_helper(session: Session, user) -> Acting | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if user.role in (Role.volunteer, Role.donor):
        return Acting(user_key(user.id), user.id, None, str(user.role))
    if user.role == Role.org_member:
        member = orgs.membership(session, user)
        # Members act only for an approved organization (``portal.helpers.rules.acting_problem``).
        if member is not None and session.get(Organization, member.organization_id).status == OrgStatus.approved:
            return Acting(org_key(member.organization_id), user.id, member.organization_id, "organization")
    return None


# --- views -----------------------------------------------------------------------------------------


def record_view(session: Session, user, need_id: int, today: date | None = None) -> bool:
    """A helper opened the public page of a need on the board: kept once per helper, need and day.
    True when this was the day's first."""
    acting = acting_helper(session, user)
    if acting is None:
        return False
    stmt = db.insert_for(session)(MatchInteraction).values(
        event=MatchEvent.view, need_id=need_id, helper_key=acting.key, user_id=acting.user_id,
        organization_id=acting.organization_id, at=utcnow(), day=today or date.today(),
    ).on_conflict_do_nothing().returning(MatchInteraction.id)
    return session.execute(stmt).scalar() is not None


def record_view_after_request(user, need) -> None:
    """``record_view`` in its own short transaction once the request's session has ended: the
    page is also shown again after a refused claim (a POST), whose session holds SQLite's write
    lock to the end; writing beside it would wait for that lock and fail. A view that cannot be
    written is logged, never shown to the reader as an error."""
    if need.status != NeedStatus.published or acting_kind(user) is None:
        return
    user_id, need_id = user.id, need.id

    def write() -> None:
        try:
            with db.write_session() as session:
                record_view(session, session.get(User, user_id), need_id)
        except Exception:
            log.exception("matching: could not record a view of need %s", need_id)

    db.after_session_ends(write)


class NotOnBoard(DomainError):
    def __init__(self):
        super().__init__(_l("This need is no longer on the board."))


def dismiss(session: Session, user, need_id: int, today: date | None = None) -> bool:
    """A helper says "not interested" in a need on the board: it is no longer recommended to them
    (at once, by any model) and the recommender learns it as a refusal. Kept once per helper,
    need and day; True when this was new. Opening a need is not a refusal: only this, a claim, a
    delivery or a gift takes a need out of a helper's suggestions."""
    acting = acting_helper(session, user)
    if acting is None:
        raise DomainError(_l("Only volunteers, donors and organizations can hide a recommended need."))
    if session.scalar(select(Need.id).where(Need.id == need_id, Need.status == NeedStatus.published)) is None:
        raise NotOnBoard()
    stmt = db.insert_for(session)(MatchInteraction).values(
        event=MatchEvent.dismiss, need_id=need_id, helper_key=acting.key, user_id=acting.user_id,
        organization_id=acting.organization_id, at=utcnow(), day=today or date.today(),
    ).on_conflict_do_nothing().returning(MatchInteraction.id)
    return session.execute(stmt).scalar() is not None


def acting_kind(user) -> str | None:
    """Without a query: whether ``user`` can be a helper at all."""
    if not getattr(user, "is_authenticated", False):
        return None
    return str(user.role) if user.role in (Role.volunteer, Role.donor, Role.org_member) else None


# --- areas -----------------------------------------------------------------------------------------


def _areas_of(session: Session, acting: Acting) -> list[str]:
    if acting.organization_id is not None:
        stmt = select(OrganizationArea.region_code).where(OrganizationArea.organization_id == acting.organization_id)
    else:
        stmt = select(HelperArea.region_code).where(HelperArea.user_id == acting.user_id)
    return list(session.scalars(stmt))


def _needs_in(codes: list[str]):
    """Needs whose town lies in one of the areas (a village area serves its whole town, as for
    claims: ``portal.needs.claims.covers``)."""
    conditions = []
    for code in codes:
        level = level_of_code(code)
        if level == Level.county:
            conditions.append(Need.county_code == code)
        elif level in (Level.town, Level.village):
            conditions.append(Need.town_code == code[:9] + "000")
        else:
            conditions.append(Need.town_code.startswith(access.scope_prefix(code)))
    return or_(*conditions)


def _covering(column, town_code: str):
    """Area codes (in ``column``) that serve the town: it, its ancestors and its villages."""
    ancestors = [town_code[:2] + "0" * 10, town_code[:4] + "0" * 8, town_code[:6] + "0" * 6]
    return or_(column.in_(ancestors), column.startswith(town_code[:9]))


def _money(kind: str):
    """Donors give to money needs; volunteers and organizations take on the others."""
    return Need.kind == NeedKind.money if kind == "donor" else Need.kind != NeedKind.money


# --- recommended for a helper -----------------------------------------------------------------------


@dataclass(frozen=True)
class ForYou:
    need: board.PublicNeed  # the public form only
    reasons: str


def board_candidates(session: Session, acting: Acting, limit: int = MAX_CANDIDATES) -> list[str]:
    """Ids of the needs on the board that ``acting`` could take on, has not claimed and has not
    said "not interested" in."""
    areas = _areas_of(session, acting)
    if not areas:
        return []
    mine = Claim.helper_id == acting.user_id
    if acting.organization_id is not None:
        mine = or_(mine, Claim.organization_id == acting.organization_id)
    dismissed = select(MatchInteraction.need_id).where(MatchInteraction.event == MatchEvent.dismiss,
                                                        MatchInteraction.helper_key == acting.key)
    stmt = (select(Need.id).where(Need.status == NeedStatus.published, _needs_in(areas), _money(acting.kind),
                                  Need.slots_taken < Need.slots, Need.id.not_in(select(Claim.need_id).where(mine)),
                                  Need.id.not_in(dismissed))
            .order_by(Need.urgency.desc(), Need.published_at.desc(), Need.id.desc()).limit(limit))
    return [str(i) for i in session.scalars(stmt)]


def for_you(session: Session, user, k: int = FOR_YOU) -> list[ForYou]:
    """Up to ``k`` needs on the board recommended for ``user``, best first, each with its reasons."""
    acting = acting_helper(session, user)
    if acting is None:
        return []
    candidates = board_candidates(session, acting)
    if not candidates:
        return []
    model, known = service.ranking_model(candidates, helper=acting.key, session=session)
    if model is not None:
        suggestions = model.recommend_needs(acting.key, k=k, candidates=known)
    else:  # a helper no model knows yet (registered after the last fit): ranked from the profile
        model = service.newcomer_model()
        known = [c for c in candidates if model is not None and c in model.data_.need_index]
        if not known:
            return []
        suggestions = model.recommend_newcomer(newcomer(session, acting), k=k, candidates=known)
    ids = [int(s.id) for s in suggestions]
    rows = session.execute(select(*board.PUBLIC_COLUMNS).where(Need.id.in_(ids), Need.status == NeedStatus.published))
    public = {n.id: n for n in board.named(session, [board.PublicNeed(*row) for row in rows])}
    return [ForYou(public[int(s.id)], labels.describe(s.reasons)) for s in suggestions if int(s.id) in public]


def newcomer(session: Session, acting: Acting):
    """The profile of ``acting`` as the recommender's exchange format holds a helper
    (``portal.matching.export``): kind, first area's town, counting skills, text."""
    from matching.baselines import Newcomer
    from portal.matching.export import helper_profile_row

    kind, region, skills, text = helper_profile_row(session, acting.user_id, acting.organization_id)
    return Newcomer(kind=kind, region=region, skills=tuple(skills), text=text)


# --- suggested helpers for staff --------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    key: str
    name: str
    kind: str  # volunteer | donor | organization
    user_ids: tuple[int, ...]  # who hears of an invitation


def eligible_helpers(session: Session, need: Need) -> dict[str, Candidate]:
    """The helpers who could take ``need`` on now: active volunteers with a confirmed contact (donors
    for a money need) and approved organizations, serving its town, who have not claimed it. For a
    need that puts an adult alone with a child, only vetted volunteers, and organizations through
    the members they vouch for (``portal.helpers.vetting``): nobody is invited to what they could
    not claim."""
    money = need.kind == NeedKind.money
    vetting = close_contact(need.kind, need.category)
    found: dict[str, Candidate] = {}
    confirmed = or_(HelperProfile.phone_verified_at.is_not(None), HelperProfile.email_verified_at.is_not(None))
    people = (select(User.id, User.display_name, User.role)
              .join(HelperProfile, HelperProfile.user_id == User.id)
              .where(User.role == (Role.donor if money else Role.volunteer), User.is_active,
                     HelperProfile.deactivated_at.is_(None), confirmed,
                     User.id.in_(select(HelperArea.user_id).where(_covering(HelperArea.region_code, need.town_code))))
              .order_by(User.id))
    rows = session.execute(people).all()
    vetted = vetted_among(session, [r[0] for r in rows]) if vetting else None
    for user_id, name, role in rows:
        if vetted is None or user_id in vetted:
            found[user_key(user_id)] = Candidate(user_key(user_id), name, str(role), (user_id,))
    organizations = (select(Organization.id, Organization.name)
                     .where(Organization.status == OrgStatus.approved,
                            Organization.id.in_(select(OrganizationArea.organization_id)
                                                .where(_covering(OrganizationArea.region_code, need.town_code))))
                     .order_by(Organization.id))
    if money:  # organizations that also give
        organizations = organizations.where(Organization.also_donor)
    org_rows = session.execute(organizations).all()
    members: dict[int, list[int]] = {}
    if org_rows:
        stmt = (select(OrganizationMember.organization_id, OrganizationMember.user_id)
                .join(User, User.id == OrganizationMember.user_id)
                .where(OrganizationMember.organization_id.in_([r[0] for r in org_rows]), User.role == Role.org_member,
                       User.is_active))
        pairs = session.execute(stmt).all()
        vetted = vetted_among(session, [user_id for _org, user_id in pairs]) if vetting else None
        for org_id, user_id in pairs:
            if vetted is None or user_id in vetted:
                members.setdefault(org_id, []).append(user_id)
    for org_id, name in org_rows:
        if members.get(org_id):  # an organization with nobody to hear of it cannot be invited
            found[org_key(org_id)] = Candidate(org_key(org_id), name, "organization", tuple(members[org_id]))
    for helper_id, org_id in session.execute(select(Claim.helper_id, Claim.organization_id)
                                             .where(Claim.need_id == need.id)):
        found.pop(claimer_key(helper_id, org_id), None)
        found.pop(user_key(helper_id), None)
    return found


@dataclass(frozen=True)
class Suggested:
    key: str
    name: str
    kind: str
    reasons: str
    invited_at: datetime | None


def may_invite(user, need: Need) -> bool:
    return need.status == NeedStatus.published and access.allowed(user, "needs.publish", need)


def suggested_helpers(session: Session, viewer, need: Need, k: int = SUGGESTED) -> list[Suggested]:
    """The ``k`` helpers the model ranks best for a need on the board, for staff who publish it."""
    if not may_invite(viewer, need):
        return []
    eligible = eligible_helpers(session, need)
    if not eligible:
        return []
    need_key = str(need.id)
    model, known = service.ranking_model(list(eligible), need=need_key, session=session)
    if model is None:
        return []
    invited = invites_on(session, need.id)
    return [Suggested(s.id, eligible[s.id].name, eligible[s.id].kind, labels.describe(s.reasons), invited.get(s.id))
            for s in model.recommend_helpers(need_key, k=k, candidates=known)]


def invites_on(session: Session, need_id: int) -> dict[str, datetime]:
    """When each helper was last invited to a need."""
    stmt = (select(MatchInteraction.helper_key, func.max(MatchInteraction.at))
            .where(MatchInteraction.need_id == need_id, MatchInteraction.event == MatchEvent.invite)
            .group_by(MatchInteraction.helper_key))
    return {key: at for key, at in session.execute(stmt)}


class AlreadyInvited(Conflict):
    def __init__(self):
        super().__init__(_l("This helper was already invited to this need in the last 24 hours."))


def invite(session: Session, staff, need: Need, helper_key: str, today: date | None = None) -> MatchInteraction:
    """Staff who publish ``need`` invite a helper to it: recorded, audited, and the helper told."""
    access.require(staff, "needs.publish", need)
    if need.status != NeedStatus.published:
        raise Conflict(_l("Only a need on the board can be offered to helpers."))
    candidate = eligible_helpers(session, need).get(helper_key) if parse_key(helper_key) else None
    if candidate is None:
        raise DomainError(_l("This helper cannot take on this need (not serving its town, inactive, or already "
                             "claimed it)."))
    now = utcnow()
    recent = session.scalar(select(MatchInteraction.id).where(
        MatchInteraction.event == MatchEvent.invite, MatchInteraction.helper_key == helper_key,
        MatchInteraction.need_id == need.id, MatchInteraction.at > now - INVITE_AGAIN_AFTER))
    if recent is not None:
        raise AlreadyInvited()
    kind, number = parse_key(helper_key)
    stmt = db.insert_for(session)(MatchInteraction).values(
        event=MatchEvent.invite, need_id=need.id, helper_key=helper_key,
        user_id=number if kind == "u" else None, organization_id=number if kind == "o" else None,
        staff_id=staff.id, at=now, day=today or date.today(),
    ).on_conflict_do_nothing().returning(MatchInteraction.id)
    new_id = session.execute(stmt).scalar()
    if new_id is None:  # another member of staff invited them the same moment
        raise AlreadyInvited()
    record(session, staff, "need.invite", "need", need.id, region_code=need.region_code,
           detail={"helper": helper_key})
    notices.invited(session, need, list(candidate.user_ids))
    return session.get(MatchInteraction, new_id)


# --- for the pages: a recommender problem never breaks them ------------------------------------------


def board_section(session: Session, user) -> list[ForYou]:
    """``for_you`` for the board page: nothing for non-helpers; an error is logged, nothing shown."""
    if acting_kind(user) is None:
        return []
    try:
        return for_you(session, user)
    except Exception:
        log.exception("matching: no recommendations for user %s", getattr(user, "id", None))
        return []


def staff_section(session: Session, user, need: Need) -> list[Suggested]:
    """``suggested_helpers`` for the need's staff page; an error is logged, nothing shown."""
    if not may_invite(user, need):
        return []
    try:
        return suggested_helpers(session, user, need)
    except Exception:
        log.exception("matching: no suggested helpers for need %s", need.id)
        return []
