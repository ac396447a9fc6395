"""What each user has to do next: the counts on the home page, each a link to the list it counts.

Every count is one COUNT query over the user's own region subtree, made by the same function
that builds the list it links to (``count_children`` for ``list_children``, …), so the number on
the home page and the length of the list one click later can never disagree. A role sees only
the counts its access rules allow: helpers never get a staff count, staff never a helper's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlmodel import Session

from portal import access
from portal.accounts.roles import Role

# The status a need waits in at each staff member's level: "needs waiting for you".
WAITING_AT = {Role.child_director: "reported", Role.child_supervisor: "at_town", Role.civil_affairs: "at_county"}


@dataclass(frozen=True)
class Todo:
    key: str  # stable name (tests, CSS): "overdue_visits"
    label: object  # lazy string
    href: str  # the list it counts, filtered
    count: int | None = None  # None: a link without a number


def todos_for(session: Session, user, today: date | None = None) -> list[Todo]:
    """The to-do counts and links of ``user``'s home page, in the order shown."""
    if not access.allowed(user, "signed_in"):
        return []
    today = today or date.today()
    if access.allowed(user, "staff"):
        return _staff_todos(session, user, today)
    if access.allowed(user, "needs.claim"):
        return _claimer_todos(session, user)
    if access.allowed(user, "donations.mine"):  # the helpers who do not claim: donors
        return _donor_todos(session, user)
    return []


def _staff_todos(session: Session, user, today: date) -> list[Todo]:
    from portal.children.rules import ChildFilter, count_children
    from portal.needs.rules import StaffFilter, count_for_staff

    todos: list[Todo] = []
    if access.allowed(user, "needs.verify"):
        todos.append(Todo("to_verify", _l("Waiting for your verification"), "/needs/?to_verify=1",
                          count_for_staff(session, user, StaffFilter(to_verify=True), today)))
    if access.allowed(user, "children.list"):
        todos.append(Todo("overdue_visits", _l("Overdue visits"), "/visits/overdue",
                          count_children(session, user, ChildFilter(overdue=True), today)))
    waiting = WAITING_AT.get(user.role)
    if waiting and access.allowed(user, "needs.list"):
        publishing = access.allowed(user, "needs.publish")
        todos.append(Todo("to_publish" if publishing else "needs_waiting",
                          _l("Needs to publish or resolve") if publishing else _l("Needs waiting for you"),
                          f"/needs/?status={waiting}", count_for_staff(session, user, StaffFilter(status=waiting), today)))
    if access.allowed(user, "children.list"):
        todos.append(Todo("agreements_due", _l("Agreements due for renewal"), "/children/?agreement_due=1",
                          count_children(session, user, ChildFilter(agreement_due=True), today)))
    if access.allowed(user, "helpers.manage"):
        from portal.helpers.rules import pending_certificate_count

        todos.append(Todo("certificates", _l("Certificates to review"), "/helpers/certificates",
                          pending_certificate_count(session, user)))
    if access.allowed(user, "orgs.view"):
        from portal.helpers.orgs import OrgFilter
        from portal.helpers.orgs import count_for_staff as count_orgs

        todos.append(Todo("organizations", _l("Organizations to vet"), "/orgs/?status=applied",
                          count_orgs(session, user, OrgFilter(status="applied"))))
    return todos


def _claimer_todos(session: Session, user) -> list[Todo]:
    from portal.needs.models import Claim, ClaimStatus

    counts = dict(session.execute(select(Claim.status, func.count()).where(Claim.helper_id == user.id)
                                  .group_by(Claim.status)).all())
    return [
        Todo("my_claims", _l("My claims"), "/claims/", sum(counts.values())),
        Todo("to_deliver", _l("Claims waiting for your delivery report"), "/claims/?status=active",
             counts.get(ClaimStatus.active, 0)),
        Todo("recommended", _l("Recommended for you"), "/board#for-you"),
    ]


def _donor_todos(session: Session, user) -> list[Todo]:
    from portal.donations.models import Donation

    gifts = session.scalar(select(func.count()).select_from(Donation).where(Donation.donor_id == user.id)) or 0
    return [
        Todo("my_gifts", _l("My gifts · where the money went"), "/donations/mine", gifts),
        Todo("board", _l("Needs board"), "/board"),
    ]
