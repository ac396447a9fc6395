"""A partner list is checked in its upload's request and compared by the worker: the page follows
the run (waiting, running, done, failed), a failed run keeps nothing of itself and can be run
again, and only staff over the list's region see any of it."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from portal import db
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.children.models import Child
from portal.comparisons import rules
from portal.comparisons.models import Comparison, ComparisonRow
from portal.comparisons.tasks import compare_list
from tests.comparisons.conftest import COUNTY, csv_of
from tests.conftest import login, post

ROWS = [{"name": "孙可馨", "birth_date": "2017-02-14", "address": "义堂镇颐顺园村3号"},
        {"name": "赵子涵", "birth_date": "2013-09-09", "address": "河南省南阳市宛城区东关村2号"},
        {"name": "王雨桐", "birth_date": "2016-05-01", "address": "义堂镇屠苏村9号"},
        {"name": "刘浩然", "birth_date": "2014-11-20", "address": "义堂镇颐顺园村5号"},
        {"name": "陈思远", "birth_date": "2015-07-07", "address": "义堂镇屠苏村2号"}]


def _upload(client, partner, rows=ROWS):
    return post(client, "/comparisons/", {"partner_id": str(partner.id), "region_code": COUNTY,
                                         "file": (io.BytesIO(csv_of(rows)), "低保名单.csv")},
                content_type="multipart/form-data")


def _accepted(app, users, partner, rows=ROWS) -> int:
    """A list as the upload leaves it for the worker: checked, kept, not yet compared."""
    with app.app_context(), db.write_session() as s:
        comparison = rules.accept_list(s, s.get(User, users["county"].id), partner_id=partner.id, region_code=COUNTY,
                                       filename="低保名单.csv", stream=io.BytesIO(csv_of(rows)))
        return comparison.id


def _state(app, comparison_id: int) -> tuple[str, int, list[str]]:
    with app.app_context():
        s = db.new_session()
        try:
            status = s.get(Comparison, comparison_id).status
            placed = s.scalar(select(func.count()).select_from(ComparisonRow)
                              .where(ComparisonRow.comparison_id == comparison_id))
            actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "comparison",
                                                                     AuditEntry.object_id == str(comparison_id))
                                     .order_by(AuditEntry.id)))
            return status, placed, actions
        finally:
            s.close()


@pytest.fixture
def broken_row_store(app):
    """The database refuses the fourth row of any list (a full disk, a dropped connection): a run
    that has already written rows one to three must keep none of them."""
    with app.app_context():
        engine = db.engine()
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("CREATE FUNCTION refuse_row() RETURNS trigger AS $$ BEGIN "
                                  "RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql"))
                conn.execute(text("CREATE TRIGGER refuse_fourth BEFORE INSERT ON comparison_row FOR EACH ROW "
                                  "WHEN (NEW.line = 5) EXECUTE FUNCTION refuse_row()"))
            else:
                conn.execute(text("CREATE TRIGGER refuse_fourth BEFORE INSERT ON comparison_row "
                                  "WHEN NEW.line = 5 BEGIN SELECT RAISE(ABORT, 'disk full'); END"))

    def repair():
        with app.app_context(), db.engine().begin() as conn:
            conn.execute(text("DROP TRIGGER IF EXISTS refuse_fourth"
                              + (" ON comparison_row" if db.engine().dialect.name == "postgresql" else "")))
            if db.engine().dialect.name == "postgresql":
                conn.execute(text("DROP FUNCTION IF EXISTS refuse_row()"))

    yield repair
    repair()


def test_waiting_list_shows_its_state_and_polls_without_counting_as_activity(app, client, users, partner):
    comparison_id = _accepted(app, users, partner)
    login(client, "county")
    page = client.get(f"/comparisons/{comparison_id}").get_data(as_text=True)
    assert "等待" in page and f'id="poll-comparison-{comparison_id}"' in page and 'hx-trigger="every 2s"' in page
    assert "孙可馨" not in page  # nothing is shown (or placed) before the run
    poll = client.get(f"/comparisons/{comparison_id}",
                      headers={"HX-Request": "true", "HX-Trigger": f"poll-comparison-{comparison_id}"})
    fragment = poll.get_data(as_text=True)
    assert poll.status_code == 200 and "<html" not in fragment and f'hx-get="/comparisons/{comparison_id}"' in fragment
    assert _state(app, comparison_id)[:2] == ("queued", 0)
    index = client.get("/comparisons/").get_data(as_text=True)
    assert "等待" in index


def test_running_list_shows_how_far_it_is(app, client, users, partner):
    comparison_id = _accepted(app, users, partner)
    with app.app_context(), db.write_session() as s:
        assert rules.claim(s, comparison_id)
    login(client, "county")
    page = client.get(f"/comparisons/{comparison_id}").get_data(as_text=True)
    assert "正在比对" in page and "<progress" in page and f'hx-get="/comparisons/{comparison_id}"' in page


def test_whole_flow_through_the_queue_in_immediate_mode(app, client, users, partner, make_child):
    app.config["COMPARISON_INLINE_ROWS"] = 0  # every list goes to the worker (run at once by the test queue)
    child = make_child(name="张小明")
    login(client, "county")
    response = _upload(client, partner, [{"name": "张小明", "id_number": child.id_number,
                                          "birth_date": child.birth_date.isoformat(), "address": "义堂镇屠苏村8号"},
                                         *ROWS])
    assert response.status_code == 302
    comparison_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已匹配，有变化" in page and "张小明" in page and "poll-comparison" not in page
    # The page's last poll after the run reloads the whole page with the results.
    poll = client.get(f"/comparisons/{comparison_id}", headers={"HX-Request": "true",
                                                                "HX-Trigger": f"poll-comparison-{comparison_id}"})
    assert poll.headers.get("HX-Refresh") == "true"
    assert _state(app, comparison_id) == ("done", 6, ["comparison.upload", "comparison.run", "comparison.read"])
    # A task delivered twice places nothing twice.
    compare_list(comparison_id)
    assert _state(app, comparison_id)[:2] == ("done", 6)
    with app.app_context():
        s = db.new_session()
        assert s.get(Comparison, comparison_id).pending is None  # the upload is not kept once placed
        assert "low_income" not in s.get(Child, child.id).categories  # nothing changes before a person confirms
        s.close()


def test_failed_run_keeps_no_row_is_audited_and_says_so(app, client, users, partner, broken_row_store):
    login(client, "county")
    response = _upload(client, partner)
    assert response.status_code == 302
    comparison_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "比对失败" in page and "重新比对" in page
    assert f'hx-get="/comparisons/{comparison_id}"' not in page  # a failed run is not followed any more
    status, placed, actions = _state(app, comparison_id)
    assert (status, placed) == ("failed", 0)  # rows 1-4 were written, then rolled back with the rest
    assert actions == ["comparison.upload", "comparison.failed"]


def test_failed_run_is_retried_and_places_every_row(app, client, users, partner, broken_row_store):
    login(client, "county")
    comparison_id = int(_upload(client, partner).headers["Location"].rstrip("/").rsplit("/", 1)[1])
    broken_row_store()  # the database is repaired
    response = post(client, f"/comparisons/{comparison_id}/retry")
    assert response.status_code == 302
    page = client.get(f"/comparisons/{comparison_id}?outcome=new").get_data(as_text=True)
    assert "孙可馨" in page
    status, placed, actions = _state(app, comparison_id)
    assert (status, placed) == ("done", len(ROWS))
    assert actions[:4] == ["comparison.upload", "comparison.failed", "comparison.retry", "comparison.run"]
    # A comparison that did not fail is not run again.
    again = post(client, f"/comparisons/{comparison_id}/retry", follow_redirects=True).get_data(as_text=True)
    assert "只有失败的比对" in again
    assert _state(app, comparison_id)[:2] == ("done", len(ROWS))


def test_uploader_who_left_the_region_gets_a_failed_run_with_the_reason(app, client, users, partner):
    app.config["COMPARISON_INLINE_ROWS"] = 0
    comparison_id = _accepted(app, users, partner)
    with app.app_context(), db.write_session() as s:
        s.get(User, users["county"].id).region_code = users["county2"].region_code
    compare_list(comparison_id)
    status, placed, actions = _state(app, comparison_id)
    assert (status, placed) == ("failed", 0) and actions[-1] == "comparison.failed"
    with app.app_context():
        s = db.new_session()
        assert "选择" in s.get(Comparison, comparison_id).error
        s.close()


def test_other_county_and_wrong_roles_cannot_see_the_state_or_retry(app, users, partner, broken_row_store):
    county = app.test_client()
    login(county, "county")
    comparison_id = int(_upload(county, partner).headers["Location"].rstrip("/").rsplit("/", 1)[1])
    other = app.test_client()
    login(other, "county2")
    assert other.get(f"/comparisons/{comparison_id}").status_code == 404
    assert other.get(f"/comparisons/{comparison_id}", headers={
        "HX-Request": "true", "HX-Trigger": f"poll-comparison-{comparison_id}"}).status_code == 404
    broken_row_store()
    assert post(other, f"/comparisons/{comparison_id}/retry").status_code == 404
    director = app.test_client()
    login(director, "village")
    assert director.get(f"/comparisons/{comparison_id}").status_code == 403
    assert post(director, f"/comparisons/{comparison_id}/retry").status_code == 403
    assert _state(app, comparison_id)[:2] == ("failed", 0)


def test_short_county_list_is_compared_at_once_but_a_city_list_goes_to_the_worker(app, users, partner):
    county = app.test_client()
    login(county, "county")
    response = _upload(county, partner)
    assert "名单已比对" in county.get(response.headers["Location"]).get_data(as_text=True)
    city = app.test_client()
    login(city, "city")
    # A city's registry takes seconds to read even for a short list: the worker reads it.
    response = post(city, "/comparisons/", {"partner_id": str(partner.id), "region_code": "371300000000",
                                           "file": (io.BytesIO(csv_of(ROWS)), "低保名单.csv")},
                    content_type="multipart/form-data")
    assert "名单已通过检查，正在排队等待比对" in city.get(response.headers["Location"]).get_data(as_text=True)


def test_a_run_lost_with_its_worker_can_be_run_again_and_the_lost_run_keeps_nothing(app, client, users, partner):
    comparison_id = _accepted(app, users, partner)
    with app.app_context(), db.write_session() as s:
        lost_start = rules.claim(s, comparison_id)  # a worker took the run, then ended with it
        lost = rules.place_list(s, s.get(Comparison, comparison_id))  # (what it had found by then)
    login(client, "county")
    assert post(client, f"/comparisons/{comparison_id}/retry").status_code == 302
    assert _state(app, comparison_id)[0] == "running"  # too early to give it up for lost
    with app.app_context(), db.write_session() as s:
        s.get(Comparison, comparison_id).started_at = lost_start - rules.STALE_AFTER - timedelta(minutes=1)
        lost_start = s.get(Comparison, comparison_id).started_at
    page = client.get(f"/comparisons/{comparison_id}").get_data(as_text=True)
    assert "重新比对" in page  # the page offers to run it again
    assert post(client, f"/comparisons/{comparison_id}/retry").status_code == 302  # run again, by the test queue
    status, placed, actions = _state(app, comparison_id)
    assert (status, placed) == ("done", len(ROWS)) and "comparison.retry" in actions
    with app.app_context(), db.write_session() as s:  # the lost run comes back: it keeps nothing
        with pytest.raises(rules.Superseded):
            rules.store_placed(s, s.get(User, users["county"].id), s.get(Comparison, comparison_id), lost, lost_start)
        s.rollback()
    assert _state(app, comparison_id)[:2] == ("done", len(ROWS))
