"""What a staff user learns about children outside their region while registering: a ledger row
that looks like a file elsewhere is reported without any of that file's data (the staff over both
villages are told instead), and an identity number on file elsewhere is answered only a few times a
day, every answer and refusal in the audit log."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import func, select

from portal import create_app, crypto, db
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit.models import AuditEntry
from portal.children import idnumber, probes, rules
from portal.children.models import Child
from portal.notifications.models import Notification
from portal.notifications.rules import text_of
from portal.types import utcnow
from tests.conftest import csrf_token, login, make_config, post

BORN = date(2015, 4, 4)
OWN_VILLAGE = "371302105260"  # 颐顺园村, where demo-village2 works
SAME_TOWN = "371302105259"  # 屠苏村, another village of 义堂镇
OTHER_TOWN = "371302101201"  # 白沙埠村, in 白沙埠镇 of the same district
OTHER_COUNTY = "371311001001"  # 罗庄社区, in the neighbouring district
OWNER = {SAME_TOWN: "village", OTHER_TOWN: "county", OTHER_COUNTY: "county2"}
ELSEWHERE = "该身份证号的档案已存在，但不在您的辖区"
LIMIT = "您今天查询辖区外身份证号的次数已达上限"
SIMILAR_ELSEWHERE = "辖区外存在相似档案，已通知您的上级"


def _csv(*rows) -> bytes:
    lines = ["姓名,性别,出生日期,身份证号,所在村（社区）代码,儿童类别"]
    lines += [",".join(str(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _upload(client, data: bytes) -> str:
    token = csrf_token(client, "/children/import")
    response = client.post("/children/import", data={"csrf_token": token, "file": (io.BytesIO(data), "台账.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _row(name: str, gender: str = "女", born: date = BORN, number: str = "") -> tuple:
    return (name, gender, born.isoformat(), number, OWN_VILLAGE, "留守儿童")


def _children(app) -> int:
    with app.app_context(), db.new_session() as s:
        return s.scalar(select(func.count()).select_from(Child))


def _notices(app, user) -> list[Notification]:
    with app.app_context(), db.new_session() as s:
        return list(s.scalars(select(Notification).where(Notification.user_id == user.id,
                                                         Notification.kind == "similar_elsewhere")))


def _key(app, number: str) -> str:
    with app.app_context():
        return crypto.blind_index(number)


def _probes(app) -> list[AuditEntry]:
    with app.app_context(), db.new_session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == probes.ACTION).order_by(AuditEntry.id)))


@pytest.fixture
def town2(app, users, password_hash):
    """The child supervisor of 白沙埠镇, the district's other town."""
    with app.app_context(), db.write_session() as s:
        user = User(username="town2", display_name="Test town2", password_hash=password_hash,
                    role=Role.child_supervisor, region_code="371302101000", email="town2@example.org")
        s.add(user)
    return user


def _number(place: str, sequence: int, born: date = date(2014, 10, 13)) -> str:
    return idnumber.make(place[:6], born, sequence)  # an odd sequence is a boy


# --- a ledger row like a file elsewhere ------------------------------------------------------------


@pytest.mark.parametrize("place", [SAME_TOWN, OTHER_TOWN, OTHER_COUNTY])
@pytest.mark.parametrize("written", ["郭语诺", "郭 语诺", "郭　语诺", "郭語諾", " 郭语诺 "])
def test_similar_child_elsewhere_shows_none_of_its_data(app, as_user, client, make_child, place, written):
    other = make_child(OWNER[place], name="郭语诺", gender="female", birth_date=BORN, region_code=place)
    as_user("village2")
    job_url = _upload(client, _csv(_row(written), _row("陈佳", "男", date(2014, 10, 13))))
    page = client.get(job_url).get_data(as_text=True)
    assert "≈" not in page
    for secret in (BORN.isoformat(), "20150404", "屠苏", "白沙埠", "罗庄", other.id_number, f"/children/{other.id}"):
        assert secret not in page
    if written.strip() != "郭语诺":
        assert "郭语诺" not in page
    assert post(client, job_url, {}).status_code == 302  # a similar file does not stop the import
    assert _children(app) == 3


