"""Fixtures of the matching area: a model file of the test's own, helpers with skills, and the
needs area's fixtures (needs moved through the rules, helpers who may claim, organizations)."""

import pytest

from portal import db
from portal.accounts.models import User
from portal.categories import Skill
from portal.helpers.models import HelperArea, HelperProfile, HelperSkill
from portal.matching import service
from portal.types import utcnow
from tests.helpers.conftest import make_org, signed_in  # noqa: F401  (shared fixtures)
from tests.needs.conftest import helper_in, make_need, vet_volunteer  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def model_file(app, tmp_path):
    """Each test reads and writes its own model file (none at first) and starts with nothing cached."""
    path = tmp_path / "matching" / "model.bin"
    app.config["MATCHING_MODEL"] = str(path)
    service.forget(app)
    return path


@pytest.fixture
def skilled(app, users):
    """A confirmed helper (volunteer or donor) serving ``area`` with ``skills``: ``skilled("volunteer")``."""

    def give(key: str = "volunteer", area: str = "371302105000", skills=("tutoring",), bio: str = ""):
        with app.app_context(), db.write_session() as s:
            user = s.get(User, users[key].id)
            profile = s.get(HelperProfile, user.id) or HelperProfile(user_id=user.id)
            profile.phone_verified_at = utcnow()
            profile.bio = bio
            s.add(profile)
            s.add(HelperArea(user_id=user.id, region_code=area))
            s.add_all(HelperSkill(user_id=user.id, skill=Skill(skill), subjects=[]) for skill in skills)
            if user.role == "volunteer":
                s.flush()
                vet_volunteer(s, user)  # claims tutoring needs: vetted, as the rules require
        return users[key]

    return give


def english(client):
    """Switch a test client to English: the new strings are translated by the lead at the end."""
    from tests.conftest import post

    post(client, "/language", {"lang": "en"})
    return client
