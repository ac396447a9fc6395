"""The notification centre: notices for the right users only, the header badge, e-mail after the
commit in the recipient's language (and never for a rolled-back transaction), notice settings."""

import re
from datetime import date, timedelta

import pytest
from flask import session as flask_session
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from portal import db
from portal.accounts.models import User
from portal.children.models import Child
from portal.notifications import rules
from portal.notifications.models import Notification, NotificationPreference
from tests.accounts.sessions import idle_for, idle_longer
from tests.conftest import post

OVERDUE = {"count": 2, "village": "屠苏村村民委员会"}
LINK = "/visits/overdue?region=371302105259"


@pytest.fixture
def kinds(monkeypatch):
    """Kinds registered by a test only (the registry is restored afterwards)."""
    monkeypatch.setattr(rules, "KINDS", dict(rules.KINDS))
    rules.register_kind("test_event", _l("Something happened to %(what)s."), _l("Test events"))
    return rules.KINDS


def _notices(app, user_id=None) -> list[Notification]:
    with app.app_context(), db.new_session() as s:
        stmt = select(Notification).order_by(Notification.id)
        if user_id is not None:
            stmt = stmt.where(Notification.user_id == user_id)
        return list(s.exec(stmt))


def _set(app, key, users, **values) -> None:
    with app.app_context(), db.write_session() as s:
        user = s.get(User, users[key].id)
        for name, value in values.items():
            setattr(user, name, value)


def _notify(app, user_ids, kind="visits_overdue", params=OVERDUE, link=LINK, **kwargs) -> int:
    with app.app_context(), db.write_session() as s:
        return rules.notify(s, user_ids, kind, params, link, **kwargs)


def _email_on(app, users, *keys, kinds=("visits_overdue",)) -> None:
    with app.app_context(), db.write_session() as s:
        for key in keys:
            rules.set_preferences(s, s.get(User, users[key].id), set(kinds))


def _body(mail) -> str:
    return mail.get_payload(decode=True).decode()


# --- notices -------------------------------------------------------------------------------------


def test_notify_leaves_a_notice_for_each_given_active_user_only(app, users):
    _set(app, "village2", users, is_active=False)
    ids = [users["village"].id, users["village2"].id, users["town"].id, users["village"].id]
    assert _notify(app, ids) == 2
    notices = _notices(app)
    assert sorted(n.user_id for n in notices) == sorted([users["village"].id, users["town"].id])
    notice = notices[0]
    assert (notice.kind, notice.params, notice.link, notice.day) == ("visits_overdue", OVERDUE, LINK, date.today())


def test_event_notices_are_never_merged_but_a_subject_makes_them_daily(app, users):
    village = users["village"].id
    assert _notify(app, [village]) == 1
    assert _notify(app, [village]) == 1
    assert _notify(app, [village], subject="371302105259") == 1
    assert _notify(app, [village], subject="371302105259") == 0
    assert len(_notices(app, village)) == 3


def test_add_still_adds_once_a_day_and_skips_inactive_users(app, users):
    with app.app_context(), db.write_session() as s:
        assert rules.add(s, users["village"].id, "visits_overdue", "v1", date.today(), OVERDUE, LINK) is True
        assert rules.add(s, users["village"].id, "visits_overdue", "v1", date.today(), OVERDUE, LINK) is False
        assert rules.add(s, users["village"].id, "visits_overdue", "v1", date.today() - timedelta(days=1), OVERDUE) is True
    _set(app, "town", users, is_active=False)
    with app.app_context(), db.write_session() as s:
        assert rules.add(s, users["town"].id, "visits_overdue", "v1", date.today(), OVERDUE) is False
    assert len(_notices(app)) == 2


def test_an_unregistered_kind_is_refused(app, users):
    with pytest.raises(ValueError, match="not registered"):
        _notify(app, [users["village"].id], kind="no_such_kind")
    assert _notices(app) == []


def test_codes_in_parameters_are_shown_in_the_readers_language(app, kinds):
    rules.register_kind("test_outcome", _l("Outcome: %(outcome)s. %(reason)s"), _l("Outcomes"),
                        param_labels={"outcome": {"approved": _l("Approved")}})
    notice = Notification(user_id=1, kind="test_outcome", subject="x", day=date.today(),
                          params={"outcome": "approved", "reason": None})
    with app.test_request_context("/"):
        flask_session["lang"] = "en"
        assert rules.text_of(notice) == "Outcome: Approved. "


# --- the notices page and the header badge -------------------------------------------------------


BADGE_RE = re.compile(r'<a id="notice-badge"[^>]*>.*?</a>', re.S)


