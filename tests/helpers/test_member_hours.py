"""Organization members record hours on their deliveries, so they download their hours certificate
as volunteers do: their own approved hours, under their own name, never another member's."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from portal import db
from portal.accounts.models import User
from portal.helpers import hours as rules
from tests.conftest import login

VILLAGE = "371302105259"
CODE = re.compile(r"\b[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}\b")


def _member_with_hours(app, users, make_org, name: str, minutes: int) -> str:
    """The administrator of a new approved organization, renamed ``name``, with ``minutes`` served
    for the organization and approved by the village's director; their username."""
    org_id, username = make_org(status="approved")
    with app.app_context(), db.write_session() as s:
        member = s.scalar(select(User).where(User.username == username))
        member.display_name = name
        from portal.helpers.models import HelperProfile
        from portal.types import utcnow

        profile = s.get(HelperProfile, member.id) or HelperProfile(user_id=member.id)
        profile.phone_verified_at = utcnow()
        s.add(profile)
        s.flush()
        entry = rules.log_hours(s, member, region_code=VILLAGE, service_date=date.today() - timedelta(days=3),
                                minutes=minutes, description="陪伴阅读", organization_id=org_id)
        rules.decide_hours(s, s.get(User, users["village"].id), entry, approve=True)
    return username


def _signed_in(app, username):
    client = app.test_client()
    assert login(client, username, "a-long-secret-phrase").status_code == 302
    return client


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_organization_member_downloads_their_own_hours_certificate(app, users, make_org):
    first = _member_with_hours(app, users, make_org, "孙社工", 120)
    _member_with_hours(app, users, make_org, "周社工", 300)
    client = _signed_in(app, first)

    page = client.get("/me/hours")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "2.0" in body and "5.0" not in body

    response = client.get("/me/hours/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.get_data())
    assert "孙社工" in text and "2.0" in text
    assert "周社工" not in text and "5.0" not in text and "7.0" not in text
    assert "兰山区民政局" in "".join(text.split())  # the county of the organization's service area
    code = CODE.findall(text)[0]
    checked = client.get("/hours/verify", query_string={"code": code}).get_data(as_text=True)
    assert "孙社工" in checked and "周社工" not in checked


def test_another_members_hours_never_reach_ones_certificate(app, users, make_org):
    """Asking for someone else's (by any parameter) still gives one's own."""
    first = _member_with_hours(app, users, make_org, "孙社工", 120)
    second = _member_with_hours(app, users, make_org, "周社工", 300)
    with app.app_context(), db.new_session() as s:
        first_id = s.scalar(select(User.id).where(User.username == first))
    text = _text(_signed_in(app, second).get(f"/me/hours/certificate.pdf?user={first_id}&user_id={first_id}")
                 .get_data())
    assert "周社工" in text and "5.0" in text and "孙社工" not in text


def test_the_member_sees_the_hours_page_in_the_menu(app, users, make_org):
    member = _member_with_hours(app, users, make_org, "孙社工", 60)
    assert 'href="/me/hours"' in _signed_in(app, member).get("/").get_data(as_text=True)
