from datetime import date

import pytest

from portal import db
from portal.accounts.models import User
from portal.programmes.rules import ProgrammeValues, create_programme

SCHOLARSHIP = dict(
    name_zh="福彩圆梦·孤儿助学", kind="scholarship", period_type="per_year", fund_code="scholarship",
    amount_rule={"type": "fixed", "amount_fen": 1_000_000},
    eligibility={"categories": ["orphan"], "school_stages": ["university", "vocational_college"],
                 "statuses": ["active", "aged_out"]},
    required_documents=["enrolment_certificate"],
)
ALLOWANCE = dict(
    name_zh="孤儿和事实无人抚养儿童基本生活费", kind="living_allowance", period_type="monthly", fund_code="living_allowance",
    amount_rule={"type": "by_category", "amounts_fen": {"orphan": 180_000, "unsupported": 150_000}},
    eligibility={"categories": ["orphan", "unsupported"], "age_max": 17},
    required_documents=["identity_document"],
)


@pytest.fixture
def make_programme(app, users):
    """Create a programme through the rules, as ``actor_key`` (county civil-affairs staff by default)."""

    def make(template: dict = SCHOLARSHIP, actor_key: str = "county", today: date | None = None, **changes):
        values = dict(template, **changes)
        with app.app_context(), db.write_session() as s:
            actor = s.get(User, users[actor_key].id)
            programme = create_programme(s, actor, ProgrammeValues(**values), today=today)
        return programme

    return make
