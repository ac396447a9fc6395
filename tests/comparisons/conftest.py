import io

import pytest

from portal import db
from portal.accounts.models import User
from portal.comparisons import rules
from portal.comparisons.generator import HEADINGS

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
