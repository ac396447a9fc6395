"""The demo data set: real division codes, fixed accounts, the same result every run."""

import pytest
from sqlalchemy import create_engine, text

from portal import create_app, migrate
from portal.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal.helpers.demo import CROWD
from tests.conftest import csrf_token, make_config

pytestmark = pytest.mark.slow


def _load(url: str) -> list:
    migrate.upgrade(url)
    app = create_app(make_config(url))
    result = app.test_cli_runner().invoke(args=["demo-data", "--scale", "small"])
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    with engine.connect() as conn:
        regions = conn.execute(text("SELECT code, parent_code, level, name FROM region ORDER BY code")).all()
        users = conn.execute(
            text("SELECT id, username, display_name, role, region_code, email, is_active FROM user_account ORDER BY id")
        ).all()
        children = conn.execute(text(
            "SELECT id, region_code, name, birth_date, id_number_hash, risk_level, next_visit_due, qr_token"
            " FROM child ORDER BY id"
        )).all()
        visits = conn.execute(text("SELECT child_id, visited_on, mode, findings FROM visit ORDER BY id")).all()
    engine.dispose()
    app.extensions["db_engine"].dispose()
    return [tuple(r) for r in regions], [tuple(u) for u in users], [tuple(c) for c in children], [tuple(v) for v in visits]


def test_demo_data_is_deterministic_and_real(fresh_database_url):
    first = _load(fresh_database_url())
    second = _load(fresh_database_url())
    assert first == second
    regions, users, children, visits = first
    levels = [r[2] for r in regions]
    assert (levels.count("town"), levels.count("village")) == (156, 4186)
    assert ("371302000000", "371300000000", "county", "兰山区") in regions
    # besides the named accounts: the needs' staff (demo-staff-<region>) and the helpers' crowd
    named = [u[1] for u in users if not u[1].startswith(("demo-volunteer-", "demo-donor-", "demo-staff-"))]
    assert named == [a[0] for a in DEMO_ACCOUNTS]
    crowd = [u[1] for u in users if u[1].startswith(("demo-volunteer-", "demo-donor-"))]
    assert len(crowd) == sum(CROWD["small"])  # volunteers and donors who cannot sign in
    assert len(children) > 1000 and len(visits) == 3 * len(children)
    assert all(c[1].startswith("371302") for c in children)  # Lanshan district's villages
    demo_village = [c for c in children if c[1] == "371302105259"]
    assert len(demo_village) == 12
    assert {c[5] for c in children} >= {"red", "yellow", "green"}


def test_demo_logins_work_and_demo_data_refuses_a_full_database(fresh_database_url):
    url = fresh_database_url()
    _load(url)
    app = create_app(make_config(url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo-data", "--scale", "small"]).exit_code != 0
    skipped = runner.invoke(args=["demo-data", "--scale", "small", "--if-empty"])
    assert skipped.exit_code == 0 and "not loaded" in skipped.output
    assert "demo-village2" in runner.invoke(args=["demo-logins"]).output
    client = app.test_client()
    for username, *_ in DEMO_ACCOUNTS:
        token = csrf_token(client, "/login")
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
        assert response.status_code == 302, username
        client.post("/logout", data={"csrf_token": csrf_token(client)})
    app.extensions["db_engine"].dispose()


def test_no_demo_summary_is_refused_by_the_summary_check(fresh_database_url):
    """Demo summaries are written straight to the table: each must pass the check publishing runs,
    with the names and dates of birth of every child and guardian of its town."""
    from portal import db
    from portal.needs import rules
    from portal.needs.models import Need

    url = fresh_database_url()
    _load(url)
    app = create_app(make_config(url))
    with app.app_context(), db.new_session() as s:
        needs = list(s.scalars(rules.select(Need).where(Need.public_summary != "")))
        refused = {n.public_summary: [n.public_summary[h.start : h.end] for h in hits]
                   for n in needs if (hits := rules.summary_hits(s, n, n.public_summary))}
    app.extensions["db_engine"].dispose()
    assert len(needs) > 50 and refused == {}
