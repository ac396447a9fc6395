"""Delivery photos show on need and claim pages as real thumbnails (a small image made once and kept
beside the upload), each opening the full photo; a thumbnail is shown to exactly whoever may see
the photo."""

import io
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from portal import db
from portal.needs.models import Claim, DeliveryPhoto
from tests.conftest import post


def _big_photo() -> io.BytesIO:
    image = Image.effect_noise((1600, 1200), 60).convert("RGB")  # noise: a photo-sized file
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    out.seek(0)
    return out


@pytest.fixture
def photo(app, make_need, helper_in, signed_in):
    """A delivery with one large photo, reported by the volunteer: (photo id, claim id, need id)."""
    need_id = make_need(to="published")
    helper_in("volunteer")
    volunteer = signed_in("volunteer")
    post(volunteer, f"/board/{need_id}/claim")
    with app.app_context(), db.new_session() as s:
        claim_id = s.scalar(select(Claim.id))
    response = post(volunteer, f"/claims/{claim_id}/deliver", {
        "report": "送到了", "service_date": date.today().isoformat(), "photos": (_big_photo(), "a.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context(), db.new_session() as s:
        return s.scalar(select(DeliveryPhoto.id)), claim_id, need_id


def _stored(app, photo_id) -> Path:
    with app.app_context(), db.new_session() as s:
        return Path(app.config["UPLOAD_FOLDER"]) / s.get(DeliveryPhoto, photo_id).path


def test_the_thumbnail_is_a_small_jpeg_made_once_and_kept_beside_the_photo(app, photo, signed_in):
    photo_id, *_ = photo
    director = signed_in("village")
    full = director.get(f"/deliveries/photos/{photo_id}").get_data()
    response = director.get(f"/deliveries/photos/{photo_id}/thumbnail")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "private, no-store"
    small = response.get_data()
    image = Image.open(io.BytesIO(small))
    assert image.format == "JPEG" and max(image.size) <= 192 and image.size != Image.open(io.BytesIO(full)).size
    assert len(small) * 10 < len(full)

    stored = _stored(app, photo_id)
    kept = [p for p in stored.parent.iterdir() if p.name.startswith(stored.stem) and p != stored]
    assert len(kept) == 1  # beside the upload
    # Made once: what is kept is what is served from then on.
    marker = io.BytesIO()
    Image.new("RGB", (8, 6), (255, 0, 0)).save(marker, "JPEG")
    kept[0].write_bytes(marker.getvalue())
    assert director.get(f"/deliveries/photos/{photo_id}/thumbnail").get_data() == marker.getvalue()


def test_need_and_claim_pages_show_the_thumbnail_and_link_the_full_photo(photo, signed_in):
    photo_id, claim_id, need_id = photo
    director = signed_in("village")
    for page in (director.get(f"/needs/{need_id}"), director.get(f"/claims/{claim_id}"),
                 signed_in("volunteer").get(f"/claims/{claim_id}")):
        body = page.get_data(as_text=True)
        assert f'src="/deliveries/photos/{photo_id}/thumbnail"' in body
        assert f'href="/deliveries/photos/{photo_id}"' in body


def test_the_thumbnail_is_shown_to_exactly_whoever_sees_the_photo(app, photo, signed_in, client):
    photo_id, *_ = photo
    for key in ("volunteer", "village", "town", "county"):
        assert signed_in(key).get(f"/deliveries/photos/{photo_id}/thumbnail").status_code == 200, key
    for key in ("village2", "county2", "org", "donor", "admin"):
        other = signed_in(key)
        assert other.get(f"/deliveries/photos/{photo_id}/thumbnail").status_code == 404, key
        assert other.get(f"/deliveries/photos/{photo_id}").status_code == 404, key
    assert client.get(f"/deliveries/photos/{photo_id}/thumbnail").status_code == 302  # sign in first
    assert signed_in("village").get("/deliveries/photos/99999/thumbnail").status_code == 404
