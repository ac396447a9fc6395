"""Sessions end on the server: a copied cookie is worth nothing once its session has ended, and the
idle clock is the server's, not the cookie's. Tested the way an attacker would replay or forge."""

from __future__ import annotations

import secrets
import time

from sqlalchemy import select

from portal import db
from portal.accounts import rules
from portal.accounts.models import User, UserSession
from tests.accounts.sessions import client_with_cookie, cookie_of, idle_for
from tests.conftest import PASSWORD, login, post

NEW = "a long enough pass phrase"


def _sessions(app, user) -> list[UserSession]:
    with app.app_context(), db.new_session() as s:
        return list(s.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)))


def _forged_cookie(app, data: dict) -> str:
    """A cookie signed with the application's own key (the worst case: the attacker can sign)."""
    return app.session_interface.get_signing_serializer(app).dumps(data)


def _signed_in(client) -> bool:
    return client.get("/accounts/").status_code == 200


def test_logged_out_cookie_replayed_is_refused(app, client, users):
    login(client, "county")
    copied = cookie_of(client)
    assert _signed_in(client_with_cookie(app, copied))
    post(client, "/logout")
    replayed = client_with_cookie(app, copied)
    response = replayed.get("/accounts/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _sessions(app, users["county"])[0].end_reason == "logout"


def test_cookie_copied_before_a_password_change_is_refused_but_the_changer_stays_signed_in(app, client, users):
    login(client, "county")
    copied = cookie_of(client)
    elsewhere = app.test_client()
    login(elsewhere, "county")
    changed = post(client, "/account/password", {"current": PASSWORD, "password": NEW, "confirm": NEW})
    assert changed.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(client_with_cookie(app, copied))  # a copy of the changer's own old cookie
    assert not _signed_in(elsewhere)


def test_cookie_of_a_deactivated_account_stays_dead_after_reactivation(app, client, users, as_user):
    victim = app.test_client()
    login(victim, "village")
    copied = cookie_of(victim)
    as_user("town")
    post(client, f"/accounts/{users['village'].id}/active", {"active": "0"})
    assert not _signed_in(client_with_cookie(app, copied))
    post(client, f"/accounts/{users['village'].id}/active", {"active": "1"})
    assert client_with_cookie(app, copied).get("/account").status_code == 302
    assert {s.end_reason for s in _sessions(app, users["village"])} == {"deactivated"}


def test_sign_out_everywhere_from_another_client_ends_the_stolen_session(app, users):
    thief, owner = app.test_client(), app.test_client()
    login(thief, "county")
    login(owner, "county")
    page = owner.get("/account").get_data(as_text=True)
    assert page.count('<td class="code">127.0.0.1</td>') == 2  # both sessions listed, with their address
    response = post(owner, "/account/sessions/end-others")
    assert response.status_code == 302
    assert not _signed_in(thief)
    assert _signed_in(owner)


def test_a_user_ends_one_of_their_sessions_from_the_account_page(app, users):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "county")
    login(phone, "county")
    phone_session = _sessions(app, users["county"])[1]
    assert post(laptop, f"/account/sessions/{phone_session.id}/end").status_code == 302
    assert not _signed_in(phone)
    assert _signed_in(laptop)


def test_ending_a_session_of_another_user_by_id_is_refused(app, users):
    victim, attacker = app.test_client(), app.test_client()
    login(victim, "county")
    login(attacker, "village")
    victims = _sessions(app, users["county"])[0]
    assert post(attacker, f"/account/sessions/{victims.id}/end").status_code == 404
    assert _signed_in(victim)