def _badge(html: str) -> str:
    match = BADGE_RE.search(html)
    assert match, "no notice badge on the page"
    return match.group(0)


def test_header_shows_the_unread_count_and_polls_it(app, client, as_user, users):
    _notify(app, [users["village"].id])
    _notify(app, [users["village"].id])
    _notify(app, [users["village2"].id])
    assert "notice-badge" not in client.get("/").get_data(as_text=True)  # signed out: no badge
    as_user("village")
    badge = _badge(client.get("/visits/overdue").get_data(as_text=True))
    assert '<span class="count" aria-hidden="true">2</span>' in badge
    assert 'hx-get="/notifications/badge"' in badge and 'hx-trigger="every 60s"' in badge
    assert 'hx-swap="outerHTML"' in badge and 'href="/notifications/"' in badge
    polled = client.get("/notifications/badge", headers={"HX-Request": "true"})
    assert polled.status_code == 200
    assert '<span class="count" aria-hidden="true">2</span>' in _badge(polled.get_data(as_text=True))
    post(client, "/notifications/read")
    assert 'class="count"' not in _badge(client.get("/notifications/badge").get_data(as_text=True))
    assert 'class="count"' not in _badge(client.get("/").get_data(as_text=True))


def test_header_count_is_one_count_query_and_fragments_run_none(app, client, as_user, users, statement_counter):
    _notify(app, [users["village"].id])
    as_user("village")
    with statement_counter() as statements:
        client.get("/notifications/preferences")
    counts = [s for s in statements if "notification" in s and "count(" in s.lower() and "read_at IS NULL" in s]
    assert len(counts) == 1
    with statement_counter() as statements:
        fragment = client.get("/visits/overdue", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<header" not in fragment.get_data(as_text=True)
    assert not [s for s in statements if "read_at IS NULL" in s]


def test_badge_needs_a_signed_in_user(client, users):
    assert "/login" in client.get("/notifications/badge").headers["Location"]
    polled = client.get("/notifications/badge", headers={"HX-Request": "true"})
    assert polled.headers["HX-Refresh"] == "true" and polled.get_data(as_text=True) == ""


def test_polling_does_not_keep_a_staff_session_alive(app, client, as_user, users):
    as_user("county")
    idle_for(app, users["county"], minutes=20)
    assert client.get("/notifications/badge", headers={"HX-Request": "true"}).status_code == 200
    # 11 minutes more run out the idle time between two polls, unless the first poll counted
    idle_longer(app, users["county"], minutes=app.config["STAFF_IDLE_MINUTES"] - 20 + 1)
    polled = client.get("/notifications/badge", headers={"HX-Request": "true"})
    # the whole page reloads (and so shows the sign-in page) instead of a login form in the header
    assert polled.status_code == 200 and polled.headers["HX-Refresh"] == "true"
    assert polled.get_data(as_text=True) == ""
    assert client.get("/notifications/").status_code == 302


def test_another_users_notices_are_never_shown(app, client, as_user, users):
    _notify(app, [users["village"].id])
    as_user("village2")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "屠苏村" not in page and '<li class="row' not in page
    assert 'class="count"' not in _badge(client.get("/notifications/badge").get_data(as_text=True))
    assert 'class="count"' not in _badge(page)


def test_notices_page_is_paged_newest_first(app, client, as_user, users):
    for n in range(3):
        _notify(app, [users["village"].id], params={"count": n + 1, "village": f"村{n}"})
    as_user("village")
    first = client.get("/notifications/?per_page=2").get_data(as_text=True)
    second = client.get("/notifications/?per_page=2&page=2").get_data(as_text=True)
    assert "村2" in first and "村1" in first and "村0" not in first
    assert "村0" in second and "村2" not in second
    assert 'href="/notifications/?page=2' in first
    assert 'href="/notifications/preferences"' in first


# --- e-mail --------------------------------------------------------------------------------------


def test_mail_is_sent_after_the_commit_in_each_recipients_language(app, users, smtp_server):
    _set(app, "village", users, locale="en")
    _email_on(app, users, "village", "village2")
    # The sender reads English; each recipient gets their own language.
    with app.test_request_context("/"):
        flask_session["lang"] = "en"
        s = db.new_session(write=True)
        try:
            rules.notify(s, [users["village"].id, users["village2"].id], "visits_overdue", OVERDUE, LINK)
            s.flush()
            assert smtp_server == []  # nothing before the commit
            s.commit()
        finally:
            s.close()
    mails = {m["To"]: m for m in smtp_server}
    assert sorted(mails) == ["village2@example.org", "village@example.org"]
    english, chinese = _body(mails["village@example.org"]), _body(mails["village2@example.org"])
    assert mails["village@example.org"]["Subject"] == "Tongxin: new notice"
    assert "2 children in 屠苏村村民委员会 are overdue for a visit." in english
    assert "屠苏村村民委员会有 2 名儿童走访逾期" in chinese and "are overdue" not in chinese
    for body in (english, chinese):
        assert "https://portal.test/visits/overdue?region=371302105259" in body
        assert "https://portal.test/notifications/preferences" in body


def test_daily_reminders_mail_only_those_who_asked(app, users, make_child, smtp_server):
    child = make_child("village")
    with app.app_context(), db.write_session() as s:
        s.get(Child, child.id).next_visit_due = date.today() - timedelta(days=2)
    with app.app_context(), db.write_session() as s:  # as the daily task does: no request
        rules.remind_overdue_visits(s, date.today())
    assert smtp_server == []  # daily reminders are not e-mailed by default
    _email_on(app, users, "village")
    with app.app_context(), db.write_session() as s:
        rules.remind_overdue_visits(s, date.today() + timedelta(days=1))
        rules.remind_overdue_visits(s, date.today() + timedelta(days=1))  # the same notice: no second mail
    assert [m["To"] for m in smtp_server] == ["village@example.org"]
    assert "屠苏村村民委员会有 1 名儿童走访逾期" in _body(smtp_server[0])


def test_nothing_is_sent_when_the_transaction_rolls_back(app, users, kinds, smtp_server):
    ids = [users["village"].id]
    with app.app_context():
        s = db.new_session(write=True)
        rules.notify(s, ids, "test_event", {"what": "a"})
        s.rollback()
        s.get(User, ids[0]).display_name = "changed later"
        s.commit()  # a later commit of the same session does not resurrect the mail
        s.close()
        s = db.new_session(write=True)
        rules.notify(s, ids, "test_event", {"what": "b"})
        s.close()  # closed without a commit
        s = db.new_session(write=True)
        with s.begin_nested():
            rules.notify(s, ids, "test_event", {"what": "kept"})
        savepoint = s.begin_nested()
        rules.notify(s, ids, "test_event", {"what": "undone"})
        savepoint.rollback()
        s.commit()
        s.close()
    assert [n.params["what"] for n in _notices(app)] == ["kept"]
    assert len(smtp_server) == 1 and "Something happened to kept." in _body(smtp_server[0])


def test_nothing_is_sent_when_the_user_turned_the_kind_off_or_has_no_address(app, users, kinds, smtp_server):
    with app.app_context(), db.write_session() as s:
        rules.set_preferences(s, s.get(User, users["village"].id), set())
    _set(app, "town", users, email=None)
    _notify(app, [users["village"].id, users["town"].id, users["village2"].id], "test_event", {"what": "x"})
    assert len(_notices(app)) == 3  # every notice is still kept in-app
    assert [m["To"] for m in smtp_server] == ["village2@example.org"]


def test_preferences_page_saves_the_choices(app, client, as_user, users, kinds):
    rules.register_kind("test_a_on", _l("On %(x)s"), _l("Account changes"))
    rules.register_kind("test_a_off", _l("Off %(x)s"), _l("Account changes"))
    as_user("village")
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'value="test_event" checked' in page and 'value="visits_overdue">' in page
    assert page.count('value="test_a_on,test_a_off" checked') == 1  # one line for kinds sharing a label
    assert "notifications/preferences" in client.get("/notifications/").get_data(as_text=True)
    response = post(client, "/notifications/preferences", {"email": ["visits_overdue", "test_a_on,test_a_off", "bogus"]})
    assert response.status_code == 302
    with app.app_context(), db.new_session() as s:
        saved = dict(s.exec(select(NotificationPreference.kind, NotificationPreference.by_email)
                            .where(NotificationPreference.user_id == users["village"].id)).all())
        assert saved == {kind: kind in ("visits_overdue", "test_a_on", "test_a_off") for kind in rules.KINDS}
        assert not s.exec(select(NotificationPreference).where(NotificationPreference.user_id != users["village"].id)).all()
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'value="visits_overdue" checked' in page and 'value="test_event">' in page


def test_preferences_page_says_when_there_is_no_address(app, client, as_user, users):
    as_user("village")
    assert 'class="flash flash-info no-email"' not in client.get("/notifications/preferences").get_data(as_text=True)
    _set(app, "village", users, email=None)
    assert 'class="flash flash-info no-email"' in client.get("/notifications/preferences").get_data(as_text=True)
