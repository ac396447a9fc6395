"""Vetting of adults who will be alone with a child (未成年人保护法; DESIGN.md §2).

A need that puts an adult alone with a child (a one-to-one pairing, home tutoring, escorting:
``portal.needs.models.close_contact``) is taken only by

* a volunteer with a real name and an identity number that passes its checksum, and a
  no-criminal-record certificate (无犯罪记录证明) issued less than a year ago, approved by county
  civil-affairs staff, who compared it with that very name and number; or
* a member of an approved organization whose administrators vouch for that member.

A change of name or identity number after the approval leaves the volunteer unvetted until a new
certificate is approved: the approval is tied to the keyed hash of both (``holder_hash``).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlmodel import Session

from portal import access, crypto
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit.rules import record
from portal.children import idnumber
from portal.errors import Conflict, DomainError, NotAllowed, NotFound
from portal.helpers import notices
from portal.helpers.models import (
    Certificate,
    CertificateKind,
    HelperProfile,
    Organization,
    OrganizationMember,
    OrgStatus,
    ReviewStatus,
)
from portal.types import utcnow

VALID_DAYS = 365  # a certificate older than this no longer vouches for anyone

REQUIRED = _l("Real name and no-criminal-record certificate required")
NOT_VETTED = _l("This need puts an adult alone with a child. Taking it needs your real name and identity "
                "number and a no-criminal-record certificate approved by the county, or an approved "
                "organization that vouches for you.")
NOT_VOUCHED = _l("This need puts an adult alone with a child. Your organization's administrators must "
                 "vouch for you before you take it.")


def holder_hash(name: str, id_number: str) -> str:
    return crypto.blind_index(f"{name.strip()}|{id_number}")


def _checked_identity(user: User, profile: HelperProfile | None) -> str | None:
    """The volunteer's identity number if it and their real name are well formed, else None."""
    from portal.helpers.rules import check_real_name

    if profile is None or not profile.id_number:
        return None
    try:
        check_real_name(user.display_name or "")
        return idnumber.parse(profile.id_number).value
    except (DomainError, ValueError):
        return None


def vouched(session: Session, user: User) -> bool:
    """Whether an approved organization ``user`` belongs to vouches for them."""
    return session.scalar(
        select(OrganizationMember.user_id).join(Organization, Organization.id == OrganizationMember.organization_id)
        .where(OrganizationMember.user_id == user.id, OrganizationMember.vouched_at.is_not(None),
               Organization.status == OrgStatus.approved).limit(1)) is not None


def vetting_problem(session: Session, user: User, today: date | None = None):
    """Why ``user`` may not be alone with a child, or None when they are vetted."""
    if user.role not in (Role.volunteer, Role.org_member):
        return NOT_VETTED
    if vouched(session, user):
        return None
    if user.role == Role.org_member:
        return NOT_VOUCHED
    number = _checked_identity(user, session.get(HelperProfile, user.id))
    if number is None:
        return NOT_VETTED
    today = today or date.today()
    approved = session.scalar(select(Certificate.id).where(
        Certificate.user_id == user.id, Certificate.kind == CertificateKind.no_criminal_record,
        Certificate.status == ReviewStatus.verified, Certificate.holder_hash == holder_hash(user.display_name, number),
        Certificate.issued_on >= today - timedelta(days=VALID_DAYS), Certificate.issued_on <= today).limit(1))
    return None if approved is not None else NOT_VETTED


