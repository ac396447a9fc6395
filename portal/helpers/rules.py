"""Volunteers and donors: registering, proving their contact, profiles, certificates, and the
lists civil-affairs staff keep of the helpers working in their region.

Helpers see no child data in this area. Staff see a helper's personal data only when the helper
works in their region (``access`` rule "helpers.manage").
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, cast, delete, func, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal import access, crypto
from portal.accounts import sessions
from portal.accounts.contacts import email_key, normalise_email, normalise_phone
from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.accounts.roles import Role
from portal.accounts.users import USERNAME_RE, check_new_password, find_user, normalise_username
from portal.audit.rules import record
from portal.categories import CERTIFIED_SKILLS, SUBJECTS, NeedCategory, Skill
from portal.children import idnumber
from portal.errors import Conflict, DomainError, NotAllowed, NotFound
from portal.helpers import notices
from portal.helpers.models import (
    Certificate,
    ContactVerification,
    HelperArea,
    HelperProfile,
    HelperSkill,
    Organization,
    OrganizationMember,
    OrgStatus,
    ReviewStatus,
)
from portal.helpers.senders import send_code
from portal.regions.models import Region
from portal.regions.rules import ancestors_of, level_of_code, subtree_bounds
from portal.types import utcnow

SELF_REGISTERING = (Role.volunteer, Role.donor)
MAX_AREAS = 5
CODE_MINUTES = 30
CODE_ATTEMPTS = 5
CODES_PER_DAY = 5


# --- values ------------------------------------------------------------------------------------


@dataclass
class Registration:
    role: Role
    username: str
    display_name: str
    password: str
    confirm: str
    phone: str = ""
    email: str = ""
    id_number: str = ""
    region_codes: list[str] = field(default_factory=list)
    anonymous: bool = False


def check_areas(session: Session, codes, *, required: bool, field_name: str = "areas") -> list[str]:
    """Distinct existing region codes (at most ``MAX_AREAS``), provinces and below."""
    found: list[str] = []
    for code in codes or []:
        code = (code or "").strip()
        if code and code not in found:
            found.append(code)
    if required and not found:
        raise DomainError(_l("Choose at least one region you serve."), field=field_name)
    if len(found) > MAX_AREAS:
        raise DomainError(_l("Choose at most %(n)d regions.", n=MAX_AREAS), field=field_name)
    existing = set(session.scalars(select(Region.code).where(Region.code.in_(found)))) if found else set()
    missing = [c for c in found if c not in existing]
    if missing:
        raise DomainError(_l("Region %(code)s does not exist.", code=missing[0]), field=field_name)
    return found


def register_helper(session: Session, values: Registration) -> tuple[User, str | None]:
    """Create a volunteer or donor account with its profile and send a code to prove the contact.

    Volunteers give their real name (Chinese volunteer platforms require it) and the regions they
    serve; everyone gives a mobile number or an e-mail address. A user name, phone, e-mail or
    identity number already registered is refused. Returns the user and the channel the code went
    to ("sms" or "email").
    """
    role = Role(values.role)
    if role not in SELF_REGISTERING:
        raise NotAllowed(_l("Only volunteers and donors register themselves."))
    username = check_new_username(values.username)
    name = (values.display_name or "").strip()
    if not name:
        raise DomainError(_l("This field is required."), field="display_name")
    if role == Role.volunteer:
        check_real_name(name)
    phone = normalise_phone(values.phone)
    email = normalise_email(values.email)
    if not phone and not email:
        raise DomainError(_l("Give a mobile number or an e-mail address, so we can confirm it is you."), field="phone")
    number = None
    if values.id_number.strip():
        try:
            number = idnumber.parse(values.id_number).value
        except ValueError as error:
            raise DomainError(error.args[0], field="id_number") from None
    areas = check_areas(session, values.region_codes, required=role == Role.volunteer)
    check_new_password(values.password, username, values.confirm)
    _refuse_taken(session, username=username, phone=phone, email=email, id_number=number)

    user = User(username=username, display_name=name, email=email, password_hash=hash_password(values.password),
                role=role, locale=_current_locale())
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
            session.add(HelperProfile(user_id=user.id, phone=phone, id_number=number,
                                      id_number_hash=crypto.blind_index(number) if number else None,
                                      anonymous=bool(values.anonymous)))
            session.add_all(HelperArea(user_id=user.id, region_code=code) for code in areas)
            session.flush()
    except IntegrityError:
        # Two registrations raced past the checks above: the constraint decides, as a refusal.
        raise Conflict(_l("An account with these details already exists. Sign in, or reset your password.")) from None
    record(session, user, "helper.register", "user", user.id, detail={"role": role.value})
    channel = start_verification(session, user)
    notices.welcome(session, user)
    return user, channel


def check_new_username(raw: str) -> str:
    """A user name people choose themselves: it starts with a letter, so it can never be taken
    for someone's mobile number at sign-in."""
    username = normalise_username(raw)
    if not USERNAME_RE.match(username) or not username[0].isalpha():
        raise DomainError(_l("User name: 3 to 64 lower-case letters, digits, dots, dashes or underscores, "
                             "starting with a letter."), field="username")
    return username