@pytest.mark.parametrize("written", ["郭语诺", "郭 语诺"])
@pytest.mark.parametrize("place, told, not_told", [
    (SAME_TOWN, "town", ["county", "town2", "village", "village2"]),  # 义堂镇 holds both villages
    (OTHER_TOWN, "county", ["town", "town2", "village", "village2"]),  # only 兰山区 holds both
])
def test_the_lowest_supervisor_over_both_villages_is_told_which_row_and_which_file(
        app, as_user, client, users, town2, make_child, written, place, told, not_told):
    other = make_child(OWNER[place], name="郭语诺", gender="female", birth_date=BORN, region_code=place)
    as_user("village2")
    job_url = _upload(client, _csv(_row("陈佳", "男", date(2014, 10, 13)), _row(written)))
    page = client.get(job_url).get_data(as_text=True)
    assert SIMILAR_ELSEWHERE in page
    client.get(job_url)  # looking at the preview again tells nobody twice
    notices = _notices(app, users[told])
    assert len(notices) == 1 and notices[0].link == f"/children/{other.id}"
    with app.test_request_context():
        text = text_of(notices[0])
    assert "第 3 行" in text and written.strip() in text and f"第 {other.id} 号档案" in text
    for key in not_told:
        assert _notices(app, town2 if key == "town2" else users[key]) == []
    supervisor = app.test_client()
    login(supervisor, told)
    board = supervisor.get("/notifications/").get_data(as_text=True)
    assert f'href="/children/{other.id}"' in board and "颐顺园村" in board


def test_similar_file_inside_the_importers_region_is_named_as_before(app, as_user, client, users, make_child):
    make_child("village", name="郭语诺", gender="female", birth_date=BORN, region_code=SAME_TOWN)
    as_user("town")  # the supervisor of 义堂镇 may see 屠苏村's files
    page = client.get(_upload(client, _csv(_row("郭 语诺")))).get_data(as_text=True)
    assert "郭 语诺 ≈ 郭语诺" in page and SIMILAR_ELSEWHERE not in page
    assert all(_notices(app, user) == [] for user in users.values())


@pytest.mark.parametrize("role", ["org", "volunteer", "donor", "admin"])
def test_helpers_and_admin_cannot_reach_someone_elses_import_or_the_form(app, as_user, client, make_child, role):
    make_child("village", name="郭语诺", gender="female", birth_date=BORN, region_code=SAME_TOWN)
    staff = app.test_client()
    login(staff, "village2")
    job_url = _upload(staff, _csv(_row("郭语诺")))
    as_user(role)
    for response in (client.get(job_url), post(client, job_url, {}), client.get("/children/new"),
                     post(client, "/children/new", {"id_number": _number(SAME_TOWN, 1)})):
        assert response.status_code == 403
        assert "郭语诺" not in response.get_data(as_text=True)


# --- identity numbers on file elsewhere: the form --------------------------------------------------


def _values(number: str, **kw) -> rules.ChildValues:
    fields = dict(name="李雷", gender="male", birth_date=date(2014, 10, 13), region_code=OWN_VILLAGE,
                  id_number=number, categories=["left_behind"])
    fields.update(kw)
    return rules.ChildValues(**fields)


def _form(number: str) -> dict:
    return {"name": "李雷", "gender": "male", "birth_date": "2014-10-13", "id_number": number,
            "region_code": OWN_VILLAGE, "categories": ["left_behind"]}


def _on_file(make_child, place: str, sequence: int, name: str = "韩梅") -> Child:
    return make_child(OWNER[place], name=name, gender="male", birth_date=date(2014, 10, 13), region_code=place,
                      id_number=_number(place, sequence))


