"""Volunteers and donors register themselves, prove their contact, and sign in with it."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from portal import crypto, db
from portal.accounts.models import User
from portal.children import idnumber
from portal.helpers import rules
from portal.helpers.models import HelperArea, HelperProfile
from portal.notifications.models import Notification
from portal.types import utcnow
from tests.conftest import login, post

PASSWORD = "a-long-secret-phrase"


def volunteer_form(**values):
    form = {"username": "xiaoyang", "display_name": "周小洋", "password": PASSWORD, "confirm": PASSWORD,
            "phone": "139 0539 0099", "email": "", "id_number": "", "areas-0": "371302105000", "agree": "y"}
    form.update(values)
    return form


def count(app, model, *where) -> int:
    with app.app_context(), db.new_session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def profile_of(app, username):
    with app.app_context(), db.new_session() as s:
        user = s.scalar(select(User).where(User.username == username))
        return user, s.get(HelperProfile, user.id)


def test_volunteer_registers_confirms_by_sms_and_signs_in_with_the_phone(app, client, regions, outbox):
    response = post(client, "/join/volunteer", volunteer_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/join/verify")
    user, profile = profile_of(app, "xiaoyang")
    assert user.role == "volunteer" and profile.phone == "13905390099" and profile.phone_verified_at is None
    assert profile.phone_hash is None  # nobody's number until confirmed
    assert count(app, HelperArea, HelperArea.user_id == user.id) == 1
    assert count(app, Notification, Notification.user_id == user.id, Notification.kind == "helper_welcome") == 1

    wrong = post(client, "/join/verify", {"code": "000000" if outbox.last_code("13905390099") != "000000" else "111111"})
    assert wrong.status_code == 400 and "还可尝试 4 次" in wrong.get_data(as_text=True)
    ok = post(client, "/join/verify", {"code": outbox.last_code("13905390099")})
    assert ok.status_code == 302
    assert profile_of(app, "xiaoyang")[1].phone_verified_at is not None

    client.post("/logout", data={"csrf_token": ""})
    fresh = app.test_client()
    assert login(fresh, "+86 139-0539-0099", PASSWORD).status_code == 302


def test_the_code_stops_working_after_five_wrong_tries(app, client, regions, outbox):
    post(client, "/join/volunteer", volunteer_form())
    code = outbox.last_code("13905390099")
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(5):
        post(client, "/join/verify", {"code": wrong})
    assert post(client, "/join/verify", {"code": code}).status_code == 400
    assert profile_of(app, "xiaoyang")[1].phone_verified_at is None
    post(client, "/join/verify/resend")
    assert post(client, "/join/verify", {"code": outbox.last_code("13905390099")}).status_code == 302


def test_donor_registers_with_anonymous_giving_and_an_e_mail_code(app, client, regions, smtp_server):
    response = post(client, "/join/donor", {"username": "aixin", "display_name": "爱心人士", "password": PASSWORD,
                                            "confirm": PASSWORD, "email": "Donor@Example.org", "anonymous": "y",
                                            "agree": "y"})
    assert response.status_code == 302
    user, profile = profile_of(app, "aixin")
    assert user.role == "donor" and profile.anonymous and profile.email_key is None
    # Sent after the commit, by the real mail path, in the registrant's language.
    codes = [m for m in smtp_server if m["To"] == "Donor@Example.org"]
    assert len(codes) == 1
    code = re.search(r"验证码是 (\d{6})", codes[0].get_payload(decode=True).decode()).group(1)
    assert post(client, "/join/verify", {"code": code}).status_code == 302
    assert profile_of(app, "aixin")[1].email_key == "donor@example.org"


def test_duplicates_are_refused_and_nothing_is_added(app, client, regions, outbox, smtp_server):
    number = idnumber.make("371302", date(1990, 1, 1), 123)
    assert post(client, "/join/volunteer", volunteer_form(email="a@example.org", id_number=number)).status_code == 302
    post(client, "/join/verify", {"code": outbox.last_code("13905390099")})
    post(client, "/join/verify/resend")  # the e-mail is confirmed next
    mail = smtp_server[-1].get_payload(decode=True).decode()
    post(client, "/join/verify", {"code": re.search(r"验证码是 (\d{6})", mail).group(1)})
    before = count(app, User)
    other = app.test_client()
    cases = [
        ({"username": "xiaoyang", "phone": "13905390001"}, "xiaoyang"),
        ({"username": "other1", "phone": "+86 13905390099"}, "手机号已注册"),
        ({"username": "other2", "phone": "", "email": "A@EXAMPLE.ORG"}, "电子邮箱已注册"),
        ({"username": "other3", "phone": "13905390002", "id_number": number.lower()}, "已有使用这些信息注册的账号"),
    ]
    for values, message in cases:
        response = post(other, "/join/volunteer", volunteer_form(**values))
        assert response.status_code == 400, values
        assert message in response.get_data(as_text=True)
    assert count(app, User) == before


def test_a_number_typed_but_not_confirmed_blocks_nobody(app, client, regions, outbox):
    """Someone who types another person's mobile at sign-up cannot hold it: it is theirs only
    once confirmed, and the real owner can still register with it and confirm it."""
    post(client, "/join/volunteer", volunteer_form(username="squatter"))
    owner = app.test_client()
    assert post(owner, "/join/volunteer", volunteer_form(username="owner")).status_code == 302
    assert post(owner, "/join/verify", {"code": outbox.last_code("13905390099")}).status_code == 302
    assert login(app.test_client(), "13905390099", PASSWORD).status_code == 302
    # The squatter's own code (sent before) no longer proves anything: the number is the owner's.
    assert profile_of(app, "owner")[1].phone_hash is not None
    assert profile_of(app, "squatter")[1].phone_hash is None


def test_an_e_mail_code_proves_the_e_mail_only(app, client, regions, smtp_server, outbox):
    """Registering with someone else's mobile and one's own e-mail: confirming the e-mail does
    not make the mobile one's own, nor a way to sign in."""
    post(client, "/join/volunteer", volunteer_form(phone="13905390077", email="me@example.org"))
    assert outbox.OUTBOX[-1][0] == "13905390077"  # the mobile is asked first
    post(client, "/join/verify/resend")  # not possible to skip to the e-mail: the code goes to the mobile again
    assert outbox.OUTBOX[-1][0] == "13905390077" and not smtp_server
    user, profile = profile_of(app, "xiaoyang")
    assert profile.phone_verified_at is None
    assert login(app.test_client(), "13905390077", PASSWORD).status_code == 200  # refused


