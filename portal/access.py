"""Who may do what: every access decision of the portal, in one place.

Each rule answers "may this user do X (to this object)?" from role, region subtree and ownership.
Routes declare the rule they need with ``@access.route("name")``; a request to a route that
declares none is refused (and a test walks the URL map so such a route never ships). Routes and
rules that act on one object call ``require(user, name, obj)`` once they have loaded it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.accounts.roles import STAFF_ROLES, Role, role_for_level
from portal.errors import NotAllowed
from portal.regions.models import Level, Region
from portal.regions.rules import level_of_code, level_rank, prefix_of

RuleFn = Callable[[Any, Any], bool]
_RULES: dict[str, RuleFn] = {}
PUBLIC = "public"


def rule(name: str) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        _RULES[name] = fn
        return fn

    return register


def rule_names() -> list[str]:
    return sorted(_RULES)


def allowed(user, name: str, obj: Any = None) -> bool:
    return bool(_RULES[name](user, obj))


def require(user, name: str, obj: Any = None) -> None:
    """Raise ``NotAllowed`` unless ``user`` passes rule ``name`` for ``obj``."""
    if not allowed(user, name, obj):
        raise NotAllowed(_l("You do not have permission to do this."))


def route(name: str):
    """Declare the rule a view needs; checked before the view runs."""
    if name not in _RULES:
        raise KeyError(f"no access rule named {name!r}")

    def declare(view):
        view.access_rule = name
        return view

    return declare


def rule_of(view) -> str | None:
    return getattr(view, "access_rule", None)


# --- regions of users --------------------------------------------------------------------------


def scope_prefix(code: str) -> str:
    """The leading digits every region inside ``code``'s subtree starts with."""
    return prefix_of(code, level_of_code(code))


def within_scope(user, code: str | None) -> bool:
    """Region ``code`` lies inside the subtree of the region ``user`` works in."""
    return bool(code and user.region_code and code.startswith(scope_prefix(user.region_code)))


def strictly_below(user, code: str) -> bool:
    """Region ``code`` is inside ``user``'s subtree and at a lower level than ``user``'s region."""
    return within_scope(user, code) and level_rank(level_of_code(code)) > level_rank(level_of_code(user.region_code))


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and getattr(user, "is_active", False))


def _staff(user) -> bool:
    return _signed_in(user) and user.role in STAFF_ROLES and user.region_code is not None


def _admin(user) -> bool:
    return _signed_in(user) and user.role == Role.admin


# --- the rules ---------------------------------------------------------------------------------


@rule(PUBLIC)
def _public(user, obj) -> bool:
    return True


@rule("signed_in")
def _rule_signed_in(user, obj) -> bool:
    return _signed_in(user)


@rule("staff")
def _rule_staff(user, obj) -> bool:
    return _staff(user)


@rule("accounts.manage")
def _accounts_manage(user, target) -> bool:
    """Town staff and above manage accounts strictly below them in their subtree; admins all."""
    if _admin(user):
        return True
    if not _staff(user) or user.role == Role.child_director:
        return False
    if target is None:
        return True
    return target.region_code is not None and strictly_below(user, target.region_code)


@rule("accounts.confirm_reset")
def _accounts_confirm_reset(user, reset) -> bool:
    """A password reset someone else started is confirmed by the supervisor above the account
    (staff working in exactly the region the reset names) or, for an administrator's account or a
    helper's without a confirmed contact, by a second administrator. Never by whoever started it,
    never by the account's holder, never by an administrator for a staff account."""
    if reset is None:  # the list of resets to confirm
        return _admin(user) or (_staff(user) and user.role != Role.child_director)
    if user.id in (reset.user_id, reset.initiated_by_id):
        return False
    if reset.route == "second_admin":
        return _admin(user)
    if reset.route == "supervisor":
        return (_staff(user) and user.role != Role.child_director
                and user.region_code is not None and user.region_code == reset.confirm_region_code)
    return False  # a reset sent to the holder's own contact is confirmed by nobody


