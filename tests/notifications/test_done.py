"""A notice that asks for something is marked done when it has been done, by whoever did it:
"need no. 302 is waiting for you to act" no longer waits unread after 302 was published."""

from datetime import date

from sqlmodel import select

from portal import db
from portal.accounts.models import User
from portal.needs import claims
from portal.needs import rules as need_rules
from portal.needs.models import Need
from portal.notifications import rules
from portal.notifications.models import Notification


def _notices(app, key, users, kind) -> list[Notification]:
    with app.app_context(), db.new_session() as s:
        return list(s.exec(select(Notification).where(Notification.user_id == users[key].id,
                                                      Notification.kind == kind).order_by(Notification.id)))


def _unread(app, key, users) -> int:
    with app.app_context(), db.new_session() as s:
        return rules.unread_count(s, s.get(User, users[key].id))


def _act(app, key, users, action, need_id, *args):
    with app.app_context(), db.write_session() as s:
        action(s, s.get(User, users[key].id), s.get(Need, need_id), *args)


def test_a_need_waiting_notice_is_done_once_the_need_moves_on(app, users, make_need):
    need_id = make_need(to="at_county")
    other_id = make_need(to="at_county")
    [town_notice] = [n for n in _notices(app, "town", users, "need_arrived") if n.params["need"] == need_id]
    assert town_notice.done_at is not None  # the supervisor passed it up: done at the town
    waiting = [n for n in _notices(app, "county", users, "need_arrived") if n.params["need"] == need_id]
    assert [n.done_at for n in waiting] == [None]
    before = _unread(app, "county", users)

    _act(app, "county", users, need_rules.publish, need_id, "义堂镇一名小学生需要每周末的数学辅导。")

    [notice] = [n for n in _notices(app, "county", users, "need_arrived") if n.params["need"] == need_id]
    assert notice.done_at is not None and notice.read_at is not None
    assert _unread(app, "county", users) == before - 1
    # Another need still waiting keeps its notice open.
    [other] = [n for n in _notices(app, "county", users, "need_arrived") if n.params["need"] == other_id]
    assert other.done_at is None and other.read_at is None


def test_a_need_resolved_by_a_colleague_closes_everyones_notice(app, users, make_need):
    need_id = make_need(to="at_town")
    [notice] = _notices(app, "town", users, "need_arrived")
    assert notice.done_at is None
    _act(app, "county", users, need_rules.resolve, need_id, "已纳入临时救助")
    [notice] = _notices(app, "town", users, "need_arrived")
    assert notice.done_at is not None


def test_a_delivery_notice_is_done_once_the_delivery_is_verified(app, users, make_need, helper_in):
    helper_in("volunteer")
    need_id = make_need(to="published", slots=2)
    with app.app_context(), db.write_session() as s:
        volunteer = s.get(User, users["volunteer"].id)
        claim = claims.claim(s, volunteer, need_id)
        delivery_id = claims.report_delivery(s, volunteer, claim.id, "每周六辅导两小时", [], [], [], date.today()).id
    [notice] = _notices(app, "village", users, "delivery_reported")
    assert notice.done_at is None

    with app.app_context(), db.write_session() as s:
        claims.verify_delivery(s, s.get(User, users["village"].id), delivery_id)
    [notice] = _notices(app, "village", users, "delivery_reported")
    assert notice.done_at is not None


def test_the_notices_page_shows_what_is_done(app, users, make_need, signed_in):
    make_need(to="at_county")
    page = signed_in("town").get("/notifications/").get_data(as_text=True)
    assert "已办结" in page


def test_a_certificate_notice_is_done_once_reviewed_and_an_organization_once_vetted(app, users, helper_in, make_org):
    from portal.helpers import orgs
    from portal.helpers import rules as helper_rules

    helper_in("volunteer", area="371302105000")
    with app.app_context(), db.write_session() as s:
        certificate = helper_rules.add_certificate(s, s.get(User, users["volunteer"].id), "tutoring", "教师资格证",
                                                   "certificates/x.pdf")
    org_id, _admin = make_org()
    assert [n.done_at for n in _notices(app, "county", users, "certificate_uploaded")] == [None]
    assert [n.done_at for n in _notices(app, "county", users, "org_applied")] == [None]

    with app.app_context(), db.write_session() as s:
        county = s.get(User, users["county"].id)
        helper_rules.review_certificate(s, county, s.get(type(certificate), certificate.id), True, "")
        orgs.vet(s, county, orgs.load(s, org_id), "approve", "材料齐全")
    assert _notices(app, "county", users, "certificate_uploaded")[0].done_at is not None
    assert _notices(app, "county", users, "org_applied")[0].done_at is not None


def test_an_information_notice_is_never_marked_done(app, users, make_need):
    need_id = make_need(to="published")
    [published] = [n for n in _notices(app, "village", users, "need_published") if n.params["need"] == need_id]
    assert published.about is None and published.done_at is None