def check_real_name(name: str) -> None:
    if not re.fullmatch(r"[\u3400-\u9fff·]{2,20}|[A-Za-z][A-Za-z .'-]{1,49}", name):
        raise DomainError(_l("Give your real name as on your identity card."), field="display_name")


def _current_locale() -> str:
    from flask import has_request_context

    if not has_request_context():
        return "zh"
    from flask_babel import get_locale

    return str(get_locale() or "zh")[:2]


def _refuse_taken(session: Session, *, username=None, phone=None, email=None, id_number=None, exclude=None) -> None:
    """Refuse a user name, a confirmed phone or e-mail, or an identity number another account holds.
    (An unconfirmed phone or e-mail is nobody's yet: whoever confirms it first has it.)"""
    if username and find_user(session, username) is not None:
        raise Conflict(_l("User name %(name)s is taken.", name=username), field="username")
    checks = [
        (phone, HelperProfile.phone_hash, crypto.blind_index, "phone",
         _l("This mobile number is already registered. Sign in, or reset your password.")),
        (email, HelperProfile.email_key, email_key, "email",
         _l("This e-mail address is already registered. Sign in, or reset your password.")),
        (id_number, HelperProfile.id_number_hash, crypto.blind_index, "id_number",
         _l("An account with these details already exists. Sign in, or reset your password.")),
    ]
    for value, column, key, field_name, message in checks:
        if not value:
            continue
        stmt = select(HelperProfile.user_id).where(column == key(value))
        if exclude is not None:
            stmt = stmt.where(HelperProfile.user_id != exclude)
        if session.scalar(stmt) is not None:
            raise Conflict(message, field=field_name)


def profile_of(session: Session, user: User) -> HelperProfile:
    profile = session.get(HelperProfile, user.id)
    if profile is None:  # accounts made before this area, or by an administrator
        profile = HelperProfile(user_id=user.id)
        session.add(profile)
    return profile


def contact_confirmed(profile: HelperProfile | None) -> bool:
    return profile is not None and (profile.phone_verified_at is not None or profile.email_verified_at is not None)


# --- proving a phone number or e-mail address ---------------------------------------------------


class TooManyCodes(DomainError):
    status = 429


def _code_hash(user_id: int, code: str) -> str:
    return crypto.blind_index(f"{user_id}:{code}")


def unconfirmed(user: User, profile: HelperProfile) -> tuple[str, str] | None:
    """The next contact still to prove: (channel, target), the mobile first."""
    if profile.phone and profile.phone_verified_at is None:
        return "sms", profile.phone
    if user.email and profile.email_verified_at is None:
        return "email", user.email
    return None


def start_verification(session: Session, user: User) -> str | None:
    """Send a new six-digit code to the helper's next unconfirmed contact (mobile first); older
    codes stop working. At most ``CODES_PER_DAY`` codes a day per account. Returns the channel."""
    profile = profile_of(session, user)
    pending = unconfirmed(user, profile)
    if pending is None:
        return None
    channel, target = pending
    now = utcnow()
    sent_today = session.scalar(select(func.count()).select_from(ContactVerification).where(
        ContactVerification.user_id == user.id, ContactVerification.created_at > now - timedelta(days=1))) or 0
    if sent_today >= CODES_PER_DAY:
        raise TooManyCodes(_l("Too many codes were sent today. Try again tomorrow."), field="code")
    session.execute(sql_update(ContactVerification).where(
        ContactVerification.user_id == user.id, ContactVerification.used_at.is_(None)).values(used_at=now))
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(ContactVerification(user_id=user.id, channel=channel, target_hash=crypto.blind_index(target),
                                    code_hash=_code_hash(user.id, code), created_at=now,
                                    expires_at=now + timedelta(minutes=CODE_MINUTES)))
    send_code(session, channel, target, code, user.locale)
    return channel


