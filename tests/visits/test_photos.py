"""Evidence photos of visits: checked by content, stripped of location, stored atomically, shown
only to staff who may see the child's file, every view audited."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms
from sqlmodel import select

from portal import db
from portal.audit.models import AuditEntry
from portal.visits import photos
from portal.visits.models import Visit, VisitPhoto
from tests.conftest import csrf_token, post

FINDINGS = "孩子精神状态良好，房屋漏雨"
NORTH = (39.0, 54.0, 20.0)  # the GPS position a phone writes into the photo


@pytest.fixture
def uploads(app, tmp_path) -> Path:
    folder = tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = str(folder)
    return folder


def _stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _image_bytes(fmt: str = "JPEG", size=(300, 100), **save) -> bytes:
    """Red on the left, blue on the right."""
    image = Image.new("RGB", size, "red")
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def _phone_jpeg() -> bytes:
    """A JPEG as a phone writes it: sideways pixels with an orientation tag, GPS, XMP, ICC, comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # shown rotated 90° clockwise
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: NORTH, 3: "E", 4: (116.0, 23.0, 0.0)})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = _image_bytes(exif=exif.tobytes(), icc_profile=icc, comment=b"home of the child",
                        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">location</x:xmpmeta>')
    original = Image.open(io.BytesIO(data))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)[2] == NORTH  # the test file really has GPS
    assert {"xmp", "icc_profile", "comment"} <= set(original.info)
    return data


def _file(data: bytes, name: str, content_type: str = "image/jpeg"):
    return (io.BytesIO(data), name, content_type)


def _visit_form(files, **kw):
    data = {"visited_on": date.today().isoformat(), "mode": "home", "seen": "孩子和祖母", "findings": FINDINGS,
            "photos": files}
    data.update(kw)
    return data


def _nothing_saved(app, folder: Path) -> None:
    with app.app_context(), db.new_session() as s:
        assert s.scalars(select(Visit)).first() is None
        assert s.scalars(select(VisitPhoto)).first() is None
    assert _stored_files(folder) == []


def _photo_rows(app) -> list[VisitPhoto]:
    with app.app_context(), db.new_session() as s:
        return list(s.scalars(select(VisitPhoto).order_by(VisitPhoto.id)))


# --- upload ------------------------------------------------------------------------------------