def may_grant(user, role: Role, region_code: str | None) -> bool:
    """May ``user`` create (or turn an account into) ``role`` working in ``region_code``?

    Never a role or a region above the granting user's own: staff grant only staff roles, in
    regions strictly below their own and inside their subtree, with the role that region's level
    calls for. Administrators grant any role.
    """
    if _admin(user):
        return True
    if not _staff(user) or user.role == Role.child_director:
        return False
    if role not in STAFF_ROLES or not region_code:
        return False
    if not strictly_below(user, region_code):
        return False
    return role_for_level(level_of_code(region_code)) == role


@rule("regions.view")
def _regions_view(user, region: Region | None) -> bool:
    if _admin(user):
        return True
    if not _staff(user):
        return False
    return region is None or within_scope(user, region.code)


@rule("regions.import")
def _regions_import(user, obj) -> bool:
    return _admin(user)


@rule("audit.search")
def _audit_search(user, obj) -> bool:
    """County-level civil-affairs staff and above (their subtree), and administrators."""
    if _admin(user):
        return True
    return _staff(user) and user.role == Role.civil_affairs


@rule("ledger.check")
def _ledger_check(user, obj) -> bool:
    """The ledger's consistency report (totals per fund, no donor or child): administrators."""
    return _admin(user)


# --- children's files: staff inside the child's region subtree only ------------------------------
# Organizations, volunteers, donors and the administrator never see a child's file (DESIGN.md §2).


@rule("children.list")
def _children_list(user, obj) -> bool:
    return _staff(user)


@rule("children.view")
def _children_view(user, child) -> bool:
    if not _staff(user):
        return False
    return child is None or within_scope(user, child.region_code)


@rule("children.edit")
def _children_edit(user, child) -> bool:
    """Change a file or record a visit: staff in the child's subtree, while the file is active."""
    if not _staff(user):
        return False
    if child is None:
        return True
    return within_scope(user, child.region_code) and child.status == "active"


@rule("children.register")
def _children_register(user, region_code) -> bool:
    if not _staff(user):
        return False
    return region_code is None or within_scope(user, region_code)


@rule("children.readers")
def _children_readers(user, child) -> bool:
    """Who read a file: supervisors and civil-affairs staff over the child's village."""
    if not _staff(user) or user.role == Role.child_director:
        return False
    return child is None or within_scope(user, child.region_code)


@rule("visits.policy")
def _visits_policy(user, county_code) -> bool:
    """A county's visit intervals are set by civil-affairs staff of that county (or above)."""
    if not _staff(user) or user.role != Role.civil_affairs:
        return False
    return county_code is None or within_scope(user, county_code)


# --- helpers: volunteers, donors, organizations ----------------------------------------------
# Staff see a helper's personal data only when the helper works in their region: a service area
# (or a donor's preferred region) that lies inside the staff member's subtree or contains it.


def overlaps(user, code: str | None) -> bool:
    """Region ``code`` and the region ``user`` works in are one inside the other."""
    if not code or not user.region_code:
        return False
    return within_scope(user, code) or user.region_code.startswith(scope_prefix(code))


def _helper(user) -> bool:
    return _signed_in(user) and user.role in (Role.volunteer, Role.donor, Role.org_member)


@rule("helpers.self")
def _helpers_self(user, obj) -> bool:
    """A volunteer, donor or organization member, on their own profile."""
    return _helper(user)


@rule("helpers.volunteer")
def _helpers_volunteer(user, obj) -> bool:
    """Certificates and service hours are a volunteer's."""
    return _signed_in(user) and user.role == Role.volunteer


@rule("helpers.manage")
def _helpers_manage(user, helper) -> bool:
    """Civil-affairs staff see and deactivate helpers who work in their region; ``helper`` carries
    ``region_codes`` (service areas, or a donor's preferred regions)."""
    if not _staff(user) or user.role != Role.civil_affairs:
        return False
    return helper is None or any(overlaps(user, code) for code in helper.region_codes)


@rule("orgs.view")
def _orgs_view(user, org) -> bool:
    """Civil-affairs staff see organizations serving somewhere in their region."""
    return _helpers_manage(user, org)


@rule("orgs.vet")
def _orgs_vet(user, org) -> bool:
    """Vetting needs authority over the organization's whole service area: a county's staff vet an
    organization serving inside that county, a city's staff one serving several of its counties."""
    if not _staff(user) or user.role != Role.civil_affairs:
        return False
    return org is None or (bool(org.region_codes) and all(within_scope(user, c) for c in org.region_codes))