def is_vetted(session: Session, user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and vetting_problem(session, user) is None


def vetted_among(session: Session, user_ids, today: date | None = None) -> set[int]:
    """Those of ``user_ids`` who may be alone with a child (``vetting_problem`` is None).

    One query keeps the accounts that could be vetted at all (vouched for by an approved
    organization, or holding an approved certificate still in date); only those few are checked in
    full (the name and identity number against the certificate's holder)."""
    ids = set(user_ids)
    if not ids:
        return set()
    today = today or date.today()
    vouching = (select(OrganizationMember.user_id)
                .join(Organization, Organization.id == OrganizationMember.organization_id)
                .where(OrganizationMember.vouched_at.is_not(None), Organization.status == OrgStatus.approved))
    certified = select(Certificate.user_id).where(
        Certificate.kind == CertificateKind.no_criminal_record, Certificate.status == ReviewStatus.verified,
        Certificate.issued_on >= today - timedelta(days=VALID_DAYS), Certificate.issued_on <= today)
    maybe = session.scalars(select(User).where(User.id.in_(ids), User.is_active,
                                               or_(User.id.in_(vouching), User.id.in_(certified))))
    return {user.id for user in maybe if vetting_problem(session, user, today) is None}


def add_record_check(session: Session, user: User, *, title: str, issued_on: date | None, id_number: str,
                     file_path: str, today: date | None = None) -> Certificate:
    """A volunteer uploads a no-criminal-record certificate (the photo already checked and stored).

    Refuses: another role; no issue date, one in the future or more than a year ago; an identity
    number that fails its checksum, belongs to another account or differs from the one on file;
    a name that is not a real name. The county staff over the volunteer's areas are told."""
    from portal.helpers.rules import HelperView, _refuse_taken, check_real_name, reviewers

    access.require(user, "helpers.volunteer")
    today = today or date.today()
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("This field is required."), field="title")
    if issued_on is None:
        raise DomainError(_l("Give the date the certificate was issued."), field="issued_on")
    if issued_on > today or issued_on < today - timedelta(days=VALID_DAYS):
        raise DomainError(_l("The certificate must have been issued within the last year."), field="issued_on")
    check_real_name(user.display_name or "")
    profile = session.get(HelperProfile, user.id)
    if profile is None:
        raise NotFound(_l("This helper does not exist."))
    typed = (id_number or "").strip()
    if typed:
        try:
            number = idnumber.parse(typed).value
        except ValueError as error:
            raise DomainError(error.args[0], field="id_number") from None
        if profile.id_number and profile.id_number != number:
            raise DomainError(_l("This is not the identity number on your profile."), field="id_number")
        if not profile.id_number:
            _refuse_taken(session, id_number=number, exclude=user.id)
            profile.id_number, profile.id_number_hash = number, crypto.blind_index(number)
    elif profile.id_number:
        number = _checked_identity(user, profile)
        if number is None:
            raise DomainError(_l("The identity number on your profile is not valid; type it again."),
                              field="id_number")
    else:
        raise DomainError(_l("Give your identity number: the county compares it with the certificate."),
                          field="id_number")
    certificate = Certificate(user_id=user.id, kind=CertificateKind.no_criminal_record, skill=None, title=title[:100],
                              issued_on=issued_on, holder_hash=holder_hash(user.display_name, number),
                              file_path=file_path)
    session.add(certificate)
    session.flush()
    record(session, user, "certificate.upload", "certificate", certificate.id, detail={"kind": certificate.kind.value})
    notices.certificate_uploaded(session, user, certificate, reviewers(session, HelperView.of(session, user)))
    return certificate


def set_vouched(session: Session, actor: User, member: OrganizationMember, user_id: int, vouch: bool) -> None:
    """An administrator of an approved organization vouches for a member (or withdraws it): the
    organization answers for that member being alone with a child."""
    from portal.helpers.orgs import require_admin

    require_admin(member)
    org = session.get(Organization, member.organization_id)
    if org is None or org.status != OrgStatus.approved:
        raise NotAllowed(_l("Your organization is not approved (or is suspended) and cannot act."))
    target = session.get(OrganizationMember, (member.organization_id, user_id))
    if target is None:
        raise NotFound(_l("This member does not exist."))
    if bool(target.vouched_at) == vouch:
        raise Conflict(_l("Nothing to change."))
    target.vouched_at, target.vouched_by_id = (utcnow(), actor.id) if vouch else (None, None)
    record(session, actor, "org.vouch" if vouch else "org.unvouch", "organization", member.organization_id,
           detail={"user": user_id})
