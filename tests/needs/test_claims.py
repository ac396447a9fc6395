"""Claiming: by vetted helpers inside their area only, race-safe on the last slot, withdrawing,
delivering with photos and hours, verification closing the need, disputes, pairings, money."""

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal import db
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.errors import Conflict, NotAllowed
from portal.helpers.models import HelperArea, HelperProfile, HoursStatus, VolunteerHours
from portal.needs import claims, rules
from portal.needs.models import Claim, ClaimStatus, Need, NeedStatus
from portal.types import utcnow
from tests.conftest import post
from tests.needs.conftest import need_row, vet_volunteer
from tests.races import race


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (80, 60), (10, 120, 10))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (35.0, 6.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_volunteer_inside_the_area_claims_and_the_director_hears(app, users, make_need, helper_in, signed_in):
    need_id = make_need(to="published")
    helper_in("volunteer")
    client = signed_in("volunteer")
    response = post(client, f"/board/{need_id}/claim")
    assert response.status_code == 302
    need = need_row(app, need_id)
    assert need.status == NeedStatus.claimed and need.slots_taken == 1
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(func.count()).select_from(rules.NeedEvent).where(
            rules.NeedEvent.need_id == need_id, rules.NeedEvent.action == "claim")) == 1
        from portal.notifications.models import Notification

        assert s.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == users["village"].id, Notification.kind == "need_claimed")) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "测试儿童" not in page and "数学辅导" in page  # the public summary, never the child


def test_a_helper_outside_the_area_cannot_claim(app, users, make_need, helper_in, signed_in):
    need_id = make_need(to="published")
    helper_in("volunteer", area="371311000000")  # the neighbouring county
    response = post(signed_in("volunteer"), f"/board/{need_id}/claim")
    assert response.status_code == 403 and "服务区域" in response.get_data(as_text=True)
    assert need_row(app, need_id).slots_taken == 0


def test_an_unconfirmed_volunteer_a_donor_and_a_suspended_organization_cannot_claim(app, users, make_need,
                                                                                 signed_in):
    need_id = make_need(to="published")
    with app.app_context(), db.write_session() as s:
        s.add(HelperArea(user_id=users["volunteer"].id, region_code="371302000000"))
    assert post(signed_in("volunteer"), f"/board/{need_id}/claim").status_code == 403
    assert post(signed_in("donor"), f"/board/{need_id}/claim").status_code == 403
    assert need_row(app, need_id).slots_taken == 0


def test_an_approved_organization_claims_in_its_name_and_a_suspended_one_cannot(app, users, make_need, make_org):
    from portal.helpers import orgs
    from portal.helpers.models import Organization

    need_id = make_need(to="published", slots=2)
    org_id, admin = make_org(status="approved")
    with app.app_context(), db.write_session() as s:
        member = s.scalar(select(User).where(User.username == admin))
        row = claims.claim(s, member, need_id)
        assert row.organization_id == org_id
        orgs.vet(s, s.get(User, users["county"].id), orgs.load(s, org_id), "suspend", "核查")
    second = make_need(to="published")
    with app.app_context(), db.write_session() as s:
        member = s.scalar(select(User).where(User.username == admin))
        with pytest.raises(NotAllowed):
            claims.claim(s, member, second)
        assert s.get(Organization, org_id).status == "suspended"


def test_one_helper_takes_one_slot(app, users, make_need, helper_in):
    need_id = make_need(to="published", slots=3)
    helper_in("volunteer")
    with app.app_context(), db.write_session() as s:
        claims.claim(s, s.get(User, users["volunteer"].id), need_id)
        with pytest.raises(Conflict):
            claims.claim(s, s.get(User, users["volunteer"].id), need_id)
    assert need_row(app, need_id).slots_taken == 1


def _crowd(app, n: int, password_hash: str) -> list[int]:
    with app.app_context(), db.write_session() as s:
        ids = []
        for i in range(n):
            user = User(username=f"crowd{i:03d}", display_name="张志愿", password_hash=password_hash,
                        role=Role.volunteer)
            s.add(user)
            s.flush()
            s.add(HelperProfile(user_id=user.id, phone_verified_at=utcnow()))
            s.add(HelperArea(user_id=user.id, region_code="371302000000"))
            s.flush()
            vet_volunteer(s, user)  # a tutoring need: only vetted adults take it
            ids.append(user.id)
    return ids


