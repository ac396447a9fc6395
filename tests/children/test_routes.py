"""The registry through HTTP: who reaches which file, forms that keep what was typed, QR check-in."""

from datetime import date

import pytest
from sqlmodel import select

from portal import db
from portal.audit.models import AuditEntry
from portal.children import idnumber
from portal.children.models import Child
from portal.visits.models import Visit
from tests.conftest import post

BORN = date(2014, 6, 1)


def _form(**kw):
    data = {"name": "张小明", "gender": "male", "birth_date": BORN.isoformat(),
            "id_number": idnumber.make("371302", BORN, 13), "region_code": "371302105259",
            "categories": ["left_behind"], "address": "屠苏村 12 号",
            "guardians-0-relation": "祖母", "guardians-0-name": "王秀兰", "guardians-0-phone": "13800000000"}
    data.update(kw)
    return data


def test_child_director_registers_a_child_and_sees_the_file(app, as_user, client):
    as_user("village")
    response = post(client, "/children/new", _form())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "张小明" in page and "王秀兰" in page and "13800000000" in page and "屠苏村 12 号" in page


def test_rejected_registration_keeps_what_was_typed(app, as_user, client):
    as_user("village")
    response = post(client, "/children/new", _form(id_number="371302201406010139"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "校验位" in page  # the check digit is named in Chinese
    assert 'value="张小明"' in page and 'value="371302201406010139"' in page and 'value="王秀兰"' in page
    with app.app_context(), db.new_session() as s:
        assert s.scalars(select(Child)).first() is None


def test_duplicate_identity_number_links_to_the_existing_file(as_user, client, make_child):
    existing = make_child("village", id_number=idnumber.make("371302", BORN, 13), birth_date=BORN, gender="male")
    as_user("town")
    page = post(client, "/children/new", _form(name="张晓明"), follow_redirects=False).get_data(as_text=True)
    assert f'href="/children/{existing.id}"' in page


@pytest.mark.parametrize("viewer", ["village2", "county2"])
def test_file_outside_the_region_is_not_found_even_by_direct_url(as_user, client, make_child, viewer):
    child = make_child("village")
    as_user(viewer)
    for path in (f"/children/{child.id}", f"/children/{child.id}/edit", f"/children/{child.id}/assess",
                 f"/children/{child.id}/visits/new", f"/children/{child.id}/qr.svg"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "测试儿童" not in response.get_data(as_text=True)
    assert post(client, f"/children/{child.id}/qr").status_code == 404


@pytest.mark.parametrize("viewer", ["org", "volunteer", "donor", "admin"])
def test_organizations_helpers_and_admin_reach_nothing(as_user, client, make_child, viewer):
    child = make_child("village")
    as_user(viewer)
    for path in ("/children/", "/children/new", f"/children/{child.id}", "/visits/overdue",
                 f"/q/{child.qr_token}", "/children/cards?village=371302105259"):
        response = client.get(path)
        assert response.status_code in (403, 404), path
        assert child.name not in response.get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client, make_child):
    child = make_child("village")
    for path in (f"/children/{child.id}", f"/q/{child.qr_token}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_supervisor_sees_who_read_a_file(app, as_user, client, make_child):
    child = make_child("village")
    as_user("town")
    client.get(f"/children/{child.id}")
    with app.app_context(), db.new_session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "read")).one()
    assert entry.actor_name == "town" and entry.object_id == str(child.id)


def test_file_is_not_shown_when_the_read_cannot_be_audited(app, as_user, client, make_child):
    from sqlalchemy import text

    child = make_child("village")
    as_user("town")
    engine = app.extensions["db_engine"]
    with engine.begin() as conn:  # the audit store fails: its table is gone
        conn.execute(text("ALTER TABLE audit_entry RENAME TO audit_entry_away"))
    try:
        app.config["PROPAGATE_EXCEPTIONS"] = False
        response = client.get(f"/children/{child.id}")
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE audit_entry_away RENAME TO audit_entry"))
    assert response.status_code == 500
    assert child.name not in response.get_data(as_text=True)


def test_assess_through_the_form(as_user, client, make_child):
    child = make_child("village")
    as_user("village")
    response = post(client, f"/children/{child.id}/assess",
                    {"assessed_on": date.today().isoformat(), "indicators": ["out_of_school", "low_income"], "team": "社工"})
    assert response.status_code == 302
    page = client.get(f"/children/{child.id}").get_data(as_text=True)
    assert "risk-yellow" in page


def test_qr_card_leads_a_signed_in_director_to_the_visit_form(app, as_user, client, make_child):
    child = make_child("village")
    as_user("village")
    cards = client.get("/children/cards?village=371302105259").get_data(as_text=True)
    assert "<svg" in cards and child.name in cards
    response = client.get(f"/q/{child.qr_token}")
    assert response.status_code == 302 and f"/children/{child.id}/visits/new" in response.headers["Location"]
    form = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="via" type="hidden" value="qr"' in form
    saved = post(client, f"/children/{child.id}/visits/new",
                 {"visited_on": date.today().isoformat(), "mode": "home", "findings": "一切正常", "via": "qr"})
    assert saved.status_code == 302
    with app.app_context(), db.new_session() as s:
        visit = s.scalars(select(Visit)).one()
    assert visit.via_qr and visit.findings == "一切正常"


def test_a_replaced_card_stops_working(as_user, client, make_child):
    child = make_child("village")
    as_user("village")
    post(client, f"/children/{child.id}/qr")
    assert client.get(f"/q/{child.qr_token}").status_code == 404


def test_child_list_statement_count_does_not_grow_with_the_page(as_user, client, make_child, statement_counter):
    make_child("village")
    as_user("county")
    client.get("/children/")
    with statement_counter() as few:
        client.get("/children/")
    for _ in range(15):
        make_child("village")
    with statement_counter() as many:
        page = client.get("/children/").get_data(as_text=True)
    assert page.count('class="row"') == 16
    assert len(many) == len(few)


def test_child_list_answers_htmx_with_the_fragment(as_user, client, make_child):
    make_child("village", name="王小红")
    as_user("town")
    body = client.get("/children/?q=小红", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in body and "王小红" in body


def test_supervisor_sees_the_list_of_readers_and_directors_do_not(app, as_user, client, make_child):
    child = make_child("village")
    village = app.test_client()
    from tests.conftest import login

    login(village, "village")
    village.get(f"/children/{child.id}")
    assert village.get(f"/children/{child.id}/readers").status_code == 403
    as_user("town")
    page = client.get(f"/children/{child.id}/readers").get_data(as_text=True)
    assert "<td>village</td><td>read</td>" in page


@pytest.mark.parametrize("viewer", ["county2", "org", "admin"])
def test_strangers_cannot_see_who_read_a_file(as_user, client, make_child, viewer):
    child = make_child("village")
    as_user(viewer)
    assert client.get(f"/children/{child.id}/readers").status_code in (403, 404)


def test_near_duplicate_in_another_village_neither_leaks_nor_blocks(as_user, client, make_child):
    make_child("village", name="张小明", birth_date=BORN, id_number="")
    as_user("village2")
    response = post(client, "/children/new", _form(region_code="371302105260", id_number=""))
    assert response.status_code == 302  # registered: the other village's child stays unseen


def _reads(app, child_id):
    with app.app_context(), db.new_session() as s:
        return s.scalars(select(AuditEntry).where(AuditEntry.action == "read",
                                                  AuditEntry.object_id == str(child_id))).all()


@pytest.mark.parametrize("path", ["/children/{id}/edit", "/children/{id}/assess", "/children/{id}/visits/new",
                                  "/children/{id}/status", "/children/{id}/agreement",
                                  "/children/cards?village=371302105259"])
def test_every_page_that_shows_a_file_records_the_read(app, as_user, client, make_child, path):
    child = make_child("village")
    as_user("village")
    assert client.get(path.format(id=child.id)).status_code == 200
    assert len(_reads(app, child.id)) == 1


def test_a_read_recorded_by_a_refused_form_is_kept(app, as_user, client, make_child):
    child = make_child("village")
    as_user("village")
    response = post(client, f"/children/{child.id}/edit", _form(id_number="371302201406010139"))
    assert response.status_code == 400 and child.name in response.get_data(as_text=True)
    assert len(_reads(app, child.id)) == 1
