"""The donations pages once through HTTP: public transparency, a donor's gifts, the staff list."""

import io

from PIL import ExifTags, Image
from sqlalchemy import select

from portal import db
from portal.donations.models import Donation
from tests.conftest import login, post
from tests.donations.conftest import record


def test_public_need_page_shows_figures_and_anonymous_givers_but_no_child(client, act, users, money_need):
    record(act, need_id=money_need, amount_fen=123_456, anonymous=True, payer="王小明的舅舅",
           message="祝测试儿童早日康复")  # a message may name the child: the public never sees messages
    page = client.get(f"/needs/{money_need}/money").get_data(as_text=True)
    assert "1,234.56" in page and "爱心人士" in page
    assert "王小明" not in page and "测试儿童" not in page  # an anonymous gift's payer, the child's name


def test_public_fund_page_and_an_unknown_fund(client, act):
    record(act, "city", channel="cash", reference="", amount_fen=50_000, payer="李四")
    page = client.get("/funds/general").get_data(as_text=True)
    assert "500.00" in page and "李四" in page
    assert client.get("/funds/nope").status_code == 404


def test_a_public_money_page_refreshes_its_figures_and_gifts_live(client, act, money_need):
    page = client.get(f"/needs/{money_need}/money").get_data(as_text=True)
    assert 'id="poll-money"' in page and 'hx-trigger="every 30s"' in page
    record(act, need_id=money_need, amount_fen=45_600, payer="赵六")  # a gift lands while the page is open
    record(act, "city", fund_code="general", amount_fen=1_000, payer="孙七", reference="G-1")
    poll = {"HX-Request": "true", "HX-Trigger": "poll-money"}
    for path in (f"/needs/{money_need}/money", "/funds/general"):
        fragment = client.get(path, headers=poll).get_data(as_text=True)
        assert fragment.lstrip().startswith('<div id="poll-money"') and "<html" not in fragment
    fragment = client.get(f"/needs/{money_need}/money", headers=poll).get_data(as_text=True)
    assert "456.00" in fragment and "赵六" in fragment
    assert "测试儿童" not in fragment  # the figures and gifts only, never the child


def test_a_donor_sees_their_gifts_and_no_child_identity(client, act, as_user, users, money_need):
    record(act, need_id=money_need, amount_fen=30_000, donor_id=users["donor"].id)
    as_user("donor")
    page = client.get("/donations/mine").get_data(as_text=True)
    assert "300.00" in page and "义堂镇一名小学生" in page and "测试儿童" not in page


def test_staff_list_shows_gifts_of_their_region(client, act, as_user, money_need):
    record(act, need_id=money_need, amount_fen=77_700)
    as_user("county")
    assert "777.00" in client.get("/donations").get_data(as_text=True)


def test_staff_list_hides_gifts_of_another_region(client, act, as_user, money_need):
    record(act, need_id=money_need, amount_fen=77_700)
    as_user("county2")
    assert "777.00" not in client.get("/donations").get_data(as_text=True)


def test_staff_list_is_refused_to_donors_and_town_staff(client, act, as_user, money_need):
    as_user("donor")
    assert client.get("/donations").status_code in (403, 404)


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "white")
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (35.0, 6.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _donations(app) -> list[Donation]:
    with app.app_context(), db.new_session() as s:
        return list(s.scalars(select(Donation)))


def test_staff_record_a_gift_with_its_scan_and_a_colleague_confirms_and_refunds_it(app, client, as_user, money_need):
    app.config["OFFLINE_CONFIRM_FEN"] = 100_000
    as_user("county")
    response = post(client, f"/donations/new?need={money_need}", {
        "amount": "2,000.50", "channel": "bank", "payer": "王五", "paid_on": "2026-01-05", "reference": "TX-9",
        "message": "加油", "receipt_scan": (io.BytesIO(_jpeg_with_gps()), "slip.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    [donation] = _donations(app)
    assert (donation.amount_fen, donation.status) == (200_050, "awaiting_confirmation")
    scan = client.get(f"/donations/{donation.id}/scan")
    assert scan.status_code == 200
    assert not Image.open(io.BytesIO(scan.data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert f"/donations/{donation.id}/confirm" not in client.get(f"/donations/{donation.id}").get_data(as_text=True)

    colleague = app.test_client()
    login(colleague, "city")
    assert post(colleague, f"/donations/{donation.id}/confirm").status_code == 302
    page = colleague.get(f"/donations/{donation.id}").get_data(as_text=True)
    assert "已到账" in page and "-000001" in page
    post(colleague, f"/donations/{donation.id}/refund", {"amount": "50", "reason": "捐赠人要求"})
    assert _donations(app)[0].refunded_fen == 5_000


def test_the_recorder_forcing_their_own_confirmation_is_refused(app, client, as_user, money_need):
    app.config["OFFLINE_CONFIRM_FEN"] = 1
    as_user("county")
    post(client, f"/donations/new?need={money_need}",
         {"amount": "10", "channel": "cash", "payer": "王五", "paid_on": "2026-01-05"})
    [donation] = _donations(app)
    assert post(client, f"/donations/{donation.id}/confirm").status_code == 403
    assert _donations(app)[0].status == "awaiting_confirmation"


def test_bad_amounts_typed_in_the_form_change_nothing(app, client, as_user, money_need):
    as_user("county")
    for typed in ("１００", "-5", "1e3", "0", "12.345"):
        response = post(client, f"/donations/new?need={money_need}", {
            "amount": typed, "channel": "cash", "payer": "王五", "paid_on": "2026-01-05"})
        assert response.status_code == 400
        assert "金额" in response.get_data(as_text=True)
    assert _donations(app) == []


def test_the_public_need_page_says_what_goes_to_the_general_fund_before_paying(client, act, money_need):
    record(act, need_id=money_need, amount_fen=450_000)
    page = client.get(f"/needs/{money_need}/money").get_data(as_text=True)
    assert "500.00" in page and "综合基金" in page


def test_my_gifts_is_a_helpers_page_only(client, as_user):
    as_user("county")
    assert client.get("/donations/mine").status_code == 403


def test_a_gift_page_of_another_region_is_not_found(client, act, as_user, money_need):
    donation = record(act, need_id=money_need)
    as_user("county2")
    assert client.get(f"/donations/{donation.id}").status_code == 404
    assert client.get(f"/donations/{donation.id}/scan").status_code == 404


def test_a_money_need_not_yet_public_has_no_public_page(client, make_need):
    need_id = make_need(to="at_county", kind="money", category="medical", target_fen=100_000)
    assert client.get(f"/needs/{need_id}/money").status_code == 404
