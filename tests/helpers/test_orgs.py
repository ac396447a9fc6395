"""Organizations apply, are vetted by the right civil-affairs staff, invite members, and stop
acting when suspended."""

import re

import pytest
from sqlalchemy import func, select

from portal import db
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.helpers import orgs, rules
from portal.helpers.models import Organization, OrganizationInvite, OrganizationMember, OrgStatus, VettingEvent
from portal.notifications.models import Notification
from tests.conftest import form_on, login, post
from tests.helpers.conftest import credit_code

PASSWORD = "a-long-secret-phrase"


def apply_form(**values):
    form = {"name": "兰山区阳光社工服务中心", "credit_code": credit_code(), "legal_representative": "李明",
            "contact_name": "王芳", "contact_phone": "0539-8123456", "areas-0": "371302000000",
            "categories": ["psychological", "education"], "skills": ["counselling"],
            "username": "yangguang", "display_name": "王芳", "password": PASSWORD, "confirm": PASSWORD,
            "phone": "13905391111"}
    form.update(values)
    return form


def org_row(app, org_id=None, **where):
    with app.app_context(), db.new_session() as s:
        stmt = select(Organization)
        stmt = stmt.where(Organization.id == org_id) if org_id else stmt
        return s.scalar(stmt)


def notices(app, username, kind):
    with app.app_context(), db.new_session() as s:
        return s.scalar(select(func.count()).select_from(Notification).join(User, User.id == Notification.user_id)
                        .where(User.username == username, Notification.kind == kind))


def test_an_organization_applies_and_the_county_is_told(app, client, users):
    response = post(client, "/orgs/apply", apply_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    org = org_row(app)
    assert org.status == OrgStatus.applied and org.contact_phone == "0539-8123456"
    # The county over the service area vets it (the city could too, but the lowest level is told).
    assert notices(app, "county", "org_applied") == 1 and notices(app, "city", "org_applied") == 0
    assert notices(app, "county2", "org_applied") == 0
    page = client.get("/me/organization").get_data(as_text=True)
    assert "兰山区阳光社工服务中心" in page and "等待审核" in page


@pytest.mark.parametrize("code", ["52371302MA3C7Q2K00", "5237130MA3C7Q2K", "52371302MA3C7Q2KIO"])
def test_bad_credit_codes_are_refused_with_the_form_kept(app, client, users, code):
    response = post(client, "/orgs/apply", apply_form(credit_code=code))
    assert response.status_code == 400
    assert 'value="兰山区阳光社工服务中心"' in response.get_data(as_text=True)
    assert org_row(app) is None


def test_a_credit_code_registers_once(app, client, users, make_org):
    make_org()
    code = org_row(app).credit_code
    response = post(client, "/orgs/apply", apply_form(credit_code=code.lower()))
    assert response.status_code == 400 and "已登记" in response.get_data(as_text=True)


def test_vetting_outside_the_service_area_is_refused(app, client, signed_in, make_org):
    org_id, _admin = make_org()
    client = signed_in("county2")
    assert client.get(f"/orgs/{org_id}").status_code == 403
    response = post(client, f"/orgs/{org_id}/vet", {"action": "approve", "reason": "ok"})
    assert response.status_code == 403
    assert org_row(app, org_id).status == OrgStatus.applied


def test_a_village_director_and_a_volunteer_cannot_vet(app, client, signed_in, make_org):
    org_id, _admin = make_org()
    for key in ("village", "volunteer"):
        client = signed_in(key)
        assert post(client, f"/orgs/{org_id}/vet", {"action": "approve", "reason": "ok"}).status_code == 403
    assert org_row(app, org_id).status == OrgStatus.applied


def test_the_county_approves_with_a_reason_and_the_organization_hears(app, client, signed_in, make_org):
    org_id, admin = make_org()
    client = signed_in("county")
    assert post(client, f"/orgs/{org_id}/vet", {"action": "approve", "reason": ""}).status_code == 400
    assert org_row(app, org_id).status == OrgStatus.applied
    response = post(client, f"/orgs/{org_id}/vet", {"action": "approve", "reason": "登记证书核验无误"})
    assert response.status_code == 302
    assert org_row(app, org_id).status == OrgStatus.approved
    assert notices(app, admin, "org_vetted") == 1
    with app.app_context(), db.new_session() as s:
        actions = list(s.scalars(select(VettingEvent.action).where(VettingEvent.organization_id == org_id)
                                 .order_by(VettingEvent.id)))
        audited = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "org.approve"))
    assert actions == ["apply", "approve"] and audited == 1