def test_numbers_elsewhere_are_answered_up_to_the_limit_then_refused_alike(app, session, users, make_child):
    app.config["ID_PROBE_LIMIT"] = 2
    a, b, c = (_on_file(make_child, place, 2 * i + 1) for i, place in enumerate((SAME_TOWN, OTHER_TOWN, OTHER_COUNTY)))
    unknown = _number(OWN_VILLAGE, 99)  # on file nowhere
    village2 = session.get(User, users["village2"].id)
    answers = []
    for number in (a.id_number, b.id_number, c.id_number, unknown, a.id_number):
        with pytest.raises(probes.IdNumberElsewhere) as refused:
            rules.register_child(session, village2, _values(number))
        answers.append((refused.value.answer, str(refused.value.message)))
    told = (probes.Answer.elsewhere, str(probes.ELSEWHERE_MESSAGE))
    limited = (probes.Answer.limit, str(probes.LIMIT_MESSAGE))
    # The third number on file and one on file nowhere get the same refusal; the first, asked
    # again, is answered as before (that tells nothing new).
    assert answers == [told, told, limited, limited, told]
    session.commit()
    entries = _probes(app)
    assert [(e.object_id, e.detail["told"]) for e in entries] == [
        (crypto.blind_index(a.id_number), True), (crypto.blind_index(b.id_number), True),
        (crypto.blind_index(c.id_number), False), (crypto.blind_index(unknown), False)]
    for entry in entries:
        assert entry.actor_id == village2.id and entry.region_code == OWN_VILLAGE and entry.detail["via"] == "form"
        assert all(n not in str(entry.detail) + entry.object_id for n in (a.id_number, c.id_number, unknown))


def test_the_limit_counts_the_last_24_hours(app, session, users, make_child):
    app.config["ID_PROBE_LIMIT"] = 1
    a, b = _on_file(make_child, SAME_TOWN, 1), _on_file(make_child, OTHER_TOWN, 3)
    village2 = session.get(User, users["village2"].id)
    for number, answer in ((a.id_number, probes.Answer.elsewhere), (b.id_number, probes.Answer.limit)):
        with pytest.raises(probes.IdNumberElsewhere) as refused:
            rules.register_child(session, village2, _values(number))
        assert refused.value.answer == answer
    session.execute(update(AuditEntry).where(AuditEntry.action == probes.ACTION)
                    .values(at=utcnow() - timedelta(hours=25)))  # the answers were given yesterday
    with pytest.raises(probes.IdNumberElsewhere) as refused:
        rules.register_child(session, village2, _values(b.id_number))
    assert refused.value.answer == probes.Answer.elsewhere


def test_a_number_inside_the_region_still_names_the_file_and_is_no_probe(app, session, users, make_child):
    existing = _on_file(make_child, SAME_TOWN, 1)
    town = session.get(User, users["town"].id)  # 义堂镇 holds 屠苏村
    with pytest.raises(rules.DuplicateIdNumber) as refused:
        rules.register_child(session, town, _values(existing.id_number, region_code=SAME_TOWN))
    assert refused.value.child_id == existing.id
    session.commit()
    assert _probes(app) == []


