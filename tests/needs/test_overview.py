"""The staff overview: needs by status and by days waiting per region one level below the viewer,
time to claim and to verify per category and region, needs past their deadline; scoped to the
viewer's subtree and closed to helpers."""

from datetime import date, timedelta

import pytest

from portal import db
from portal.accounts.models import User
from portal.categories import NeedCategory
from portal.errors import NotAllowed
from portal.needs import claims
from portal.needs.models import Need, NeedStatus
from portal.needs.overview import overview
from portal.types import utcnow

TOWN = "371302105000"  # villages 259 and 260
OTHER_TOWN = "371302101000"  # village 201
COUNTY = "371302000000"
COUNTY2 = "371311000000"


def change(app, need_id: int, **values) -> None:
    """Set a need's timestamps (or status, deadline) directly, to make durations and ages exact."""
    with app.app_context(), db.write_session() as s:
        need = s.get(Need, need_id)
        for name, value in values.items():
            setattr(need, name, value)


def claim_and_verify(app, users, need_id: int, verify: bool) -> None:
    with app.app_context(), db.write_session() as s:
        volunteer = s.get(User, users["volunteer"].id)
        row = claims.claim(s, volunteer, need_id)
        if verify:
            delivery = claims.report_delivery(s, volunteer, row.id, "送到了", [], [], [], date.today())
            claims.verify_delivery(s, s.get(User, users["village"].id), delivery.id)


@pytest.fixture
def needs(app, users, make_need, helper_in):
    """Three published needs of village 259 (two verified, one claimed), one waiting need in
    village 260, one overdue and one rejected need in the other town, one overdue need in county2."""
    helper_in("volunteer")
    base = utcnow() - timedelta(days=60)
    made = {}
    for key, category, claim_days, verify_days in (("a", "education", 2, 10), ("b", "psychological", 4, None),
                                                   ("c", "education", 6, 20)):
        need_id = make_need(to="published", category=category)
        claim_and_verify(app, users, need_id, verify=verify_days is not None)
        change(app, need_id, published_at=base, claimed_at=base + timedelta(days=claim_days),
               **({"closed_at": base + timedelta(days=verify_days)} if verify_days else {}))
        made[key] = need_id
    made["d"] = make_need(actor="county", child_values={"region_code": "371302105260"})
    change(app, made["d"], created_at=utcnow() - timedelta(days=10))
    made["e"] = make_need(actor="county", child_values={"region_code": "371302101201"})
    change(app, made["e"], created_at=utcnow() - timedelta(days=40), deadline=date.today() - timedelta(days=1))
    made["f"] = make_need(actor="county", child_values={"region_code": "371302101201"})
    change(app, made["f"], status=NeedStatus.rejected, closed_at=utcnow(), deadline=date.today() - timedelta(days=5))
    made["g"] = make_need(actor="county2", child_values={"region_code": "371311001001"})
    change(app, made["g"], deadline=date.today() - timedelta(days=2))
    return made


def view_as(app, users, key: str):
    with app.app_context(), db.new_session() as s:
        return overview(s, s.get(User, users[key].id), date.today())


def test_a_county_sees_each_town_by_status_and_by_days_waiting(app, users, needs):
    data = view_as(app, users, "county")
    rows = {r.code: r for r in data.regions}
    assert list(rows) == [OTHER_TOWN, TOWN] and data.region_name == "兰山区"
    assert rows[TOWN].name == "义堂镇" and rows[OTHER_TOWN].name == "白沙埠镇"
    assert rows[TOWN].by_status == {NeedStatus.verified: 2, NeedStatus.claimed: 1, NeedStatus.reported: 1}
    assert rows[OTHER_TOWN].by_status == {NeedStatus.reported: 1, NeedStatus.rejected: 1}
    assert data.total == 6 and data.statuses == [NeedStatus.reported, NeedStatus.claimed, NeedStatus.verified,
                                                 NeedStatus.rejected]
    # Waiting: the claimed need (reported today) and d (10 days) in the town; e (40 days) in the other.
    assert rows[TOWN].by_age == {"under_3": 1, "3_to_7": 0, "7_to_30": 1, "over_30": 0}
    assert rows[OTHER_TOWN].by_age == {"under_3": 0, "3_to_7": 0, "7_to_30": 0, "over_30": 1}
    # Past the deadline and not closed: e only (f is rejected; g is in the other county).
    assert data.overdue == 1 and rows[OTHER_TOWN].overdue == 1 and rows[TOWN].overdue == 0


