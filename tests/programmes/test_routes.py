"""The programmes' pages: county and city civil-affairs staff of the owning region only; the
programmes on a child's file for staff who may read the file; never helpers, donors or the public."""

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from portal import db
from portal.audit.models import AuditEntry
from portal.programmes.models import EnrolmentState, Programme, ProgrammeEnrolment
from tests.conftest import post
from tests.programmes.conftest import ALLOWANCE

TODAY = date.today()


def born(years: int, days: int = 40) -> date:
    return date(TODAY.year - years, 1, 1) if (TODAY.month, TODAY.day) < (1, 1) else \
        TODAY.replace(year=TODAY.year - years, day=min(TODAY.day, 28)) - timedelta(days=days)


SCHOLARSHIP_FORM = {
    "name_zh": "福彩圆梦·孤儿助学", "name_en": "Orphans at university", "kind": "scholarship", "period_type": "per_year",
    "fund_code": "scholarship", "active": "y", "categories": ["orphan"], "school_stages": ["university", "vocational_college"],
    "statuses": ["active", "aged_out"], "required_documents": ["enrolment_certificate"], "amount_type": "fixed",
    "amount": "10000",
}


def test_a_county_user_creates_the_orphan_scholarship_and_sees_the_students_it_finds(app, client, as_user, make_child):
    student = make_child(categories=["orphan"], school_stage="university", birth_date=born(18))
    make_child(categories=["left_behind"], school_stage="university", birth_date=born(18))
    as_user("county")
    response = post(client, "/programmes/new", SCHOLARSHIP_FORM)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "福彩圆梦·孤儿助学" in page and "10,000.00" in page
    assert student.name in page and "符合: 孤儿, 大学在读" in page
    with app.app_context(), db.new_session() as s:
        programme = s.scalar(select(Programme))
        assert programme.amount_rule == {"type": "fixed", "amount_fen": 1_000_000}
        assert s.scalar(select(func.count()).select_from(ProgrammeEnrolment)) == 1


@pytest.mark.parametrize("changes, message", [
    ({"age_min": "12", "age_max": "6"}, "最低年龄高于最高年龄。"),
    ({"amount": "１００００"}, "请以元为单位填写金额"),  # full-width digits
    ({"amount": "10000.005"}, "请以元为单位填写金额"),
    ({"regions": "371311000000"}, "地区 371311000000 不在项目所属地区内。"),
    ({"amount_type": "share", "percent": "70", "cap": "20000"}, "按费用比例救助时，所需材料须包括医院票据。"),
])
def test_bad_programme_input_is_refused_in_chinese_and_creates_nothing(app, client, as_user, changes, message):
    as_user("county")
    response = post(client, "/programmes/new", dict(SCHOLARSHIP_FORM, **changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(func.count()).select_from(Programme)) == 0


@pytest.mark.parametrize("who, status", [
    ("county", 200), ("city", 200), ("county2", 404),
])
def test_a_programme_is_seen_by_its_own_county_and_the_city_above_only(client, as_user, make_programme, who, status):
    programme = make_programme(ALLOWANCE)
    as_user(who)
    assert client.get(f"/programmes/{programme.id}").status_code == status
    assert client.get(f"/programmes/{programme.id}/edit").status_code == status
    listed = client.get("/programmes/").get_data(as_text=True)
    assert (ALLOWANCE["name_zh"] in listed) == (status == 200)


@pytest.mark.parametrize("who", ["town", "village", "org", "volunteer", "donor", "admin"])
def test_wrong_roles_get_no_programme_page(client, as_user, make_programme, who):
    programme = make_programme(ALLOWANCE)
    as_user(who)
    for path in ("/programmes/", "/programmes/new", f"/programmes/{programme.id}"):
        assert client.get(path).status_code == 403
    assert post(client, f"/programmes/{programme.id}/add", {"child_id": "1", "reason": "x"}).status_code == 403


def test_the_public_is_sent_to_sign_in(client, make_programme):
    programme = make_programme(ALLOWANCE)
    response = client.get(f"/programmes/{programme.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_childs_file_shows_its_programmes_with_the_explanation(client, as_user, make_child, make_programme):
    make_programme(ALLOWANCE)
    make_programme()  # the scholarship: not for a 10-year-old at primary school
    child = make_child(categories=["orphan"], school_stage="primary", birth_date=born(10))
    as_user("village")
    page = client.get(f"/children/{child.id}").get_data(as_text=True)
    assert "待办：收集材料" in page and "符合: 孤儿" in page and "1,800.00" in page
    assert "不符合: 学段为小学, 不是大学或高职（大专）" in page


@pytest.mark.parametrize("who", ["county2", "donor", "volunteer", "org", "admin"])
def test_the_childs_programmes_are_not_shown_outside_the_file(client, as_user, make_child, make_programme, who):
    make_programme(ALLOWANCE)
    child = make_child(categories=["orphan"], birth_date=born(10))
    as_user(who)
    response = client.get(f"/children/{child.id}")
    assert response.status_code in (403, 404)
    assert "孤儿和事实无人抚养儿童基本生活费" not in response.get_data(as_text=True)


def test_manual_add_and_remove_through_the_pages(app, client, as_user, make_child, make_programme):
    programme = make_programme(ALLOWANCE)
    child = make_child(categories=["left_behind"], birth_date=born(10))
    as_user("county")
    refused = post(client, f"/programmes/{programme.id}/add", {"child_id": str(child.id), "reason": ""},
                   follow_redirects=True)
    assert "此项为必填项。" in refused.get_data(as_text=True)
    post(client, f"/programmes/{programme.id}/add", {"child_id": str(child.id), "reason": "监护人重病，特殊情况"})
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert child.name in page and "监护人重病，特殊情况" in page
    with app.app_context(), db.new_session() as s:
        row = s.scalar(select(ProgrammeEnrolment))
    post(client, f"/programmes/{programme.id}/enrolments/{row.id}/remove", {"reason": "家庭情况好转"})
    with app.app_context(), db.new_session() as s:
        assert s.get(ProgrammeEnrolment, row.id).state == EnrolmentState.removed
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "programme_enrolment")))
    assert actions == {"programme.add_child", "programme.remove_child"}