def verify_contact(session: Session, user: User, code: str) -> str:
    """Accept the code last sent to ``user`` (at most five tries, within 30 minutes) and confirm the
    contact it was sent to, if it is still the profile's. Returns the channel confirmed."""
    expired = DomainError(_l("This code has expired. Ask for a new one."), field="code")
    pending = session.scalar(select(ContactVerification).where(ContactVerification.user_id == user.id,
                                                               ContactVerification.used_at.is_(None))
                             .order_by(ContactVerification.created_at.desc()).limit(1))
    profile = profile_of(session, user)
    target = profile.phone if pending is not None and pending.channel == "sms" else user.email
    if pending is None or pending.expires_at < utcnow() or not target \
            or pending.target_hash != crypto.blind_index(target):
        raise expired
    # One try counted per request, even when parallel requests race: the database counts.
    counted = session.execute(sql_update(ContactVerification).where(
        ContactVerification.id == pending.id, ContactVerification.attempts < CODE_ATTEMPTS
    ).values(attempts=ContactVerification.attempts + 1)).rowcount
    if counted != 1:
        raise expired
    session.refresh(pending)
    if not secrets.compare_digest(pending.code_hash, _code_hash(user.id, "".join((code or "").split()))):
        raise DomainError(_l("Wrong code. %(n)d tries left.", n=CODE_ATTEMPTS - pending.attempts), field="code")
    now = utcnow()
    pending.used_at = now
    if pending.channel == "sms":
        profile.phone_verified_at, profile.phone_hash = now, crypto.blind_index(target)
    else:
        profile.email_verified_at, profile.email_key = now, email_key(target)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(_l("Another account has confirmed this mobile number or e-mail address."), field="code") from None
    record(session, user, "helper.contact_verified", "user", user.id, detail={"channel": pending.channel})
    return pending.channel


# --- may a helper act (claim, donate, …)? ------------------------------------------------------


def acting_problem(session: Session, user: User):
    """Why ``user`` may not act as a helper now, or None: volunteers and donors must have proven
    their contact and not been deactivated; organization members act only for an approved
    organization."""
    if not user.is_active:
        return _l("This account has been deactivated.")
    if user.role in SELF_REGISTERING:
        if not contact_confirmed(session.get(HelperProfile, user.id)):
            return _l("Confirm your mobile number or e-mail address first.")
        return None
    if user.role == Role.org_member:
        status = session.scalar(
            select(Organization.status).join(OrganizationMember).where(OrganizationMember.user_id == user.id)
        )
        if status is None:
            return _l("Your account does not belong to an organization.")
        if status != OrgStatus.approved:
            return _l("Your organization is not approved (or is suspended) and cannot act.")
        return None
    return _l("Only volunteers, donors and organizations take on needs.")


def require_acting(session: Session, user: User) -> None:
    problem = acting_problem(session, user)
    if problem:
        raise NotAllowed(problem)


# --- profiles ------------------------------------------------------------------------------------


@dataclass
class ProfileValues:
    display_name: str
    phone: str = ""
    email: str = ""
    region_codes: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    skills: dict[str, list[str]] = field(default_factory=dict)  # skill -> subjects (tutoring)
    weekdays: bool = False
    weekends: bool = False
    hours_per_month: int = 0
    capacity: int = 1
    languages: list[str] = field(default_factory=list)
    bio: str = ""
    anonymous: bool = False


# What each kind of helper edits on their profile besides their name and contact; the rest is
# kept as it is (a donor has no availability to lose, an organization member's work is the
# organization's).
PROFILE_FIELDS = {
    Role.volunteer: frozenset({"region_codes", "categories", "skills", "weekdays", "weekends", "hours_per_month",
                               "capacity", "languages", "bio"}),
    Role.donor: frozenset({"region_codes", "categories", "anonymous"}),
    Role.org_member: frozenset(),
}
ALWAYS_EDITED = frozenset({"display_name", "phone", "email"})


