"""Fixtures of the helpers area: a captured SMS outbox and organizations made through the rules."""

import pytest

from portal import db
from portal.accounts.models import User
from portal.helpers.models import OrganizationMember
from portal.types import utcnow
from tests.helpers import sms


@pytest.fixture
def outbox(app):
    app.config["SMS_BACKEND"] = "tests.helpers.sms:capture"
    sms.OUTBOX.clear()
    return sms


GOOD_CODE = "52371302MA3C7Q2K"  # + check characters, see make_code


def credit_code(org8: str = "MA3C7Q2K", division: str = "371302") -> str:
    from portal.helpers import creditcode

    return creditcode.make("5", "2", division, org8)


@pytest.fixture
def make_org(app, regions, users):
    """An organization applied through the rules, optionally vetted by ``vetted_by``."""
    from portal.helpers import orgs

    counter = iter(range(1, 1000))

    def make(areas=("371302000000",), status=None, vetted_by="county", admin="orgadmin", vouched=True):
        n = next(counter)
        with app.app_context(), db.write_session() as s:
            org, user = orgs.apply(s, orgs.OrgValues(
                name=f"测试社工{n}", credit_code=credit_code(f"MA{n:06d}"), legal_representative="法人",
                contact_name="联系人", contact_phone="0539-8123456", region_codes=list(areas),
                categories=["psychological"]),
                orgs.AccountValues(username=f"{admin}{n}", display_name=f"机构管理员{n}",
                                   password="a-long-secret-phrase", confirm="a-long-secret-phrase",
                                   phone=f"1390539{n:04d}"))
            if status:
                actor = s.get(User, users[vetted_by].id)
                orgs.vet(s, actor, orgs.view_of(s, org), "approve", "材料齐全")
                if vouched:  # the organization answers for its administrator being alone with a child
                    s.get(OrganizationMember, (org.id, user.id)).vouched_at = utcnow()
                if status == "suspended":
                    orgs.vet(s, actor, orgs.view_of(s, org), "suspend", "投诉核查中")
            return org.id, user.username

    return make


@pytest.fixture
def signed_in(app, users):
    """A new test client signed in as one of the role users (one client per user: signing in
    again on the same client keeps the first user)."""
    from tests.conftest import login

    def make(key: str):
        client = app.test_client()
        assert login(client, key).status_code == 302
        return client

    return make