def test_time_to_claim_and_to_verify_per_category_and_region(app, users, needs):
    data = view_as(app, users, "county")
    by_category = {c.category: c for c in data.categories}
    assert list(by_category) == [NeedCategory.education, NeedCategory.psychological]
    education = by_category[NeedCategory.education]
    assert (education.to_claim.count, education.to_claim.median, education.to_claim.p90) == (2, 4.0, 6.0)
    assert (education.to_verify.count, education.to_verify.median, education.to_verify.p90) == (2, 15.0, 20.0)
    psychological = by_category[NeedCategory.psychological]
    assert (psychological.to_claim.median, psychological.to_verify.count) == (4.0, 0)
    assert (data.to_claim.count, data.to_claim.median, data.to_claim.p90) == (3, 4.0, 6.0)
    town = next(r for r in data.regions if r.code == TOWN)
    assert (town.to_claim.count, town.to_claim.median, town.to_verify.median) == (3, 4.0, 15.0)
    assert next(r for r in data.regions if r.code == OTHER_TOWN).to_claim.count == 0


def test_each_level_sees_one_level_below_inside_its_own_subtree(app, users, needs):
    town = view_as(app, users, "town")
    assert {r.code: r.total for r in town.regions} == {"371302105259": 3, "371302105260": 1}
    village = view_as(app, users, "village")
    assert [(r.code, r.total) for r in village.regions] == [("371302105259", 3)]
    assert village.overdue == 0 and village.to_verify.count == 2
    city = view_as(app, users, "city")
    assert {r.code: r.total for r in city.regions} == {COUNTY: 6, COUNTY2: 1} and city.overdue == 2


def test_another_county_sees_none_of_lanshans_needs(app, users, needs):
    data = view_as(app, users, "county2")
    assert [(r.code, r.total) for r in data.regions] == [("371311001000", 1)]
    assert data.total == 1 and data.overdue == 1 and not data.categories and data.to_claim.count == 0


def test_a_region_without_needs_still_has_its_row(app, users):
    data = view_as(app, users, "county")
    assert [(r.code, r.total, r.waiting) for r in data.regions] == [(OTHER_TOWN, 0, 0), (TOWN, 0, 0)]
    assert data.statuses == [] and data.to_claim.median is None


def test_helpers_are_refused(app, users):
    with app.app_context(), db.new_session() as s:
        for key in ("volunteer", "donor", "org", "admin"):
            with pytest.raises(NotAllowed):
                overview(s, s.get(User, users[key].id), date.today())


def test_the_statement_count_does_not_grow_with_regions(app, users, needs, statement_counter):
    with app.app_context(), db.new_session() as s:
        county_user, city_user = s.get(User, users["county"].id), s.get(User, users["city"].id)
        with statement_counter() as county:
            overview(s, county_user, date.today())
        with statement_counter() as city:
            overview(s, city_user, date.today())
    assert len(county) == len(city) <= 6


@pytest.mark.parametrize("key", ["county", "town", "village"])
def test_the_page_renders_for_staff_at_each_level(app, users, needs, signed_in, key):
    response = signed_in(key).get("/needs/overview")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'class="table-wrap"' in page and "/needs/?overdue=1" in page
    assert "罗庄" not in page  # nothing of the other county
    if key == "county":
        assert "义堂镇" in page and "白沙埠镇" in page and "15.0" in page
    else:
        assert "屠苏村" in page and "白沙埠" not in page


def test_the_list_links_to_the_overview_and_a_volunteer_gets_403(app, users, signed_in):
    assert "/needs/overview" in signed_in("county").get("/needs/").get_data(as_text=True)
    assert signed_in("volunteer").get("/needs/overview").status_code == 403