def profile_values(session: Session, user: User) -> ProfileValues:
    """The stored profile of ``user``, as the values a save would give it."""
    profile = session.get(HelperProfile, user.id) or HelperProfile(user_id=user.id)
    skills = session.scalars(select(HelperSkill).where(HelperSkill.user_id == user.id))
    return ProfileValues(
        display_name=user.display_name, phone=profile.phone or "", email=user.email or "",
        region_codes=areas_of(session, user.id), categories=list(profile.categories),
        skills={s.skill.value: list(s.subjects) for s in skills}, weekdays=profile.weekdays,
        weekends=profile.weekends, hours_per_month=profile.hours_per_month, capacity=profile.capacity,
        languages=list(profile.languages), bio=profile.bio, anonymous=profile.anonymous)


def update_profile(session: Session, user: User, values: ProfileValues) -> bool:
    """The owner edits their profile: their name, contact and what ``PROFILE_FIELDS`` gives their
    role; the other values are kept as stored, whatever ``values`` says. A new phone or e-mail
    must be confirmed again (the code is sent); returns whether that happened."""
    access.require(user, "helpers.self")
    edited = ALWAYS_EDITED | PROFILE_FIELDS.get(user.role, frozenset())
    stored = profile_values(session, user)
    values = replace(values, **{f.name: getattr(stored, f.name) for f in fields(values) if f.name not in edited})
    profile = profile_of(session, user)
    name = values.display_name.strip()
    if not name:
        raise DomainError(_l("This field is required."), field="display_name")
    if user.role == Role.volunteer:
        check_real_name(name)
    phone, email = normalise_phone(values.phone), normalise_email(values.email)
    if not phone and not email:
        raise DomainError(_l("Give a mobile number or an e-mail address, so we can confirm it is you."), field="phone")
    _refuse_taken(session, phone=phone, email=email, exclude=user.id)
    categories = [c for c in values.categories if c in NeedCategory.__members__]
    skills = {s: [x for x in subj if x in SUBJECTS] for s, subj in values.skills.items() if s in Skill.__members__}
    if not 0 <= values.hours_per_month <= 300:
        raise DomainError(_l("Hours per month: 0 to 300."), field="hours_per_month")
    if not 1 <= values.capacity <= 50:
        raise DomainError(_l("Open tasks at once: 1 to 50."), field="capacity")
    areas = check_areas(session, values.region_codes, required=user.role == Role.volunteer)
    phone_changed = phone != profile.phone
    email_changed = email_key(email) != email_key(user.email)
    user.display_name = name
    user.email = email
    if phone_changed:  # a new number is nobody's until confirmed
        profile.phone, profile.phone_hash, profile.phone_verified_at = phone, None, None
    if email_changed:
        profile.email_key, profile.email_verified_at = None, None
    profile.categories = categories
    profile.weekdays, profile.weekends = bool(values.weekdays), bool(values.weekends)
    profile.hours_per_month, profile.capacity = values.hours_per_month, values.capacity
    profile.languages = [x.strip()[:20] for x in values.languages if x.strip()][:10]
    profile.bio = values.bio.strip()[:500]
    profile.anonymous = bool(values.anonymous)
    _replace_areas(session, user.id, areas)
    _replace_skills(session, user.id, skills)
    session.flush()
    record(session, user, "helper.profile_update", "user", user.id)
    contact_changed = phone_changed or email_changed
    if contact_changed:
        start_verification(session, user)
    return contact_changed


def _replace_areas(session: Session, user_id: int, codes: list[str]) -> None:
    current = set(session.scalars(select(HelperArea.region_code).where(HelperArea.user_id == user_id)))
    wanted = set(codes)
    if current - wanted:
        session.execute(delete(HelperArea).where(HelperArea.user_id == user_id,
                                                 HelperArea.region_code.in_(current - wanted)))
    session.add_all(HelperArea(user_id=user_id, region_code=c) for c in wanted - current)


def _replace_skills(session: Session, user_id: int, skills: dict[str, list[str]]) -> None:
    existing = {s.skill: s for s in session.scalars(select(HelperSkill).where(HelperSkill.user_id == user_id))}
    for skill, row in existing.items():
        if skill not in skills:
            session.delete(row)
    for skill, subjects in skills.items():
        row = existing.get(skill)
        if row is None:
            session.add(HelperSkill(user_id=user_id, skill=Skill(skill), subjects=subjects))
        else:
            row.subjects = subjects


