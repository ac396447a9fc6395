"""Fixtures of disbursements: a second county staff member (the checker), the orphan scholarship
with enrolled university students, and gifts into its fund."""

from datetime import date

import pytest
from sqlmodel import select

from portal import db
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.ledger import rules as ledger
from portal.ledger.models import AccountPurpose, Fund, TransactionKind
from portal.programmes import rules as programmes
from portal.programmes.models import Programme, ProgrammeEnrolment
from tests.programmes.conftest import ALLOWANCE, SCHOLARSHIP, make_programme  # noqa: F401

TODAY = date.today()


def years_ago(years: int) -> date:
    return date(TODAY.year - years, 3, 15)


@pytest.fixture(autouse=True)
def checker(app, users, password_hash):
    """A second civil-affairs staff member of the same county as ``users["county"]``."""
    with app.app_context(), db.write_session() as s:
        user = User(username="county_b", display_name="Test county_b", password_hash=password_hash,
                    role=Role.civil_affairs, region_code="371302000000", email="county_b@example.org")
        s.add(user)
    return user


def give(app, fund_id: int, amount_fen: int) -> None:
    """A gift into the fund, booked as the donations area books an offline gift."""
    with app.app_context(), db.write_session() as s:
        fund = s.get(Fund, fund_id)
        ledger.post(s, None, TransactionKind.gift, [(ledger.system_account(s, AccountPurpose.bank), amount_fen),
                                                     (ledger.fund_account(s, fund), -amount_fen)], memo="gift")


def enrol_all(app, users, programme_id: int, documents: dict | None = None) -> list[int]:
    """Enrol every child on the programme's newly eligible list; their child ids."""
    ids = []
    with app.app_context(), db.write_session() as s:
        actor = s.get(User, users["county"].id)
        programme = s.get(Programme, programme_id)
        for row in s.scalars(select(ProgrammeEnrolment).where(ProgrammeEnrolment.programme_id == programme_id)).all():
            programmes.enrol(s, actor, programme, row, documents or {d: True for d in programme.required_documents})
            ids.append(row.child_id)
    return ids


@pytest.fixture
def scholarship(app, users, make_child, make_programme):  # noqa: F811
    """The orphan scholarship (10,000 yuan a year) with three enrolled university students in
    Lanshan and one in Luozhuang (another county, not covered), and 50,000 yuan in its fund."""
    students = [make_child(categories=["orphan"], school_stage="university", birth_date=years_ago(18))
                for _ in range(3)]
    make_child("county2", region_code="371311001001", categories=["orphan"], school_stage="university",
               birth_date=years_ago(18))
    programme = make_programme(SCHOLARSHIP)
    enrol_all(app, users, programme.id)
    give(app, programme.fund_id, 5_000_000)
    return programme, [c.id for c in students]


def as_user(session, users, key: str) -> User:
    return session.get(User, users[key].id) if key in users else session.scalar(select(User).where(User.username == key))


# Heads of civil-affairs bureaus: Lanshan's (the scholarship's owning county), Linyi city's above it,
# and Luozhuang's next door. User name → region.
HEADS = {"county_head": "371302000000", "city_head": "371300000000", "county2_head": "371311000000"}


@pytest.fixture
def heads(app, users, password_hash) -> dict[str, int]:
    """One named head per region of ``HEADS``; their ids by user name."""
    made = {}
    with app.app_context(), db.write_session() as s:
        for username, region in HEADS.items():
            user = User(username=username, display_name=f"负责人 {username}", password_hash=password_hash,
                        role=Role.civil_affairs, region_code=region, is_head=True, email=f"{username}@example.org")
            s.add(user)
            s.flush()
            made[username] = user.id
    return made