def test_idle_staff_session_with_a_forged_fresh_seen_at_is_refused(app, client, users):
    login(client, "county")
    copied = cookie_of(client)
    idle_for(app, users["county"], minutes=31)
    with client.session_transaction() as s:
        s["seen_at"] = int(time.time())  # what the old cookie-only clock trusted
    response = client.get("/accounts/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert not _signed_in(client_with_cookie(app, copied))  # the idle session has ended for good
    assert _sessions(app, users["county"])[0].end_reason == "idle"


def test_idle_check_comes_from_the_server_even_for_a_replayed_cookie(app, client, users):
    login(client, "admin")
    copied = cookie_of(client)
    idle_for(app, users["admin"], minutes=31)
    assert client_with_cookie(app, copied).get("/accounts/").status_code == 302


def test_a_forged_cookie_for_a_real_session_would_be_accepted(app, client, users):
    """The forging helper itself works: without this, the refusals below would prove nothing."""
    login(client, "county")
    with client.session_transaction() as s:
        token = s["_user_id"]
    assert _signed_in(client_with_cookie(app, _forged_cookie(app, {"_user_id": token, "_fresh": True})))


def test_cookie_signed_correctly_with_a_made_up_session_token_is_refused(app, users):
    forged = _forged_cookie(app, {"_user_id": secrets.token_urlsafe(32), "_fresh": True})
    assert not _signed_in(client_with_cookie(app, forged))


def test_cookie_naming_another_users_session_by_its_number_is_refused(app, users):
    login(app.test_client(), "county")
    record = _sessions(app, users["county"])[0]
    for claimed in (str(record.id), record.token_hash, f"{users['county'].id}"):
        forged = _forged_cookie(app, {"_user_id": claimed, "_fresh": True})
        assert not _signed_in(client_with_cookie(app, forged)), claimed


def test_cookies_from_before_server_side_sessions_stop_working(app, users):
    with app.app_context(), db.new_session() as s:
        county = s.get(User, users["county"].id)
        old_style = f"{county.id}:{county.password_hash[-16:]}"
    forged = _forged_cookie(app, {"_user_id": old_style, "_fresh": True, "seen_at": int(time.time())})
    assert not _signed_in(client_with_cookie(app, forged))


def test_each_sign_in_gets_its_own_session_and_only_a_hash_is_stored(app, client, users):
    login(client, "county")
    token = None
    with client.session_transaction() as s:
        token = s["_user_id"]
    (record,) = _sessions(app, users["county"])
    assert token not in (record.token_hash, str(record.id)) and len(token) >= 40
    assert record.address == "127.0.0.1" and record.ended_at is None


def test_last_seen_is_written_at_most_once_a_minute_in_its_own_short_transaction(app, client, users,
                                                                                   statement_counter):
    login(client, "county")
    with statement_counter() as statements:
        for _ in range(3):
            assert client.get("/account").status_code == 200
    assert not [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    idle_for(app, users["county"], minutes=2)
    with statement_counter() as statements:
        client.get("/account")
        client.get("/account")
    assert len([s for s in statements if s.lstrip().upper().startswith("UPDATE user_session".upper())]) == 1
    assert _sessions(app, users["county"])[0].last_seen_at.timestamp() > time.time() - 60


def test_polling_does_not_count_as_activity(app, client, users):
    login(client, "county")
    idle_for(app, users["county"], minutes=20)
    before = _sessions(app, users["county"])[0].last_seen_at
    assert client.get("/notifications/badge", headers={"HX-Request": "true"}).status_code == 200
    assert _sessions(app, users["county"])[0].last_seen_at == before


def test_deactivation_by_rule_ends_sessions_without_a_request(app, session, users):
    login(app.test_client(), "village")
    town, village = session.get(User, users["town"].id), session.get(User, users["village"].id)
    rules.set_active(session, town, village, False)
    session.commit()
    assert all(s.ended_at is not None for s in _sessions(app, users["village"]))


def test_a_helpers_session_unused_beyond_the_cookie_lifetime_is_refused_even_if_re_signed(app, client, users):
    login(client, "donor")
    lifetime_hours = int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 3600)
    idle_for(app, users["donor"], minutes=lifetime_hours * 60 + 1)
    with client.session_transaction() as s:  # a freshly signed cookie: only the server's clock counts
        s["seen_at"] = int(time.time())
    assert client.get("/account").status_code == 302


def test_the_nightly_purge_forgets_only_sessions_that_can_never_work_again(app, users):
    from datetime import timedelta

    from sqlalchemy import update

    from portal.accounts.tasks import purge_old_sessions
    from portal.types import utcnow

    for key in ("county", "village", "donor"):
        login(app.test_client(), key)
    with app.app_context(), db.write_session() as s:
        s.execute(update(UserSession).where(UserSession.user_id == users["county"].id)
                  .values(ended_at=utcnow() - timedelta(days=31), end_reason="logout"))
        s.execute(update(UserSession).where(UserSession.user_id == users["village"].id)
                  .values(ended_at=utcnow() - timedelta(days=29), end_reason="logout"))
    purge_old_sessions.call_local()
    assert _sessions(app, users["county"]) == []
    assert len(_sessions(app, users["village"])) == 1 and len(_sessions(app, users["donor"])) == 1


def test_a_late_answer_on_the_anonymous_cookie_does_not_undo_a_sign_in(app, client, users):
    # A region suggestion still in flight when the form is sent carries the cookie from before the
    # sign-in; if its answer set that cookie again, the browser would be signed out at once (seen
    # as a failed CSRF check on the next form).
    client.get("/join/volunteer")
    before = cookie_of(client)
    late = client_with_cookie(app, before)
    login(client, "county")
    response = late.get("/join/regions?areas-0=371302105000", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers.getlist("Set-Cookie") == []
    assert _signed_in(client)


def test_a_page_refreshing_itself_does_not_count_as_activity_but_opening_it_does(app, client, users):
    from portal.ledger import rules as ledger

    with app.app_context(), db.write_session() as s:
        ledger.general_fund(s)  # its public page refreshes its figures every 30 s
    login(client, "county")
    idle_for(app, users["county"], minutes=20)
    before = _sessions(app, users["county"])[0].last_seen_at
    poll = {"HX-Request": "true", "HX-Trigger": "poll-money"}
    assert client.get("/funds/general", headers=poll).status_code == 200
    assert _sessions(app, users["county"])[0].last_seen_at == before
    assert client.get("/funds/general").status_code == 200
    assert _sessions(app, users["county"])[0].last_seen_at > before


def test_a_request_that_changes_nothing_writes_no_cookie(app, client, users, regions):
    """A fragment answered late (a region suggestion still in flight while the user signed in and
    the next page set its form token) must not write its older cookie back over the newer one."""
    login(client, "county")
    client.get("/needs/new")  # the form's token is now in the cookie
    for path in ("/join/regions?areas-0=371302000000", "/notifications/badge", "/accounts/"):
        response = client.get(path, headers={"HX-Request": "true"})
        assert response.status_code == 200, path
        assert not response.headers.getlist("Set-Cookie"), path
