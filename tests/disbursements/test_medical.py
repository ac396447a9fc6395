"""Medical aid answering a medical need: paying it resolves the need inside government, with the
payment as the how; another child's need, or a need of another kind, is refused."""

import pytest
from sqlmodel import select

from portal import db
from portal.disbursements import medical, rules
from portal.disbursements.models import DisbursementBatch, Entitlement
from portal.errors import DomainError, NotFound
from portal.needs.models import Need, NeedStatus
from tests.disbursements.conftest import as_user, enrol_all, give, years_ago
from tests.disbursements.test_batches import approve, make_batch, rows
from tests.needs.conftest import make_need  # noqa: F401

MEDICAL = dict(
    name_zh="护佑健康·医疗救助", kind="medical_aid", period_type="one_off", fund_code="medical_aid",
    amount_rule={"type": "share", "percent": 70, "cap_fen": 2_000_000},
    eligibility={"categories": ["orphan", "unsupported"], "age_max": 17},
    required_documents=["hospital_invoices"],
)


def test_paying_medical_aid_resolves_the_childs_medical_need(app, users, make_need, make_programme):  # noqa: F811
    need_id = make_need(to="at_county", category="medical", kind="money", target_fen=1_000_000,
                        child_values={"categories": ["orphan"], "birth_date": years_ago(9)},
                        description="住院治疗费用")
    other_need = make_need(to="at_county", category="education",
                           child_values={"categories": ["orphan"], "birth_date": years_ago(10)})
    programme = make_programme(MEDICAL)
    enrol_all(app, users, programme.id, {"hospital_invoices": True, "hospital_invoices_fen": 1_000_000})
    give(app, programme.fund_id, 5_000_000)
    batch_id = make_batch(app, users, programme.id, period="2026-06-30")
    with app.app_context(), db.new_session() as s:
        child_id = s.get(Need, need_id).child_id
    row = next(r for r in rows(app, batch_id) if r.child_id == child_id)
    assert row.amount_fen == 700_000  # 70 % of 10,000 yuan
    with app.app_context(), db.write_session() as s:
        actor = as_user(s, users, "county_b")
        with pytest.raises(DomainError):  # another child's need
            medical.answer_need(s, actor, s.get(Entitlement, row.id), other_need)
        with pytest.raises(NotFound):  # another county's staff cannot reach the need
            medical.answer_need(s, as_user(s, users, "county2"), s.get(Entitlement, row.id), need_id)
    with app.app_context(), db.write_session() as s:
        medical.answer_need(s, as_user(s, users, "county_b"), s.get(Entitlement, row.id), need_id)
    approve(app, users, batch_id, "county_b")
    with app.app_context(), db.write_session() as s:
        rules.record_paid(s, as_user(s, users, "county_b"), s.get(Entitlement, row.id), "HOSP-77")
    with app.app_context(), db.new_session() as s:
        need = s.get(Need, need_id)
        assert need.status == NeedStatus.resolved
        assert "护佑健康·医疗救助" in need.resolution and "7,000.00" in need.resolution and "HOSP-77" in need.resolution
        assert s.get(Need, other_need).status == NeedStatus.at_county
        assert s.scalar(select(DisbursementBatch.state)) == "approved"