@rule("orgs.member")
def _orgs_member(user, obj) -> bool:
    """Organization pages of one's own organization (membership is checked by the rules)."""
    return _signed_in(user) and user.role in (Role.org_member, Role.volunteer)


@rule("hours.log")
def _hours_log(user, obj) -> bool:
    """Service hours are logged by volunteers and by organization members on their deliveries."""
    return _signed_in(user) and user.role in (Role.volunteer, Role.org_member)


@rule("hours.mine")
def _hours_mine(user, obj) -> bool:
    """One's own service hours and their certificate: volunteers and organization members (who
    record hours on their deliveries too). Always the signed-in user's own, never another's."""
    return _signed_in(user) and user.role in (Role.volunteer, Role.org_member)


@rule("hours.decide")
def _hours_decide(user, hours) -> bool:
    """Volunteer hours are approved by the child director or supervisor over the place served."""
    if not _staff(user) or user.role not in (Role.child_director, Role.child_supervisor):
        return False
    return hours is None or within_scope(user, hours.region_code)


# --- needs: staff over the child's village act on its needs; helpers see the public form only ----


@rule("needs.list")
def _needs_list(user, obj) -> bool:
    return _staff(user)


@rule("needs.report")
def _needs_report(user, region_code) -> bool:
    return _staff(user) and (region_code is None or within_scope(user, region_code))


@rule("needs.view")
def _needs_view(user, need) -> bool:
    """The internal need (its description may name the child): staff over its village only."""
    return _staff(user) and (need is None or within_scope(user, need.region_code))


@rule("needs.poster")
def _needs_poster(user, poster) -> bool:
    """A need's share poster: staff over its village, and the helpers who claimed it (``poster``
    carries ``region_code`` and ``claimer_ids``)."""
    if not _signed_in(user):
        return False
    if poster is None:
        return True
    if _staff(user):
        return within_scope(user, poster.region_code)
    return user.role in (Role.volunteer, Role.org_member) and user.id in poster.claimer_ids


# Who acts on a need waiting at each level: its own level's staff, or staff above them.
_NEED_LEVEL_ROLES = {
    "reported": {Role.child_director, Role.child_supervisor, Role.civil_affairs},
    "at_town": {Role.child_supervisor, Role.civil_affairs},
    "at_county": {Role.civil_affairs},
}


@rule("needs.act")
def _needs_act(user, need) -> bool:
    """Escalate, resolve or reject a need waiting inside government."""
    if not _staff(user):
        return False
    if need is None:
        return True
    return within_scope(user, need.region_code) and user.role in _NEED_LEVEL_ROLES.get(str(need.status), set())


@rule("needs.publish")
def _needs_publish(user, need) -> bool:
    """Publishing opens a need to the public: county (or city) civil-affairs staff decide."""
    if not _staff(user) or user.role != Role.civil_affairs:
        return False
    return need is None or within_scope(user, need.region_code)


@rule("needs.verify")
def _needs_verify(user, need) -> bool:
    """Deliveries are verified (or disputed) by the child director or supervisor over the village,
    and by the civil-affairs staff who published the need (its county, or the city above it)."""
    if not _staff(user) or user.role not in (Role.child_director, Role.child_supervisor, Role.civil_affairs):
        return False
    return need is None or within_scope(user, need.region_code)


@rule("needs.claim")
def _needs_claim(user, obj) -> bool:
    """Volunteers and organization members take on needs; donors give money (donations)."""
    return _signed_in(user) and user.role in (Role.volunteer, Role.org_member)


# --- donations: civil-affairs staff over the place a gift is for; donors see their own ------------


def _civil_affairs(user) -> bool:
    return _staff(user) and user.role == Role.civil_affairs


@rule("donations.manage")
def _donations_manage(user, donation) -> bool:
    """Gifts are listed, confirmed and refunded by civil-affairs staff (county or city) over the
    gift's region: the need's county, or the region of the staff who recorded a gift to a fund. A
    gift with no region (an online gift to a fund) is the city's or province's."""
    if not _civil_affairs(user):
        return False
    if donation is None:
        return True
    if donation.region_code is None:
        return level_of_code(user.region_code) in (Level.city, Level.province)
    return within_scope(user, donation.region_code)