def test_form_offers_photo_upload_without_javascript(as_user, client, make_child, uploads):
    child = make_child("village")
    as_user("village")
    page = client.get(f"/children/{child.id}/visits/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and "multiple" in page and 'accept="image/jpeg,image/png,image/webp"' in page


def test_uploaded_photo_loses_gps_and_every_metadata_block_and_is_turned_upright(app, as_user, client, make_child,
                                                                                 uploads):
    child = make_child("village")
    as_user("village")
    response = post(client, f"/children/{child.id}/visits/new", _visit_form([_file(_phone_jpeg(), "家中-定位.jpg")]))
    assert response.status_code == 302

    [row] = _photo_rows(app)
    stored_path = uploads / row.path
    assert "定位" not in row.path and stored_path.name.removesuffix(".jpg").isalnum()  # a random name
    stored = Image.open(stored_path)
    assert stored.format == "JPEG" and row.content_type == "image/jpeg"
    assert len(stored.getexif()) == 0
    assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(stored.info)
    assert b"PhoneMaker" not in stored_path.read_bytes() and b"location" not in stored_path.read_bytes()
    # Orientation 6 applied: the 300×100 picture stands 100×300, its left (red) half now on top.
    assert stored.size == (100, 300) == (row.width, row.height)
    red, _g, blue = stored.convert("RGB").getpixel((50, 30))
    assert red > 200 and blue < 60
    red, _g, blue = stored.convert("RGB").getpixel((50, 270))
    assert blue > 200 and red < 60
    assert row.size == stored_path.stat().st_size


def test_png_is_accepted_and_stored_as_jpeg(app, as_user, client, make_child, uploads):
    child = make_child("village")
    as_user("village")
    response = post(client, f"/children/{child.id}/visits/new",
                    _visit_form([_file(_image_bytes("PNG"), "scan.png", "image/png"),
                                 _file(_image_bytes("WEBP"), "room.webp", "image/webp")]))
    assert response.status_code == 302
    rows = _photo_rows(app)
    assert len(rows) == 2 and all(Image.open(uploads / r.path).format == "JPEG" for r in rows)


def test_a_large_photo_is_shrunk(app, as_user, client, make_child, uploads):
    child = make_child("village")
    as_user("village")
    post(client, f"/children/{child.id}/visits/new", _visit_form([_file(_image_bytes(size=(4000, 3000)), "big.jpg")]))
    [row] = _photo_rows(app)
    assert (row.width, row.height) == (2000, 1500) == Image.open(uploads / row.path).size


def test_visit_without_photos_still_records(app, as_user, client, make_child, uploads):
    child = make_child("village")
    as_user("village")
    assert post(client, f"/children/{child.id}/visits/new", _visit_form([])).status_code == 302
    with app.app_context(), db.new_session() as s:
        assert s.scalars(select(Visit)).one().findings == FINDINGS
    assert _photo_rows(app) == []


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="10"/></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize("content", [SVG, HTML], ids=["svg", "html"])
def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(app, as_user, client, make_child, uploads,
                                                                     content):
    child = make_child("village")
    as_user("village")
    files = [_file(_image_bytes(), "good.jpg"), _file(content, "photo.jpg", "image/jpeg")]
    response = post(client, f"/children/{child.id}/visits/new", _visit_form(files))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "photo.jpg 不是 JPEG、PNG 或 WebP 照片" in page and "未保存任何内容" in page
    assert FINDINGS in page and 'value="孩子和祖母"' in page  # what was typed is kept
    _nothing_saved(app, uploads)


def test_a_photo_over_10_mb_is_refused(app, as_user, client, make_child, uploads):
    child = make_child("village")
    as_user("village")
    huge = _image_bytes("PNG", size=(2000, 1900), compress_level=0)  # ≈ 11 MB of real PNG
    assert len(huge) > photos.MAX_BYTES
    response = post(client, f"/children/{child.id}/visits/new", _visit_form([_file(huge, "huge.png", "image/png")]))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "huge.png 超过 10 MB" in page and FINDINGS in page
    _nothing_saved(app, uploads)


def test_six_photos_are_refused(app, as_user, client, make_child, uploads):
    child = make_child("village")
    as_user("village")
    files = [_file(_image_bytes(), f"p{n}.jpg") for n in range(6)]
    response = post(client, f"/children/{child.id}/visits/new", _visit_form(files))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "最多 5 张照片" in page and FINDINGS in page
    _nothing_saved(app, uploads)


def test_a_request_over_the_size_limit_is_answered_in_chinese(app, as_user, client, make_child, uploads):
    child = make_child("village")
    as_user("village")
    token = csrf_token(client)
    app.config["MAX_CONTENT_LENGTH"] = 2 * photos.MB
    response = client.post(f"/children/{child.id}/visits/new",
                           data=_visit_form([_file(b"\0" * (3 * photos.MB), "big.jpg")], csrf_token=token))
    assert response.status_code == 413 and "未保存任何内容" in response.get_data(as_text=True)
    _nothing_saved(app, uploads)


def test_files_are_removed_when_the_transaction_fails(app, as_user, client, make_child, uploads, monkeypatch):
    child = make_child("village")
    as_user("village")
    token = csrf_token(client)

    written = []
    from sqlmodel import Session

    commit = Session.commit

    def fail(session, *args, **kwargs):
        if not _stored_files(uploads):
            return commit(session, *args, **kwargs)  # the audit of the read, before the visit
        written.extend(_stored_files(uploads))  # the files are on disk when the visit's commit fails
        raise RuntimeError("database went away")

    monkeypatch.setattr("sqlmodel.Session.commit", fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post(f"/children/{child.id}/visits/new",
                           data=_visit_form([_file(_image_bytes(), "a.jpg"), _file(_image_bytes(), "b.jpg")],
                                            csrf_token=token))
    assert response.status_code == 500
    assert len(written) == 2
    monkeypatch.undo()
    _nothing_saved(app, uploads)


def test_nothing_is_recorded_when_a_file_cannot_be_written(app, as_user, client, make_child, uploads, monkeypatch):
    child = make_child("village")
    as_user("village")
    real_write = photos.PhotoStore.write
    calls = []

    def second_fails(store, photo):
        calls.append(photo)
        if len(calls) == 2:
            raise photos.PhotoNotStored("disk full")
        return real_write(store, photo)

    monkeypatch.setattr(photos.PhotoStore, "write", second_fails)
    files = [_file(_image_bytes(), "a.jpg"), _file(_image_bytes(), "b.jpg")]
    response = post(client, f"/children/{child.id}/visits/new", _visit_form(files))
    assert response.status_code == 400 and FINDINGS in response.get_data(as_text=True)
    assert len(calls) == 2
    _nothing_saved(app, uploads)


def test_store_turns_a_failed_write_into_a_refusal_and_leaves_no_file(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")  # the upload folder cannot be created under a file
    clean = photos.clean_photo(photos.Upload("a.png", io.BytesIO(_image_bytes("PNG"))))
    with pytest.raises(photos.PhotoNotStored), photos.photo_store(blocker) as store:
        store.write(clean)
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]


# --- who sees a photo ----------------------------------------------------------------------------


@pytest.fixture
def photo_id(app, as_user, client, make_child, uploads) -> int:
    child = make_child("village")
    as_user("village")
    post(client, f"/children/{child.id}/visits/new", _visit_form([_file(_phone_jpeg(), "a.jpg")]))
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    [row] = _photo_rows(app)
    return row.id


def _photo_reads(app) -> list[AuditEntry]:
    with app.app_context(), db.new_session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == "read",
                                                      AuditEntry.object_type == "visit_photo")))


