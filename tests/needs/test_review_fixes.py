"""Defects a review found, each proven fixed: the village never leaks through the service-area
check, refused publishes are audited, multi-slot needs stay on the board until full, helpers
may come back after withdrawing, cancelling is for the right staff, racing verifications close
the need, delivery photos stay with the claim."""

import io
import threading
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal import db
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.errors import Conflict, NotAllowed
from portal.helpers.models import HelperArea
from portal.needs import claims, rules
from portal.needs.models import ClaimStatus, Delivery, DeliveryPhoto, Need, NeedStatus
from portal.types import utcnow
from tests.conftest import post
from tests.needs.conftest import need_row, vet_volunteer


def test_a_helper_serving_one_village_is_answered_alike_for_every_village_of_its_town(app, users, make_need,
                                                                                    helper_in):
    here = make_need(to="published")
    there = make_need(to="published", actor="village2", child_values={"region_code": "371302105260"})
    helper_in("volunteer", area="371302105259")  # one village only
    with app.app_context(), db.new_session() as s:
        volunteer = s.get(User, users["volunteer"].id)
        answers = [claims.claim_problem(s, volunteer, s.get(Need, need_id)) for need_id in (here, there)]
    assert answers == [None, None]


def test_a_refused_publish_still_audits_the_read_of_the_childs_file(app, make_need, signed_in):
    need_id = make_need(to="at_county", child_values={"name": "王小明"})
    county = signed_in("county")
    response = post(county, f"/needs/{need_id}/publish", {"summary": "王小明需要辅导，电话13905391234"})
    assert response.status_code == 400 and "王小明" in response.get_data(as_text=True)
    with app.app_context(), db.new_session() as s:
        reads = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "read", AuditEntry.object_type == "child"))
    assert reads >= 1


def test_a_need_with_places_left_stays_on_the_board_after_a_delivery(app, users, make_need, helper_in):
    need_id = make_need(to="published", slots=3)
    helper_in("volunteer")
    with app.app_context(), db.write_session() as s:
        volunteer = s.get(User, users["volunteer"].id)
        row = claims.claim(s, volunteer, need_id)
        claims.report_delivery(s, volunteer, row.id, "辅导了两次", [], [], [], date.today())
    assert need_row(app, need_id).status == NeedStatus.published
    assert f"/board/{need_id}" in app.test_client().get("/board").get_data(as_text=True)


def test_a_helper_who_withdrew_may_come_back(app, users, make_need, helper_in):
    need_id = make_need(to="published")
    helper_in("volunteer")
    with app.app_context(), db.write_session() as s:
        volunteer = s.get(User, users["volunteer"].id)
        row = claims.claim(s, volunteer, need_id)
        claims.withdraw(s, volunteer, row.id, "临时出差")
        again = claims.claim(s, volunteer, need_id)
        assert again.id == row.id and again.status == ClaimStatus.active
    need = need_row(app, need_id)
    assert need.slots_taken == 1 and need.status == NeedStatus.claimed


def test_a_director_cannot_take_back_a_published_need_nor_cancel_a_claimed_one(app, users, make_need, helper_in,
                                                                               signed_in):
    need_id = make_need(to="published", slots=2)
    assert post(signed_in("village"), f"/needs/{need_id}/cancel", {"note": "不需要了"}).status_code == 403
    helper_in("volunteer")
    with app.app_context(), db.write_session() as s:
        claims.claim(s, s.get(User, users["volunteer"].id), need_id)
    with app.app_context(), db.write_session() as s:
        with pytest.raises(Conflict):
            rules.cancel(s, s.get(User, users["county"].id), s.get(Need, need_id), "不需要了")


def test_the_age_band_of_an_activity_spans_its_children(app):
    today = date(2026, 11, 26)
    assert rules.band_of([8, 13]) == "6-14"
    assert rules.band_of([16, 19]) == "15+"
    assert rules.age_band(date(2020, 1, 1), today) == "6-11"


def test_a_short_town_waiting_time_is_honoured(app, users, make_need):
    need_id = make_need(to="at_town")
    with app.app_context(), db.write_session() as s:
        rules.set_policy(s, s.get(User, users["county"].id), "371302000000", {"village": 5, "town": 1, "county": 3})
    with app.app_context(), db.write_session() as s:
        assert rules.escalate_waiting(s, utcnow() + timedelta(days=1, minutes=1))["escalated"] == 1
    assert need_row(app, need_id).status == NeedStatus.at_county