@rule("donations.record")
def _donations_record(user, need) -> bool:
    """An offline gift towards a money need is recorded by civil-affairs staff over the need's
    village; a gift to a fund (``need`` None) by any county or city civil-affairs staff."""
    if not _civil_affairs(user):
        return False
    return need is None or within_scope(user, need.region_code)


@rule("donations.receipt")
def _donations_receipt(user, donation) -> bool:
    """A gift's receipt: the donor who gave it (signed in), or civil-affairs staff over the gift. A
    guest holds a signed link instead (``donations.receipts``), checked outside these rules."""
    if _signed_in(user) and donation is not None and donation.donor_id == user.id:
        return True
    return _donations_manage(user, donation) and donation is not None


@rule("donations.mine")
def _donations_mine(user, obj) -> bool:
    """A donor's (or volunteer's, or organization member's) own gifts."""
    return _helper(user)


# --- programmes: run by civil-affairs staff of the owning city or county (or above it) -----------


@rule("programmes.manage")
def _programmes_manage(user, programme) -> bool:
    """Programmes (their rules, newly eligible lists, enrolments) are run by civil-affairs staff
    of a city or county, for programmes owned by their region or one below it. Never helpers,
    donors, administrators, or staff of villages and towns."""
    if not _civil_affairs(user) or level_of_code(user.region_code) not in (Level.city, Level.county):
        return False
    return programme is None or within_scope(user, programme.owner_region_code)


# --- disbursements: the owning level's civil-affairs staff make batches, others approve them -------


@rule("disbursements.make")
def _disbursements_make(user, programme) -> bool:
    """Batches are listed and submitted by those who run the programme."""
    return _programmes_manage(user, programme)


@rule("disbursements.approve")
def _disbursements_approve(user, batch) -> bool:
    """A batch is approved, and its payments recorded, by county or city civil-affairs staff over
    the batch's region (never another county's). That the approver is not the maker is decided by
    the rules (it depends on who made it, not on the approver's reach)."""
    if not _civil_affairs(user) or level_of_code(user.region_code) not in (Level.city, Level.county):
        return False
    return batch is None or within_scope(user, batch.region_code)


@rule("disbursements.return")
def _disbursements_return(user, batch) -> bool:
    """Sending a batch back is for those who make or approve batches; which of them may, for a
    given batch, the rules decide (its maker, its checker, its head)."""
    return _civil_affairs(user) and level_of_code(user.region_code) in (Level.city, Level.county)


@rule("disbursements.head")
def _disbursements_head(user, programme) -> bool:
    """Above the configured total, the owning level's head approves too: an active civil-affairs
    head (``User.is_head``) working in exactly the programme's owning region. Not the head of the
    city above a county's programme, not another county's head, not staff who are no head. That
    the head is a third person (neither maker nor first approver) is decided by the rules."""
    if not _civil_affairs(user) or not getattr(user, "is_head", False):
        return False
    return programme is None or user.region_code == programme.owner_region_code


@rule("disbursements.report")
def _disbursements_report(user, region_code) -> bool:
    """Disbursement reports: civil-affairs staff, for their region or any region inside it."""
    if not _civil_affairs(user):
        return False
    return region_code is None or within_scope(user, region_code)


# --- training: run by civil-affairs staff over the holding region; attended by its directors ------


def _trainee(user) -> bool:
    return _staff(user) and user.role in (Role.child_director, Role.child_supervisor)


@rule("training.manage")
def _training_manage(user, held_by) -> bool:
    """Sessions are created, edited and their attendance seen and ticked by civil-affairs staff
    whose subtree covers the region holding the session (``held_by``: a session, or the code of
    the region that is to hold one). Never another county's staff, never directors or helpers."""
    if not _civil_affairs(user):
        return False
    if held_by is None:
        return True
    return within_scope(user, getattr(held_by, "region_code", held_by))


