"""Volunteer service hours: logging, approval by the staff over the place served, totals of approved
hours only, the certificate PDF and the public page that checks it."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal import db
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.errors import Conflict, DomainError, NotAllowed
from portal.helpers import hours as rules
from portal.helpers.models import HoursStatus, VolunteerHours
from tests.conftest import post

TODAY = date(2026, 11, 26)
VILLAGE, VILLAGE2, OTHER_COUNTY_VILLAGE = "371302105259", "371302105260", "371311001001"


@pytest.fixture(autouse=True)
def confirmed_volunteer(app, users):
    """The volunteer has confirmed their mobile: only such volunteers log hours."""
    from portal.helpers.models import HelperProfile
    from portal.types import utcnow

    with app.app_context(), db.write_session() as s:
        s.add(HelperProfile(user_id=users["volunteer"].id, phone="13905390002", phone_verified_at=utcnow()))


def test_a_volunteer_who_has_not_confirmed_a_contact_logs_no_hours(session, users):
    from portal.helpers.models import HelperProfile

    session.get(HelperProfile, users["volunteer"].id).phone_verified_at = None
    session.flush()
    with pytest.raises(NotAllowed):
        _log(session, users)


def _user(session, users, key) -> User:
    return session.get(User, users[key].id)


def _log(session, users, key="volunteer", **values) -> VolunteerHours:
    fields = dict(region_code=VILLAGE, service_date=TODAY - timedelta(days=1), minutes=120, today=TODAY)
    fields.update(values)
    return rules.log_hours(session, _user(session, users, key), **fields)


# --- logging -----------------------------------------------------------------------------------


def test_a_volunteer_logs_hours_waiting_for_approval_and_it_is_audited(session, users):
    entry = _log(session, users, description="  辅导数学  ", delivery_id=7)
    assert entry.status == HoursStatus.pending and entry.description == "辅导数学" and entry.minutes == 120
    logged = session.scalars(select(AuditEntry).where(AuditEntry.action == "hours.log")).all()
    assert [(a.object_id, a.region_code, a.actor_id) for a in logged] == [(str(entry.id), VILLAGE, users["volunteer"].id)]


@pytest.mark.parametrize("values, field", [
    ({"service_date": TODAY + timedelta(days=1)}, "service_date"),
    ({"service_date": date(1999, 12, 31)}, "service_date"),
    ({"minutes": 0}, "minutes"),
    ({"minutes": -30}, "minutes"),
    ({"minutes": 24 * 60 + 1}, "minutes"),
    ({"region_code": "371302105999"}, "region_code"),  # no such village
    ({"region_code": "371302000000"}, "region_code"),  # a county: no director or supervisor approves there
])
def test_logging_refuses_impossible_entries(session, users, values, field):
    with pytest.raises(DomainError) as refused:
        _log(session, users, **values)
    assert refused.value.details.get("field") == field
    assert session.scalars(select(VolunteerHours)).all() == []


def test_a_whole_day_is_the_most_one_can_log_for_one_day(session, users):
    _log(session, users, minutes=20 * 60)
    with pytest.raises(DomainError):
        _log(session, users, minutes=5 * 60)
    assert _log(session, users, minutes=4 * 60).minutes == 240


def test_a_delivery_is_logged_once(session, users):
    _log(session, users, delivery_id=11, minutes=30)
    with pytest.raises(Conflict):
        _log(session, users, delivery_id=11, minutes=30)


@pytest.mark.parametrize("key", ["donor", "org", "village", "county", "admin"])
def test_only_volunteers_log_hours(session, users, key):
    with pytest.raises(NotAllowed):
        _log(session, users, key=key)


# --- deciding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["village", "town"])
def test_the_director_of_the_village_or_the_town_supervisor_approves(session, users, key):
    entry = _log(session, users)
    rules.decide_hours(session, _user(session, users, key), entry, approve=True)
    assert entry.status == HoursStatus.approved and entry.decided_by_id == users[key].id and entry.decided_at
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "hours.approve")).one()
    assert audit.object_id == str(entry.id) and audit.region_code == VILLAGE


@pytest.mark.parametrize("key", ["village2", "county2", "county", "city", "admin", "volunteer", "org", "donor"])
def test_others_may_not_decide(session, users, key):
    entry = _log(session, users)
    with pytest.raises(NotAllowed):
        rules.decide_hours(session, _user(session, users, key), entry, approve=True)
    assert entry.status == HoursStatus.pending


def test_staff_of_another_county_cannot_decide_there_either(session, users):
    entry = _log(session, users, region_code=OTHER_COUNTY_VILLAGE)
    for key in ("village", "town"):
        with pytest.raises(NotAllowed):
            rules.decide_hours(session, _user(session, users, key), entry, approve=True)


def test_rejecting_needs_a_reason_and_a_decision_is_final(session, users):
    entry = _log(session, users)
    village = _user(session, users, "village")
    with pytest.raises(DomainError) as refused:
        rules.decide_hours(session, village, entry, approve=False, reason="   ")
    assert refused.value.details.get("field") == "reason" and entry.status == HoursStatus.pending
    rules.decide_hours(session, village, entry, approve=False, reason="当天未到场")
    assert entry.status == HoursStatus.rejected and entry.reason == "当天未到场"
    with pytest.raises(Conflict):
        rules.decide_hours(session, _user(session, users, "town"), entry, approve=True)
    assert entry.status == HoursStatus.rejected


def test_pending_lists_hold_the_actors_region_oldest_first(session, users):
    first = _log(session, users, region_code=VILLAGE, service_date=TODAY - timedelta(days=3))
    second = _log(session, users, region_code=VILLAGE2, service_date=TODAY - timedelta(days=2))
    _log(session, users, region_code=OTHER_COUNTY_VILLAGE, service_date=TODAY - timedelta(days=1))
    decided = _log(session, users, region_code=VILLAGE, service_date=TODAY - timedelta(days=4))
    rules.decide_hours(session, _user(session, users, "village"), decided, approve=True)

    def ids(key):
        rows, total = rules.pending_for(session, _user(session, users, key), 1, 50)
        assert total == len(rows)
        return [r.id for r in rows]

    assert ids("town") == [first.id, second.id]
    assert ids("village") == [first.id]
    assert ids("village2") == [second.id]
    with pytest.raises(NotAllowed):
        rules.pending_for(session, _user(session, users, "county2"), 1, 50)


# --- totals ------------------------------------------------------------------------------------


def test_totals_count_only_approved_hours_and_follow_the_period(session, users):
    village = _user(session, users, "village")
    jan = _log(session, users, service_date=date(2026, 1, 10), minutes=90)
    jan2 = _log(session, users, service_date=date(2026, 1, 20), minutes=45)
    mar = _log(session, users, service_date=date(2026, 3, 5), minutes=60)
    rejected = _log(session, users, service_date=date(2026, 3, 6), minutes=600)
    _log(session, users, service_date=date(2026, 3, 7), minutes=300)  # still pending
    for entry in (jan, jan2, mar):
        rules.decide_hours(session, village, entry, approve=True)
    rules.decide_hours(session, village, rejected, approve=False, reason="重复登记")
    volunteer = _user(session, users, "volunteer")

    assert rules.approved_minutes(session, volunteer) == 195
    assert rules.approved_minutes(session, volunteer, date(2026, 2, 1), date(2026, 3, 31)) == 60
    assert rules.approved_minutes(session, volunteer, date(2026, 1, 20), date(2026, 1, 20)) == 45
    assert len(rules.hours_of(session, volunteer)) == 5
    assert [e.id for e in rules.hours_of(session, volunteer, date(2026, 1, 1), date(2026, 1, 31))] == [jan2.id, jan.id]
    assert rules.monthly_totals(session, volunteer, date(2026, 1, 1), date(2026, 12, 31)) == [
        rules.MonthTotal(date(2026, 1, 1), 135, 2), rules.MonthTotal(date(2026, 3, 1), 60, 1),
    ]
    assert rules.hours_text(195) == "3.3" and rules.hours_text(135) == "2.3" and rules.hours_text(5) == "0.1"


def test_the_certificate_period_is_read_strictly():
    assert rules.parse_period("", "", TODAY) == (date(2026, 1, 1), TODAY)
    assert rules.parse_period("2025-03-01", "2025-06-30", TODAY) == (date(2025, 3, 1), date(2025, 6, 30))
    for start, end, field in [("2026-13-01", "", "start"), ("", "yesterday", "end"), ("", "2026-11-27", "end"),
                              ("1999-12-31", "", "start"), ("2026-06-01", "2026-05-31", "start")]:
        with pytest.raises(DomainError) as refused:
            rules.parse_period(start, end, TODAY)
        assert refused.value.details["field"] == field


def test_a_certificate_code_verifies_only_as_issued(session, users):
    volunteer = _user(session, users, "volunteer")
    code = rules.certificate_code("secret", volunteer.id, "Test volunteer", date(2026, 1, 1), date(2026, 6, 30), 195)
    found = rules.verify_certificate(session, code, "secret")
    assert (found.name, found.start, found.end, found.minutes, found.hours) == (
        "Test volunteer", date(2026, 1, 1), date(2026, 6, 30), 195, "3.3")
    forged = rules.certificate_code("another secret", volunteer.id, "Test volunteer", date(2026, 1, 1), date(2026, 6, 30), 1950)
    assert rules.verify_certificate(session, forged, "secret") is None
    payload, signature = code.split(".")
    assert rules.verify_certificate(session, payload[:-2] + "xy." + signature, "secret") is None
    assert rules.verify_certificate(session, "not-a-code", "secret") is None
    # The name printed is the one signed: renaming oneself later changes nothing on the certificate.
    volunteer.display_name = "王五"
    session.flush()
    assert rules.verify_certificate(session, code, "secret").name == "Test volunteer"


# --- through HTTP ------------------------------------------------------------------------------


def _seed(app, users, entries, approver="village", display_name=None) -> list[int]:
    """Log ``entries`` (service_date, minutes, decision) for the volunteer; decision is True
    (approve), a reason (reject) or None (leave pending)."""
    ids = []
    with app.app_context(), db.write_session() as s:
        volunteer = s.get(User, users["volunteer"].id)
        if display_name:
            volunteer.display_name = display_name
        for served_on, minutes, decision in entries:
            entry = rules.log_hours(s, volunteer, region_code=VILLAGE, service_date=served_on, minutes=minutes,
                                    description="陪伴阅读")
            if decision is True:
                rules.decide_hours(s, s.get(User, users[approver].id), entry, approve=True)
            elif decision:
                rules.decide_hours(s, s.get(User, users[approver].id), entry, approve=False, reason=decision)
            ids.append(entry.id)
    return ids


def _status(app, entry_id):
    with app.app_context(), db.new_session() as s:
        return s.get(VolunteerHours, entry_id).status


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_certificate_is_a_pdf_of_approved_hours_with_a_code_that_verifies(app, users, as_user, client):
    today = date.today()
    start = today - timedelta(days=60)
    _seed(app, users, [(today - timedelta(days=40), 90, True), (today - timedelta(days=10), 45, True),
                       (today - timedelta(days=9), 600, "不属实"), (today - timedelta(days=8), 300, None),
                       (today - timedelta(days=90), 120, True)],  # before the period
          display_name="张志愿")
    as_user("volunteer")
    response = client.get(f"/me/hours/certificate.pdf?start={start.isoformat()}&end={today.isoformat()}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert "张志愿" in reader.metadata.title
    text = _text(pdf)
    assert "张志愿" in text and "2.3" in text  # 135 approved minutes; the rejected and pending ones not
    assert "12.3" not in text and "7.3" not in text and "4.3" not in text

    # A short code, printed in two groups of five, of an alphabet without look-alikes.
    printed = re.findall(r"\b[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}\b", text)
    assert len(printed) == 1
    code = printed[0]
    with app.app_context():
        assert code.replace("-", "") == rules.short_code(app.config["SECRET_KEY"], users["volunteer"].id, "张志愿",
                                                         start, today, 135)
    assert client.get(f"/me/hours/certificate.pdf?start={start.isoformat()}&end={today.isoformat()}").status_code == 200
    page = client.get("/hours/verify", query_string={"code": code.lower().replace("-", " ")})  # typed loosely
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "张志愿" in body and "2.3" in body and start.isoformat() in body
    assert "陪伴阅读" not in body  # nothing beyond name, period and hours


def test_the_certificate_speaks_english_when_the_user_does(app, users, as_user, client):
    _seed(app, users, [(date.today(), 30, True)])
    as_user("volunteer")
    post(client, "/language", {"lang": "en"})
    text = _text(client.get("/me/hours/certificate.pdf").get_data())
    assert "Volunteer service certificate" in text and "Test volunteer" in text and "0.5" in text


def test_bad_certificate_periods_are_refused_with_a_message(app, users, as_user, client):
    as_user("volunteer")
    response = client.get("/me/hours/certificate.pdf?start=2026-13-01")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "请按 年-月-日 格式输入日期。" in response.get_data(as_text=True)
    post(client, "/language", {"lang": "en"})
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.get(f"/me/hours/certificate.pdf?end={tomorrow}")
    assert response.status_code == 400 and "The period cannot end after today." in response.get_data(as_text=True)
    response = client.get("/me/hours/certificate.pdf?start=2026-06-01&end=2026-05-01")
    assert response.status_code == 400 and "The period must start on or before its last day." in response.get_data(as_text=True)


def test_my_hours_lists_entries_of_the_period_with_reasons(app, users, as_user, client):
    today = date.today()
    _seed(app, users, [(today, 90, True), (today, 60, "时间不符"), (today - timedelta(days=400), 30, True)])
    as_user("volunteer")
    page = client.get("/me/hours")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "时间不符" in body and "1.5" in body
    assert (today - timedelta(days=400)).isoformat() not in body  # not in this calendar year
    old = today - timedelta(days=400)
    body = client.get(f"/me/hours?start={old.isoformat()}&end={old.isoformat()}").get_data(as_text=True)
    assert old.isoformat() in body and "时间不符" not in body and "0.5" in body


def test_the_verify_page_refuses_a_tampered_code(app, users, client):
    with app.app_context():
        genuine = rules.certificate_code(app.config["SECRET_KEY"], users["volunteer"].id, "Test volunteer",
                                         date(2026, 1, 1), date(2026, 6, 30), 60)
        forged = rules.certificate_code(app.config["SECRET_KEY"] + "?", users["volunteer"].id, "Test volunteer",
                                        date(2026, 1, 1), date(2026, 6, 30), 6000)
    assert client.get("/hours/verify", query_string={"code": genuine}).status_code == 200
    payload, signature = genuine.split(".")
    for code in (forged, payload + "." + signature[:-1] + ("A" if signature[-1] != "A" else "B"), "garbage"):
        response = client.get("/hours/verify", query_string={"code": code})
        assert response.status_code == 404
        assert "Test volunteer" not in response.get_data(as_text=True)
    assert client.get("/hours/verify").status_code == 200  # the form to enter a code


@pytest.mark.parametrize("key", ["donor", "village", "county"])
def test_only_volunteers_and_organization_members_have_service_hours(as_user, client, key):
    as_user(key)
    assert client.get("/me/hours").status_code == 403
    assert client.get("/me/hours/certificate.pdf").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, users):
    assert client.get("/me/hours").status_code == 302
    assert client.get("/hours/pending").status_code == 302


def test_the_town_supervisor_approves_and_rejects_from_the_pending_list(app, users, as_user, client):
    today = date.today()
    first, second, third = _seed(app, users, [(today, 60, None), (today, 30, None), (today, 45, None)])
    as_user("town")
    page = client.get("/hours/pending")
    assert page.status_code == 200 and "Test volunteer" in page.get_data(as_text=True)
    assert post(client, f"/hours/{first}/decide", {"decision": "approve"}).status_code == 302
    assert _status(app, first) == HoursStatus.approved

    response = post(client, f"/hours/{second}/decide", {"decision": "reject", "reason": ""})
    assert response.status_code == 400 and _status(app, second) == HoursStatus.pending
    assert post(client, f"/hours/{second}/decide", {"decision": "reject", "reason": "未到场"}).status_code == 302
    assert _status(app, second) == HoursStatus.rejected

    # htmx swaps only the entry's row
    response = post(client, f"/hours/{third}/decide", {"decision": "approve"}, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="hours-{third}"' in body and "<html" not in body
    assert _status(app, third) == HoursStatus.approved
    # deciding twice is refused
    response = post(client, f"/hours/{first}/decide", {"decision": "reject", "reason": "x"})
    assert response.status_code == 409 and _status(app, first) == HoursStatus.approved


@pytest.mark.parametrize("key", ["village2", "county2"])
def test_staff_elsewhere_cannot_decide(app, users, as_user, client, key):
    (entry,) = _seed(app, users, [(date.today(), 60, None)])
    as_user(key)
    response = post(client, f"/hours/{entry}/decide", {"decision": "approve"})
    assert response.status_code == 403 and _status(app, entry) == HoursStatus.pending
    if key == "village2":
        assert f"/hours/{entry}/decide" not in client.get("/hours/pending").get_data(as_text=True)


def test_civil_affairs_staff_do_not_decide_hours(app, users, as_user, client):
    (entry,) = _seed(app, users, [(date.today(), 60, None)])
    as_user("county")
    assert client.get("/hours/pending").status_code == 403
    assert post(client, f"/hours/{entry}/decide", {"decision": "approve"}).status_code == 403
    assert _status(app, entry) == HoursStatus.pending



def test_the_short_code_verifies_only_as_issued_and_a_changed_row_does_not(app, users, as_user, client):
    from portal.helpers.models import HoursCertificate

    today = date.today()
    _seed(app, users, [(today - timedelta(days=5), 120, True)], display_name="张志愿")
    as_user("volunteer")
    client.get(f"/me/hours/certificate.pdf?start={(today - timedelta(days=30)).isoformat()}&end={today.isoformat()}")
    with app.app_context(), db.new_session() as s:
        row = s.scalar(select(HoursCertificate))
    assert len(row.code) == 10 and row.minutes == 120
    assert client.get("/hours/verify", query_string={"code": row.code}).status_code == 200
    wrong = row.code[:-1] + ("2" if row.code[-1] != "2" else "3")  # one character off
    for code in (wrong, row.code.replace(row.code[0], "0"), row.code[:9]):
        assert client.get("/hours/verify", query_string={"code": code}).status_code == 404
    with app.app_context(), db.write_session() as s:
        s.get(HoursCertificate, row.id).minutes = 12000  # edited in the database
    assert client.get("/hours/verify", query_string={"code": row.code}).status_code == 404


def test_the_certificate_names_the_countys_bureau_and_carries_its_seal(app, users, as_user, client, tmp_path):
    from PIL import Image as PILImage

    from portal.helpers.models import HelperArea

    today = date.today()
    _seed(app, users, [(today - timedelta(days=5), 120, True)], display_name="张志愿")
    with app.app_context(), db.write_session() as s:
        s.add(HelperArea(user_id=users["volunteer"].id, region_code="371302105000"))
    app.config["SEAL_FOLDER"] = str(tmp_path)
    period = f"start={(today - timedelta(days=30)).isoformat()}&end={today.isoformat()}"
    as_user("volunteer")
    text = _text(client.get(f"/me/hours/certificate.pdf?{period}").get_data())
    assert "兰山区民政局" in "".join(text.split())  # named after the county when nothing is configured
    (tmp_path / "371302000000.txt").write_text("临沂市兰山区民政局\n", encoding="utf-8")
    PILImage.new("RGBA", (200, 200), (200, 0, 0, 255)).save(tmp_path / "371302000000.png")
    pdf = client.get(f"/me/hours/certificate.pdf?{period}").get_data()
    assert "临沂市兰山区民政局" in "".join(_text(pdf).split())
    reader = PdfReader(io.BytesIO(pdf))
    assert any(page.images for page in reader.pages)  # the seal is drawn
