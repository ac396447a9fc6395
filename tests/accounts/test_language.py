"""The language chosen before signing in stays after signing in, and is stored on the account."""

from portal import db
from portal.accounts.models import User
from tests.conftest import login, post


def _locale(app, users, key) -> str:
    with app.app_context(), db.new_session() as s:
        return s.get(User, users[key].id).locale


def test_english_chosen_on_the_sign_in_page_stays_after_signing_in(app, client, users):
    post(client, "/language", {"lang": "en", "next": "/login"})
    assert login(client, "village").status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in page and "Overdue visits" in page and "逾期走访" not in page
    assert _locale(app, users, "village") == "en"


def test_the_choice_is_the_accounts_on_another_device(app, client, users):
    post(client, "/language", {"lang": "en", "next": "/login"})
    login(client, "volunteer")
    elsewhere = app.test_client()
    login(elsewhere, "volunteer")
    assert 'lang="en"' in elsewhere.get("/").get_data(as_text=True)


def test_chinese_chosen_before_sign_in_replaces_a_stored_english(app, client, users):
    with app.app_context(), db.write_session() as s:
        s.get(User, users["town"].id).locale = "en"
    post(client, "/language", {"lang": "zh", "next": "/login"})
    login(client, "town")
    assert 'lang="zh-CN"' in client.get("/").get_data(as_text=True)
    assert _locale(app, users, "town") == "zh"


def test_signing_in_without_choosing_keeps_the_accounts_language(app, client, users):
    with app.app_context(), db.write_session() as s:
        s.get(User, users["town"].id).locale = "en"
    login(client, "town")
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    assert _locale(app, users, "town") == "en"


def test_a_forged_language_in_the_cookie_changes_nothing(app, client, users):
    with client.session_transaction() as cookie:
        cookie["lang"] = "xx"
    login(client, "village")
    assert _locale(app, users, "village") == "zh"
    assert 'lang="zh-CN"' in client.get("/").get_data(as_text=True)


def test_signing_out_keeps_the_sign_in_page_in_the_users_language(app, client, users):
    with app.app_context(), db.write_session() as s:
        s.get(User, users["town"].id).locale = "en"
    login(client, "town")
    post(client, "/logout")
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)