def test_delivery_photos_stay_with_the_claim(app, users, make_need, helper_in, signed_in):
    need_id = make_need(to="published")
    helper_in("volunteer")
    out = io.BytesIO()
    Image.new("RGB", (40, 30)).save(out, "JPEG")
    out.seek(0)
    volunteer = signed_in("volunteer")
    post(volunteer, f"/board/{need_id}/claim")
    with app.app_context(), db.new_session() as s:
        claim_id = s.scalar(select(claims.Claim.id))
    post(volunteer, f"/claims/{claim_id}/deliver", {"report": "送到了", "service_date": date.today().isoformat(),
                                                    "photos": (out, "a.jpg")}, content_type="multipart/form-data")
    with app.app_context(), db.new_session() as s:
        photo_id = s.scalar(select(DeliveryPhoto.id))
    assert volunteer.get(f"/deliveries/photos/{photo_id}").status_code == 200
    assert signed_in("village").get(f"/deliveries/photos/{photo_id}").status_code == 200
    for key in ("village2", "county2", "org", "donor"):
        assert signed_in(key).get(f"/deliveries/photos/{photo_id}").status_code == 404, key


def test_two_verifications_at_once_close_the_need(app, users, make_need, password_hash):
    """The director and the supervisor verify the two deliveries of a 2-place need at the same
    moment, each in its own transaction: the need ends verified, not stuck as delivered."""
    need_id = make_need(to="published", slots=2)
    with app.app_context(), db.write_session() as s:
        from portal.helpers.models import HelperProfile

        helpers = []
        for i in range(2):
            user = User(username=f"pair{i}", display_name="李志愿", password_hash=password_hash, role="volunteer")
            s.add(user)
            s.flush()
            s.add(HelperProfile(user_id=user.id, phone_verified_at=utcnow()))
            s.add(HelperArea(user_id=user.id, region_code="371302000000"))
            s.flush()
            vet_volunteer(s, user)
            helpers.append(user)
        deliveries = []
        for user in helpers:
            row = claims.claim(s, user, need_id)
            deliveries.append(claims.report_delivery(s, user, row.id, "完成", [], [], [], date.today()).id)
    assert need_row(app, need_id).status == NeedStatus.delivered
    start = threading.Barrier(2)
    errors: list[str] = []

    def verify(staff_key: str, delivery_id: int) -> None:
        with app.app_context():
            session = db.new_session(write=True)
            try:
                start.wait()
                claims.verify_delivery(session, session.get(User, users[staff_key].id), delivery_id)
                session.commit()
            except Exception as exc:
                session.rollback()
                errors.append(repr(exc))
            finally:
                session.close()

    threads = [threading.Thread(target=verify, args=args) for args in (("village", deliveries[0]),
                                                                       ("town", deliveries[1]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert need_row(app, need_id).status == NeedStatus.verified
    with app.app_context(), db.new_session() as s:
        assert {d.status for d in s.scalars(select(Delivery))} == {"verified"}


def test_a_delivery_report_sent_twice_counts_once(app, users, make_need, helper_in):
    need_id = make_need(to="published")
    helper_in("volunteer")
    with app.app_context(), db.write_session() as s:
        volunteer = s.get(User, users["volunteer"].id)
        row = claims.claim(s, volunteer, need_id)
        claims.report_delivery(s, volunteer, row.id, "完成", [], [], [], date.today())
        with pytest.raises(Conflict):
            claims.report_delivery(s, volunteer, row.id, "完成", [], [], [], date.today())


def test_unrelated_people_cannot_act_on_a_claim(app, users, make_need, helper_in, signed_in):
    need_id = make_need(to="published", kind="pairing", pairing_months=3, category="companionship")
    helper_in("volunteer")
    with app.app_context(), db.write_session() as s:
        row = claims.claim(s, s.get(User, users["volunteer"].id), need_id)
    other = signed_in("village2")
    assert post(other, f"/claims/{row.id}/end", {"reason": "结束"}).status_code == 404
    with app.app_context(), db.write_session() as s:
        with pytest.raises(NotAllowed):
            claims.withdraw(s, s.get(User, users["village"].id), row.id, "x")