def test_another_countys_staff_cannot_act_on_the_list(app, client, as_user, make_child, make_programme):
    programme = make_programme(ALLOWANCE)
    child = make_child(categories=["orphan"], birth_date=born(10))
    with app.app_context(), db.new_session() as s:
        row = s.scalar(select(ProgrammeEnrolment))
    as_user("county2")
    assert post(client, f"/programmes/{programme.id}/enrolments/{row.id}/remove", {"reason": "越权"}).status_code == 404
    assert post(client, f"/programmes/{programme.id}/add", {"child_id": str(child.id), "reason": "越权"}).status_code == 404
    with app.app_context(), db.new_session() as s:
        assert s.get(ProgrammeEnrolment, row.id).state == EnrolmentState.eligible


def test_an_id_from_another_county_cannot_be_added_to_our_programme(app, client, as_user, make_child, make_programme):
    programme = make_programme(ALLOWANCE)
    theirs = make_child("county2", region_code="371311001001", categories=["orphan"], birth_date=born(10))
    as_user("city")  # the city sees both counties' children, but the programme is the county's
    response = post(client, f"/programmes/{programme.id}/add", {"child_id": str(theirs.id), "reason": "试试"},
                    follow_redirects=True)
    assert "该档案不存在或不在项目所属地区内。" in response.get_data(as_text=True)
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(func.count()).select_from(ProgrammeEnrolment)) == 0


@pytest.mark.parametrize("template", ["ALLOWANCE", "MEDICAL", "INSURANCE"])
def test_saving_the_edit_page_unchanged_keeps_the_programme_as_it_was(app, client, as_user, make_programme, template):
    from tests.conftest import form_on

    shapes = {
        "ALLOWANCE": ALLOWANCE,
        "MEDICAL": dict(ALLOWANCE, name_zh="护佑健康", kind="medical_aid", period_type="one_off", fund_code="medical_aid",
                        amount_rule={"type": "share", "percent": 70, "cap_fen": 2_000_050},
                        required_documents=["hospital_invoices", "identity_document"]),
        "INSURANCE": dict(ALLOWANCE, name_zh="明天计划", kind="insurance_premium", fund_code="own",
                          amount_rule={"type": "fixed", "amount_fen": 38_050}),
    }
    programme = make_programme(shapes[template])
    with app.app_context(), db.new_session() as s:
        before = s.get(Programme, programme.id).model_dump(exclude={"updated_at"})
    as_user("county")
    page = client.get(f"/programmes/{programme.id}/edit").get_data(as_text=True)
    response = client.post(f"/programmes/{programme.id}/edit", data=form_on(page))  # its CSRF token included
    assert response.status_code == 302
    with app.app_context(), db.new_session() as s:
        assert s.get(Programme, programme.id).model_dump(exclude={"updated_at"}) == before


def test_each_list_of_a_programme_opens_and_htmx_gets_the_rows_only(app, client, as_user, make_child, make_programme):
    programme = make_programme(ALLOWANCE)
    child = make_child(categories=["orphan"], birth_date=born(10))
    as_user("county")
    for state in ("eligible", "enrolled", "removed", "lapsed", "nonsense"):
        assert client.get(f"/programmes/{programme.id}?state={state}").status_code == 200
    fragment = client.get(f"/programmes/{programme.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert child.name in fragment and "<html" not in fragment