def test_many_helpers_pressing_claim_at_once_exactly_the_slots_win(app, make_need, password_hash):
    """20 threads, each its own connection and transaction, claim a 3-slot need at the same moment
    (on SQLite and on PostgreSQL, whichever the suite runs on)."""
    slots, attempts = 3, 20
    need_id = make_need(to="published", slots=slots)
    helper_ids = _crowd(app, attempts, password_hash)
    outcomes = race(app, [lambda s, h=h: claims.claim(s, s.get(User, h), need_id) for h in helper_ids],
                    refused=claims.SlotsTaken)
    assert sorted(set(outcomes)) == ["done", "refused"], outcomes
    assert outcomes.count("done") == slots and outcomes.count("refused") == attempts - slots
    need = need_row(app, need_id)
    assert need.slots_taken == slots and need.status == NeedStatus.claimed
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(func.count()).select_from(Claim).where(Claim.need_id == need_id)) == slots


def test_withdrawing_reopens_the_slot(app, users, make_need, helper_in, signed_in):
    need_id = make_need(to="published")
    helper_in("volunteer")
    client = signed_in("volunteer")
    post(client, f"/board/{need_id}/claim")
    claim_id = _claim_id(app, need_id)
    assert post(client, f"/claims/{claim_id}/withdraw", {"reason": ""}).status_code == 302
    assert need_row(app, need_id).status == NeedStatus.claimed  # no reason, nothing changed
    post(client, f"/claims/{claim_id}/withdraw", {"reason": "工作调动，无法继续"})
    need = need_row(app, need_id)
    assert need.status == NeedStatus.published and need.slots_taken == 0
    board = app.test_client().get("/board").get_data(as_text=True)
    assert f"/board/{need_id}" in board


def _claim_id(app, need_id):
    with app.app_context(), db.new_session() as s:
        return s.scalar(select(Claim.id).where(Claim.need_id == need_id))


