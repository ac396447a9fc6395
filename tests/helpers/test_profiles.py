"""Profiles, certificates verified by staff over the volunteer's region, and staff lists."""

import io

from PIL import Image
from sqlalchemy import func, select

from portal import db
from portal.accounts.models import User
from portal.helpers import rules
from portal.helpers.models import Certificate, HelperProfile, ReviewStatus
from portal.notifications.models import Notification
from tests.conftest import form_on, login, post


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(out, "JPEG")
    return out.getvalue()


def set_profile(app, key_user, **values):
    with app.app_context(), db.write_session() as s:
        user = s.get(User, key_user.id)
        defaults = dict(display_name=user.display_name, phone="13905394444", region_codes=["371302105000"],
                        categories=["psychological"], skills={"counselling": [], "tutoring": ["数学", "化学"]},
                        weekends=True, hours_per_month=8, capacity=2, languages=["普通话"])
        defaults.update(values)
        rules.update_profile(s, user, rules.ProfileValues(**defaults))


def upload_certificate(client):
    return post(client, "/me/certificates", {"skill": "counselling", "title": "心理咨询师证书",
                                             "photo": (io.BytesIO(jpeg()), "cert.jpg")},
                content_type="multipart/form-data")


def test_profile_edit_keeps_skills_subjects_and_areas(app, client, users, signed_in, outbox):
    set_profile(app, users["volunteer"])
    client = signed_in("volunteer")
    page = client.get("/me/profile").get_data(as_text=True)
    assert 'value="兰山区 义堂镇"' in page and "需要证书" in page  # the area by its name (issue 21)
    with app.app_context(), db.new_session() as s:
        skills = {st.skill: st for st in rules.skills_of(s, users["volunteer"].id)}
        assert skills["tutoring"].subjects == ["数学", "化学"] and skills["tutoring"].counts
        assert not skills["counselling"].counts  # needs a verified certificate
        profile = s.get(HelperProfile, users["volunteer"].id)
        assert profile.phone_verified_at is None and profile.phone_hash is None  # new phone: confirm it


def test_certificate_is_verified_by_the_county_and_then_counts(app, client, users, signed_in, outbox):
    set_profile(app, users["volunteer"])
    client = signed_in("volunteer")
    assert upload_certificate(client).status_code == 302
    with app.app_context(), db.new_session() as s:
        certificate = s.scalar(select(Certificate))
        told = s.scalar(select(func.count()).select_from(Notification)
                        .where(Notification.kind == "certificate_uploaded", Notification.user_id == users["county"].id))
    assert told == 1
    assert client.get(f"/me/certificates/{certificate.id}/file").headers["Content-Type"] == "image/jpeg"

    for key in ("county2", "village", "org"):
        client = signed_in(key)
        assert client.get(f"/helpers/certificates/{certificate.id}/file").status_code == 403, key
        assert post(client, f"/helpers/certificates/{certificate.id}/review", {"verified": "1"}).status_code == 403

    client = signed_in("county")
    assert certificate.title in client.get("/helpers/certificates").get_data(as_text=True)
    assert client.get(f"/helpers/certificates/{certificate.id}/file").status_code == 200
    assert post(client, f"/helpers/certificates/{certificate.id}/review", {"verified": "1"}).status_code == 302
    with app.app_context(), db.new_session() as s:
        assert s.get(Certificate, certificate.id).status == ReviewStatus.verified
        skills = {st.skill: st for st in rules.skills_of(s, users["volunteer"].id)}
        assert skills["counselling"].verified and skills["counselling"].counts
        assert s.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "certificate_reviewed", Notification.user_id == users["volunteer"].id)) == 1


def test_rejecting_a_certificate_needs_a_reason(app, client, users, signed_in, outbox):
    set_profile(app, users["volunteer"])
    client = signed_in("volunteer")
    upload_certificate(client)
    client = signed_in("county")
    with app.app_context(), db.new_session() as s:
        cert_id = s.scalar(select(Certificate.id))
    post(client, f"/helpers/certificates/{cert_id}/review", {"verified": "0", "reason": ""})
    with app.app_context(), db.new_session() as s:
        assert s.get(Certificate, cert_id).status == ReviewStatus.pending


def test_a_file_that_is_not_a_photo_is_refused(app, client, users, signed_in, outbox):
    client = signed_in("volunteer")
    response = post(client, "/me/certificates", {"skill": "counselling", "title": "证书",
                                                 "photo": (io.BytesIO(b"<svg onload=alert(1)>"), "cert.jpg")},
                    content_type="multipart/form-data")
    assert response.status_code == 400
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(func.count()).select_from(Certificate)) == 0


