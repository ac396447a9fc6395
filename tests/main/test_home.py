"""Each role's home says what to do next: counts of its own subtree, each a link to the list it counts."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from portal import db
from portal.accounts.models import User
from portal.children.models import Child
from portal.main.todo import todos_for
from portal.needs import claims
from portal.needs import rules as need_rules
from tests.conftest import ROLE_USERS

OTHER_TOWN_VILLAGE = "371302101201"  # 白沙埠村, in 白沙埠镇 (same county, another town)
OTHER_COUNTY_VILLAGE = "371311001001"  # 罗庄社区, in 罗庄区


def counts(app, key: str, today: date | None = None) -> dict[str, int | None]:
    with app.app_context(), db.new_session() as s:
        user = s.scalar(select(User).where(User.username == key))
        return {t.key: t.count for t in todos_for(s, user, today)}


def overdue(app, child_id: int, days: int = 3) -> None:
    with app.app_context(), db.write_session() as s:
        s.execute(update(Child).where(Child.id == child_id).values(next_visit_due=date.today() - timedelta(days=days)))


def test_overdue_visits_are_counted_in_each_staff_members_subtree_only(app, make_child):
    for region in ("371302105259", "371302105259", "371302105260", OTHER_TOWN_VILLAGE):
        overdue(app, make_child("county", region_code=region).id)
    overdue(app, make_child("county2", region_code=OTHER_COUNTY_VILLAGE).id)
    make_child("village")  # visited on time: not counted

    assert counts(app, "village")["overdue_visits"] == 2
    assert counts(app, "village2")["overdue_visits"] == 1
    assert counts(app, "town")["overdue_visits"] == 3  # 义堂镇's two villages, not 白沙埠
    assert counts(app, "county")["overdue_visits"] == 4
    assert counts(app, "county2")["overdue_visits"] == 1
    assert counts(app, "city")["overdue_visits"] == 5


def test_needs_waiting_count_the_needs_at_each_level_of_the_subtree(app, make_need):
    make_need()  # reported at 屠苏村
    make_need(actor="village2", child_values={"region_code": "371302105260"})  # reported at 颐顺园村
    make_need(to="at_town")
    make_need(to="at_county")
    make_need(to="at_county")
    make_need(to="published")

    assert counts(app, "village")["needs_waiting"] == 1
    assert counts(app, "village2")["needs_waiting"] == 1
    assert counts(app, "town")["needs_waiting"] == 1
    county = counts(app, "county")
    assert county["to_publish"] == 2 and "needs_waiting" not in county
    assert counts(app, "county2")["to_publish"] == 0


def test_deliveries_to_verify_are_counted_for_the_directors_over_the_village(app, users, make_need, helper_in,
                                                                           signed_in):
    helper_in("volunteer")
    need_id = make_need(to="published", slots=2)  # one place still open: the need stays on the board
    with app.app_context(), db.write_session() as s:
        volunteer = s.get(User, users["volunteer"].id)
        claim = claims.claim(s, volunteer, need_id)
        delivery = claims.report_delivery(s, volunteer, claim.id, "每周六辅导两小时", [], [], [], date.today())
        delivery_id = delivery.id

    assert counts(app, "village")["to_verify"] == 1
    assert counts(app, "town")["to_verify"] == 1
    assert counts(app, "village2")["to_verify"] == 0
    # The count is a link to the list it counts: the need is there, and only it.
    page = signed_in("village").get("/needs/?to_verify=1").get_data(as_text=True)
    assert f'href="/needs/{need_id}"' in page
    assert "共 1 条" in page

    with app.app_context(), db.write_session() as s:
        claims.verify_delivery(s, s.get(User, users["village"].id), delivery_id)
    assert counts(app, "village")["to_verify"] == 0


def test_agreements_due_count_the_latest_agreement_of_active_children(app, users, make_child):
    from portal.children.rules import record_agreement

    due_soon = make_child("village")
    renewed = make_child("village")
    elsewhere = make_child("county", region_code=OTHER_TOWN_VILLAGE)
    with app.app_context(), db.write_session() as s:
        actor = s.get(User, users["county"].id)
        soon = date.today() + timedelta(days=10)
        record_agreement(s, actor, s.get(Child, due_soon.id), guardian_name="王秀兰", signed_on=date.today() - timedelta(days=355),
                         renewal_due=soon)
        record_agreement(s, actor, s.get(Child, renewed.id), guardian_name="李桂英", signed_on=date.today() - timedelta(days=355),
                         renewal_due=soon)
        record_agreement(s, actor, s.get(Child, renewed.id), guardian_name="李桂英", signed_on=date.today(),
                         renewal_due=date.today() + timedelta(days=365))
        record_agreement(s, actor, s.get(Child, elsewhere.id), guardian_name="赵玉梅", signed_on=date.today() - timedelta(days=355),
                         renewal_due=soon)

    assert counts(app, "village")["agreements_due"] == 1
    assert counts(app, "town")["agreements_due"] == 1
    assert counts(app, "county")["agreements_due"] == 2
    assert counts(app, "county2")["agreements_due"] == 0


def test_the_agreements_link_lists_the_children_it_counts(app, users, make_child, signed_in):
    from portal.children.rules import record_agreement

    due = make_child("village", name="王小花")
    make_child("village", name="李小军")
    with app.app_context(), db.write_session() as s:
        record_agreement(s, s.get(User, users["village"].id), s.get(Child, due.id), guardian_name="王秀兰",
                         signed_on=date.today() - timedelta(days=350), renewal_due=date.today() + timedelta(days=15))
    page = signed_in("village").get("/children/?agreement_due=1").get_data(as_text=True)
    assert "王小花" in page and "李小军" not in page


def test_county_counts_certificates_and_organizations_waiting_in_its_region(app, users, make_org, helper_in):
    from portal.helpers import rules as helper_rules

    helper_in("volunteer", area="371302105000")
    with app.app_context(), db.write_session() as s:
        helper_rules.add_certificate(s, s.get(User, users["volunteer"].id), "tutoring", "教师资格证", "certificates/x.pdf")
    make_org(areas=("371302000000",))
    make_org(areas=("371311000000",))
    make_org(areas=("371302000000",), status="approved")

    county = counts(app, "county")
    assert county["certificates"] == 1 and county["organizations"] == 1
    other = counts(app, "county2")
    assert other["certificates"] == 0 and other["organizations"] == 1


@pytest.mark.parametrize("key", ["village", "town"])
def test_directors_and_supervisors_get_no_vetting_counts(app, key):
    assert not {"certificates", "organizations", "to_publish"} & set(counts(app, key))


@pytest.mark.parametrize("key", ["volunteer", "org", "donor", "admin"])
def test_helpers_and_the_administrator_get_no_staff_counts(app, users, make_child, key):
    overdue(app, make_child("village").id)
    staff = {"to_verify", "overdue_visits", "needs_waiting", "to_publish", "agreements_due", "certificates",
             "organizations"}
    assert not staff & set(counts(app, key))


def test_a_claimer_sees_their_claims_and_what_waits_for_their_delivery_report(app, users, make_need, helper_in,
                                                                            signed_in):
    helper_in("volunteer")
    delivered, waiting = make_need(to="published"), make_need(to="published")
    with app.app_context(), db.write_session() as s:
        volunteer = s.get(User, users["volunteer"].id)
        claim = claims.claim(s, volunteer, delivered)
        claims.report_delivery(s, volunteer, claim.id, "已辅导", [], [], [], date.today())
        claims.claim(s, volunteer, waiting)
    mine = counts(app, "volunteer")
    assert mine["my_claims"] == 2 and mine["to_deliver"] == 1 and mine["recommended"] is None
    assert counts(app, "org")["my_claims"] == 0
    page = signed_in("volunteer").get("/claims/?status=active").get_data(as_text=True)
    assert f'/claims/{claim.id}"' not in page
    with app.app_context(), db.new_session() as s:
        active = s.scalar(select(claims.Claim.id).where(claims.Claim.need_id == waiting))
    assert f'/claims/{active}"' in page


def test_a_donor_home_leads_to_their_gifts(app, users, as_user):
    home = as_user("donor").get("/").get_data(as_text=True)
    assert 'id="todo-my_gifts" href="/donations/mine"' in home
    assert "我的捐赠 · 善款去向" in home


def test_director_home_shows_the_counts_as_links_in_chinese(app, users, make_child, make_need, as_user):
    overdue(app, make_child("village").id)
    make_need()
    home = as_user("village").get("/").get_data(as_text=True)
    assert 'id="todo-overdue_visits" href="/visits/overdue"' in home
    assert "逾期走访" in home and "待您核实" in home and "待处理需求" in home and "协议到期" in home
    assert 'id="todo-needs_waiting" href="/needs/?status=reported">待处理需求 <span class="count">1</span>' in home


@pytest.mark.parametrize("key", sorted(k for k, (role, _region) in ROLE_USERS.items()))
def test_each_count_is_one_query(app, users, statement_counter, key):
    with app.app_context(), db.new_session() as s:
        user = s.get(User, users[key].id)
        with statement_counter() as statements:
            todos = todos_for(s, user)
    counted = [t for t in todos if t.count is not None]
    # A claimer's two counts come from one grouped query.
    assert len(statements) == (1 if key in ("volunteer", "org") else len(counted))


def test_need_list_filter_is_kept_by_rules_for_wrong_role(app, users):
    from portal.errors import NotAllowed

    with app.app_context(), db.new_session() as s, pytest.raises(NotAllowed):
        need_rules.count_for_staff(s, s.get(User, users["volunteer"].id), need_rules.StaffFilter(to_verify=True))