@rule("training.attend")
def _training_attend(user, training) -> bool:
    """A child director or supervisor checks in to (and reads the materials of) a session held for
    them: one whose region's subtree contains the region they work in."""
    if not _trainee(user):
        return False
    return training is None or user.region_code.startswith(scope_prefix(training.region_code))


@rule("training.mine")
def _training_mine(user, obj) -> bool:
    """One's own training record: child directors and supervisors."""
    return _trainee(user)


@rule("training.coverage")
def _training_coverage(user, region_code) -> bool:
    """Training coverage (counts, no one named) of a region: its supervisors and civil-affairs
    staff, for their own subtree."""
    if not _staff(user) or user.role not in (Role.child_supervisor, Role.civil_affairs):
        return False
    return region_code is None or within_scope(user, region_code)


# --- clues: staff over the clue's town (or county); a child director only the clues given to them ---
# Helpers, organizations, donors, the public and administrators never see a clue's content.


@rule("clues.list")
def _clues_list(user, obj) -> bool:
    return _staff(user)


@rule("clues.enter")
def _clues_enter(user, region_code) -> bool:
    """Clues received by telephone or from a department are entered by staff of the region."""
    return _staff(user) and (region_code is None or within_scope(user, region_code))


@rule("clues.view")
def _clues_view(user, clue) -> bool:
    """A child director sees only the clues assigned to them; supervisors and civil-affairs staff
    those of their subtree (a clue waits at a town or a county, never below)."""
    if not _staff(user):
        return False
    if clue is None:
        return True
    if user.role == Role.child_director:
        return clue.assigned_to_id == user.id
    return within_scope(user, clue.region_code) or within_scope(user, clue.town_code or clue.county_code)


@rule("clues.assign")
def _clues_assign(user, clue) -> bool:
    """The town's supervisor assigns a clue waiting at the town; county (or city) civil-affairs
    staff any clue of their county. A clue that rose to the county (or whose town is unknown) is
    the county's alone, as a need at the county is."""
    if not _staff(user) or user.role not in (Role.child_supervisor, Role.civil_affairs):
        return False
    if clue is None:
        return True
    if (clue.town_code is None or str(clue.level) == "county") and user.role != Role.civil_affairs:
        return False
    return within_scope(user, clue.town_code or clue.county_code)


@rule("clues.outcome")
def _clues_outcome(user, clue) -> bool:
    """The outcome is recorded by the child director the clue is assigned to, or by those who
    may assign it."""
    if clue is not None and _staff(user) and user.role == Role.child_director:
        return clue.assigned_to_id == user.id
    return _clues_assign(user, clue)


@rule("clues.counts")
def _clues_counts(user, region_code) -> bool:
    """Counts of clues (no content): supervisors and civil-affairs staff, for their subtree."""
    if not _staff(user) or user.role == Role.child_director:
        return False
    return region_code is None or within_scope(user, region_code)


# --- partner-list comparison: civil-affairs staff over the list's region ---------------------------


@rule("comparisons.run")
def _comparisons_run(user, region_code) -> bool:
    """Partner lists (identity numbers of whole rolls) are mapped, uploaded and compared by
    civil-affairs staff (county, city or province), for their region or one inside it."""
    if not _civil_affairs(user):
        return False
    return region_code is None or within_scope(user, region_code)


@rule("comparisons.view")
def _comparisons_view(user, comparison) -> bool:
    """A comparison and its rows: civil-affairs staff whose subtree covers the list's region."""
    if not _civil_affairs(user):
        return False
    return comparison is None or within_scope(user, comparison.region_code)


# --- dashboards: staff see the figures of their own subtree; the public page is a county's choice --


@rule("dashboards.view")
def _dashboards_view(user, region_code) -> bool:
    """A region's dashboard and report (counts only, no child named): staff working in that region
    or above it. Never helpers, donors or administrators (who have no reach over children)."""
    if not _staff(user):
        return False
    return region_code is None or within_scope(user, region_code)


@rule("dashboards.publish")
def _dashboards_publish(user, county_code) -> bool:
    """A county's public figures page is switched on or off by the civil-affairs staff of that
    county or of the city above it."""
    if not _civil_affairs(user):
        return False
    return county_code is None or (level_of_code(county_code) == Level.county and within_scope(user, county_code))
