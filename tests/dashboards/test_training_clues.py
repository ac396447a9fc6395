"""The training and clues panels on the hand-built Lanshan with sessions and clues
(``trained_and_clued``): every figure against the hand count of the fixture, the report's
sentences, the scope of each level and the snapshots of the cities."""

import re

from portal import db
from portal.accounts.models import User
from portal.clues import rules as clue_rules
from portal.dashboards import rules, snapshots
from portal.training import rules as training
from tests.dashboards.conftest import (
    CITY,
    COUNTY,
    COUNTY2,
    OTHER_TOWN,
    TODAY,
    TOWN,
    VILLAGE,
    VILLAGE2,
    this_month,
)
from tests.dashboards.test_figures import compare_every_level
from tests.dashboards.test_scope import rows_of
from tests.dashboards.test_sentences import sentences


def table(app, users, actor: str, code: str, key: str, period=None):
    """(rows as {label code: (values, previous)}, total values, total previous) of table ``key``."""
    with app.app_context(), db.new_session() as s:
        data = rules.dashboard(s, s.get(User, users[actor].id), code, period or this_month(), TODAY)
    found = next(t for p in data.panels for t in p.tables if t.key == key)
    rows = {row.code or row.label: (row.values, row.previous) for row in found.rows}
    return rows, found.total.values, found.total.previous


def pick(values: dict, *names) -> tuple:
    return tuple(values.get(name) for name in names)


TRAINING = ("sessions", "person_times", "trained", "total", "coverage")
CLUES = ("found", "transferred", "helped")


def test_the_county_sees_sessions_person_times_and_coverage_per_town_and_in_all(app, users, trained_and_clued):
    rows, total, before = table(app, users, "county", COUNTY, "training-by-region")
    assert list(rows) == [OTHER_TOWN, TOWN]
    # 白沙埠镇: its director trained at the county's session S2; 义堂镇 held S1 (two people came)
    # and has a supervisor and two directors, of whom two were trained this month (66.7%: 66).
    assert pick(rows[OTHER_TOWN][0], *TRAINING) == (0, 0, 1, 1, 100)
    assert pick(rows[TOWN][0], *TRAINING) == (1, 2, 2, 3, 66)
    assert pick(rows[TOWN][1], "sessions", "person_times", "trained", "coverage") == (1, 1, 1, 33)
    # The county's own session S2 counts in the total; S5 (no one came) and 罗庄区's S4 do not.
    assert pick(total, *TRAINING) == (2, 4, 3, 4, 75)
    assert pick(before, "sessions", "person_times", "trained", "coverage") == (1, 1, 1, 25)


def test_a_town_sees_its_villages_and_its_own_supervisor_in_the_total(app, users, trained_and_clued):
    rows, total, before = table(app, users, "town", TOWN, "training-by-region")
    assert list(rows) == [VILLAGE, VILLAGE2]
    assert pick(rows[VILLAGE][0], *TRAINING) == (0, 0, 1, 1, 100)
    assert pick(rows[VILLAGE2][0], *TRAINING) == (0, 0, 0, 1, 0)
    assert pick(rows[VILLAGE2][1], "trained", "coverage") == (1, 100)  # trained last month at S3
    assert pick(total, *TRAINING) == (1, 2, 2, 3, 66)  # the town held S1; the county's S2 is not the town's
    assert pick(before, "sessions", "person_times", "trained", "coverage") == (1, 1, 1, 33)


def test_clues_found_transferred_and_helped_per_region_outcome_and_source(app, users, trained_and_clued):
    rows, total, before = table(app, users, "county", COUNTY, "clues-by-region")
    assert pick(rows[OTHER_TOWN][0], *CLUES) == (1, 0, 1)
    # K1, K2, K3 received this month; K2 transferred; c1 helped twice (K1 and K7) is one child.
    assert pick(rows[TOWN][0], *CLUES) == (3, 1, 1)
    assert pick(rows[TOWN][1], *CLUES) == (2, 0, 0)  # K5 (at the town itself) and K7, last month
    assert pick(total, *CLUES) == (4, 1, 2)  # 罗庄区's K6 is not Lanshan's
    assert pick(before, *CLUES) == (2, 0, 0)

    outcomes, total, before = table(app, users, "county", COUNTY, "clues-by-outcome")
    assert {str(label): (now["clues"], prev["clues"]) for label, (now, prev) in outcomes.items()} == {
        "New child registered": (1, 0), "Child on file reassessed": (2, 0),
        "Transferred to a department": (1, 0), "Unfounded": (0, 1)}
    assert (total["clues"], before["clues"]) == (4, 1)
    sources, total, before = table(app, users, "county", COUNTY, "clues-by-source")
    counted = {str(label): (now["clues"], prev["clues"]) for label, (now, prev) in sources.items()}
    assert {k: v for k, v in counted.items() if v != (0, 0)} == {
        "Public report form": (1, 1), "School": (1, 0), "Police": (1, 0), "Telephone call": (1, 1)}
    assert (total["clues"], before["clues"]) == (4, 2)


