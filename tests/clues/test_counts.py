"""``counts``: the seeds' "发现线索N条, 移送N条, 救助N名" per region and period, per outcome and source."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from portal import db
from portal.clues import rules
from portal.clues.models import Clue
from portal.clues.rules import CHINA_TIME
from tests.clues.conftest import COUNTY, OTHER_COUNTY_TOWN, TOWN, user
from tests.conftest import post


def _close(app, users, clue_id, **values):
    with app.app_context(), db.write_session() as s:
        clue = s.get(Clue, clue_id)
        if clue.assigned_to_id is None:
            rules.assign(s, user(s, users, "county"), clue, users["village"].id)
        rules.record_outcome(s, user(s, users, "village"), clue, rules.OutcomeValues(**values))


@pytest.fixture
def history(app, users, make_clue, make_child):
    """Five clues of the county (one by telephone, one from a school), one of another county."""
    today = datetime.now(CHINA_TIME).date()
    ids = [make_clue()[0], make_clue()[0], make_clue(by="town", source="school")[0], make_clue(by="county")[0],
           make_clue(region=COUNTY)[0]]
    make_clue(region=OTHER_COUNTY_TOWN)
    child = make_child("village")
    _close(app, users, ids[0], outcome="new_child", child_id=child.id)
    _close(app, users, ids[1], outcome="transferred", receiving_unit="兰山区人民检察院", transferred_on=today,
           receipt="兰检回〔2026〕7号")
    _close(app, users, ids[2], outcome="transferred", receiving_unit="义堂派出所", transferred_on=today, receipt="回执")
    _close(app, users, ids[3], outcome="unfounded", reason="孩子随父母暂住，监护正常")
    return today


def test_counts_in_the_seeds_form(app, users, history):
    with app.app_context(), db.write_session() as s:
        figures = rules.counts(s, COUNTY, history, history)
    assert (figures["found"], figures["transferred"], figures["helped"]) == (5, 2, 1)
    assert figures["by_outcome"] == {"new_child": 1, "reassessed": 0, "transferred": 2, "unfounded": 1}
    assert figures["by_source"]["public"] == 3
    assert figures["by_source"]["school"] == 1 and figures["by_source"]["phone"] == 1


def test_counts_stay_inside_the_region(app, users, history):
    with app.app_context(), db.write_session() as s:
        town = rules.counts(s, TOWN, None, None)
        other = rules.counts(s, "371311000000", None, None)
        city = rules.counts(s, "371300000000", None, None)
    assert town["found"] == 4  # the clue whose town is unknown is the county's
    assert (other["found"], other["transferred"], other["helped"]) == (1, 0, 0)
    assert city["found"] == 6


def test_counts_keep_to_the_period_in_china_time(app, users, history):
    with app.app_context(), db.write_session() as s:
        # One clue received just before midnight, China time, ten days ago.
        ten_days_ago = history - timedelta(days=10)
        late = datetime.combine(ten_days_ago, datetime.max.time(), tzinfo=CHINA_TIME) - timedelta(minutes=1)
        first = s.scalars(rules.select(Clue).order_by(Clue.id)).first()
        s.execute(update(Clue).where(Clue.id == first.id).values(created_at=late))
    with app.app_context(), db.write_session() as s:
        assert rules.counts(s, COUNTY, ten_days_ago, ten_days_ago)["found"] == 1
        assert rules.counts(s, COUNTY, ten_days_ago + timedelta(days=1), history)["found"] == 4
        assert rules.counts(s, COUNTY, date(2000, 1, 1), date(2000, 12, 31))["found"] == 0


def test_helped_counts_each_child_once(app, users, make_clue, make_child):
    child = make_child("village")
    first, second = make_clue()[0], make_clue()[0]
    from portal.children.models import Child
    from portal.children.rules import record_assessment

    for clue_id in (first, second):
        with app.app_context(), db.write_session() as s:
            assessment = record_assessment(s, user(s, users, "village"), s.get(Child, child.id), indicators=[],
                                           assessed_on=datetime.now(CHINA_TIME).date() - timedelta(days=1))
            assessment_id = assessment.id
        _close(app, users, clue_id, outcome="reassessed", assessment_id=assessment_id)
    with app.app_context(), db.write_session() as s:
        assert rules.counts(s, COUNTY, None, None)["helped"] == 1


def test_county_sees_the_sentence_other_county_and_directors_do_not(app, client, as_user, users, history):
    as_user("county")
    body = client.get("/clues/counts").get_data(as_text=True)
    assert "发现线索5条，移送2条，救助1名" in body
    assert client.get("/clues/counts?region=371311000000").status_code == 403
    post(client, "/logout")
    as_user("village")
    assert client.get("/clues/counts").status_code == 403
