import io
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from portal import crypto, db
from portal.accounts.models import User
from portal.children import idnumber
from portal.children.demo import GIVEN_CHARACTERS, GIVEN_NAMES, SURNAMES
from portal.children.models import Child
from portal.comparisons import rules
from portal.comparisons.generator import HEADINGS
from portal.types import utcnow

COUNTY = "371302000000"
VILLAGES = ["371302105259", "371302105260", "371302101201"]


@pytest.fixture
def partner(app, users):
    """The county's mapping of the minimum-living-allowance office's lists."""
    with app.app_context(), db.write_session() as s:
        actor = s.get(User, users["county"].id)
        row = rules.save_columns(s, actor, region_code=COUNTY, partner="区民政局低保科", meaning="low_income",
                                 columns=dict(HEADINGS))
    return row


@pytest.fixture
def compare(app, users, partner):
    """Run a comparison as ``actor_key`` on a CSV built from rows (dicts by generator.HEADINGS keys)."""

    def run(rows: list[dict] | bytes, actor_key: str = "county", filename: str = "低保名单.csv",
            region_code: str = COUNTY):
        data = rows if isinstance(rows, bytes) else csv_of(rows)
        with app.app_context(), db.write_session() as s:
            actor = s.get(User, users[actor_key].id)
            comparison = rules.run_comparison(s, actor, partner_id=partner.id, region_code=region_code,
                                              filename=filename, stream=io.BytesIO(data))
            return comparison.id

    return run


def csv_of(rows: list[dict], encoding: str = "utf-8") -> bytes:
    from portal.comparisons.generator import as_csv

    return as_csv(rows, encoding)


@pytest.fixture
def registry(app, regions):
    """1,500 files drawn as the demo set draws them (its surnames, given names and ages) over the
    county's three villages, with identity numbers: denser than any real village, so namesakes
    born close together are common."""
    rng = random.Random(25)
    today = date(2026, 11, 26)
    orders: dict = {}
    rows = []
    now = utcnow()
    with app.app_context():
        keyed = {}
    for n in range(1500):
        born = today - timedelta(days=rng.randint(365, 17 * 365))
        gender = rng.choice(("male", "female"))
        village = VILLAGES[n % len(VILLAGES)]
        key = (village[:6], born, gender)
        orders[key] = orders.get(key, 0) + 1
        number = idnumber.make(village[:6], born, 2 * orders[key] + (1 if gender == "male" else 0))
        with app.app_context():
            keyed[number] = crypto.blind_index(number)
        given = rng.choice(GIVEN_NAMES) if rng.random() < 0.5 else rng.choice(GIVEN_CHARACTERS)
        rows.append(dict(region_code=village, name=rng.choice(SURNAMES) + given, gender=gender, birth_date=born,
                         id_number=number, id_number_hash=keyed[number], categories=["left_behind"],
                         benefits=[], qr_token=f"q{n}", status="active", school_stage="primary",
                         created_at=now, updated_at=now))
    with app.app_context(), db.write_session() as s:
        s.execute(insert(Child), rows)
    return len(rows)
