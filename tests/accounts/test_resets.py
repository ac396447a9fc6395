"""Password resets started by someone else: the initiator (an administrator above all) never
obtains anything that works; the supervisor above confirms and hands over a one-time code that
only sets a password; every step is audited and the holder notified."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal import db
from portal.accounts import resets
from portal.accounts.models import PasswordReset, ResetRoute, User
from portal.accounts.roles import Role
from portal.audit.models import AuditEntry
from portal.errors import DomainError, NotAllowed
from portal.notifications.models import Notification
from portal.types import utcnow
from tests.accounts.sessions import client_with_cookie, cookie_of
from tests.conftest import PASSWORD, csrf_token, login, post

NEW = "a long enough pass phrase"
CODE_RE = re.compile(r'id="one-time-code">([A-Z0-9-]+)<')


def _add_user(app, password_hash, username, role, region=None, **extra) -> User:
    with app.app_context(), db.write_session() as s:
        user = User(username=username, display_name=f"Test {username}", password_hash=password_hash, role=role,
                    region_code=region, **extra)
        s.add(user)
    return user


def _resets(app, user) -> list[PasswordReset]:
    with app.app_context(), db.new_session() as s:
        return list(s.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id)
                              .order_by(PasswordReset.id)))


def _start(app, actor_key: str, target, extra: dict | None = None):
    client = app.test_client()
    login(client, actor_key)
    return client, post(client, f"/accounts/{target.id}/password", extra or {})


def _confirm(app, confirmer_key: str, reset_id: int):
    client = app.test_client()
    login(client, confirmer_key)
    return post(client, f"/accounts/resets/{reset_id}/confirm")


def _use_code(client, username: str, code: str, password: str = NEW):
    token = csrf_token(client, "/password/code")
    return client.post("/password/code", data={"username": username, "code": code, "password": password,
                                                "confirm": password, "csrf_token": token})


def _audit_actions(app, target) -> list[str]:
    with app.app_context(), db.new_session() as s:
        return list(s.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(target.id),
                                                              AuditEntry.action.like("user.password_reset%"))
                              .order_by(AuditEntry.id)))


def _notices(app, user) -> list[str]:
    with app.app_context(), db.new_session() as s:
        return list(s.scalars(select(Notification.kind).where(Notification.user_id == user.id)
                              .order_by(Notification.id)))


# --- the administrator obtains nothing that works ------------------------------------------------


def test_password_posted_by_an_administrator_is_ignored(app, users):
    village2 = users["village2"]
    admin, response = _start(app, "admin", village2, {"password": NEW})
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert login(app.test_client(), "village2", NEW).status_code == 200  # the posted password opens nothing
    assert login(app.test_client(), "village2", PASSWORD).status_code == 302  # and nothing was changed
    (reset,) = _resets(app, village2)
    assert reset.route == ResetRoute.supervisor and reset.confirm_region_code == "371302105000"
    assert reset.code_hash is None  # no credential exists yet, so none can have reached the admin
    assert "one-time-code" not in page and "正在等待确认" in page


def test_administrator_cannot_confirm_their_own_request(app, users):
    _start(app, "admin", users["village2"])
    (reset,) = _resets(app, users["village2"])
    response = _confirm(app, "admin", reset.id)
    assert response.status_code == 404
    assert _resets(app, users["village2"])[0].code_hash is None


def test_supervisor_confirms_and_the_holder_sets_a_password_with_the_code(app, users):
    village2 = users["village2"]
    _start(app, "admin", village2)
    (reset,) = _resets(app, village2)
    town = app.test_client()
    login(town, "town")
    assert "village2" in town.get("/accounts/resets").get_data(as_text=True)
    shown = post(town, f"/accounts/resets/{reset.id}/confirm")
    assert shown.status_code == 200
    code = CODE_RE.search(shown.get_data(as_text=True)).group(1)
    holder = app.test_client()
    used = _use_code(holder, "village2", code.lower().replace("-", " "))  # typed by hand
    assert used.status_code == 302 and used.headers["Location"].endswith("/login")
    assert holder.get("/account").status_code == 302  # the code signed nobody in
    assert login(app.test_client(), "village2", NEW).status_code == 302
    assert login(app.test_client(), "village2", PASSWORD).status_code == 200
    assert _audit_actions(app, village2) == ["user.password_reset_started", "user.password_reset_confirmed",
                                             "user.password_reset_completed"]
    assert _notices(app, village2) == ["password_reset_started", "password_reset_confirmed", "password_reset_done"]
    assert "password_reset_to_confirm" in _notices(app, users["town"])
    assert "password_reset_to_confirm" not in _notices(app, users["admin"])


def test_a_reset_ends_every_session_of_the_account(app, users):
    victim = app.test_client()
    login(victim, "village2")
    copied = cookie_of(victim)
    _start(app, "admin", users["village2"])
    (reset,) = _resets(app, users["village2"])
    code = CODE_RE.search(_confirm(app, "town", reset.id).get_data(as_text=True)).group(1)
    _use_code(app.test_client(), "village2", code)
    assert victim.get("/account").status_code == 302
    assert client_with_cookie(app, copied).get("/account").status_code == 302


# --- who may confirm -----------------------------------------------------------------------------


def test_supervisor_of_another_town_cannot_confirm(app, users, password_hash):
    _add_user(app, password_hash, "baishabu", Role.child_supervisor, "371302101000")
    _start(app, "admin", users["village2"])
    (reset,) = _resets(app, users["village2"])
    other = app.test_client()
    login(other, "baishabu")
    assert "village2" not in other.get("/accounts/resets").get_data(as_text=True)
    assert post(other, f"/accounts/resets/{reset.id}/confirm").status_code == 404
    assert _resets(app, users["village2"])[0].code_hash is None


def test_county_staff_above_the_town_cannot_confirm_what_the_town_supervisor_must(app, users):
    _start(app, "admin", users["village2"])
    (reset,) = _resets(app, users["village2"])
    assert _confirm(app, "county", reset.id).status_code == 404


def test_a_village_director_cannot_confirm(app, users):
    _start(app, "admin", users["village2"])
    (reset,) = _resets(app, users["village2"])
    assert _confirm(app, "village", reset.id).status_code == 403
    assert _confirm(app, "village2", reset.id).status_code == 403  # nor the holder


def test_staff_who_start_a_reset_never_confirm_it_the_next_level_up_does(app, users):
    town, response = _start(app, "town", users["village"])
    (reset,) = _resets(app, users["village"])
    assert reset.confirm_region_code == "371302000000"  # the county, not the initiating town
    assert post(town, f"/accounts/resets/{reset.id}/confirm").status_code == 404
    assert _confirm(app, "county", reset.id).status_code == 200


def test_staff_cannot_start_a_reset_outside_their_subtree(session, users):
    county2, village = session.get(User, users["county2"].id), session.get(User, users["village"].id)
    with pytest.raises(NotAllowed):
        resets.start_reset(session, county2, village, hours=2)


def test_a_confirmed_reset_cannot_be_confirmed_again_for_a_second_code(app, users):
    _start(app, "admin", users["village2"])
    (reset,) = _resets(app, users["village2"])
    assert _confirm(app, "town", reset.id).status_code == 200
    again = _confirm(app, "town", reset.id)
    assert again.status_code == 302 and "one-time-code" not in again.get_data(as_text=True)


# --- the one-time code ---------------------------------------------------------------------------


def _confirmed_code(app, users, key="village2") -> str:
    _start(app, "admin", users[key])
    reset = _resets(app, users[key])[-1]
    return CODE_RE.search(_confirm(app, "town", reset.id).get_data(as_text=True)).group(1)


def test_a_code_used_twice_is_refused(app, users):
    code = _confirmed_code(app, users)
    assert _use_code(app.test_client(), "village2", code).status_code == 302
    second = _use_code(app.test_client(), "village2", code, "another long pass phrase")
    assert second.status_code == 400 and "一次性" in second.get_data(as_text=True)
    assert login(app.test_client(), "village2", "another long pass phrase").status_code == 200


def test_an_expired_code_is_refused(app, users):
    code = _confirmed_code(app, users)
    with app.app_context(), db.write_session() as s:
        s.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert _use_code(app.test_client(), "village2", code).status_code == 400
    assert login(app.test_client(), "village2", NEW).status_code == 200


def test_a_code_for_another_account_is_refused(app, users):
    code = _confirmed_code(app, users)
    assert _use_code(app.test_client(), "village", code).status_code == 400
    assert login(app.test_client(), "village", NEW).status_code == 200
    assert _use_code(app.test_client(), "village2", code).status_code == 302  # still good for its own


def test_a_made_up_or_look_alike_code_is_refused(app, users):
    code = _confirmed_code(app, users).replace("-", "")
    swapped = code[:-1] + ("A" if code[-1] != "A" else "B")
    for attempt in (swapped, "0" * 16, code[:-1], code.replace(code[0], "O" if code[0] != "O" else "Q", 1)):
        assert _use_code(app.test_client(), "village2", attempt).status_code == 400, attempt
    assert login(app.test_client(), "village2", NEW).status_code == 200


def test_a_new_reset_cancels_the_code_of_the_earlier_one(app, users):
    code = _confirmed_code(app, users)
    _start(app, "admin", users["village2"])
    assert _use_code(app.test_client(), "village2", code).status_code == 400


def test_a_weak_password_with_a_good_code_changes_nothing(app, users):
    code = _confirmed_code(app, users)
    response = _use_code(app.test_client(), "village2", code, "password1234")
    assert response.status_code == 400 and "该密码过于常见" in response.get_data(as_text=True)
    assert _resets(app, users["village2"])[0].completed_at is None
    assert _use_code(app.test_client(), "village2", code).status_code == 302


# --- a confirmed contact gets a link; administrators need a second administrator -----------------


def test_a_confirmed_e_mail_gets_the_link_and_the_initiator_sees_nothing(app, users, smtp_server):
    with app.app_context(), db.write_session() as s:
        s.get(User, users["village"].id).email_confirmed_at = utcnow()
    admin, response = _start(app, "admin", users["village"])
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    (reset,) = _resets(app, users["village"])
    assert reset.route == ResetRoute.email and "/password/code/" not in page
    mails = [m for m in smtp_server if m["To"] == "village@example.org"
             and "/password/code/" in m.get_payload(decode=True).decode()]
    assert len(mails) == 1
    link = re.search(r"https://portal\.test(/password/code/\S+)", mails[0].get_payload(decode=True).decode()).group(1)
    holder = app.test_client()
    form = holder.get(link).get_data(as_text=True)
    code = link.rsplit("/", 1)[1]
    assert f'value="{code}"' in form
    assert _use_code(holder, "village", code).status_code == 302
    assert login(app.test_client(), "village", NEW).status_code == 302


def test_an_address_typed_in_by_an_administrator_gets_no_link(app, users, smtp_server):
    """Staff e-mail addresses are set by whoever created the account: not proof of the holder."""
    _start(app, "admin", users["village"])
    (reset,) = _resets(app, users["village"])
    assert reset.route == ResetRoute.supervisor
    assert not [m for m in smtp_server if "/password/code/" in m.get_payload(decode=True).decode()]


def test_resetting_an_administrator_needs_a_second_administrator(app, users, password_hash):
    _add_user(app, password_hash, "admin2", Role.admin)
    target = _add_user(app, password_hash, "admin3", Role.admin)
    _start(app, "admin", target)
    (reset,) = _resets(app, target)
    assert reset.route == ResetRoute.second_admin
    assert _confirm(app, "admin", reset.id).status_code == 404  # the initiator
    assert _confirm(app, "town", reset.id).status_code == 404  # staff do not confirm for administrators
    shown = _confirm(app, "admin2", reset.id)
    code = CODE_RE.search(shown.get_data(as_text=True)).group(1)
    assert _use_code(app.test_client(), "admin3", code).status_code == 302


def test_resetting_an_administrator_with_no_second_one_to_confirm_is_refused(app, users, password_hash):
    target = _add_user(app, password_hash, "admin2", Role.admin)
    _client, response = _start(app, "admin", target)
    assert _resets(app, target) == []
    assert response.status_code == 302


def test_one_cannot_start_a_reset_of_ones_own_account(session, users):
    admin = session.get(User, users["admin"].id)
    with pytest.raises(DomainError):
        resets.start_reset(session, admin, admin, hours=2)


# --- the audit view flags the first day after a reset --------------------------------------------


def test_reads_in_the_first_day_after_a_reset_are_flagged_for_the_county(app, users):
    village2 = users["village2"]
    with app.app_context(), db.write_session() as s:
        before = AuditEntry(actor_id=village2.id, actor_name="village2", action="read", object_type="child",
                            object_id="1", region_code="371302105260", address="1.2.3.4",
                            at=utcnow() - timedelta(hours=1))
        s.add(before)
    code = _confirmed_code(app, users)
    _use_code(app.test_client(), "village2", code)
    with app.app_context(), db.write_session() as s:
        s.add(AuditEntry(actor_id=village2.id, actor_name="village2", action="read", object_type="child",
                         object_id="997", region_code="371302105260", address="5.6.7.8", at=utcnow()))
        s.add(AuditEntry(actor_id=village2.id, actor_name="village2", action="read", object_type="child",
                         object_id="998", region_code="371302105260", address="5.6.7.8",
                         at=utcnow() + timedelta(days=1, minutes=1)))
        s.add(AuditEntry(actor_id=users["village"].id, actor_name="village", action="read", object_type="child",
                         object_id="999", region_code="371302105259", address="5.6.7.8", at=utcnow()))
    county = app.test_client()
    login(county, "county")
    flagged = county.get("/audit/?after_reset=1&action=read").get_data(as_text=True)
    assert "child 997" in flagged
    for other in ("child 1<", "child 998", "child 999"):
        assert other not in flagged
    everything = county.get("/audit/?action=read").get_data(as_text=True)
    assert everything.count("badge after-reset") == 1 and "child 999" in everything
    other_county = app.test_client()
    login(other_county, "county2")
    assert "child 997" not in other_county.get("/audit/?after_reset=1").get_data(as_text=True)


def test_a_helpers_confirmed_mobile_gets_the_link_by_text_message(app, users):
    from portal import crypto
    from portal.helpers.models import HelperProfile
    from tests.helpers import sms

    app.config["SMS_BACKEND"] = "tests.helpers.sms:capture"
    sms.OUTBOX.clear()
    volunteer = users["volunteer"]
    with app.app_context(), db.write_session() as s:
        s.add(HelperProfile(user_id=volunteer.id, phone="13912345678", phone_hash=crypto.blind_index("13912345678"),
                            phone_verified_at=utcnow()))
    admin, response = _start(app, "admin", volunteer)
    (reset,) = _resets(app, volunteer)
    assert reset.route == ResetRoute.sms
    assert "/password/code/" not in admin.get(response.headers["Location"]).get_data(as_text=True)
    ((phone, text),) = sms.OUTBOX
    code = re.search(r"/password/code/(\S+)", text).group(1)
    assert phone == "13912345678"
    assert _use_code(app.test_client(), "volunteer", code).status_code == 302


def test_a_helper_without_a_confirmed_contact_needs_a_second_administrator(app, users, password_hash):
    _add_user(app, password_hash, "admin2", Role.admin)
    _start(app, "admin", users["donor"])
    (reset,) = _resets(app, users["donor"])
    assert reset.route == ResetRoute.second_admin and reset.code_hash is None
    assert _confirm(app, "admin2", reset.id).status_code == 200


def test_the_town_supervisor_sees_reads_after_a_reset_flagged_on_the_files_readers(app, users, make_child):
    child = make_child("village2", region_code="371302105260")
    code = _confirmed_code(app, users)
    _use_code(app.test_client(), "village2", code)
    holder = app.test_client()
    login(holder, "village2", NEW)
    assert holder.get(f"/children/{child.id}").status_code == 200
    town = app.test_client()
    login(town, "town")
    readers = town.get(f"/children/{child.id}/readers").get_data(as_text=True)
    assert readers.count("badge after-reset") == 1  # the holder's read; the town's own is not flagged


def test_one_code_sent_four_times_at_once_sets_one_password(app, users):
    import threading

    code = _confirmed_code(app, users)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def use(n: int):
        barrier.wait()  # all start together (before any of them holds the write lock)
        with app.app_context(), db.new_session(write=True) as s:
            try:
                resets.complete_reset(s, "village2", code, f"{NEW} number {n}", f"{NEW} number {n}")
                s.commit()
                outcomes.append(f"set {n}")
            except DomainError:
                s.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=use, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("refused") == 3
    (winner,) = [o for o in outcomes if o.startswith("set")]
    assert login(app.test_client(), "village2", f"{NEW} number {winner[-1]}").status_code == 302
