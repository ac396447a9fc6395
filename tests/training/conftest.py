"""Training sessions made through the rules, and staff of the next county to attack them with."""

from __future__ import annotations

from datetime import date

import pytest

from portal import db
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.training import rules

YITANG = "371302105000"  # the town of the "town", "village" and "village2" users
LANSHAN = "371302000000"
LUOZHUANG_VILLAGE = "371311001001"  # in the other county


@pytest.fixture
def make_training(app, users):
    """A session created by ``actor`` (default the county's staff), held by ``region`` on ``held_on``."""

    def make(held_on: date | None = None, region: str = YITANG, actor: str = "county", topic: str = "儿童主任业务培训"):
        with app.app_context(), db.write_session() as s:
            values = rules.SessionValues(topic=topic, held_on=held_on or date.today(), region_code=region,
                                         trainer="兰山区民政局 李静", place="义堂镇政府三楼会议室")
            return rules.create_session(s, s.get(User, users[actor].id), values)

    return make


@pytest.fixture
def outsider(app, users, password_hash):
    """A child director of a village in the other county (罗庄区)."""
    with app.app_context(), db.write_session() as s:
        user = User(username="outsider", display_name="Test outsider", password_hash=password_hash,
                    role=Role.child_director, region_code=LUOZHUANG_VILLAGE)
        s.add(user)
    return user


def attend(app, training, *user_keys_or_ids, users=None, actor="county", today: date | None = None):
    """Tick people on the list of ``training`` (ids, or keys of the role users)."""
    ids = [users[k].id if isinstance(k, str) else k for k in user_keys_or_ids]
    with app.app_context(), db.write_session() as s:
        staff = s.get(User, users[actor].id)
        rules.set_attendance(s, staff, s.get(type(training), training.id), ids, ids, today or date.today())
