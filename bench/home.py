"""How long do the home page's to-do counts take for a county with 10,000 children?

Fills a fresh database with one county of 20 towns × 10 villages, 10,000 active children (a third
overdue for a visit, a third with a guardianship agreement, some due), 3,000 needs in every status
with deliveries waiting on some, and one staff account per level; then times ``todos_for`` (every
count of the home page, one query each) for the county, a town and a village, and the whole home
page through the test client.

    .venv/bin/python bench/home.py [--children 10000] [--database-url URL]

The database is a new SQLite file in a temporary directory unless --database-url (or
DATABASE_URL) names an empty one. The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from datetime import date, timedelta

import _bench  # noqa: E402,F401  (first: the environment the portal reads)
from sqlalchemy import insert, select  # noqa: E402

from portal import db  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.accounts.passwords import hash_password  # noqa: E402
from portal.accounts.roles import Role  # noqa: E402
from portal.children.models import Child, GuardianshipAgreement  # noqa: E402
from portal.needs.models import Claim, Delivery, Need  # noqa: E402
from portal.regions.models import Level, Region  # noqa: E402

PASSWORD = "bench horse battery staple"
COUNTY = "371302000000"
STATUSES = ["reported", "at_town", "at_county", "published", "claimed", "delivered", "verified", "resolved"]


def village_codes(towns: int = 20, villages: int = 10) -> list[tuple[str, str]]:
    """(town code, village code) pairs of the county."""
    return [(f"371302{100 + t:03d}000", f"371302{100 + t:03d}{200 + v:03d}") for t in range(towns) for v in range(villages)]


def fill(session, children: int, rng: random.Random) -> dict[str, str]:
    today = date.today()
    places = village_codes()
    session.add(Region(code="370000000000", parent_code=None, level=Level.province, name="山东省"))
    session.add(Region(code="371300000000", parent_code="370000000000", level=Level.city, name="临沂市"))
    session.add(Region(code=COUNTY, parent_code="371300000000", level=Level.county, name="兰山区"))
    for town in sorted({t for t, _v in places}):
        session.add(Region(code=town, parent_code=COUNTY, level=Level.town, name=f"镇{town[6:9]}"))
    session.flush()
    for town, village in places:
        session.add(Region(code=village, parent_code=town, level=Level.village, name=f"村{village[6:]}"))
    session.flush()
    hashed = hash_password(PASSWORD)
    town, village = places[0]
    accounts = {"county": (Role.civil_affairs, COUNTY), "town": (Role.child_supervisor, town),
                "village": (Role.child_director, village)}
    ids = {}
    for name, (role, region) in accounts.items():
        user = User(username=f"bench-{name}", display_name=name, password_hash=hashed, role=role, region_code=region)
        session.add(user)
        session.flush()
        ids[name] = user.id
    rows = []
    for n in range(children):
        _town, place = places[n % len(places)]
        rows.append({"region_code": place, "name": f"儿童{n}", "gender": "male" if n % 2 else "female",
                     "birth_date": date(2012 + n % 6, 1 + n % 12, 1 + n % 27), "categories": ["left_behind"],
                     "benefits": [], "status": "active", "qr_token": f"bench-{n}",
                     "next_visit_due": today + timedelta(days=rng.randint(-60, 90)),
                     "created_at": _bench_now(), "updated_at": _bench_now()})
    session.execute(insert(Child), rows)
    child_ids = list(session.scalars(select(Child.id).order_by(Child.id)))
    session.execute(insert(GuardianshipAgreement), [
        {"child_id": cid, "guardian_name": "监护人", "signed_on": today - timedelta(days=300),
         "renewal_due": today + timedelta(days=rng.randint(-20, 200))} for cid in child_ids[::3]])
    needs = []
    for n in range(3000):
        cid = child_ids[(n * 7) % len(child_ids)]
        _town, place = places[(n * 7) % len(child_ids) % len(places)]
        needs.append({"child_id": cid, "region_code": place, "town_code": place[:9] + "000", "county_code": COUNTY,
                      "category": "education", "kind": "service", "urgency": 2, "description": "bench",
                      "public_summary": "", "age_band": "", "slots": 2, "slots_taken": 1, "target_fen": 0,
                      "raised_fen": 0, "pairing_months": 0, "status": STATUSES[n % len(STATUSES)],
                      "level_since": _bench_now(), "resolution": "", "reported_by_id": ids["village"],
                      "created_at": _bench_now()})
    session.execute(insert(Need), needs)
    waiting = list(session.scalars(select(Need.id).where(Need.status.in_(["published", "claimed", "delivered"]))))
    session.execute(insert(Claim), [{"need_id": nid, "helper_id": ids["village"], "status": "delivered",
                                     "claimed_at": _bench_now(), "reason": ""} for nid in waiting])
    claims = dict(session.execute(select(Claim.need_id, Claim.id)).all())
    session.execute(insert(Delivery), [{"claim_id": claims[nid], "need_id": nid, "report": "bench",
                                        "status": "reported" if i % 2 else "verified", "created_at": _bench_now(),
                                        "reason": ""} for i, nid in enumerate(waiting)])
    return {name: f"bench-{name}" for name in accounts}


def _bench_now():
    from portal.types import utcnow

    return utcnow()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--database-url")
    options = parser.parse_args()
    url = _bench.fresh_database_url(options.database_url)
    from portal import create_app, migrate
    from portal.config import Config
    from portal.main.todo import todos_for

    migrate.upgrade(url)
    app = create_app(Config(SQLALCHEMY_DATABASE_URI=url, HUEY_IMMEDIATE=True, SECRET_KEY="bench-" + "x" * 40,
                            SESSION_COOKIE_SECURE=False, PUBLIC_URL="https://portal.test"))
    figures: dict = {"children": options.children, "database": url.split(":", 1)[0], "todos_ms": {}, "home_ms": {}}
    try:
        with app.app_context():
            with db.write_session() as session:
                usernames = fill(session, options.children, random.Random(21))
            _bench.log(f"{options.children:,} children in one county, 3,000 needs")
            for key, username in usernames.items():
                with db.new_session() as session:
                    user = session.scalar(select(User).where(User.username == username))
                    counts = {t.key: t.count for t in todos_for(session, user)}
                    figures["todos_ms"][key] = _bench.timed(lambda s=session, u=user: todos_for(s, u), min_reps=10,
                                                            max_reps=200, budget_seconds=3, warmup=2)
                _bench.log(f"  {key:8} todos_for {figures['todos_ms'][key]['p50']:8.2f} ms p50  {counts}")
        for key, username in usernames.items():
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
            client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
            figures["home_ms"][key] = _bench.timed(lambda c=client: c.get("/"), min_reps=10, max_reps=200,
                                                   budget_seconds=3, warmup=2)
            _bench.log(f"  {key:8} home page {figures['home_ms'][key]['p50']:8.2f} ms p50")
    finally:
        app.extensions["db_engine"].dispose()
        _bench.cleanup()
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