def areas_of(session: Session, user_id: int) -> list[str]:
    return list(session.scalars(select(HelperArea.region_code).where(HelperArea.user_id == user_id)
                                .order_by(HelperArea.region_code)))


@dataclass
class SkillState:
    skill: Skill
    subjects: list[str]
    verified: bool
    pending: bool

    @property
    def counts(self) -> bool:
        """A skill that needs a qualification counts only once a certificate is verified."""
        return self.verified or self.skill not in CERTIFIED_SKILLS


def skills_of(session: Session, user_id: int) -> list[SkillState]:
    rows = session.scalars(select(HelperSkill).where(HelperSkill.user_id == user_id).order_by(HelperSkill.skill))
    certificates = session.execute(select(Certificate.skill, Certificate.status).where(Certificate.user_id == user_id)).all()
    verified = {s for s, st in certificates if st == ReviewStatus.verified}
    pending = {s for s, st in certificates if st == ReviewStatus.pending}
    return [SkillState(r.skill, list(r.subjects), r.skill in verified, r.skill in pending) for r in rows]


# --- certificates ---------------------------------------------------------------------------------


def add_certificate(session: Session, user: User, skill: str, title: str, file_path: str) -> Certificate:
    """A volunteer adds a qualification (the photo already checked and stored); staff over the
    volunteer's regions are told."""
    access.require(user, "helpers.volunteer")
    if skill not in Skill.__members__:
        raise DomainError(_l("Choose a skill from the list."), field="skill")
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("This field is required."), field="title")
    certificate = Certificate(user_id=user.id, skill=Skill(skill), title=title[:100], file_path=file_path)
    session.add(certificate)
    if session.scalar(select(HelperSkill.id).where(HelperSkill.user_id == user.id, HelperSkill.skill == skill)) is None:
        session.add(HelperSkill(user_id=user.id, skill=Skill(skill), subjects=[]))
    session.flush()
    record(session, user, "certificate.upload", "certificate", certificate.id, detail={"skill": skill})
    notices.certificate_uploaded(session, user, certificate, reviewers(session, HelperView.of(session, user)))
    return certificate


def certificates_of(session: Session, user_id: int) -> list[Certificate]:
    return list(session.scalars(select(Certificate).where(Certificate.user_id == user_id)
                                .order_by(Certificate.uploaded_at.desc())))


def load_certificate(session: Session, viewer: User, certificate_id: int) -> Certificate:
    """A certificate for its owner, or for staff over the owner's regions."""
    certificate = session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound(_l("This certificate does not exist."))
    if certificate.user_id != viewer.id:
        access.require(viewer, "helpers.manage", HelperView.load(session, certificate.user_id))
    return certificate


def review_certificate(session: Session, actor: User, certificate: Certificate, verified: bool, reason: str) -> None:
    """Staff over the volunteer's regions verify a certificate or reject it with a reason."""
    helper = HelperView.load(session, certificate.user_id)
    access.require(actor, "helpers.manage", helper)
    if certificate.status != ReviewStatus.pending:
        raise Conflict(_l("This certificate has already been reviewed."))
    reason = (reason or "").strip()
    if not verified and not reason:
        raise DomainError(_l("Give a reason."), field="reason")
    certificate.status = ReviewStatus.verified if verified else ReviewStatus.rejected
    certificate.reason = reason[:500]
    certificate.reviewed_by_id, certificate.reviewed_at = actor.id, utcnow()
    record(session, actor, "certificate.verify" if verified else "certificate.reject", "certificate",
           certificate.id, region_code=actor.region_code, detail={"user": certificate.user_id, "reason": reason})
    notices.certificate_reviewed(session, certificate)


def pending_certificates(session: Session, actor: User, limit: int = 100) -> list[tuple[Certificate, User]]:
    stmt = (select(Certificate, User).join(User, User.id == Certificate.user_id)
            .where(Certificate.status == ReviewStatus.pending, User.id.in_(_helpers_in_region(actor)))
            .order_by(Certificate.uploaded_at).limit(limit))
    return list(session.execute(stmt).all())


def pending_certificate_count(session: Session, actor: User) -> int:
    """How many certificates wait for ``actor``'s review (those ``pending_certificates`` lists)."""
    access.require(actor, "helpers.manage")
    return session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.status == ReviewStatus.pending, Certificate.user_id.in_(_helpers_in_region(actor)))) or 0


# --- staff: helpers in their region --------------------------------------------------------------