def test_an_organization_across_two_counties_is_vetted_by_the_city(app, client, signed_in, make_org):
    org_id, _admin = make_org(areas=("371302000000", "371311001000"))
    assert notices(app, "city", "org_applied") == 1 and notices(app, "county", "org_applied") == 0
    client = signed_in("county")
    assert client.get(f"/orgs/{org_id}").status_code == 200  # it serves Lanshan: the county sees it
    assert post(client, f"/orgs/{org_id}/vet", {"action": "approve", "reason": "ok"}).status_code == 403
    client = signed_in("city")
    assert post(client, f"/orgs/{org_id}/vet", {"action": "approve", "reason": "材料齐全"}).status_code == 302
    assert org_row(app, org_id).status == OrgStatus.approved


def test_more_information_then_resubmission(app, client, signed_in, make_org):
    org_id, admin = make_org()
    client = signed_in("county")
    post(client, f"/orgs/{org_id}/vet", {"action": "request_info", "reason": "请补充章程"})
    assert org_row(app, org_id).status == OrgStatus.more_info
    member = app.test_client()
    login(member, admin, PASSWORD)
    form = apply_form(description="章程已补充")
    response = post(member, "/me/organization/edit", form)
    assert response.status_code == 302
    org = org_row(app, org_id)
    assert org.status == OrgStatus.applied and org.description == "章程已补充"


def test_invited_member_joins_and_signs_in(app, client, make_org):
    org_id, admin = make_org(status="approved")
    login(client, admin, PASSWORD)
    response = post(client, "/me/organization/invite", {"email": "new@example.org"}, follow_redirects=True)
    link = re.search(r"https://portal\.test(/invite/[\w-]+)", response.get_data(as_text=True)).group(1)
    newcomer = app.test_client()
    assert newcomer.get(link).status_code == 200
    joined = post(newcomer, link, {"username": "member1", "display_name": "新成员", "password": PASSWORD,
                                   "confirm": PASSWORD, "phone": "13905392222"})
    assert joined.status_code == 302
    assert login(app.test_client(), "member1", PASSWORD).status_code == 302
    with app.app_context(), db.new_session() as s:
        user = s.scalar(select(User).where(User.username == "member1"))
        assert s.get(OrganizationMember, (org_id, user.id)) is not None
        assert rules.acting_problem(s, user) is None
    assert notices(app, admin, "org_member_joined") == 1
    # The link works once.
    again = app.test_client()
    assert again.get(link).status_code == 302


def test_a_volunteer_joins_with_their_account(app, client, users, signed_in, make_org):
    org_id, admin = make_org(status="approved")
    with app.app_context(), db.write_session() as s:
        view = orgs.load(s, org_id)
        member = s.scalar(select(OrganizationMember).where(OrganizationMember.organization_id == org_id))
        token = orgs.invite(s, s.get(User, member.user_id), view, member)
    client = signed_in("volunteer")
    assert post(client, f"/invite/{token}").status_code == 302
    with app.app_context(), db.new_session() as s:
        assert s.get(OrganizationMember, (org_id, users["volunteer"].id)) is not None


def test_a_suspended_organization_cannot_act(app, client, make_org):
    org_id, admin = make_org(status="suspended")
    assert org_row(app, org_id).status == OrgStatus.suspended
    login(client, admin, PASSWORD)
    post(client, "/me/organization/invite", {"email": ""})
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(func.count()).select_from(OrganizationInvite)) == 0
        user = s.scalar(select(User).where(User.username == admin))
        assert rules.acting_problem(s, user) is not None
    assert notices(app, admin, "org_vetted") == 2


def test_an_invitation_of_a_suspended_organization_no_longer_works(app, client, users, make_org):
    org_id, admin = make_org(status="approved")
    with app.app_context(), db.write_session() as s:
        view = orgs.load(s, org_id)
        member = s.scalar(select(OrganizationMember).where(OrganizationMember.organization_id == org_id))
        token = orgs.invite(s, s.get(User, member.user_id), view, member)
        orgs.vet(s, s.get(User, users["county"].id), view, "suspend", "投诉核查中")
    newcomer = app.test_client()
    assert newcomer.get(f"/invite/{token}").status_code == 302
    response = post(newcomer, f"/invite/{token}", {"username": "member2", "display_name": "x", "password": PASSWORD,
                                                  "confirm": PASSWORD, "phone": "13905393333"})
    assert response.status_code == 302
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(User).where(User.username == "member2")) is None


def test_an_applied_organization_cannot_invite_yet(app, make_org):
    org_id, admin = make_org()
    with app.app_context(), db.write_session() as s:
        view = orgs.load(s, org_id)
        member = s.scalar(select(OrganizationMember).where(OrganizationMember.organization_id == org_id))
        with pytest.raises(Exception) as refused:
            orgs.invite(s, s.get(User, member.user_id), view, member)
        assert refused.value.status == 403


def test_staff_list_shows_organizations_serving_their_region(app, client, signed_in, make_org):
    make_org()
    make_org(areas=("371311000000",))
    client = signed_in("county")
    page = client.get("/orgs/").get_data(as_text=True)
    assert "测试社工1" in page and "测试社工2" not in page
    client = signed_in("county2")
    page = client.get("/orgs/").get_data(as_text=True)
    assert "测试社工2" in page and "测试社工1" not in page