def test_codes_per_day_are_capped(app, client, regions, outbox):
    post(client, "/join/volunteer", volunteer_form())
    for _ in range(4):
        post(client, "/join/verify/resend")  # the fourth is refused: 3 per 10 minutes per address
    assert len(outbox.OUTBOX) == 4
    with app.app_context(), db.write_session() as s:
        user = s.scalar(select(User).where(User.username == "xiaoyang"))
        assert rules.start_verification(s, user) == "sms"  # the fifth code today
        with pytest.raises(rules.TooManyCodes):
            rules.start_verification(s, user)
    assert len(outbox.OUTBOX) == 5


def test_user_names_start_with_a_letter(app, client, regions):
    response = post(client, "/join/donor", volunteer_form(username="13905390099"))
    assert response.status_code == 400 and count(app, User) == 0


def test_bad_input_keeps_what_was_typed(app, client, regions):
    response = post(client, "/join/volunteer", volunteer_form(phone="12345", display_name="周小洋"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="周小洋"' in page and "13912345678" in page
    assert count(app, User) == 0
    no_area = post(client, "/join/volunteer", volunteer_form(**{"areas-0": ""}))
    assert no_area.status_code == 400 and count(app, User) == 0
    bad_id = post(client, "/join/volunteer", volunteer_form(id_number="371302199001011235"))
    assert bad_id.status_code == 400 and count(app, User) == 0


def test_the_honeypot_creates_nothing(app, client, regions, outbox):
    response = post(client, "/join/volunteer", volunteer_form(website="http://spam.example"))
    assert response.status_code == 302
    assert count(app, User) == 0 and outbox.OUTBOX == []


def test_registration_is_throttled_per_address(app, client, regions, outbox):
    app.config["REGISTER_LIMIT"] = "2 per hour"
    codes = [post(client, "/join/volunteer", volunteer_form(username=f"user{i}", phone=f"1390539000{i}")).status_code
             for i in range(3)]
    assert codes == [302, 302, 429]


def test_volunteers_give_a_real_name(app, client, regions):
    response = post(client, "/join/volunteer", volunteer_form(display_name="x"))
    assert response.status_code == 400 and count(app, User) == 0


def test_failed_sign_ins_count_per_account_whatever_names_it(app, client, regions, outbox):
    post(client, "/join/volunteer", volunteer_form(email="yang@example.org"))
    assert login(app.test_client(), "yang@example.org", PASSWORD).status_code == 200  # not confirmed yet
    with app.app_context(), db.write_session() as s:
        profile = s.get(HelperProfile, s.scalar(select(User.id).where(User.username == "xiaoyang")))
        profile.email_verified_at, profile.email_key = utcnow(), "yang@example.org"
        profile.phone_verified_at, profile.phone_hash = utcnow(), crypto.blind_index("13905390099")
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "100 per 15 minutes"
    attempts = [login(app.test_client(), name, "wrong-password-here").status_code
                for name in ("xiaoyang", "13905390099")]
    assert attempts == [200, 200]
    assert login(app.test_client(), "YANG@example.org", PASSWORD).status_code == 429