@pytest.mark.parametrize("place", [SAME_TOWN, OTHER_TOWN, OTHER_COUNTY])
def test_form_refuses_a_number_elsewhere_without_its_file_and_audits_who_and_from_where(
        app, as_user, client, make_child, place):
    other = _on_file(make_child, place, 1)
    as_user("village2")
    response = post(client, "/children/new", _form(other.id_number), environ_base={"REMOTE_ADDR": "10.1.2.3"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and ELSEWHERE in page
    assert "韩梅" not in page and f"/children/{other.id}" not in page
    assert _children(app) == 1
    (entry,) = _probes(app)
    assert entry.actor_name == "village2" and entry.address == "10.1.2.3"
    assert entry.object_id == _key(app, other.id_number) and entry.detail["via"] == "form"


def test_another_app_server_does_not_reset_the_count(app, as_user, client, make_child, database_url):
    app.config["ID_PROBE_LIMIT"] = 1
    a, b = _on_file(make_child, SAME_TOWN, 1), _on_file(make_child, OTHER_COUNTY, 3)
    as_user("village2")
    assert ELSEWHERE in post(client, "/children/new", _form(a.id_number)).get_data(as_text=True)
    second = create_app(make_config(database_url, ID_PROBE_LIMIT=1))  # a second server, the same database
    try:
        other_client = second.test_client()
        login(other_client, "village2")
        for number in (b.id_number, _number(OWN_VILLAGE, 99)):  # on file elsewhere, and on file nowhere
            page = post(other_client, "/children/new", _form(number)).get_data(as_text=True)
            assert LIMIT in page and ELSEWHERE not in page and "韩梅" not in page
    finally:
        second.extensions["db_engine"].dispose()
    assert _children(app) == 2


def test_editing_a_file_to_a_number_elsewhere_is_refused_and_audited(app, as_user, client, make_child):
    other = _on_file(make_child, OTHER_TOWN, 1)
    own = make_child("village2", name="李雷", gender="male", birth_date=date(2014, 10, 13), region_code=OWN_VILLAGE,
                     id_number=_number(OWN_VILLAGE, 5))
    as_user("village2")
    page = post(client, f"/children/{own.id}/edit", _form(other.id_number)).get_data(as_text=True)
    assert ELSEWHERE in page and "韩梅" not in page
    with app.app_context(), db.new_session() as s:
        assert s.get(Child, own.id).id_number == _number(OWN_VILLAGE, 5)
    assert [e.object_id for e in _probes(app)] == [_key(app, other.id_number)]


# --- identity numbers on file elsewhere: a ledger --------------------------------------------------


def test_ledger_numbers_elsewhere_are_limited_audited_and_import_nothing(app, as_user, client, make_child):
    app.config["ID_PROBE_LIMIT"] = 2
    on_file = [_on_file(make_child, place, 2 * i + 1) for i, place in enumerate((SAME_TOWN, OTHER_TOWN, OTHER_COUNTY))]
    before = _children(app)
    rows = [_row(f"本村儿童{i}", "男", date(2014, 10, 13), child.id_number) for i, child in enumerate(on_file)]
    rows.append(_row("本村儿童3", "男", date(2014, 10, 13), _number(OWN_VILLAGE, 99)))
    as_user("village2")
    job_url = _upload(client, _csv(*rows))
    page = client.get(job_url).get_data(as_text=True)
    assert page.count(ELSEWHERE) == 2 and page.count(LIMIT) == 2
    for i in range(4):  # the importer's own rows stay in the preview
        assert f"本村儿童{i}" in page
    for child in on_file:
        assert child.id_number not in page and f"/children/{child.id}" not in page
    assert "韩梅" not in page and "屠苏" not in page and "罗庄" not in page
    assert [e.detail["told"] for e in _probes(app)] == [True, True, False, False]
    assert all(e.detail["via"] == "import" for e in _probes(app))
    client.get(job_url)  # looking again asks nothing new
    assert len(_probes(app)) == 4
    assert post(client, job_url, {}).status_code == 400
    assert _children(app) == before


def test_a_closed_file_of_ones_own_village_is_named_as_closed_not_as_elsewhere(app, as_user, client, make_child):
    own = make_child("village2", name="李雷", gender="male", birth_date=date(2014, 10, 13), region_code=OWN_VILLAGE,
                     id_number=_number(OWN_VILLAGE, 5))
    with app.app_context(), db.write_session() as s:
        s.execute(update(Child).where(Child.id == own.id).values(status="closed"))
    as_user("village2")
    page = client.get(_upload(client, _csv(_row("李雷", "男", date(2014, 10, 13), own.id_number)))).get_data(as_text=True)
    assert "该身份证号的档案在您的辖区内，但已关闭" in page and ELSEWHERE not in page
    assert _probes(app) == []
