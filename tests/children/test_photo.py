"""The child's portrait: re-encoded without location, shown only to the child's staff, audited."""

import io

import pytest
from PIL import ExifTags, Image
from sqlmodel import select

from portal import db
from portal.audit.models import AuditEntry
from portal.children.models import Child
from tests.conftest import csrf_token
from tests.visits.test_photos import _phone_jpeg, _stored_files, uploads  # noqa: F401  (the fixture)


def _send(client, child_id, data: bytes, name="me.jpg"):
    token = csrf_token(client)
    return client.post(f"/children/{child_id}/photo", data={"csrf_token": token, "photo": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_portrait_is_stored_without_location_and_replaced_cleanly(app, as_user, client, make_child, uploads):  # noqa: F811
    child = make_child("village")
    as_user("village")
    assert _send(client, child.id, _phone_jpeg()).status_code == 302
    (stored,) = _stored_files(uploads)
    assert Image.open(stored).getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    page = client.get(f"/children/{child.id}").get_data(as_text=True)
    assert f'src="/children/{child.id}/photo"' in page
    shown = client.get(f"/children/{child.id}/photo")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "private, no-store"
    _send(client, child.id, _phone_jpeg())
    assert len(_stored_files(uploads)) == 1 and _stored_files(uploads)[0] != stored  # the old one is gone


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_changes(app, as_user, client, make_child, uploads):  # noqa: F811
    child = make_child("village")
    as_user("village")
    _send(client, child.id, b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>", "me.jpg")
    assert _stored_files(uploads) == []
    with app.app_context(), db.new_session() as s:
        assert s.get(Child, child.id).photo_path is None


@pytest.mark.parametrize("viewer, status", [("village2", 404), ("county2", 404), ("org", 403), ("admin", 403)])
def test_strangers_never_see_the_portrait(app, client, make_child, uploads, viewer, status):  # noqa: F811
    from tests.conftest import login

    child = make_child("village")
    owner = app.test_client()
    login(owner, "village")
    _send(owner, child.id, _phone_jpeg())
    login(client, viewer)
    assert client.get(f"/children/{child.id}/photo").status_code == status
    assert _send(client, child.id, _phone_jpeg()).status_code == status
    with app.app_context(), db.new_session() as s:
        reads = s.scalars(select(AuditEntry).where(AuditEntry.action == "read", AuditEntry.actor_name == viewer)).all()
    assert reads == []


def test_agreement_scan_is_kept_and_shown_only_to_the_childs_staff(app, as_user, client, make_child, uploads):  # noqa: F811
    from tests.conftest import login

    child = make_child("village", categories=["left_behind"])
    as_user("village")
    token = csrf_token(client)
    response = client.post(f"/children/{child.id}/agreement", content_type="multipart/form-data", data={
        "csrf_token": token, "guardian_name": "王秀兰", "signed_on": "2026-03-01",
        "scan": (io.BytesIO(_phone_jpeg()), "scan.jpg")})
    assert response.status_code == 302
    (stored,) = _stored_files(uploads)
    assert "agreement-scans" in str(stored) and Image.open(stored).getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    page = client.get(f"/children/{child.id}/agreement").get_data(as_text=True)
    assert "/agreement/1/scan" in page
    assert client.get(f"/children/{child.id}/agreement/1/scan").status_code == 200
    other = app.test_client()
    login(other, "county2")
    assert other.get(f"/children/{child.id}/agreement/1/scan").status_code == 404
