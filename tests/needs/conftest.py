"""Fixtures of the needs area: needs reported through the rules, helpers who may claim them."""

from datetime import date

import pytest

from portal import db
from portal.accounts.models import User
from portal.helpers.models import HelperArea, HelperProfile
from portal.needs import rules
from portal.needs.models import Need
from portal.types import utcnow
from tests.helpers.conftest import make_org, signed_in  # noqa: F401  (shared fixtures)


@pytest.fixture
def make_need(app, make_child, users):
    """Report a need for a new child of the demo village, optionally moved on: ``make_need(to="published")``."""

    def make(to: str = "reported", actor: str = "village", child_values=None, **values):
        child = make_child(actor, **(child_values or {}))
        fields = dict(category="education", kind="service", description=f"{child.name}需要数学辅导", urgency=2)
        fields.update(values)
        with app.app_context(), db.write_session() as s:
            need = rules.report_need(s, s.get(User, users[actor].id), s.get(type(child), child.id),
                                     rules.NeedValues(**fields))
            if to in ("at_town", "at_county", "published"):
                first = actor if actor.startswith("village") else "town"
                rules.escalate(s, s.get(User, users[first].id), need)
            if to in ("at_county", "published"):
                rules.escalate(s, s.get(User, users["town"].id), need)
            if to == "published":
                rules.publish(s, s.get(User, users["county"].id), need, "义堂镇一名小学生需要每周末的数学辅导。",
                              today=date.today())
            return need.id

    return make


@pytest.fixture
def helper_in(app, users):
    """Give a volunteer (or an org member's organization) a confirmed contact and a service area."""

    def give(key: str = "volunteer", area: str = "371302105000"):
        with app.app_context(), db.write_session() as s:
            user = s.get(User, users[key].id)
            profile = s.get(HelperProfile, user.id) or HelperProfile(user_id=user.id)
            profile.phone_verified_at = utcnow()
            s.add(profile)
            s.add(HelperArea(user_id=user.id, region_code=area))
        return users[key]

    return give


def need_row(app, need_id) -> Need:
    with app.app_context(), db.new_session() as s:
        return s.get(Need, need_id)