def test_town_supervisor_sees_the_photo_privately_and_each_view_is_audited(app, as_user, client, photo_id):
    as_user("town")
    for _n in range(2):
        response = client.get(f"/visits/photos/{photo_id}")
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert Image.open(io.BytesIO(response.data)).getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    reads = _photo_reads(app)
    assert len(reads) == 2
    with app.app_context(), db.new_session() as s:
        child_id = s.get(Visit, s.get(VisitPhoto, photo_id).visit_id).child_id
    assert {(e.actor_name, e.object_id, e.region_code, e.detail["photo"]) for e in reads} == {
        ("town", str(child_id), "371302105259", photo_id)
    }
    readers = client.get(f"/children/{child_id}/readers").get_data(as_text=True)  # the file's read log
    # the two photo views, and this look at the read log itself (it names the child)
    assert readers.count("<td>town</td><td>read</td>") == 3


def test_childs_file_shows_the_visits_thumbnails(app, as_user, client, photo_id):
    with app.app_context(), db.new_session() as s:
        visit = s.get(Visit, s.get(VisitPhoto, photo_id).visit_id)
    as_user("town")
    page = client.get(f"/children/{visit.child_id}").get_data(as_text=True)
    assert f'<img src="/visits/photos/{photo_id}"' in page


@pytest.mark.parametrize("viewer", ["village2", "county2", "org", "volunteer", "donor", "admin"])
def test_photo_is_not_found_for_anyone_outside_the_childs_file(app, as_user, client, photo_id, viewer):
    as_user(viewer)
    response = client.get(f"/visits/photos/{photo_id}")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert client.get(f"/visits/photos/{photo_id + 1000}").status_code == 404  # same as a missing photo
    assert _photo_reads(app) == []


def test_anonymous_is_sent_to_sign_in(client, photo_id):
    response = client.get(f"/visits/photos/{photo_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_photo_is_not_shown_when_the_view_cannot_be_audited(app, as_user, client, photo_id, monkeypatch):
    as_user("town")

    def refuse(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("portal.audit.rules.record", refuse)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get(f"/visits/photos/{photo_id}")
    assert response.status_code == 500 and response.mimetype == "text/html"


# --- the rules, without HTTP ---------------------------------------------------------------------


def test_rules_refuse_six_photos_and_hide_photos_outside_the_region(app, session, users, make_child, tmp_path):
    from portal.accounts.models import User
    from portal.children.models import Child
    from portal.errors import NotFound
    from portal.visits import rules

    child = session.get(Child, make_child("village").id)
    village = session.get(User, users["village"].id)
    clean = photos.clean_photo(photos.Upload("a.png", io.BytesIO(_image_bytes("PNG"))))
    with pytest.raises(photos.PhotoRefused), photos.photo_store(tmp_path) as store:
        rules.record_visit(session, village, child, visited_on=date.today(), mode="home", photos=[clean] * 6,
                           store=store)
    assert _stored_files(tmp_path) == []
    with photos.photo_store(tmp_path) as store:
        visit = rules.record_visit(session, village, child, visited_on=date.today(), mode="home", photos=[clean],
                                   store=store)
        session.commit()
    session.close()  # give up the write lock: reading a photo writes its audit entry
    with app.test_request_context(), db.new_session() as s:
        [photo] = s.scalars(select(VisitPhoto).where(VisitPhoto.visit_id == visit.id))
        assert rules.read_photo(s, s.get(User, users["town"].id), photo.id).id == photo.id
        for key in ("village2", "county2", "org", "admin"):
            with pytest.raises(NotFound):
                rules.read_photo(s, s.get(User, users[key].id), photo.id)
    assert len(_photo_reads(app)) == 1
