"""Signing in and out: one answer for unknown users and wrong passwords, deactivated accounts,
throttling per account and per address, CSRF, session renewal and the staff idle timeout."""

from portal import db
from portal.accounts.models import User
from tests.accounts.sessions import idle_for
from tests.conftest import PASSWORD, csrf_token, login, post


def test_login_with_right_password_opens_home_in_chinese(client, users):
    response = login(client, "county")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    page = client.get("/").get_data(as_text=True)
    assert "Test county" in page
    assert 'lang="zh-CN"' in page
    assert "退出" in page  # "Sign out" in Chinese


def test_logout_ends_the_session(client, users):
    login(client, "county")
    response = post(client, "/logout")
    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 302  # back to sign-in


def test_unknown_user_and_wrong_password_get_the_same_answer(client, users):
    wrong_password = login(client, "county", "not the password at all").get_data(as_text=True)
    unknown_user = login(client, "nobody-here", "not the password at all").get_data(as_text=True)
    assert "用户名或密码错误" in wrong_password
    assert "用户名或密码错误" in unknown_user


def test_login_keeps_the_typed_user_name_after_a_failure(client, users):
    page = login(client, "county", "wrong wrong wrong").get_data(as_text=True)
    assert 'value="county"' in page


def test_deactivated_user_cannot_log_in(app, client, users):
    with app.app_context(), db.write_session() as s:
        s.get(User, users["village"].id).is_active = False
    page = login(client, "village").get_data(as_text=True)
    assert "已停用" in page
    assert client.get("/account").status_code == 302


def test_deactivating_ends_an_open_session(app, client, users):
    assert login(client, "village").status_code == 302
    with app.app_context(), db.write_session() as s:
        s.get(User, users["village"].id).is_active = False
    assert client.get("/account").status_code == 302


def test_login_is_throttled_per_account(app, client, users):
    for _ in range(5):
        assert login(client, "county", "wrong password here").status_code == 200
    page = login(client, "county", PASSWORD)
    assert page.status_code == 429
    body = page.get_data(as_text=True)
    assert "尝试次数过多" in body and 'value="county"' in body
    # another account from the same address is not locked out by this one
    assert login(client, "town").status_code == 302


def test_login_is_throttled_per_address(app, client, users):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    for name in ("a-user", "b-user", "c-user"):
        login(client, name, "wrong password here")
    assert login(client, "county").status_code == 429
    other_address = app.test_client()
    token = csrf_token(other_address, "/login")
    response = other_address.post(
        "/login", data={"username": "county", "password": PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert response.status_code == 302


def test_login_without_csrf_token_is_refused(client, users):
    response = client.post("/login", data={"username": "county", "password": PASSWORD})
    assert response.status_code == 400
    assert "安全" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_htmx_post_without_csrf_header_is_refused(as_user, client):
    as_user("county")
    response = client.post("/language", data={"lang": "en"}, headers={"HX-Request": "true"})
    assert response.status_code == 400


def test_htmx_post_with_csrf_header_is_accepted(as_user, client):
    as_user("county")
    token = csrf_token(client)
    response = client.post("/language", data={"lang": "en"}, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302


def test_session_is_renewed_at_login(client, users):
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    login(client, "county")
    with client.session_transaction() as s:
        assert "planted" not in s


def test_staff_session_ends_after_30_idle_minutes(app, client, users):
    login(client, "county")
    assert client.get("/account").status_code == 200
    idle_for(app, users["county"], minutes=31)
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get("/account").status_code == 302


def test_staff_session_survives_29_idle_minutes(app, client, users):
    login(client, "county")
    idle_for(app, users["county"], minutes=29)
    assert client.get("/account").status_code == 200


def test_session_cookie_flags(app, users):
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    response = login(client, "county")
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_open_redirect_after_login_is_ignored(client, users):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"username": "county", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"}
    )
    assert response.headers["Location"].endswith("/")
    assert "evil" not in response.headers["Location"]


def test_a_json_body_cannot_slip_past_the_account_limit(client, users):
    for _ in range(5):
        login(client, "county", "wrong password here")
    token = csrf_token(client, "/login")
    response = client.post("/login", json={"username": "county", "password": PASSWORD},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 429


def test_parallel_guesses_cannot_exceed_the_account_limit(app, users):
    import threading

    outcomes: list[int] = []
    barrier = threading.Barrier(12)

    def guess():
        client = app.test_client()
        token = csrf_token(client, "/login")
        barrier.wait()
        response = client.post("/login", data={"username": "county", "password": "wrong password here",
                                               "csrf_token": token})
        outcomes.append(response.status_code)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count(200) == 5 and outcomes.count(429) == 7


def test_a_successful_sign_in_clears_the_account_count(client, users):
    for _ in range(4):
        login(client, "county", "wrong password here")
    assert login(client, "county").status_code == 302
    post(client, "/logout")
    for _ in range(4):
        assert login(client, "county", "wrong password here").status_code == 200


def test_administrator_session_also_ends_after_30_idle_minutes(app, client, users):
    login(client, "admin")
    idle_for(app, users["admin"], minutes=31)
    assert client.get("/accounts/").status_code == 302


def test_helper_session_has_no_idle_timeout(app, client, users):
    login(client, "donor")
    idle_for(app, users["donor"], minutes=3 * 60)
    assert client.get("/account").status_code == 200


import pytest  # noqa: E402


@pytest.mark.parametrize("target", ["//evil.example/", "/\t/evil.example/", "/\n/evil.example/", "/\\evil.example",
                                    "https://evil.example/", "/%0d%0aSet-Cookie:x"])
def test_next_never_leaves_the_site(client, users, target):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"username": "county", "password": PASSWORD, "csrf_token": token,
                                           "next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location.replace("%0d%0aSet-Cookie:x", "") and "\n" not in location
