"""Fixtures of the clues area: clues reported through the rules, as the public or staff."""

import pytest

from portal import db
from portal.accounts.models import User
from portal.clues import rules

TOWN, VILLAGE, COUNTY = "371302105000", "371302105259", "371302000000"
OTHER_TOWN, OTHER_COUNTY_TOWN = "371302101000", "371311001000"


@pytest.fixture
def make_clue(app, users):
    """Report a clue through the rules: ``make_clue(region=…, urgent=True, by="county", text=…)``;
    returns (clue id, tracking code). Without ``by`` it comes from the public form."""
    counter = iter(range(1, 10_000))

    def make(region: str = VILLAGE, text: str = "看到一个孩子天黑了还一个人在路边捡瓶子", place: str = "村口小卖部旁",
             urgent: bool = False, by: str | None = None, source: str = "phone", contact: str = ""):
        values = rules.ClueValues(region_code=region, place=place, text=text, urgent=urgent, contact=contact)
        with app.app_context(), db.write_session() as s:
            if by is None:
                clue, code = rules.report_public(s, values, f"key-{next(counter)}")
            else:
                values.source = source
                clue, code = rules.enter_clue(s, s.get(User, users[by].id), values)
            return clue.id, code

    return make


def user(s, users, key: str) -> User:
    return s.get(User, users[key].id)
