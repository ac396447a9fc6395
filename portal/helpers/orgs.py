"""Social organizations: applying, vetting by civil-affairs staff, members and invitations.

An organization applies with its unified social credit code, legal representative, contact,
service area and categories; the account that applies becomes its first administrator. Staff with
authority over the whole service area vet it (``access`` rule "orgs.vet"): approve, ask for more,
reject, suspend, reinstate — each with a reason, each in the audit log and the organization's own
vetting history. Only an approved organization acts (claims, invites): a suspended one cannot.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal import access
from portal.accounts import sessions
from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.accounts.roles import Role
from portal.accounts.users import check_new_password
from portal.audit.rules import record
from portal.categories import NeedCategory, Skill
from portal.errors import Conflict, DomainError, NotAllowed, NotFound
from portal.helpers import creditcode, notices
from portal.helpers.models import (
    HelperProfile,
    Organization,
    OrganizationArea,
    OrganizationInvite,
    OrganizationMember,
    OrgStatus,
    VettingEvent,
)
from portal.helpers.rules import (
    _overlap_condition,
    _refuse_taken,
    check_areas,
    check_new_username,
    normalise_email,
    normalise_phone,
    start_verification,
)
from portal.types import utcnow

INVITE_DAYS = 14


@dataclass
class OrgValues:
    name: str
    credit_code: str
    legal_representative: str
    contact_name: str
    contact_phone: str
    contact_email: str = ""
    description: str = ""
    region_codes: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    also_donor: bool = False


@dataclass
class AccountValues:
    """The person who applies (or accepts an invitation): becomes an organization member."""

    username: str
    display_name: str
    password: str
    confirm: str
    email: str = ""
    phone: str = ""


@dataclass
class OrgView:
    """An organization with its service area, as the access rules see it."""

    org: Organization
    region_codes: list[str]


def _checked(session: Session, values: OrgValues) -> tuple[dict, list[str]]:
    name = values.name.strip()
    if not name:
        raise DomainError(_l("This field is required."), field="name")
    code = creditcode.normalise(values.credit_code)
    problem = creditcode.problem(code)
    if problem:
        raise DomainError(problem, field="credit_code")
    for attr in ("legal_representative", "contact_name"):
        if not getattr(values, attr).strip():
            raise DomainError(_l("This field is required."), field=attr)
    phone = (values.contact_phone or "").strip()
    if not phone:
        raise DomainError(_l("This field is required."), field="contact_phone")
    if not any(ch.isdigit() for ch in phone) or len(phone) > 20:
        raise DomainError(_l("Enter a phone number."), field="contact_phone")
    categories = [c for c in values.categories if c in NeedCategory.__members__]
    if not categories:
        raise DomainError(_l("Choose the categories of need you serve."), field="categories")
    areas = check_areas(session, values.region_codes, required=True)
    columns = {
        "name": name[:100], "credit_code": code, "legal_representative": values.legal_representative.strip()[:50],
        "contact_name": values.contact_name.strip()[:50], "contact_phone": phone,
        "contact_email": normalise_email(values.contact_email) or "", "description": values.description.strip()[:1000],
        "categories": categories, "skills": [s for s in values.skills if s in Skill.__members__],
        "also_donor": bool(values.also_donor),
    }
    return columns, areas


def _new_member_account(session: Session, values: AccountValues) -> User:
    username = check_new_username(values.username)
    display_name = values.display_name.strip()
    if not display_name:
        raise DomainError(_l("This field is required."), field="display_name")
    phone, email = normalise_phone(values.phone), normalise_email(values.email)
    check_new_password(values.password, username, values.confirm)
    _refuse_taken(session, username=username, phone=phone, email=email)
    user = User(username=username, display_name=display_name[:100], email=email,
                password_hash=hash_password(values.password), role=Role.org_member)
    session.add(user)
    session.flush()
    session.add(HelperProfile(user_id=user.id, phone=phone))  # confirmed with a code, like volunteers' contacts
    session.flush()
    start_verification(session, user)  # sent only if the whole step commits
    return user


def apply(session: Session, values: OrgValues, account: AccountValues) -> tuple[Organization, User]:
    """A new organization and its first administrator's account, in one step; the staff who can
    vet it are told."""
    columns, areas = _checked(session, values)
    if session.scalar(select(Organization.id).where(Organization.credit_code == columns["credit_code"])):
        raise Conflict(_l("An organization with this unified social credit code is already registered."),
                       field="credit_code")
    try:
        with session.begin_nested():
            user = _new_member_account(session, account)
            org = Organization(**columns, created_by_id=user.id)
            session.add(org)
            session.flush()
            session.add_all(OrganizationArea(organization_id=org.id, region_code=c) for c in areas)
            session.add(OrganizationMember(organization_id=org.id, user_id=user.id, is_admin=True))
            session.add(VettingEvent(organization_id=org.id, actor_id=user.id, action="apply"))
            session.flush()
    except IntegrityError:
        raise Conflict(_l("An organization with this credit code, or an account with these details, "
                          "already exists.")) from None
    record(session, user, "org.apply", "organization", org.id, detail={"credit_code": org.credit_code})
    notices.org_applied(session, org, vetters(session, OrgView(org, areas)))
    return org, user


def vetters(session: Session, view: OrgView) -> list[int]:
    """The civil-affairs staff at the lowest level with authority over the whole service area."""
    staff = [u for u in session.scalars(select(User).where(User.is_active, User.role == Role.civil_affairs))
             if access.allowed(u, "orgs.vet", view)]
    if not staff:
        return []
    deepest = max(len(u.region_code.rstrip("0")) for u in staff)
    return [u.id for u in staff if len(u.region_code.rstrip("0")) == deepest]


def view_of(session: Session, org: Organization) -> OrgView:
    codes = session.scalars(select(OrganizationArea.region_code)
                            .where(OrganizationArea.organization_id == org.id).order_by(OrganizationArea.region_code))
    return OrgView(org, list(codes))


def load(session: Session, org_id: int) -> OrgView:
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(_l("This organization does not exist."))
    return view_of(session, org)


def load_for_staff(session: Session, actor: User, org_id: int) -> OrgView:
    view = load(session, org_id)
    access.require(actor, "orgs.view", view)
    return view


# --- vetting -------------------------------------------------------------------------------------

# action -> (statuses it applies to, resulting status)
VETTING = {
    "approve": ({OrgStatus.applied, OrgStatus.more_info}, OrgStatus.approved),
    "request_info": ({OrgStatus.applied}, OrgStatus.more_info),
    "reject": ({OrgStatus.applied, OrgStatus.more_info}, OrgStatus.rejected),
    "suspend": ({OrgStatus.approved}, OrgStatus.suspended),
    "reinstate": ({OrgStatus.suspended}, OrgStatus.approved),
}


def vet(session: Session, actor: User, view: OrgView, action: str, reason: str) -> None:
    """Staff with authority over the whole service area decide, with a reason."""
    access.require(actor, "orgs.vet", view)
    if action not in VETTING:
        raise DomainError(_l("Unknown decision."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason."), field="reason")
    org = view.org
    sources, target = VETTING[action]
    if org.status not in sources:
        raise Conflict(_l("This decision does not apply to an organization in this state."))
    org.status, org.status_reason, org.status_changed_at = target, reason[:500], utcnow()
    session.add(VettingEvent(organization_id=org.id, actor_id=actor.id, action=action, reason=reason[:500]))
    record(session, actor, f"org.{action}", "organization", org.id, region_code=actor.region_code,
           detail={"reason": reason})
    notices.org_vetted(session, org, admins_of(session, org.id))


def history(session: Session, org_id: int) -> list[tuple[VettingEvent, str]]:
    stmt = (select(VettingEvent, User.display_name).join(User, User.id == VettingEvent.actor_id)
            .where(VettingEvent.organization_id == org_id).order_by(VettingEvent.at, VettingEvent.id))
    return list(session.execute(stmt).all())


@dataclass
class OrgFilter:
    status: str = ""
    q: str = ""
    category: str = ""


def _staff_query(actor: User, filters: OrgFilter):
    access.require(actor, "orgs.view")
    serving = select(OrganizationArea.organization_id).where(
        _overlap_condition(OrganizationArea.region_code, actor.region_code))
    stmt = select(Organization).where(Organization.id.in_(serving))
    if filters.status in OrgStatus.__members__:
        stmt = stmt.where(Organization.status == filters.status)
    if filters.category in NeedCategory.__members__:
        stmt = stmt.where(cast(Organization.categories, Text).contains(f'"{filters.category}"'))
    if filters.q.strip():
        q = filters.q.strip()
        stmt = stmt.where(or_(Organization.name.contains(q, autoescape=True),
                              Organization.credit_code == creditcode.normalise(q)))
    return stmt


def count_for_staff(session: Session, actor: User, filters: OrgFilter) -> int:
    """How many organizations ``list_for_staff`` lists for these filters (one query)."""
    return session.scalar(select(func.count()).select_from(_staff_query(actor, filters).subquery())) or 0


def list_for_staff(session: Session, actor: User, filters: OrgFilter, page: int = 1,
                   per_page: int = 50) -> tuple[list[Organization], int]:
    """Organizations serving somewhere in the actor's region, waiting ones first."""
    stmt = _staff_query(actor, filters)
    total = count_for_staff(session, actor, filters)
    waiting = (Organization.status.in_([OrgStatus.applied])).desc()
    rows = session.scalars(stmt.order_by(waiting, Organization.status_changed_at, Organization.id)
                           .offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


# --- members -------------------------------------------------------------------------------------


def membership(session: Session, user: User) -> OrganizationMember | None:
    """The organization an organization member belongs to (a volunteer's first, if several)."""
    return session.scalar(select(OrganizationMember).where(OrganizationMember.user_id == user.id)
                          .order_by(OrganizationMember.joined_at))


def memberships(session: Session, user: User) -> list[tuple[OrganizationMember, Organization]]:
    stmt = (select(OrganizationMember, Organization).join(Organization)
            .where(OrganizationMember.user_id == user.id).order_by(Organization.name))
    return list(session.execute(stmt).all())


def own_organization(session: Session, user: User, org_id: int | None = None) -> tuple[OrgView, OrganizationMember]:
    stmt = select(OrganizationMember).where(OrganizationMember.user_id == user.id)
    if org_id is not None:
        stmt = stmt.where(OrganizationMember.organization_id == org_id)
    member = session.scalar(stmt.order_by(OrganizationMember.joined_at))
    if member is None:
        raise NotFound(_l("You do not belong to an organization."))
    return load(session, member.organization_id), member


def admins_of(session: Session, org_id: int) -> list[int]:
    return list(session.scalars(select(OrganizationMember.user_id).where(
        OrganizationMember.organization_id == org_id, OrganizationMember.is_admin)))


def members_of(session: Session, org_id: int) -> list[tuple[OrganizationMember, User]]:
    stmt = (select(OrganizationMember, User).join(User, User.id == OrganizationMember.user_id)
            .where(OrganizationMember.organization_id == org_id).order_by(User.display_name))
    return list(session.execute(stmt).all())


def require_admin(member: OrganizationMember) -> None:
    if not member.is_admin:
        raise NotAllowed(_l("Only the organization's administrators may do this."))


def _require_approved(org: Organization) -> None:
    if org.status != OrgStatus.approved:
        raise NotAllowed(_l("Your organization is not approved (or is suspended) and cannot act."))


def update(session: Session, actor: User, view: OrgView, member: OrganizationMember, values: OrgValues) -> bool:
    """An administrator of the organization edits it. The credit code never changes. A new name,
    legal representative or service area of an approved organization is vetted again (returns
    True then); a suspended or rejected organization changes nothing."""
    require_admin(member)
    org = view.org
    if org.status in (OrgStatus.suspended, OrgStatus.rejected):
        raise NotAllowed(_l("A suspended or rejected organization cannot change its details. "
                            "Contact the civil-affairs bureau."))
    values.credit_code = org.credit_code
    columns, areas = _checked(session, values)
    # What the vetting looked at: a change is vetted again.
    vetted_changed = (set(areas) != set(view.region_codes) or columns["name"] != org.name
                      or columns["legal_representative"] != org.legal_representative)
    for key, value in columns.items():
        setattr(org, key, value)
    current = set(view.region_codes)
    for code in current - set(areas):
        session.delete(session.get(OrganizationArea, (org.id, code)))
    session.add_all(OrganizationArea(organization_id=org.id, region_code=c) for c in set(areas) - current)
    revet = org.status == OrgStatus.more_info or (vetted_changed and org.status == OrgStatus.approved)
    if revet:
        org.status, org.status_reason, org.status_changed_at = OrgStatus.applied, "", utcnow()
        session.add(VettingEvent(organization_id=org.id, actor_id=actor.id, action="resubmit"))
    session.flush()
    record(session, actor, "org.update", "organization", org.id, detail={"areas": areas, "revet": revet})
    if revet:
        notices.org_applied(session, org, vetters(session, OrgView(org, areas)))
    return revet


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(session: Session, actor: User, view: OrgView, member: OrganizationMember, email: str = "") -> str:
    """An administrator of an approved organization makes an invitation link (valid 14 days);
    returns the token, which is stored only as a hash."""
    require_admin(member)
    _require_approved(view.org)
    email = normalise_email(email) or ""
    token = secrets.token_urlsafe(24)
    now = utcnow()
    row = OrganizationInvite(organization_id=view.org.id, token_hash=_token_hash(token), email=email,
                             invited_by_id=actor.id, created_at=now, expires_at=now + timedelta(days=INVITE_DAYS))
    session.add(row)
    session.flush()
    record(session, actor, "org.invite", "organization", view.org.id, detail={"invite": row.id})
    return token


def open_invites(session: Session, org_id: int) -> list[OrganizationInvite]:
    stmt = select(OrganizationInvite).where(
        OrganizationInvite.organization_id == org_id, OrganizationInvite.accepted_at.is_(None),
        OrganizationInvite.revoked_at.is_(None), OrganizationInvite.expires_at > utcnow())
    return list(session.scalars(stmt.order_by(OrganizationInvite.created_at.desc())))


def revoke_invite(session: Session, actor: User, member: OrganizationMember, invite_id: int) -> None:
    require_admin(member)
    row = session.get(OrganizationInvite, invite_id)
    if row is None or row.organization_id != member.organization_id:
        raise NotFound(_l("This invitation does not exist."))
    if row.revoked_at is None and row.accepted_at is None:
        row.revoked_at = utcnow()
        record(session, actor, "org.invite_revoke", "organization", row.organization_id, detail={"invite": row.id})


def invitation(session: Session, token: str) -> tuple[OrganizationInvite, Organization]:
    """The open invitation behind ``token``, of an approved organization."""
    row = session.scalar(select(OrganizationInvite).where(OrganizationInvite.token_hash == _token_hash(token or "")))
    if row is None or row.accepted_at or row.revoked_at or row.expires_at < utcnow():
        raise NotFound(_l("This invitation is invalid, used or expired. Ask the organization for a new one."))
    org = session.get(Organization, row.organization_id)
    if org.status != OrgStatus.approved:  # suspended since: its invitations no longer open the door
        raise NotFound(_l("This invitation is invalid, used or expired. Ask the organization for a new one."))
    return row, org


def accept(session: Session, token: str, *, user: User | None = None, account: AccountValues | None = None) -> User:
    """Join through an invitation: as a new organization-member account, or (signed in) as an
    existing volunteer. The invitation is used once, even when two people race for it."""
    row, org = invitation(session, token)
    if user is not None:
        if user.role == Role.org_member:
            raise Conflict(_l("This account already belongs to an organization."))
        if user.role != Role.volunteer:
            raise NotAllowed(_l("Only volunteers and new accounts can join an organization."))
        if session.get(OrganizationMember, (org.id, user.id)):
            raise Conflict(_l("You are already a member of this organization."))
    elif account is None:
        raise DomainError(_l("This field is required."))
    now = utcnow()
    try:
        with session.begin_nested():
            if user is None:
                user = _new_member_account(session, account)
            # The conditional update is the claim on the invitation: a second acceptance finds it used.
            claimed = session.execute(sql_update(OrganizationInvite).where(
                OrganizationInvite.id == row.id, OrganizationInvite.accepted_at.is_(None),
                OrganizationInvite.revoked_at.is_(None), OrganizationInvite.expires_at > now,
            ).values(accepted_at=now, accepted_by_id=user.id)).rowcount
            if claimed != 1:
                raise Conflict(_l("This invitation is invalid, used or expired. Ask the organization for a new one."))
            session.add(OrganizationMember(organization_id=org.id, user_id=user.id, is_admin=False, joined_at=now))
            session.flush()
    except IntegrityError:
        raise Conflict(_l("An account with these details already exists. Sign in, or reset your password.")) from None
    record(session, user, "org.join", "organization", org.id, detail={"invite": row.id})
    notices.member_joined(session, org, user, admins_of(session, org.id))
    return user


def remove_member(session: Session, actor: User, member: OrganizationMember, user_id: int) -> None:
    """An administrator removes a member; an organization-member account removed is deactivated
    (it exists only to act for the organization)."""
    require_admin(member)
    target = session.get(OrganizationMember, (member.organization_id, user_id))
    if target is None:
        raise NotFound(_l("This member does not exist."))
    if target.user_id == actor.id:
        raise DomainError(_l("You cannot remove yourself."))
    session.delete(target)
    user = session.get(User, user_id)
    if user is not None and user.role == Role.org_member:
        user.is_active = False
        sessions.end_all(session, user.id, "deactivated")
    record(session, actor, "org.remove_member", "organization", member.organization_id, detail={"user": user_id})