def test_staff_see_helpers_of_their_region_only(app, client, users, signed_in, outbox):
    set_profile(app, users["volunteer"])
    client = signed_in("county")
    assert "Test volunteer" in client.get("/helpers/").get_data(as_text=True)
    assert "Test volunteer" in client.get("/helpers/?skill=counselling").get_data(as_text=True)
    assert "Test volunteer" not in client.get("/helpers/?skill=counselling&verified_only=y").get_data(as_text=True)
    assert "Test volunteer" not in client.get("/helpers/?category=medical").get_data(as_text=True)
    page = client.get(f"/helpers/{users['volunteer'].id}").get_data(as_text=True)
    assert "13905394444" in page
    client = signed_in("county2")
    assert "Test volunteer" not in client.get("/helpers/").get_data(as_text=True)
    assert client.get(f"/helpers/{users['volunteer'].id}").status_code == 403
    for key in ("town", "village", "org", "volunteer", "donor", "admin"):
        client = signed_in(key)
        assert client.get("/helpers/").status_code == 403, key


def test_deactivation_needs_a_reason_tells_the_helper_and_ends_sign_in(app, client, users, signed_in, outbox):
    set_profile(app, users["volunteer"])
    client = signed_in("county")
    path = f"/helpers/{users['volunteer'].id}/active"
    post(client, path, {"active": "0", "reason": ""})
    with app.app_context(), db.new_session() as s:
        assert s.get(User, users["volunteer"].id).is_active
    post(client, path, {"active": "0", "reason": "多次爽约"})
    with app.app_context(), db.new_session() as s:
        assert not s.get(User, users["volunteer"].id).is_active
        assert s.get(HelperProfile, users["volunteer"].id).deactivated_reason == "多次爽约"
        assert s.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "helper_deactivated", Notification.user_id == users["volunteer"].id)) == 1
    assert login(app.test_client(), "volunteer").status_code != 302


def test_a_deactivated_helpers_session_stays_ended_after_reactivation(app, users, signed_in, outbox):
    set_profile(app, users["volunteer"])
    volunteer = app.test_client()
    login(volunteer, "volunteer")
    assert volunteer.get("/account").status_code == 200
    client = signed_in("county")
    path = f"/helpers/{users['volunteer'].id}/active"
    post(client, path, {"active": "0", "reason": "多次爽约"})
    post(client, path, {"active": "1", "reason": ""})
    with app.app_context(), db.new_session() as s:
        assert s.get(User, users["volunteer"].id).is_active
    assert volunteer.get("/account").status_code == 302


def test_helpers_personal_numbers_are_encrypted_at_rest(app, users, outbox):
    from sqlalchemy import text

    set_profile(app, users["volunteer"])
    with app.app_context(), db.new_session() as s:
        raw = s.execute(text("SELECT phone FROM helper_profile")).one()
    assert raw.phone and "13905394444" not in raw.phone


def test_a_volunteer_keeps_a_real_name(app, users, outbox):
    import pytest

    from portal.errors import DomainError

    with pytest.raises(DomainError):
        set_profile(app, users["volunteer"], display_name="x")


def test_a_donor_saving_the_profile_page_keeps_what_it_does_not_show(app, users, signed_in, outbox):
    with app.app_context(), db.write_session() as s:  # what a donor's page does not show, stored anyway
        s.add(HelperProfile(user_id=users["donor"].id, weekends=True, hours_per_month=6, capacity=3, bio="退休教师"))
    set_profile(app, users["donor"], region_codes=["371302000000"], skills={}, weekends=True, hours_per_month=6,
                capacity=3, languages=[])
    client = signed_in("donor")
    page = client.get("/me/profile").get_data(as_text=True)
    assert 'name="weekends"' not in page and 'name="bio"' not in page
    form = form_on(page)
    form["display_name"] = "吴磊"
    assert client.post("/me/profile", data=form).status_code in (302, 303)
    with app.app_context(), db.new_session() as s:
        profile = s.get(HelperProfile, users["donor"].id)
        assert (profile.weekends, profile.hours_per_month, profile.capacity, profile.bio) == (True, 6, 3, "退休教师")
        assert s.get(User, users["donor"].id).display_name == "吴磊"


def test_an_organization_member_cannot_give_itself_a_volunteers_profile(app, users):
    """The rule, not only the page: values a role does not edit are kept as stored."""
    with app.app_context(), db.write_session() as s:
        member = s.get(User, users["org"].id)
        rules.update_profile(s, member, rules.ProfileValues(
            display_name="机构成员", phone="13905396666", region_codes=["371302105000"], categories=["medical"],
            skills={"counselling": []}, hours_per_month=40, capacity=9, bio="冒充志愿者"))
    with app.app_context(), db.new_session() as s:
        profile = s.get(HelperProfile, users["org"].id)
        assert (profile.categories, profile.hours_per_month, profile.capacity, profile.bio) == ([], 0, 1, "")
        assert rules.areas_of(s, users["org"].id) == [] and rules.skills_of(s, users["org"].id) == []
