"""Account pages through HTTP: lists scoped and without N+1, forms that keep what was typed,
IDOR attempts on other regions' accounts, temporary passwords, mail reset."""

import re

import pytest
from sqlmodel import select

from portal import db
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.types import utcnow
from tests.conftest import PASSWORD, login, post

NEW = "a long enough pass phrase"


def test_account_list_shows_only_accounts_below_in_own_subtree(as_user, client):
    as_user("county")
    page = client.get("/accounts/").get_data(as_text=True)
    for visible in ("village", "village2", "town"):
        assert f">{visible}</a>" in page
    for hidden in ("county2", "city", "admin", "county"):
        assert f">{hidden}</a>" not in page


def test_account_list_search_answers_htmx_with_the_fragment(as_user, client):
    as_user("county")
    response = client.get("/accounts/?q=village2", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and ">village2</a>" in body and ">town</a>" not in body


def test_account_list_statement_count_does_not_grow_with_the_page(app, as_user, client, statement_counter, password_hash):
    as_user("city")
    client.get("/accounts/?per_page=100")
    with statement_counter() as few:
        client.get("/accounts/?per_page=100")
    with app.app_context(), db.write_session() as s:
        for i in range(40):
            s.add(User(username=f"bulk-{i:02d}", display_name="批量", password_hash=password_hash,
                       role=Role.child_director, region_code="371302105260"))
    with statement_counter() as many:
        page = client.get("/accounts/?per_page=100").get_data(as_text=True)
    assert "bulk-39" in page
    assert len(many) == len(few)


@pytest.mark.parametrize("role", ["village", "org", "volunteer", "donor"])
def test_roles_without_account_management_get_403(as_user, client, role):
    as_user(role)
    assert client.get("/accounts/").status_code == 403
    assert client.get("/accounts/new").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, users):
    response = client.get("/accounts/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_create_account_through_the_form(as_user, client):
    as_user("town")
    response = post(client, "/accounts/new", {
        "username": "zhang-wei", "display_name": "张伟", "role": "child_director",
        "region_code": "371302105260", "password": NEW, "email": "",
    })
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "张伟" in page and "颐顺园村村民委员会" in page


def test_refused_create_keeps_what_was_typed_and_says_why_in_chinese(app, as_user, client):
    as_user("town")
    response = post(client, "/accounts/new", {
        "username": "zhang-wei", "display_name": "张伟", "role": "child_director",
        "region_code": "371311001001", "password": NEW,
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "只能在本辖区内为下级创建账号" in page
    assert 'value="zhang-wei"' in page and 'value="张伟"' in page
    assert 'value="罗庄区 罗庄街道 罗庄社区居民委员会"' in page  # the region by its name, not its code (issue 21)
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(User).where(User.username == "zhang-wei")) is None


def test_weak_password_is_refused_next_to_the_field(as_user, client):
    as_user("town")
    page = post(client, "/accounts/new", {
        "username": "zhang-wei", "display_name": "张伟", "role": "child_director",
        "region_code": "371302105260", "password": "password1234",
    }).get_data(as_text=True)
    assert "该密码过于常见" in page


def test_account_of_another_county_is_403_even_by_id(as_user, client, users):
    as_user("county2")
    assert client.get(f"/accounts/{users['village'].id}").status_code == 403
    assert post(client, f"/accounts/{users['village'].id}/active", {"active": "0"}).status_code == 403
    assert post(client, f"/accounts/{users['village'].id}/password", {"password": NEW}).status_code == 403


def test_unknown_account_id_is_404(as_user, client):
    as_user("county")
    assert client.get("/accounts/999999").status_code == 404


def test_deactivate_through_the_form_ends_that_users_access(app, as_user, client, users):
    as_user("town")
    response = post(client, f"/accounts/{users['village'].id}/active", {"active": "0"})
    assert response.status_code == 302
    other = app.test_client()
    assert "已停用" in login(other, "village").get_data(as_text=True)


def test_temporary_password_must_be_changed_before_anything_else(app, as_user, client, users):
    as_user("town")
    created = post(client, "/accounts/new", {
        "username": "wang-fang", "display_name": "王芳", "role": "child_director",
        "region_code": "371302105260", "password": NEW, "email": "",
    })
    assert created.status_code == 302
    village = app.test_client()
    assert login(village, "wang-fang", NEW).status_code == 302
    response = village.get("/regions/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    changed = post(village, "/account/password", {"current": NEW, "password": "my very own phrase", "confirm": "my very own phrase"})
    assert changed.status_code == 302
    assert village.get("/regions/").status_code == 200


def test_changing_the_password_ends_other_sessions(app, users):
    first, second = app.test_client(), app.test_client()
    login(first, "county")
    login(second, "county")
    post(first, "/account/password", {"current": PASSWORD, "password": NEW, "confirm": NEW})
    assert first.get("/account").status_code == 200
    assert second.get("/account").status_code == 302


def test_password_change_with_mismatch_keeps_the_user_on_the_form(as_user, client):
    as_user("county")
    response = post(client, "/account/password", {"current": PASSWORD, "password": NEW, "confirm": NEW + "x"})
    assert response.status_code == 400
    assert "两次输入的密码不一致" in response.get_data(as_text=True)


def _confirmed_address(app, *keys_users):
    with app.app_context(), db.write_session() as s:
        for user in keys_users:
            s.get(User, user.id).email_confirmed_at = utcnow()


def test_password_reset_by_mail_link(app, client, users, smtp_server):
    _confirmed_address(app, users["village"])
    response = post(client, "/password/forgot", {"identifier": "village"})
    assert response.status_code == 302
    assert len(smtp_server) == 1
    mail = smtp_server[0]
    assert mail["To"] == "village@example.org"
    link = re.search(r"https://portal\.test(/password/reset/\S+)", mail.get_payload(decode=True).decode()).group(1)
    assert post(client, link, {"password": NEW, "confirm": NEW}).status_code == 302
    assert login(app.test_client(), "village", NEW).status_code == 302
    # the link works once
    assert client.get(link).status_code == 302


def test_reset_request_for_unknown_user_answers_the_same_and_sends_nothing(app, client, users, smtp_server):
    _confirmed_address(app, users["village"])
    known = post(client, "/password/forgot", {"identifier": "village"})
    unknown = post(client, "/password/forgot", {"identifier": "nobody-at-all"})
    assert known.status_code == unknown.status_code == 302
    assert len(smtp_server) == 1


def test_hash_is_upgraded_when_parameters_rise(app, client, users):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with app.app_context(), db.write_session() as s:
        s.get(User, users["donor"].id).password_hash = weak
    assert login(client, "donor").status_code == 302
    with app.app_context(), db.new_session() as s:
        stored = s.get(User, users["donor"].id).password_hash
    assert stored != weak and "m=19456" in stored


def test_reset_link_ignores_the_requests_host_header(app, client, users, smtp_server):
    from tests.conftest import CSRF_RE

    _confirmed_address(app, users["village"])
    evil = "http://evil.example"
    token = CSRF_RE.search(client.get("/password/forgot", base_url=evil).get_data(as_text=True)).group(1)
    response = client.post("/password/forgot", base_url=evil, data={"identifier": "village", "csrf_token": token})
    assert response.status_code == 302
    body = smtp_server[0].get_payload(decode=True).decode()
    assert "evil.example" not in body and "https://portal.test/password/reset/" in body


def test_every_account_sharing_an_address_gets_its_own_link(app, client, users, smtp_server):
    with app.app_context(), db.write_session() as s:
        s.get(User, users["village2"].id).email = "village@example.org"
    _confirmed_address(app, users["village"], users["village2"])
    post(client, "/password/forgot", {"identifier": "village@example.org"})
    assert sorted(m["To"] for m in smtp_server) == ["village@example.org", "village@example.org"]
    bodies = " ".join(m.get_payload(decode=True).decode() for m in smtp_server)
    assert "village2" in bodies and "village " in bodies.replace("village2", "")


def test_forgot_password_sends_nothing_to_an_address_its_holder_never_confirmed(client, users, smtp_server):
    """The address of a staff account is typed in by whoever created it, who may read that mailbox."""
    response = post(client, "/password/forgot", {"identifier": "village"})
    assert response.status_code == 302 and smtp_server == []


def _confirmation_link(smtp_server) -> str:
    (mail,) = [m for m in smtp_server if "/account/email/" in m.get_payload(decode=True).decode()]
    return re.search(r"https://portal\.test(/account/email/\S+)", mail.get_payload(decode=True).decode()).group(1)


def test_holder_confirms_their_own_address_while_signed_in(app, as_user, client, users, smtp_server):
    as_user("village")
    assert post(client, "/account/email").status_code == 302
    link = _confirmation_link(smtp_server)
    assert client.get(link).status_code == 302
    with app.app_context(), db.new_session() as s:
        assert s.get(User, users["village"].id).email_confirmed_at is not None
    assert "已确认" in client.get("/account").get_data(as_text=True)
    post(app.test_client(), "/password/forgot", {"identifier": "village"})
    assert any("/password/reset/" in m.get_payload(decode=True).decode() for m in smtp_server)


def test_whoever_reads_the_mailbox_cannot_confirm_it_for_the_holder(app, as_user, client, users, smtp_server):
    with app.app_context(), db.write_session() as s:  # the creator typed in their own mailbox
        for key in ("village", "admin"):
            s.get(User, users[key].id).email = "admin-mailbox@example.org"
    as_user("village")
    post(client, "/account/email")
    link = _confirmation_link(smtp_server)
    for key in ("admin", "town"):
        other = app.test_client()
        login(other, key)
        other.get(link)
    anonymous = app.test_client().get(link)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    with app.app_context(), db.new_session() as s:
        assert s.get(User, users["village"].id).email_confirmed_at is None
        assert s.get(User, users["admin"].id).email_confirmed_at is None


def test_a_confirmation_link_for_an_earlier_address_is_refused(app, as_user, client, users, smtp_server):
    as_user("village")
    post(client, "/account/email")
    link = _confirmation_link(smtp_server)
    with app.app_context(), db.write_session() as s:
        s.get(User, users["village"].id).email = "someone-else@example.org"
    client.get(link)
    with app.app_context(), db.new_session() as s:
        assert s.get(User, users["village"].id).email_confirmed_at is None


def test_simultaneous_creation_of_one_user_name_gives_one_account_and_clear_refusals(app, users):
    import threading

    from portal.accounts import rules
    from portal.errors import Conflict

    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def create():
        barrier.wait()  # all start together (before any of them holds SQLite's write lock)
        with app.app_context(), db.new_session(write=True) as s:
            actor = s.get(User, users["town"].id)
            try:
                rules.create_account(s, actor, username="same-name", display_name="同名", role=Role.child_director,
                                     region_code="371302105260", password=NEW)
                s.commit()
                outcomes.append("created")
            except Conflict:
                s.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "created"]
