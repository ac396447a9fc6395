"""Above ``DISBURSEMENT_HEAD_FEN`` a batch waits, after the checker, for the head of the owning
level's civil-affairs bureau: a named head (``User.is_head``) working in exactly the programme's
owning region, and a third person. The heads are told; the page says who they are, or that none
is named."""

import pytest
from sqlmodel import select

from portal import db
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.disbursements.models import BatchState, DisbursementBatch
from portal.errors import NotAllowed
from portal.notifications.models import Notification
from tests.conftest import login, post
from tests.disbursements.test_batches import approve, balance, make_batch


@pytest.fixture
def waiting(app, users, checker, heads, scholarship):
    """A 30,000-yuan batch of Lanshan's scholarship, made by ``county``, approved by ``county_b``,
    above a 20,000-yuan limit: it waits for Lanshan's head."""
    programme, _students = scholarship
    app.config["DISBURSEMENT_HEAD_FEN"] = 2_000_000
    batch_id = make_batch(app, users, programme.id)
    approve(app, users, batch_id, "county_b")
    return programme, batch_id


def state(app, batch_id):
    with app.app_context(), db.new_session() as s:
        return s.get(DisbursementBatch, batch_id).state


def head_notices(app, batch_id):
    with app.app_context(), db.new_session() as s:
        return {(n.user_id, n.done_at is not None) for n in s.scalars(select(Notification).where(
            Notification.kind == "disbursement_head", Notification.about == f"disbursement_batch:{batch_id}"))}


def test_the_owning_countys_head_approves_and_only_they_were_told(app, users, heads, waiting):
    programme, batch_id = waiting
    assert state(app, batch_id) == BatchState.awaiting_head
    assert head_notices(app, batch_id) == {(heads["county_head"], False)}  # not the city's, not Luozhuang's
    approve(app, users, batch_id, "county_head")
    with app.app_context(), db.new_session() as s:
        batch = s.get(DisbursementBatch, batch_id)
        assert (batch.state, batch.head_approved_by_id) == (BatchState.approved, heads["county_head"])
    assert balance(app, programme) == 2_000_000
    assert head_notices(app, batch_id) == {(heads["county_head"], True)}  # done once approved


@pytest.mark.parametrize("key", ["county_c", "city_head", "county2_head", "city"])
def test_the_head_approval_is_refused_to_anyone_but_the_owning_regions_head(app, users, password_hash, waiting, key):
    """A non-head staff member of Lanshan, the city's head above it, another county's head, the
    city's staff: none is the owning level's head."""
    programme, batch_id = waiting
    with app.app_context(), db.write_session() as s:
        s.add(User(username="county_c", display_name="兰山区 非负责人", password_hash=password_hash,
                   role=Role.civil_affairs, region_code="371302000000"))
    with pytest.raises(NotAllowed):
        approve(app, users, batch_id, key)
    assert state(app, batch_id) == BatchState.awaiting_head and balance(app, programme) == 5_000_000


@pytest.mark.parametrize("who", ["county", "county_b"])
def test_the_maker_or_the_first_approver_cannot_approve_as_head_even_when_head(app, users, waiting, who):
    programme, batch_id = waiting
    with app.app_context(), db.write_session() as s:
        s.scalar(select(User).where(User.username == who)).is_head = True
    with pytest.raises(NotAllowed):
        approve(app, users, batch_id, who)
    assert state(app, batch_id) == BatchState.awaiting_head and balance(app, programme) == 5_000_000


def test_a_deactivated_head_cannot_approve(app, users, heads, waiting):
    programme, batch_id = waiting
    with app.app_context(), db.write_session() as s:
        s.get(User, heads["county_head"]).is_active = False
    with pytest.raises(NotAllowed):
        approve(app, users, batch_id, "county_head")
    assert state(app, batch_id) == BatchState.awaiting_head and balance(app, programme) == 5_000_000


def test_an_unnamed_head_can_no_longer_approve(app, users, heads, waiting):
    from portal.accounts import rules as accounts

    _programme, batch_id = waiting
    with app.app_context(), db.write_session() as s:
        accounts.set_head(s, s.get(User, users["city"].id), s.get(User, heads["county_head"]), False)
    with pytest.raises(NotAllowed):
        approve(app, users, batch_id, "county_head")


def test_the_batch_page_names_the_head_it_waits_for(app, client, heads, waiting):
    _programme, batch_id = waiting
    assert login(client, "county_b").status_code == 302
    page = client.get(f"/disbursements/{batch_id}").get_data(as_text=True)
    assert "负责审批的兰山区民政局负责人" in page and "负责人 county_head" in page
    assert "负责人 city_head" not in page and "尚未任命负责人" not in page


def test_the_batch_page_says_no_head_is_named_and_who_must_name_one(app, client, heads, waiting):
    _programme, batch_id = waiting
    with app.app_context(), db.write_session() as s:
        s.get(User, heads["county_head"]).is_active = False  # the only head of Lanshan, deactivated
    assert login(client, "county_b").status_code == 302
    page = client.get(f"/disbursements/{batch_id}").get_data(as_text=True)
    assert "兰山区民政局尚未任命负责人：须由上级账号管理人任命负责人后，该批次才能审批。" in page
    assert "负责人 county_head" not in page


def test_the_head_approves_through_the_page(app, client, heads, waiting):
    _programme, batch_id = waiting
    assert login(client, "county_head").status_code == 302
    assert post(client, f"/disbursements/{batch_id}/approve").status_code == 302
    assert state(app, batch_id) == BatchState.approved
