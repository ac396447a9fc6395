"""An administrator creating an account never holds a working credential of it (DESIGN.md §2):
the account has no password until its holder sets one with a one-time code that the supervisor
above (or a second administrator) confirms, as for a reset someone else started. Staff creating
accounts below them keep the temporary password they hand over as the holder's supervisors."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import db
from portal.accounts import rules
from portal.accounts.models import PasswordReset, ResetRoute, User
from portal.accounts.passwords import verify_password
from portal.accounts.roles import Role
from portal.audit.models import AuditEntry
from portal.errors import DomainError
from portal.types import utcnow
from tests.conftest import PASSWORD, csrf_token, login, post

NEW = "a long enough pass phrase"
CHOSEN = "the holder's own pass phrase"
CODE_RE = re.compile(r'id="one-time-code">([A-Z0-9-]+)<')
FAILED = "用户名或密码错误"


def _add_user(app, password_hash, username, role, region=None) -> User:
    with app.app_context(), db.write_session() as s:
        user = User(username=username, display_name=f"Test {username}", password_hash=password_hash, role=role,
                    region_code=region)
        s.add(user)
    return user


def _signed_in(app, key: str):
    client = app.test_client()
    assert login(client, key).status_code == 302
    return client


def _create(client, **values):
    form = {"username": "wang-fang", "display_name": "王芳", "role": "child_director",
            "region_code": "371302105260", "email": "wang-fang@example.org", "password": NEW}
    form.update(values)
    return post(client, "/accounts/new", form)


def _account(app, username: str) -> User | None:
    with app.app_context(), db.new_session() as s:
        return s.scalar(select(User).where(User.username == username))


def _open_reset(app, user: User) -> PasswordReset:
    with app.app_context(), db.new_session() as s:
        return s.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id,
                                                     PasswordReset.cancelled_at.is_(None))).one()


def _confirm(app, key: str, reset: PasswordReset):
    return post(_signed_in(app, key), f"/accounts/resets/{reset.id}/confirm")


def _use_code(username: str, code: str, app, password: str = CHOSEN):
    client = app.test_client()
    token = csrf_token(client, "/password/code")
    return client.post("/password/code", data={"username": username, "code": code, "password": password,
                                                "confirm": password, "csrf_token": token})


def _sign_in_fails(app, username: str, password: str) -> bool:
    response = login(app.test_client(), username, password)
    return response.status_code == 200 and FAILED in response.get_data(as_text=True)


# --- the administrator obtains nothing that works ------------------------------------------------


def test_admin_creates_a_director_and_no_password_it_chose_or_saw_opens_the_account(app, users):
    admin = _signed_in(app, "admin")
    response = _create(admin)  # a temporary password slipped into the POST
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "上级确认" in page and NEW not in page and "one-time-code" not in page
    for guess in (NEW, PASSWORD, "!", "wang-fang"):
        assert _sign_in_fails(app, "wang-fang", guess)
    created = _account(app, "wang-fang")
    assert not created.has_password and not created.must_change_password
    reset = _open_reset(app, created)
    assert reset.route == ResetRoute.supervisor and reset.confirm_region_code == "371302105000"
    assert reset.code_hash is None  # no credential exists yet, so none can have reached the admin


def test_an_english_speaking_admin_is_told_in_english_who_confirms(app, users):
    admin = _signed_in(app, "admin")
    post(admin, "/language", {"lang": "en", "next": "/accounts/new"})
    form = admin.get("/accounts/new").get_data(as_text=True)
    assert "created without a password, and you never see one" in form
    response = _create(admin)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "The supervisor above it confirms its first password" in page


def test_a_password_passed_to_the_rule_by_an_administrator_is_not_stored(session, users):
    admin = session.get(User, users["admin"].id)
    user = rules.create_account(session, admin, username="li-na", display_name="李娜", role=Role.child_director,
                                region_code="371302105259", password=NEW)
    assert not verify_password(user.password_hash, NEW) and not user.has_password
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).one()
    assert entry.detail["temporary_password"] is False
    started = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.password_reset_started")).one()
    assert started.actor_id == admin.id and started.detail["first_password"] is True


def test_admin_create_page_asks_for_no_password_and_says_who_confirms(app, users):
    page = _signed_in(app, "admin").get("/accounts/new").get_data(as_text=True)
    assert 'name="password"' not in page
    assert "不会看到任何密码" in page and "一次性验证码" in page


def test_staff_create_page_asks_for_a_temporary_password_and_says_so(app, users):
    page = _signed_in(app, "town").get("/accounts/new").get_data(as_text=True)
    assert 'name="password"' in page and "临时密码" in page


def test_the_admin_who_created_the_account_cannot_confirm_its_first_password(app, users):
    _create(_signed_in(app, "admin"))
    reset = _open_reset(app, _account(app, "wang-fang"))
    assert _confirm(app, "admin", reset).status_code == 404
    assert "wang-fang" not in _signed_in(app, "admin").get("/accounts/resets").get_data(as_text=True)
    assert _open_reset(app, _account(app, "wang-fang")).code_hash is None


def test_the_town_supervisor_confirms_and_the_code_sets_the_first_password_once(app, users):
    _create(_signed_in(app, "admin"))
    created = _account(app, "wang-fang")
    town = _signed_in(app, "town")
    home = town.get("/").get_data(as_text=True)
    assert 'id="pending-resets"' in home and "等待您确认的密码重置：1" in home
    listed = town.get("/accounts/resets").get_data(as_text=True)
    assert "wang-fang" in listed and "新账号的首个密码" in listed
    shown = post(town, f"/accounts/resets/{_open_reset(app, created).id}/confirm")
    assert shown.status_code == 200
    code = CODE_RE.search(shown.get_data(as_text=True)).group(1)
    assert 'id="pending-resets"' not in town.get("/").get_data(as_text=True)
    assert _use_code("wang-fang", code, app).status_code == 302
    assert _use_code("wang-fang", code, app, NEW).status_code == 400  # once only
    assert _sign_in_fails(app, "wang-fang", NEW)
    holder = app.test_client()
    signed_in = login(holder, "wang-fang", CHOSEN)
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/")
    assert holder.get("/children/").status_code == 200  # no forced change: the holder chose it
    assert _account(app, "wang-fang").has_password


@pytest.mark.parametrize("who", ["town2", "village", "county", "admin2"])
def test_a_supervisor_of_another_town_a_director_staff_higher_up_or_an_admin_cannot_confirm(
        app, users, password_hash, who):
    _add_user(app, password_hash, "town2", Role.child_supervisor, "371311001000")
    _add_user(app, password_hash, "admin2", Role.admin)
    _create(_signed_in(app, "admin"))
    reset = _open_reset(app, _account(app, "wang-fang"))
    assert _confirm(app, who, reset).status_code in (403, 404)  # a director may confirm nothing at all: 403
    assert _open_reset(app, _account(app, "wang-fang")).code_hash is None
    assert "wang-fang" not in _signed_in(app, who).get("/accounts/resets").get_data(as_text=True)


def test_an_admin_account_created_by_an_admin_needs_a_second_admin(app, users, password_hash):
    admin = _signed_in(app, "admin")
    refused = _create(admin, username="admin-two", role="admin", region_code="")
    assert refused.status_code == 400 and "没有其他管理员" in refused.get_data(as_text=True)
    assert _account(app, "admin-two") is None  # refused: nothing created
    _add_user(app, password_hash, "admin2", Role.admin)
    assert _create(admin, username="admin-two", role="admin", region_code="").status_code == 302
    reset = _open_reset(app, _account(app, "admin-two"))
    assert reset.route == ResetRoute.second_admin
    assert _confirm(app, "admin", reset).status_code == 404
    assert _confirm(app, "town", reset).status_code == 404
    shown = _confirm(app, "admin2", reset)
    code = CODE_RE.search(shown.get_data(as_text=True)).group(1)
    assert _use_code("admin-two", code, app).status_code == 302
    assert login(app.test_client(), "admin-two", CHOSEN).status_code == 302


def test_a_top_staff_account_with_nobody_above_goes_to_a_second_admin(app, users, password_hash):
    admin = _signed_in(app, "admin")
    province = {"username": "henan", "role": "civil_affairs", "region_code": "410000000000"}
    assert _create(admin, **province).status_code == 400
    assert _account(app, "henan") is None
    _add_user(app, password_hash, "admin2", Role.admin)
    response = _create(admin, **province)
    assert "另一位管理员" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert _open_reset(app, _account(app, "henan")).route == ResetRoute.second_admin


def test_a_helper_account_created_by_an_admin_needs_a_second_admin(session, users, password_hash):
    admin = session.get(User, users["admin"].id)
    with pytest.raises(DomainError):
        rules.create_account(session, admin, username="vol-new", display_name="新志愿者", role=Role.volunteer,
                             region_code=None)
    session.rollback()
    session.add(User(username="admin2", display_name="Admin 2", password_hash=password_hash, role=Role.admin))
    user = rules.create_account(session, admin, username="vol-new", display_name="新志愿者", role=Role.volunteer,
                                region_code=None)
    reset = session.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id)).one()
    assert reset.route == ResetRoute.second_admin


def test_reads_in_the_first_day_after_the_first_password_are_flagged(app, users):
    _create(_signed_in(app, "admin"))
    created = _account(app, "wang-fang")
    code = CODE_RE.search(_confirm(app, "town", _open_reset(app, created)).get_data(as_text=True)).group(1)
    _use_code("wang-fang", code, app)
    with app.app_context(), db.write_session() as s:
        for object_id, at in (("997", utcnow()), ("998", utcnow() + timedelta(days=1, minutes=1))):
            s.add(AuditEntry(actor_id=created.id, actor_name="wang-fang", action="read", object_type="child",
                             object_id=object_id, region_code="371302105260", address="5.6.7.8", at=at))
    flagged = _signed_in(app, "county").get("/audit/?after_reset=1&action=read").get_data(as_text=True)
    assert "child 997" in flagged and "child 998" not in flagged


# --- staff creating below them keep the temporary password ---------------------------------------


def test_a_town_supervisor_still_hands_over_a_temporary_password(app, users):
    town = _signed_in(app, "town")
    response = _create(town)
    assert response.status_code == 302
    assert "临时密码" in town.get(response.headers["Location"]).get_data(as_text=True)
    created = _account(app, "wang-fang")
    assert created.has_password and created.must_change_password
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(PasswordReset).where(PasswordReset.user_id == created.id)) is None
    holder = app.test_client()
    assert login(holder, "wang-fang", NEW).status_code == 302
    assert holder.get("/children/").headers["Location"].endswith("/account")  # must change it first


# --- where confirmers find what waits for them ---------------------------------------------------


@pytest.mark.parametrize("who, shown", [("town", True), ("county", True), ("admin", True),
                                        ("village", False), ("volunteer", False)])
def test_the_menu_leads_those_who_may_confirm_to_the_resets_page(app, users, who, shown):
    page = _signed_in(app, who).get("/").get_data(as_text=True)
    assert ('href="/accounts/resets"' in page) is shown
