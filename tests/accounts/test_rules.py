"""Account rules called directly, without HTTP: who may create whom, passwords, deactivation."""

import pytest
from sqlmodel import select

from portal.accounts import rules
from portal.accounts.models import User
from portal.accounts.passwords import password_problem, verify_password
from portal.accounts.roles import Role
from portal.audit.models import AuditEntry
from portal.errors import Conflict, DomainError, NotAllowed

GOOD = "a long enough pass phrase"


def _actor(session, users, key) -> User:
    return session.get(User, users[key].id)


def _create(session, actor, **values):
    params = dict(username="new-user", display_name="新用户", role=Role.child_director,
                  region_code="371302105260", password=GOOD)
    params.update(values)
    return rules.create_account(session, actor, **params)


def test_town_supervisor_creates_a_child_director_in_a_village_of_the_town(session, users):
    town = _actor(session, users, "town")
    user = _create(session, town)
    session.commit()
    assert user.role == Role.child_director and user.must_change_password
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).one()
    assert entry.actor_id == town.id and entry.object_id == str(user.id) and entry.region_code == "371302105260"


def test_county_staff_creates_a_town_supervisor(session, users):
    user = _create(session, _actor(session, users, "county"), role=Role.child_supervisor, region_code="371302101000")
    assert user.region_code == "371302101000"


@pytest.mark.parametrize(
    "actor, role, region",
    [
        ("town", Role.child_supervisor, "371302105000"),    # own level
        ("town", Role.civil_affairs, "371302000000"),       # above own level
        ("town", Role.child_director, "371302101201"),      # village of another town
        ("county", Role.civil_affairs, "371300000000"),     # the city above
        ("county", Role.child_director, "371311001001"),    # village of the neighbouring county
        ("county", Role.civil_affairs, "371302000000"),     # a peer at county level
        ("county", Role.admin, None),                       # the administrator role
        ("county", Role.volunteer, None),                   # helpers register themselves
        ("village", Role.child_director, "371302105260"),   # child directors create no accounts
        ("volunteer", Role.child_director, "371302105260"),
    ],
)
def test_nobody_grants_a_role_or_region_above_or_outside_their_own(session, users, actor, role, region):
    with pytest.raises((NotAllowed, DomainError)):
        _create(session, _actor(session, users, actor), role=role, region_code=region)
    session.rollback()
    assert session.scalar(select(User).where(User.username == "new-user")) is None


def test_refusal_outside_the_subtree_is_a_permission_refusal(session, users):
    with pytest.raises(NotAllowed):
        _create(session, _actor(session, users, "county"), region_code="371311001001")


def test_role_must_fit_the_region_level(session, users):
    with pytest.raises(DomainError) as refused:
        _create(session, _actor(session, users, "county"), role=Role.child_director, region_code="371302101000")
    assert refused.value.details["field"] == "region_code"


def test_region_that_does_not_exist_is_refused(session, users):
    with pytest.raises(DomainError) as refused:
        _create(session, _actor(session, users, "county"), region_code="371302999999")
    assert refused.value.details["field"] == "region_code"


def test_admin_creates_any_role(session, users, password_hash):
    admin = _actor(session, users, "admin")
    # A second administrator confirms the first password of an administrator's account.
    session.add(User(username="admin2", display_name="Admin 2", password_hash=password_hash, role=Role.admin))
    assert _create(session, admin, username="a-county", role=Role.civil_affairs, region_code="371311000000")
    assert _create(session, admin, username="a-admin", role=Role.admin, region_code=None)


def test_taken_user_name_is_refused(session, users):
    with pytest.raises(Conflict):
        _create(session, _actor(session, users, "town"), username="Village")


@pytest.mark.parametrize("name", ["ab", "has space", "中文名字", "-leading", "UPPER_is_lowered?"])
def test_bad_user_names_are_refused(session, users, name):
    with pytest.raises(DomainError):
        _create(session, _actor(session, users, "town"), username=name)


@pytest.mark.parametrize(
    "password, ok",
    [
        ("short", False),
        ("password1234", False),        # on the common-password list
        ("aaaaaaaaaaaaaa", False),      # too few distinct characters
        ("new-user-is-my-name", False),  # contains the user name
        ("x" * 129, False),
        ("correct horse battery", True),
        ("山东临沂兰山区义堂镇屠苏村", True),
    ],
)
def test_password_policy(password, ok):
    assert (password_problem(password, "new-user") is None) is ok


def test_argon2id_parameters_meet_the_floor():
    from portal.accounts.passwords import hash_password

    encoded = hash_password(GOOD)
    assert encoded.startswith("$argon2id$")
    params = dict(p.split("=") for p in encoded.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2


def test_change_password_needs_the_current_one(session, users):
    user = _actor(session, users, "village")
    with pytest.raises(DomainError):
        rules.change_password(session, user, "wrong current pw", GOOD, GOOD)
    rules.change_password(session, user, "correct horse battery", GOOD, GOOD)
    assert verify_password(user.password_hash, GOOD)


def test_deactivate_and_reactivate(session, users):
    town, village = _actor(session, users, "town"), _actor(session, users, "village")
    rules.set_active(session, town, village, False)
    assert not village.is_active
    with pytest.raises(rules.AccountDeactivated):
        rules.authenticate(session, "village", "correct horse battery")
    rules.set_active(session, town, village, True)
    assert rules.authenticate(session, "village", "correct horse battery").id == village.id


def test_nobody_deactivates_themselves(session, users):
    admin = _actor(session, users, "admin")
    with pytest.raises(DomainError):
        rules.set_active(session, admin, admin, False)


def test_manageable_accounts_are_strictly_below_and_inside(session, users):
    listed, total = rules.manageable_accounts(session, _actor(session, users, "county"))
    assert {u.username for u in listed} == {"town", "village", "village2"}
    assert total == 3
    listed, _ = rules.manageable_accounts(session, _actor(session, users, "city"))
    assert {u.username for u in listed} == {"county", "county2", "town", "village", "village2"}
    listed, _ = rules.manageable_accounts(session, _actor(session, users, "admin"))
    assert len(listed) == len(users)


def test_reset_token_works_once(session, users, app):
    user = _actor(session, users, "village")
    token = rules.reset_token(user, "k" * 40)
    assert rules.user_for_reset_token(session, token, "k" * 40, 3600).id == user.id
    rules.reset_with_token(session, user, GOOD, GOOD)
    with pytest.raises(DomainError):
        rules.user_for_reset_token(session, token, "k" * 40, 3600)


def test_tampered_reset_token_is_refused(session, users):
    token = rules.reset_token(_actor(session, users, "village"), "k" * 40)
    with pytest.raises(DomainError):
        rules.user_for_reset_token(session, token[:-2] + "xx", "k" * 40, 3600)