def test_a_town_counts_only_its_villages_clues_and_a_village_only_its_own(app, users, trained_and_clued):
    rows, total, _before = table(app, users, "town", TOWN, "clues-by-region")
    assert list(rows) == [VILLAGE, VILLAGE2]
    assert pick(rows[VILLAGE][0], *CLUES) == (2, 1, 1)
    assert pick(rows[VILLAGE2][0], *CLUES) == (1, 0, 0)
    assert pick(total, *CLUES) == (3, 1, 1)  # 白沙埠村's K4 is the other town's
    rows, total, _before = table(app, users, "village2", VILLAGE2, "clues-by-region")
    assert len(rows) == 1 and pick(total, *CLUES) == (1, 0, 0)  # a village is its own single row
    rows, total, _before = table(app, users, "county2", COUNTY2, "clues-by-region")
    assert pick(total, *CLUES) == (1, 0, 1)  # 罗庄区 sees K6 and nothing of Lanshan


def test_the_reports_write_the_training_and_clue_sentences(app, users, trained_and_clued):
    town = sentences(app, users, "town", TOWN)
    assert (town["training"], town["training_coverage"], town["clues"]) == (
        "开展培训1场2人次", "培训覆盖率66%", "发现线索3条，移送1条，救助1名")
    county = sentences(app, users, "county", COUNTY)
    assert (county["training"], county["training_coverage"], county["clues"]) == (
        "开展培训2场4人次", "培训覆盖率75%", "发现线索4条，移送1条，救助2名")


def test_each_figure_of_the_new_sentences_links_to_its_table(app, as_user, trained_and_clued):
    client = as_user("county")
    page = client.get(f"/dashboards/{COUNTY}/report").get_data(as_text=True)
    for key, anchors in (("training", ["training-by-region"] * 2), ("training_coverage", ["training-by-region"]),
                         ("clues", ["clues-by-region"] * 3)):
        html = re.search(rf'<li data-sentence="{key}">(.*?)</li>', page, re.S).group(1)
        assert re.findall(r'<a href="/dashboards/371302000000\?[^"#]*#([a-z-]+)">', html) == anchors, key
    assert "开展培训<a" in page and "发现线索<a" in page
    dashboard = client.get(f"/dashboards/{COUNTY}").get_data(as_text=True)
    for anchor in ("training-by-region", "clues-by-region", "clues-by-outcome", "clues-by-source"):
        assert f'id="{anchor}"' in dashboard


def test_the_town_page_shows_its_villages_in_the_new_tables_and_drills_down(as_user, regions, trained_and_clued):
    page = as_user("town").get(f"/dashboards/{TOWN}").get_data(as_text=True)
    for key in ("training-by-region", "clues-by-region"):
        assert rows_of(page, key) == [regions[VILLAGE], regions[VILLAGE2]]
    assert regions["371302101201"] not in page
    assert f'href="/dashboards/{VILLAGE2}?period=month' in page


def test_the_grouped_figures_agree_with_each_regions_own_figures(app, trained_and_clued):
    month = this_month()
    with app.app_context(), db.new_session() as s:
        for scope, rows in ((COUNTY, [OTHER_TOWN, TOWN]), (TOWN, [VILLAGE, VILLAGE2])):
            grouped, before = training.figures_by_area(s, scope, [(month.start, month.end),
                                                                 (month.previous().start, month.previous().end)])
            assert before == training.figures_by_area(s, scope, [(month.previous().start, month.previous().end)])[0]
            clues, _before = clue_rules.counts_by_area(s, scope, [(month.start, month.end), (None, None)],
                                                       9 if scope == COUNTY else 12)
            for code in rows:
                figures = grouped.get(code, training.AreaFigures())
                assert (figures.trained, figures.total) == training.coverage(s, code, month.start, month.end)
                assert figures.sessions == training.sessions_held(s, code, month.start, month.end)
                assert figures.person_times == training.person_times(s, code, month.start, month.end)
                alone = clue_rules.counts(s, code, month.start, month.end)
                last = (month.previous().start, month.previous().end)
                assert clue_rules.counts_for(s, code, [(month.start, month.end), last]) == [
                    alone, clue_rules.counts(s, code, *last)]
                assert clues.get(code, {"found": 0, "transferred": 0, "helped": 0}) == {
                    name: alone[name] for name in CLUES}
            # The training page's table by area (the scope's own staff in a row of their own) too.
            assert {a.code: (a.trained, a.total) for a in training.coverage_by_area(s, scope, month.start, month.end)
                    if a.total} == {c: (f.trained, f.total) for c, f in grouped.items() if f.total}


def test_every_level_equals_direct_counts_with_training_and_clues(app, users, trained_and_clued):
    assert compare_every_level(app) > 400


def test_a_citys_snapshot_holds_the_training_and_clue_figures(app, users, trained_and_clued, make_clue):
    with app.app_context(), db.write_session() as s:
        stored = snapshots.refresh(s, CITY, this_month(), TODAY).data
    assert {"training.by_region", "clues.by_region", "clues.counts"} <= set(stored)
    make_clue(region=VILLAGE2)  # after the snapshot

    def found(code):
        with app.app_context(), db.new_session() as s:
            data = rules.dashboard(s, s.get(User, users["city"].id), code, this_month(), TODAY)
            return data.figures["clues.found"].value, data.figures["training.sessions"].value

    assert found(CITY) == (5, 3)  # the snapshot: 罗庄区's K6 and S4 are the city's too, the new clue is not
    assert found(COUNTY) == (5, 2)  # counted live: Lanshan's four and the new one