@dataclass
class HelperView:
    """What the access rules need to know about a helper: the regions they work in."""

    user: User
    region_codes: list[str]

    @classmethod
    def of(cls, session: Session, user: User) -> HelperView:
        return cls(user, areas_of(session, user.id))

    @classmethod
    def load(cls, session: Session, user_id: int) -> HelperView:
        user = session.get(User, user_id)
        if user is None or user.role not in SELF_REGISTERING:
            raise NotFound(_l("This helper does not exist."))
        return cls.of(session, user)


def _overlap_condition(column, region_code: str):
    """``column`` (a region code) lies inside ``region_code``'s subtree or above it."""
    low, high = subtree_bounds(region_code, level_of_code(region_code))
    above = ancestors_of(Region(code=region_code, level=level_of_code(region_code), name=""))
    return or_(column.between(low, high), column.in_(above))


def _helpers_in_region(actor: User):
    return select(HelperArea.user_id).where(_overlap_condition(HelperArea.region_code, actor.region_code))


def reviewers(session: Session, helper: HelperView) -> list[int]:
    """Civil-affairs staff who see this helper (and so review their certificates)."""
    if not helper.region_codes:
        return []
    staff = session.scalars(select(User).where(User.is_active, User.role == Role.civil_affairs))
    return [u.id for u in staff if access.allowed(u, "helpers.manage", helper)]


@dataclass
class HelperFilter:
    role: str = ""
    skill: str = ""
    verified_only: bool = False
    category: str = ""
    active: str = ""  # "", "1" or "0"
    q: str = ""


def list_helpers(session: Session, actor: User, filters: HelperFilter, page: int = 1,
                 per_page: int = 50) -> tuple[list[User], int]:
    access.require(actor, "helpers.manage")
    stmt = select(User).where(User.role.in_(SELF_REGISTERING), User.id.in_(_helpers_in_region(actor)))
    if filters.role in SELF_REGISTERING:
        stmt = stmt.where(User.role == filters.role)
    if filters.skill in Skill.__members__:
        skilled = select(HelperSkill.user_id).where(HelperSkill.skill == filters.skill)
        if filters.verified_only:
            skilled = select(Certificate.user_id).where(Certificate.skill == filters.skill,
                                                        Certificate.status == ReviewStatus.verified)
        stmt = stmt.where(User.id.in_(skilled))
    if filters.category in NeedCategory.__members__:
        # JSON lists differ between engines: match the quoted value inside the stored text.
        stmt = stmt.where(User.id.in_(select(HelperProfile.user_id).where(
            cast(HelperProfile.categories, Text).contains(f'"{filters.category}"'))))
    if filters.active in ("0", "1"):
        stmt = stmt.where(User.is_active == (filters.active == "1"))
    if filters.q.strip():
        like = f"%{filters.q.strip().lower()}%"
        stmt = stmt.where(or_(User.username.like(like), func.lower(User.display_name).like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(User.created_at.desc(), User.id.desc())
                           .offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def load_helper(session: Session, actor: User, user_id: int) -> HelperView:
    helper = HelperView.load(session, user_id)
    access.require(actor, "helpers.manage", helper)
    return helper


def set_helper_active(session: Session, actor: User, helper: HelperView, active: bool, reason: str) -> None:
    """Staff over the helper's regions deactivate a helper with a reason (or reactivate them)."""
    access.require(actor, "helpers.manage", helper)
    reason = (reason or "").strip()
    if not active and not reason:
        raise DomainError(_l("Give a reason."), field="reason")
    user, profile = helper.user, profile_of(session, helper.user)
    if user.is_active == active:
        return
    if not active:  # told while still active: notices (and their e-mail) go to active users only
        notices.helper_active_changed(session, user, active, reason)
    user.is_active = active
    if not active:
        sessions.end_all(session, user.id, "deactivated")
    profile.deactivated_reason = "" if active else reason[:500]
    profile.deactivated_by_id = None if active else actor.id
    profile.deactivated_at = None if active else utcnow()
    record(session, actor, "helper.activate" if active else "helper.deactivate", "user", user.id,
           region_code=actor.region_code, detail={"reason": reason})
    if active:
        session.flush()
        notices.helper_active_changed(session, user, active, reason)


def region_names(session: Session, codes) -> dict[str, str]:
    from portal.regions.rules import names_of

    return names_of(session, codes)

