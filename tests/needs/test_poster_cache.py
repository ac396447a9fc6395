"""A need's QR poster is drawn once per version of what it shows (the public summary, category,
place, link, size and language) and kept; the browser revalidates it with an ETag. A changed need
gives a new poster; only those who may download the poster ever get it, or a 304."""

from pathlib import Path

import pytest
from sqlalchemy import update

from portal import db
from portal.needs import share
from portal.needs.models import Need
from tests.conftest import post


@pytest.fixture(autouse=True)
def poster_folder(app, tmp_path):
    """Posters kept by this file's tests stay apart (one of them alters what is kept)."""
    app.config["POSTER_FOLDER"] = str(tmp_path / "posters")


def _poster_url(app, need_id: int, size: str = "a5") -> str:
    return f"/n/{share.code_for(app.config['SECRET_KEY'], need_id)}/poster.png?size={size}"


def test_an_unchanged_poster_is_not_sent_again(app, make_need, signed_in):
    need_id = make_need(to="published")
    county = signed_in("county")
    first = county.get(_poster_url(app, need_id))
    assert first.status_code == 200 and first.headers["ETag"]
    assert "no-store" not in first.headers["Cache-Control"]  # kept by the browser, asked again each time
    again = county.get(_poster_url(app, need_id), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert county.get(_poster_url(app, need_id)).data == first.data


def test_a_changed_need_gives_a_new_poster(app, make_need, signed_in):
    need_id = make_need(to="published")
    county = signed_in("county")
    before = county.get(_poster_url(app, need_id))
    with app.app_context(), db.write_session() as s:
        s.execute(update(Need).where(Need.id == need_id).values(public_summary="义堂镇一名初中生需要英语辅导。"))
    after = county.get(_poster_url(app, need_id), headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert after.data != before.data


def test_each_size_and_language_is_a_poster_of_its_own(app, make_need, signed_in):
    need_id = make_need(to="published")
    county = signed_in("county")
    a5 = county.get(_poster_url(app, need_id, "a5")).headers["ETag"]
    phone = county.get(_poster_url(app, need_id, "phone"))
    assert phone.headers["ETag"] != a5
    post(county, "/language", {"lang": "en"})
    english = county.get(_poster_url(app, need_id, "phone"), headers={"If-None-Match": phone.headers["ETag"]})
    assert english.status_code == 200 and english.headers["ETag"] not in (a5, phone.headers["ETag"])


def test_the_poster_is_drawn_once_and_kept(app, make_need, signed_in):
    need_id = make_need(to="published")
    county = signed_in("county")
    drawn = county.get(_poster_url(app, need_id))
    kept = [p for p in Path(app.config["POSTER_FOLDER"]).iterdir() if p.name.startswith(f"{need_id}-a5-")]
    assert len(kept) == 1 and kept[0].read_bytes() == drawn.data
    kept[0].write_bytes(b"\x89PNG kept copy")
    assert county.get(_poster_url(app, need_id)).data == b"\x89PNG kept copy"


def test_a_user_who_may_not_download_gets_no_304_either(app, make_need, signed_in, client):
    need_id = make_need(to="published")
    etag = signed_in("county").get(_poster_url(app, need_id)).headers["ETag"]
    for other in (signed_in("county2"), signed_in("village2"), signed_in("donor")):
        assert other.get(_poster_url(app, need_id), headers={"If-None-Match": etag}).status_code in (403, 404)
    assert client.get(_poster_url(app, need_id), headers={"If-None-Match": etag}).status_code in (302, 401, 403)
