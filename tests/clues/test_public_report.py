"""The public report form and status page: no account, throttled, a honeypot, a tracking code that
cannot be guessed, a status and nothing more, and no hint whether a child is already known."""

import re

from sqlalchemy import func, select

from portal import db
from portal.clues import rules
from portal.clues.models import Clue
from tests.clues.conftest import TOWN, user
from tests.conftest import csrf_token, form_on

CODE_RE = re.compile(r'id="tracking-code">([0-9A-Z-]+)<')


def _report_form(client, **changes):
    page = client.get("/clues/report").get_data(as_text=True)
    data = form_on(page, "/clues/report")
    for key, value in {"region": "兰山区 义堂镇", "place": "义堂镇集市东口", "text": "一个小男孩连续几天夜里在集市睡觉",
                       "urgent": "1", **changes}.items():
        data[key] = value
    return data


def _clue_count(app) -> int:
    with app.app_context(), db.write_session() as s:
        return s.scalar(select(func.count()).select_from(Clue))


def test_a_member_of_the_public_reports_a_clue_and_gets_a_tracking_code(app, client, users):
    response = client.post("/clues/report", data=_report_form(client), follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    code = CODE_RE.search(body).group(1)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    with app.app_context(), db.write_session() as s:
        clue = s.scalars(select(Clue)).one()
        assert (clue.town_code, clue.urgent, clue.source, clue.entered_by_id) == (TOWN, True, "public", None)
        assert code not in (clue.tracking_hash, str(clue.id))
    # The code is shown once: the page after the report does not show it again.
    assert code not in client.get("/clues/report/sent", follow_redirects=True).get_data(as_text=True)


def test_a_replayed_report_form_records_nothing_more(app, client, users):
    data = _report_form(client)
    assert client.post("/clues/report", data=data).status_code == 302
    replay = client.post("/clues/report", data=data, follow_redirects=True)
    assert "已经发送" in replay.get_data(as_text=True)
    assert _clue_count(app) == 1


def test_a_form_without_its_submission_key_is_refused(app, client, users):
    data = _report_form(client, submission="")
    assert client.post("/clues/report", data=data).status_code == 400
    assert _clue_count(app) == 0


def test_the_honeypot_answers_like_a_success_and_records_nothing(app, client, users):
    response = client.post("/clues/report", data=_report_form(client, website="http://spam.example"),
                           follow_redirects=True)
    assert CODE_RE.search(response.get_data(as_text=True))
    assert _clue_count(app) == 0


def test_reports_are_throttled_per_address(app, client, users):
    app.config["CLUE_REPORT_LIMIT"] = "2 per hour"
    for _ in range(2):
        assert client.post("/clues/report", data=_report_form(client)).status_code == 302
    assert client.post("/clues/report", data=_report_form(client)).status_code == 429
    other = app.test_client()
    assert other.post("/clues/report", data=_report_form(other),
                      environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 302
    assert _clue_count(app) == 3


def test_bad_input_gets_a_message_in_chinese_and_records_nothing(app, client, users):
    for changes in ({"text": ""}, {"place": ""}, {"region": "不存在的镇"}, {"region": "临沂市"}, {"text": "看" * 2001}):
        response = client.post("/clues/report", data=_report_form(client, **changes))
        assert response.status_code == 400
        assert re.search(r'class="error"[^>]*>[^<]*[\u4e00-\u9fff]', response.get_data(as_text=True)), changes
    assert _clue_count(app) == 0


def test_the_answer_is_the_same_whether_the_child_is_known_or_not(app, client, users, make_child):
    known = make_child("village", name="王小明")
    pages = []
    for name in (known.name, "李未知"):
        response = client.post("/clues/report", data=_report_form(client, text=f"{name}一个人在家，好几天没人管"),
                               follow_redirects=True)
        pages.append(CODE_RE.sub("", response.get_data(as_text=True)))
    strip = re.compile(r'name="csrf_token"[^>]*>|value="[^"]*"')
    assert strip.sub("", pages[0]) == strip.sub("", pages[1])


def _track(client, code):
    return client.post("/clues/track", data={"code": code, "csrf_token": csrf_token(client, "/clues/track")})


def test_the_reporter_sees_the_status_only(app, client, users, make_clue, make_child):
    clue_id, code = make_clue(text="张家的孩子被打了")
    assert "已收到" in _track(client, code).get_data(as_text=True)
    with app.app_context(), db.write_session() as s:
        rules.assign(s, user(s, users, "town"), s.get(Clue, clue_id), users["village"].id)
    assert "核实中" in _track(client, code).get_data(as_text=True)
    child = make_child("village", name="张小花")
    with app.app_context(), db.write_session() as s:
        rules.record_outcome(s, user(s, users, "village"), s.get(Clue, clue_id),
                             rules.OutcomeValues(outcome="new_child", child_id=child.id))
    body = _track(client, code).get_data(as_text=True)
    assert "已处理" in body
    for secret in ("张小花", "张家", "新登记", "被打", str(child.id) + "<"):
        assert secret not in body


def test_the_code_is_read_however_it_is_typed(app, client, users, make_clue):
    _clue_id, code = make_clue()
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    wide = "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in code)  # full-width forms
    for variant in (typed, wide):
        assert _track(client, variant).status_code == 200


def test_guessed_and_neighbouring_codes_find_nothing(app, client, users, make_clue):
    _clue_id, code = make_clue()
    raw = code.replace("-", "")
    last = raw[-1]
    neighbour = raw[:-1] + ("0" if last != "0" else "1")
    for guess in (neighbour, "0000-0000-0000", "1", raw[:-1], raw + "0", "' OR 1=1 --"):
        response = _track(client, guess)
        assert response.status_code == 404
        assert "没有" in response.get_data(as_text=True)


def test_codes_are_not_sequential(app, users, make_clue):
    codes = [make_clue()[1] for _ in range(5)]
    assert len(set(codes)) == 5
    prefixes = {c[:4] for c in codes}
    assert len(prefixes) > 1  # 20 random bits each: five equal prefixes would be a one-in-10^24 chance


def test_status_lookups_are_throttled_per_address(app, client, users):
    app.config["CLUE_TRACK_LIMIT"] = "3 per hour"
    for _ in range(3):
        assert _track(client, "AAAA-BBBB-CCCC").status_code == 404
    assert _track(client, "AAAA-BBBB-CCCC").status_code == 429
