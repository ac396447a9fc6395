"""The roles of DESIGN.md §2 and the region level each staff role works at."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from portal.regions.models import Level


class Role(StrEnum):
    child_director = "child_director"
    child_supervisor = "child_supervisor"
    civil_affairs = "civil_affairs"
    org_member = "org_member"
    volunteer = "volunteer"
    donor = "donor"
    admin = "admin"


ROLE_LABELS = {
    Role.child_director: _l("Child director"),
    Role.child_supervisor: _l("Child supervisor"),
    Role.civil_affairs: _l("Civil-affairs staff"),
    Role.org_member: _l("Organization member"),
    Role.volunteer: _l("Volunteer"),
    Role.donor: _l("Donor"),
    Role.admin: _l("Administrator"),
}

LEVEL_LABELS = {
    Level.province: _l("Province"),
    Level.city: _l("City"),
    Level.county: _l("County / district"),
    Level.town: _l("Town / street"),
    Level.village: _l("Village / community"),
}

# Staff work inside a region; the role follows from the region's level.
STAFF_ROLES = frozenset({Role.child_director, Role.child_supervisor, Role.civil_affairs})
HELPER_ROLES = frozenset({Role.org_member, Role.volunteer, Role.donor})
STAFF_ROLE_LEVELS = {
    Role.child_director: frozenset({Level.village}),
    Role.child_supervisor: frozenset({Level.town}),
    Role.civil_affairs: frozenset({Level.county, Level.city, Level.province}),
}


def role_for_level(level: Level) -> Role:
    for role, levels in STAFF_ROLE_LEVELS.items():
        if Level(level) in levels:
            return role
    raise ValueError(level)
