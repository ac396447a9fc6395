"""The notices of the helpers area: registration, vetting, certificates, members, deactivation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from portal.categories import SKILL_LABELS
from portal.notifications.rules import mark_done, notify, register_kind

OUTCOMES = {
    "approved": _l("approved"),
    "more_info": _l("more information asked for"),
    "rejected": _l("rejected"),
    "suspended": _l("suspended"),
    "verified": _l("verified"),
    "applied": _l("waiting for vetting"),
}

register_kind("helper_welcome", _l("Welcome to Tongxin, %(name)s. Confirm your contact, then complete your profile."),
              _l("Welcome after registering"), email=False)
register_kind("org_applied", _l("%(org)s applied to be vetted as an organization."),
              _l("Organization applications to vet"))
register_kind("org_vetted", _l("Vetting of %(org)s: %(outcome)s. %(reason)s"), _l("Vetting results"),
              param_labels={"outcome": OUTCOMES})
register_kind("org_member_joined", _l("%(name)s joined %(org)s."), _l("New members of my organization"))
register_kind("certificate_uploaded", _l("%(name)s added a certificate for %(skill)s to verify."),
              _l("Certificates to verify"), param_labels={"skill": SKILL_LABELS})
register_kind("record_check_uploaded", _l("%(name)s uploaded a no-criminal-record certificate to verify."),
              _l("Certificates to verify"))
register_kind("certificate_reviewed", _l("Your certificate “%(title)s”: %(outcome)s. %(reason)s"),
              _l("Results of certificate checks"), param_labels={"outcome": OUTCOMES})
register_kind("helper_deactivated", _l("Your account has been deactivated: %(reason)s"),
              _l("My account deactivated or reactivated"))
register_kind("helper_reactivated", _l("Your account has been reactivated."),
              _l("My account deactivated or reactivated"))


def welcome(session: Session, user) -> None:
    notify(session, [user.id], "helper_welcome", {"name": user.display_name}, "/me/profile")


def org_applied(session: Session, org, staff_ids: list[int]) -> None:
    notify(session, staff_ids, "org_applied", {"org": org.name}, f"/orgs/{org.id}", about=f"org:{org.id}")


def org_vetted(session: Session, org, admin_ids: list[int]) -> None:
    mark_done(session, f"org:{org.id}", ["org_applied"])  # decided: the application no longer waits
    notify(session, admin_ids, "org_vetted",
           {"org": org.name, "outcome": org.status.value, "reason": org.status_reason}, "/me/organization")


def member_joined(session: Session, org, user, admin_ids: list[int]) -> None:
    notify(session, admin_ids, "org_member_joined", {"org": org.name, "name": user.display_name},
           "/me/organization")


def certificate_uploaded(session: Session, user, certificate, staff_ids: list[int]) -> None:
    if certificate.skill is None:  # a no-criminal-record certificate backs no skill
        notify(session, staff_ids, "record_check_uploaded", {"name": user.display_name}, "/helpers/certificates")
        return
    notify(session, staff_ids, "certificate_uploaded", {"name": user.display_name, "skill": certificate.skill.value},
           "/helpers/certificates", about=f"certificate:{certificate.id}")


def certificate_reviewed(session: Session, certificate) -> None:
    mark_done(session, f"certificate:{certificate.id}", ["certificate_uploaded"])
    notify(session, [certificate.user_id], "certificate_reviewed",
           {"title": certificate.title, "outcome": certificate.status.value, "reason": certificate.reason},
           "/me/certificates")


def helper_active_changed(session: Session, user, active: bool, reason: str) -> None:
    if active:
        notify(session, [user.id], "helper_reactivated", {}, "/me/profile")
    else:
        notify(session, [user.id], "helper_deactivated", {"reason": reason}, "")

