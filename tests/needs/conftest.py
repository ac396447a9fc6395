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

    def give(key: str = "volunteer", area: str = "371302105000", vetted: bool = True):
        with app.app_context(), db.write_session() as s:
            user = s.get(User, users[key].id)
            profile = s.get(HelperProfile, user.id) or HelperProfile(user_id=user.id)
            profile.phone_verified_at = utcnow()
            s.add(profile)
            s.add(HelperArea(user_id=user.id, region_code=area))
            if vetted and user.role == "volunteer":
                s.flush()
                vet_volunteer(s, user)
        return users[key]

    return give


def vet_volunteer(s, user, issued_days_ago: int = 30, status: str = "verified") -> None:
    """Give ``user`` an identity number and a no-criminal-record certificate reviewed by the county
    (``status``), issued ``issued_days_ago``: vetted for needs that put an adult alone with a child."""
    from datetime import date, timedelta

    from portal import crypto
    from portal.children import idnumber
    from portal.helpers.models import Certificate, CertificateKind
    from portal.helpers.vetting import holder_hash

    profile = s.get(HelperProfile, user.id)
    if not profile.id_number:
        number = idnumber.make("371302", date(1990, 1, 1), user.id)
        profile.id_number, profile.id_number_hash = number, crypto.blind_index(number)
    s.add(Certificate(user_id=user.id, kind=CertificateKind.no_criminal_record, title="临公(兰)证字123号",
                      issued_on=date.today() - timedelta(days=issued_days_ago), file_path="certificates/x.jpg",
                      holder_hash=holder_hash(user.display_name, profile.id_number), status=status))


def need_row(app, need_id) -> Need:
    with app.app_context(), db.new_session() as s:
        return s.get(Need, need_id)
