"""Confirmations say what happened, with the need's number and the place it went to, in the
reader's language: "第 7 号需求已上报至义堂镇。", not "已完成。"."""

import re
from datetime import date

from portal import db
from portal.accounts.models import User
from portal.needs import claims
from tests.conftest import post


def _flash(response) -> str:
    page = response.get_data(as_text=True)
    found = re.findall(r'class="flash flash-(?:success|info)"[^>]*>(.*?)<', page, re.S)
    assert found, page[:2000]
    return " ".join(found)


def test_escalating_names_the_town_then_the_county(users, make_need, signed_in):
    need_id = make_need()
    said = _flash(post(signed_in("village"), f"/needs/{need_id}/escalate", {"note": ""}, follow_redirects=True))
    assert f"第 {need_id} 号需求已上报至义堂镇。" in said
    said = _flash(post(signed_in("town"), f"/needs/{need_id}/escalate", {"note": ""}, follow_redirects=True))
    assert f"第 {need_id} 号需求已上报至兰山区。" in said


def test_escalating_in_english_says_the_same(app, users, make_need, signed_in):
    with app.app_context(), db.write_session() as s:
        s.get(User, users["village"].id).locale = "en"
    need_id = make_need()
    said = _flash(post(signed_in("village"), f"/needs/{need_id}/escalate", {"note": ""}, follow_redirects=True))
    assert f"Need no. {need_id} escalated to 义堂镇." in said


def test_reporting_resolving_rejecting_and_publishing_say_which_need(users, make_need, make_child, signed_in):
    village = signed_in("village")
    child = make_child("village")
    response = post(village, f"/needs/new?child={child.id}", {"category": "education", "kind": "service",
                                                               "description": "需要数学辅导", "urgency": "2"},
                    follow_redirects=True)
    said = _flash(response)
    assert re.search(r"第 \d+ 号需求已报告，现在屠苏村村民委员会等待处理；如无人处理，将自动上报至义堂镇。", said), said

    resolved = make_need()
    said = _flash(post(village, f"/needs/{resolved}/resolve", {"note": "已纳入临时救助"}, follow_redirects=True))
    assert f"第 {resolved} 号需求已解决并办结" in said
    rejected = make_need()
    said = _flash(post(village, f"/needs/{rejected}/reject", {"note": "重复上报"}, follow_redirects=True))
    assert f"第 {rejected} 号需求已驳回" in said

    published = make_need(to="at_county")
    said = _flash(post(signed_in("county"), f"/needs/{published}/publish",
                       {"summary": "义堂镇一名10岁男孩，五年级，数学基础薄弱，希望周末有人辅导。"}, follow_redirects=True))
    assert f"第 {published} 号需求已发布到兰山区的需求广场。" in said


def test_a_refused_action_says_why_and_no_success(users, make_need, signed_in):
    need_id = make_need()
    page = post(signed_in("village"), f"/needs/{need_id}/reject", {"note": ""}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "flash-success" not in text


def test_claiming_delivering_and_verifying_say_which_need(app, users, make_need, helper_in, signed_in):
    helper_in("volunteer")
    need_id = make_need(to="published")
    volunteer = signed_in("volunteer")
    said = _flash(post(volunteer, f"/board/{need_id}/claim", follow_redirects=True))
    assert f"您已认领第 {need_id} 号需求" in said
    with app.app_context(), db.new_session() as s:
        claim_id = s.query(claims.Claim).filter_by(need_id=need_id).one().id
    said = _flash(post(volunteer, f"/claims/{claim_id}/deliver",
                       {"report": "每周六辅导两小时，共四次。", "service_date": date.today().isoformat(), "hours": ""},
                       follow_redirects=True))
    assert f"第 {need_id} 号需求的交付已提交" in said
    with app.app_context(), db.new_session() as s:
        delivery_id = s.query(claims.Delivery).filter_by(need_id=need_id).one().id
    said = _flash(post(signed_in("village"), f"/deliveries/{delivery_id}/verify", {"reason": ""}, follow_redirects=True))
    assert f"第 {need_id} 号需求的交付已核实" in said


def test_a_visit_names_the_child(app, users, make_child, signed_in):
    child = make_child("village", name="王小花")
    said = _flash(post(signed_in("village"), f"/children/{child.id}/visits/new",
                       {"visited_on": date.today().isoformat(), "mode": "home", "seen": "child",
                        "findings": "孩子在家，状态良好"}, follow_redirects=True))
    assert "已记录对王小花的走访" in said