def _member(app, org_id):
    with app.app_context(), db.new_session() as s:
        return s.scalar(select(OrganizationMember).where(OrganizationMember.organization_id == org_id))


def test_a_suspended_organization_cannot_move_to_another_county(app, client, make_org):
    org_id, admin = make_org(status="suspended")
    login(client, admin, PASSWORD)
    response = post(client, "/me/organization/edit", apply_form(**{"areas-0": "371311000000"}))
    assert response.status_code == 403
    with app.app_context(), db.new_session() as s:
        assert orgs.load(s, org_id).region_codes == ["371302000000"]


def test_a_new_name_of_an_approved_organization_is_vetted_again(app, client, make_org):
    org_id, admin = make_org(status="approved")
    login(client, admin, PASSWORD)
    assert post(client, "/me/organization/edit", apply_form(name="临沂市民政局直属服务中心")).status_code == 302
    org = org_row(app, org_id)
    assert org.name == "临沂市民政局直属服务中心" and org.status == OrgStatus.applied
    assert rules.acting_problem  # the organization cannot act until vetted again
    with app.app_context(), db.new_session() as s:
        member = s.scalar(select(User).where(User.username == admin))
        assert rules.acting_problem(s, member) is not None


def test_only_administrators_edit_the_organization(app, client, make_org):
    org_id, admin = make_org(status="approved")
    with app.app_context(), db.write_session() as s:
        view, member = orgs.load(s, org_id), s.scalar(select(OrganizationMember))
        token = orgs.invite(s, s.get(User, member.user_id), view, member)
    newcomer = app.test_client()
    post(newcomer, f"/invite/{token}", {"username": "plain", "display_name": "普通成员", "password": PASSWORD,
                                        "confirm": PASSWORD, "phone": "13905394444"})
    assert newcomer.get("/me/organization/edit").status_code == 403
    assert post(newcomer, "/me/organization/edit", apply_form(name="改名")).status_code == 403
    assert post(newcomer, "/me/organization/invite", {"email": ""}).status_code == 403
    assert org_row(app, org_id).name != "改名"


def test_a_donor_cannot_join_an_organization_by_link(app, users, signed_in, make_org):
    org_id, _admin = make_org(status="approved")
    with app.app_context(), db.write_session() as s:
        view, member = orgs.load(s, org_id), s.scalar(select(OrganizationMember))
        token = orgs.invite(s, s.get(User, member.user_id), view, member)
    donor = signed_in("donor")
    assert post(donor, f"/invite/{token}").status_code == 403


def test_the_unchanged_edit_form_of_an_approved_organization_saves(app, client, make_org):
    org_id, admin = make_org(status="approved")
    login(client, admin, PASSWORD)
    before = org_row(app, org_id)
    form = form_on(client.get("/me/organization/edit").get_data(as_text=True))
    response = client.post("/me/organization/edit", data=form, follow_redirects=True)
    assert response.status_code == 200 and "已保存" in response.get_data(as_text=True)
    after = org_row(app, org_id)
    assert after.status == OrgStatus.approved  # nothing the vetting looked at changed
    assert (after.name, after.credit_code, after.contact_phone, after.categories) == (
        before.name, before.credit_code, before.contact_phone, before.categories)
    with app.app_context(), db.new_session() as s:
        assert orgs.load(s, org_id).region_codes == ["371302000000"]


def test_the_credit_code_is_not_changed_by_editing(app, client, make_org):
    org_id, admin = make_org(status="approved")
    login(client, admin, PASSWORD)
    code = org_row(app, org_id).credit_code
    page = client.get("/me/organization/edit").get_data(as_text=True)
    assert code in page and "统一社会信用代码不能在此修改" in page
    form = form_on(page)
    assert "credit_code" not in form  # shown, not editable: a new code goes through vetting
    form["credit_code"] = credit_code("MA9X8Y7K")  # a forged field is ignored
    assert client.post("/me/organization/edit", data=form).status_code == 302
    assert org_row(app, org_id).credit_code == code


@pytest.mark.parametrize("field, value, message", [
    ("contact_phone", "", "此项为必填项。"),
    ("contact_phone", "电话号码", "请输入电话号码。"),
    ("areas-0", "371399999999", "区划 371399999999 不存在。"),
])
def test_a_bad_edit_says_why_and_keeps_what_was_typed(app, client, make_org, field, value, message):
    org_id, admin = make_org(status="approved")
    login(client, admin, PASSWORD)
    form = form_on(client.get("/me/organization/edit").get_data(as_text=True))
    form["description"] = "新的机构简介"
    form[field] = value
    response = client.post("/me/organization/edit", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and "新的机构简介" in page
    assert org_row(app, org_id).description == ""
