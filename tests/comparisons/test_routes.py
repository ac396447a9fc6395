"""The comparison pages, once through the test client: upload, see the groups, confirm."""

import io

from sqlalchemy import select

from portal import db
from portal.children.models import Child
from portal.comparisons.models import ComparisonRow
from tests.comparisons.conftest import csv_of
from tests.conftest import login, post


def test_county_uploads_a_list_sees_the_groups_and_confirms_a_change(app, client, users, partner, make_child):
    child = make_child(name="张小明")
    data = csv_of([{"name": "张小明", "id_number": child.id_number, "birth_date": child.birth_date.isoformat(),
                    "address": "义堂镇屠苏村8号"},
                   {"name": "孙可馨", "birth_date": "2017-02-14", "address": "义堂镇颐顺园村3号"},
                   {"name": "赵子涵", "birth_date": "2013-09-09", "address": "河南省南阳市宛城区东关村2号"}], "gb18030")
    login(client, "county")
    index = client.get("/comparisons/").get_data(as_text=True)
    assert "大数据比对" in index and "区民政局低保科" in index
    response = post(client, "/comparisons/", {"partner_id": str(partner.id), "region_code": "371302000000",
                                             "file": (io.BytesIO(data), "低保名单.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已匹配，有变化" in page and "张小明" in page and "低保" in page
    new = client.get(f"{response.headers['Location']}?outcome=new").get_data(as_text=True)
    assert "孙可馨" in new and "未建档：待颐顺园村村民委员会上门核实" in new
    unmatched = client.get(f"{response.headers['Location']}?outcome=unmatched").get_data(as_text=True)
    assert "赵子涵" in unmatched and "居住在名单地区以外" in unmatched
    with app.app_context():
        s = db.new_session()
        row = s.scalar(select(ComparisonRow).where(ComparisonRow.line == 2))
        s.close()
    post(client, f"/comparisons/rows/{row.id}/confirm")
    with app.app_context():
        s = db.new_session()
        assert "low_income" in s.get(Child, child.id).categories
        s.close()


def test_bad_file_is_refused_on_the_page_in_chinese(app, client, users, partner):
    login(client, "county")
    response = post(client, "/comparisons/", {"partner_id": str(partner.id), "region_code": "371302000000",
                                             "file": (io.BytesIO(b""), "名单.csv")}, content_type="multipart/form-data")
    assert response.status_code == 400 and "文件" in response.get_data(as_text=True)


def test_other_county_and_wrong_roles_are_refused(app, client, users, partner):
    login(client, "county")
    post(client, "/comparisons/", {"partner_id": str(partner.id), "region_code": "371302000000",
                                   "file": (io.BytesIO(csv_of([{"name": "李四", "birth_date": "2015-01-01"}])), "a.csv")},
         content_type="multipart/form-data")
    other = app.test_client()
    login(other, "county2")
    assert other.get("/comparisons/1").status_code == 404
    director = app.test_client()
    login(director, "village")
    assert director.get("/comparisons/").status_code == 403
    assert director.get("/comparisons/1").status_code == 403


def test_seeing_rows_matched_to_files_is_written_as_a_read_of_each_file(app, client, users, compare, make_child):
    # An auditor asking "who has seen this child's entry" finds the comparison page too.
    from portal.audit.models import AuditEntry

    shown, other = make_child(name="张小明"), make_child(name="李小红", categories=["low_income"])
    comparison_id = compare([{"name": "张小明", "id_number": shown.id_number, "birth_date": shown.birth_date.isoformat()},
                             {"name": "李小红", "id_number": other.id_number, "birth_date": other.birth_date.isoformat()}])
    login(client, "county")
    assert "张小明" in client.get(f"/comparisons/{comparison_id}?outcome=changed").get_data(as_text=True)

    def reads(child_id):
        with app.app_context():
            s = db.new_session()
            try:
                return s.scalars(select(AuditEntry.actor_name).where(
                    AuditEntry.action == "read", AuditEntry.object_type == "child",
                    AuditEntry.object_id == str(child_id))).all()
            finally:
                s.close()

    assert reads(shown.id) == ["county"]
    assert reads(other.id) == []  # on the other tab, not shown yet
    client.get(f"/comparisons/{comparison_id}?outcome=unchanged")
    assert reads(other.id) == ["county"]


def test_a_refused_mapping_keeps_what_was_typed_and_saves_nothing(app, client, users):
    from portal.comparisons.models import PartnerColumns

    login(client, "county")
    typed = {"partner": "区残联", "region_code": "371302000000", "meaning": "severe_disability",
             "column_name": "残疾人姓名", "column_birth_date": "残疾人姓名", "column_address": "居住地址"}
    response = post(client, "/comparisons/partners", typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "每一列只能对应一项" in page
    assert 'value="区残联"' in page and 'value="居住地址"' in page
    assert 'value="severe_disability" selected' in page
    with app.app_context():
        s = db.new_session()
        assert s.scalar(select(PartnerColumns.id)) is None
        s.close()


def test_a_refused_list_keeps_the_partner_and_region_chosen(app, client, users, partner):
    login(client, "county")
    response = post(client, "/comparisons/", {"partner_id": str(partner.id), "region_code": "371302105000",
                                             "file": (io.BytesIO(b""), "names.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'name="region_code" value="371302105000"' in page
    assert f'<option value="{partner.id}" selected>' in page


def test_a_row_id_of_another_countys_list_answers_like_one_that_does_not_exist(app, client, users, compare,
                                                                               make_child):
    # 罗庄区 staff try the row ids of 兰山区's list: the answer must not say the row exists, nor
    # which comparison holds it or which group (new, changed) its child landed in.
    compare([{"name": "孙可馨", "birth_date": "2017-02-14", "address": "义堂镇颐顺园村3号"}])
    with app.app_context():
        s = db.new_session()
        row_id = s.scalar(select(ComparisonRow.id))
        s.close()
    login(client, "county2")
    for action in ("confirm", "dismiss"):
        existing = post(client, f"/comparisons/rows/{row_id}/{action}", {"reason": "不是"})
        missing = post(client, f"/comparisons/rows/{row_id + 1000}/{action}", {"reason": "不是"})
        assert (existing.status_code, existing.headers.get("Location")) == (
            missing.status_code, missing.headers.get("Location")), action
    with app.app_context():
        s = db.new_session()
        assert s.get(ComparisonRow, row_id).state == "open"
        s.close()