def test_delivery_with_photo_then_verification_closes_the_need_and_approves_hours(app, users, make_need, helper_in,
                                                                                  signed_in):
    need_id = make_need(to="published")
    helper_in("volunteer")
    volunteer = signed_in("volunteer")
    post(volunteer, f"/board/{need_id}/claim")
    claim_id = _claim_id(app, need_id)
    response = post(volunteer, f"/claims/{claim_id}/deliver", {
        "report": "完成4次数学辅导", "service_date": (date.today() - timedelta(days=1)).isoformat(), "hours": "6",
        "photos": (io.BytesIO(jpeg_with_gps()), "lesson.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert need_row(app, need_id).status == NeedStatus.delivered
    with app.app_context(), db.new_session() as s:
        photo = s.scalar(select(claims.DeliveryPhoto))
        hours = s.scalar(select(VolunteerHours))
        delivery_id = photo.delivery_id
    assert hours.minutes == 360 and hours.status == HoursStatus.pending
    stored = volunteer.get(f"/deliveries/photos/{photo.id}").data
    assert b"GPS" not in stored and Image.open(io.BytesIO(stored)).getexif().get(0x8825) is None

    other_director = signed_in("village2")
    assert post(other_director, f"/deliveries/{delivery_id}/verify").status_code == 404
    director = signed_in("village")
    assert post(director, f"/deliveries/{delivery_id}/verify").status_code == 302
    need = need_row(app, need_id)
    assert need.status == NeedStatus.verified and need.closed_at
    with app.app_context(), db.new_session() as s:
        assert s.get(VolunteerHours, hours.id).status == HoursStatus.approved
        assert s.get(Claim, claim_id).status == ClaimStatus.verified
        actions = [e.action for e, _who in rules.history(s, need_id)]
    assert actions == ["report", "escalate", "escalate", "publish", "claim", "all_claimed", "deliver", "verify"]


def test_a_disputed_delivery_goes_back_to_claimed(app, users, make_need, helper_in, signed_in):
    need_id = make_need(to="published")
    helper_in("volunteer")
    volunteer = signed_in("volunteer")
    post(volunteer, f"/board/{need_id}/claim")
    claim_id = _claim_id(app, need_id)
    post(volunteer, f"/claims/{claim_id}/deliver", {"report": "送去了", "service_date": date.today().isoformat()})
    with app.app_context(), db.new_session() as s:
        delivery_id = s.scalar(select(claims.Delivery.id))
    director = signed_in("village")
    post(director, f"/deliveries/{delivery_id}/dispute", {"reason": ""})
    assert need_row(app, need_id).status == NeedStatus.delivered
    post(director, f"/deliveries/{delivery_id}/dispute", {"reason": "孩子说没有收到"})
    assert need_row(app, need_id).status == NeedStatus.claimed
    with app.app_context(), db.new_session() as s:
        assert s.get(Claim, claim_id).status == ClaimStatus.active


def test_unverified_deliveries_remind_the_director_after_a_week(app, users, make_need, helper_in):
    need_id = make_need(to="published")
    helper_in("volunteer")
    with app.app_context(), db.write_session() as s:
        row = claims.claim(s, s.get(User, users["volunteer"].id), need_id)
        delivery = claims.report_delivery(s, s.get(User, users["volunteer"].id), row.id, "送到了", [], [], [],
                                          date.today())
        assert claims.remind_unverified(s, date.today()) == 0
        delivery.created_at = utcnow() - timedelta(days=8)
        s.flush()
        assert claims.remind_unverified(s, date.today()) == 1


def test_a_pairing_reports_monthly_and_ends_with_a_summary(app, users, make_need, helper_in):
    need_id = make_need(to="published", kind="pairing", pairing_months=6, category="companionship")
    helper_in("volunteer")
    with app.app_context(), db.write_session() as s:
        volunteer = s.get(User, users["volunteer"].id)
        row = claims.claim(s, volunteer, need_id)
        assert row.period_end and row.period_end > date.today() + timedelta(days=170)
        row.claimed_at = utcnow() - timedelta(days=40)
        s.flush()
        assert claims.alert_missing_reports(s, date.today()) == 1
        claims.file_pairing_report(s, volunteer, row.id, "每周视频两次，孩子开朗了许多")
        assert claims.alert_missing_reports(s, date.today()) == 0
        claims.end_pairing(s, volunteer, row.id, "半年结对结束，孩子成绩提高")
    need = need_row(app, need_id)
    assert need.status == NeedStatus.verified and "半年" in need.resolution


def test_a_money_need_shows_raised_of_target_and_closes_when_funded(app, users, make_need, helper_in):
    need_id = make_need(to="published", kind="money", category="tuition", target_fen=1_000_000)
    helper_in("volunteer")
    with app.app_context(), db.write_session() as s:
        need = s.get(Need, need_id)
        with pytest.raises(NotAllowed):
            claims.claim(s, s.get(User, users["volunteer"].id), need_id)
        claims.add_funding(s, need, 400_000)
        assert need.status == NeedStatus.published and need.raised_fen == 400_000
    board = app.test_client().get("/board").get_data(as_text=True)
    assert "4,000.00" in board and "10,000.00" in board
    with app.app_context(), db.write_session() as s:
        claims.add_funding(s, s.get(Need, need_id), 600_000)
    assert need_row(app, need_id).status == NeedStatus.claimed


def test_messages_go_between_claimer_and_director_only(app, users, make_need, helper_in, signed_in):
    need_id = make_need(to="published")
    helper_in("volunteer")
    volunteer = signed_in("volunteer")
    post(volunteer, f"/board/{need_id}/claim")
    claim_id = _claim_id(app, need_id)
    post(volunteer, f"/claims/{claim_id}/message", {"text": "周六上午可以吗？"})
    director = signed_in("village")
    assert "周六上午可以吗" in director.get(f"/claims/{claim_id}").get_data(as_text=True)
    post(director, f"/claims/{claim_id}/message", {"text": "可以，在村儿童之家见"})
    assert "儿童之家" in volunteer.get(f"/claims/{claim_id}").get_data(as_text=True)
    for key in ("village2", "donor", "org"):
        assert signed_in(key).get(f"/claims/{claim_id}").status_code == 404, key


def test_the_board_counts_up_to_its_limit(app, make_need, monkeypatch):
    from portal.needs import board

    for _ in range(3):
        make_need(to="published")
    monkeypatch.setattr(board, "COUNT_LIMIT", 2)
    page = app.test_client().get("/board").get_data(as_text=True)
    assert "超过 2 个需求" in page
    with app.app_context(), db.new_session() as s:
        needs, total = board.board(s, board.BoardFilter(), 1, 20)
    assert len(needs) == 3 and total == 3  # limit + 1: "more than the limit"


def test_an_organization_member_records_the_hours_served_on_a_delivery(app, users, make_need, make_org):
    need_id = make_need(to="published")
    org_id, admin = make_org(status="approved")
    client = app.test_client()
    from tests.conftest import login

    assert login(client, admin, "a-long-secret-phrase").status_code == 302
    assert post(client, f"/board/{need_id}/claim").status_code == 302
    claim_id = _claim_id(app, need_id)
    assert 'name="hours"' in client.get(f"/claims/{claim_id}").get_data(as_text=True)
    response = post(client, f"/claims/{claim_id}/deliver", {
        "report": "机构社工完成3次辅导", "service_date": (date.today() - timedelta(days=1)).isoformat(), "hours": "4.5"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context(), db.new_session() as s:
        hours = s.scalar(select(VolunteerHours))
        member = s.scalar(select(User).where(User.username == admin))
    assert hours.minutes == 270 and hours.user_id == member.id and hours.organization_id == org_id
    assert hours.status == HoursStatus.pending
