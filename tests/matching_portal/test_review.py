"""Review of the matching area: privacy of what helpers see, the invite route's edges, the views,
the model file's reload and fallback, and the evaluation's filter of what a helper touched."""

import csv
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from portal import db
from portal.accounts.models import User
from portal.helpers.models import HelperArea, HelperProfile
from portal.matching import export, rules, service
from portal.matching.models import MatchEvent, MatchInteraction
from tests.conftest import login, post
from tests.matching_portal.conftest import english


def for_you_section(page: str) -> str:
    match = re.search(r'<section class="for-you" id="for-you">.*?</section>', page, re.S)
    return match.group(0) if match else ""


def interactions(app, event=None) -> list[tuple]:
    with app.app_context(), db.new_session() as s:
        stmt = select(MatchInteraction.event, MatchInteraction.helper_key)
        if event is not None:
            stmt = stmt.where(MatchInteraction.event == event)
        return [tuple(r) for r in s.execute(stmt)]


# --- privacy ---------------------------------------------------------------------------------------


def test_a_helper_serving_the_childs_village_is_never_told_the_village(app, make_need, skilled, signed_in):
    """A volunteer who lists the child's own village is recommended the need "in the same town",
    never "in the same village" (which would place the child), with the fitted model and the
    fallback alike."""
    need_id = make_need(to="published")  # the child lives in 屠苏村 (371302105259)
    skilled("volunteer", area="371302105259")
    client = english(signed_in("volunteer"))
    for fitted in (False, True):
        if fitted:
            service.retrain(app)
        section = for_you_section(client.get("/board").get_data(as_text=True))
        assert f"/board/{need_id}" in section
        assert "same town" in section and "same village" not in section and "屠苏村" not in section


def test_the_export_places_village_areas_in_their_town_and_holds_no_internal_text(app, make_need, skilled, tmp_path):
    make_need(to="published", description="测试儿童 身份证 371302201001011234 电话 13905391234")
    skilled("volunteer", area="371302105259")
    with app.app_context(), db.new_session() as s:
        export.export(s, tmp_path)
    text = "".join((tmp_path / name).read_text(encoding="utf-8") for name in
                   (export.REGIONS, export.NEEDS, export.HELPERS, export.INTERACTIONS))
    for secret in ("371302105259", "371302105260", "屠苏村", "测试儿童", "身份证", "371302201001011234",
                   "13905391234"):
        assert secret not in text, secret
    with open(tmp_path / export.HELPERS, encoding="utf-8") as handle:
        assert [row["region_code"] for row in csv.DictReader(handle)] == ["371302105000"]


# --- the invite route ------------------------------------------------------------------------------


def test_an_invitation_without_the_csrf_token_is_ignored(app, users, make_need, skilled, signed_in):
    need_id = make_need(to="published")
    volunteer = skilled("volunteer")
    response = signed_in("county").post(f"/needs/{need_id}/invite/u{volunteer.id}", data={})
    assert response.status_code in (302, 400)
    assert interactions(app) == []


def test_helpers_who_may_not_act_cannot_be_invited(app, users, make_need, make_org, signed_in):
    """A volunteer who never confirmed a contact, and a suspended organization, serve the town but
    cannot take the need on: neither is suggested nor invited."""
    need_id = make_need(to="published")
    with app.app_context(), db.write_session() as s:
        s.add(HelperProfile(user_id=users["volunteer"].id))
        s.add(HelperArea(user_id=users["volunteer"].id, region_code="371302105000"))
    org_id, _admin = make_org(status="suspended")
    county = signed_in("county")
    for key in (f"u{users['volunteer'].id}", f"o{org_id}"):
        assert post(county, f"/needs/{need_id}/invite/{key}").status_code == 302
    assert interactions(app, MatchEvent.invite) == []


# --- views -----------------------------------------------------------------------------------------


def test_a_member_of_a_suspended_organization_is_no_helper(app, make_need, make_org, signed_in):
    """Members of an organization that may not act get no recommendations and leave no views."""
    need_id = make_need(to="published")
    _org_id, admin = make_org(status="suspended")
    client = app.test_client()
    assert login(client, admin, "a-long-secret-phrase").status_code == 302
    client = english(client)
    assert 'id="for-you"' not in client.get("/board").get_data(as_text=True)
    assert client.get(f"/board/{need_id}").status_code == 200
    assert interactions(app) == []


# --- the model file ----------------------------------------------------------------------------------


def test_a_model_file_damaged_after_a_good_one_falls_back_and_a_good_one_is_read_again(app, make_need, skilled,
                                                                                       model_file):
    make_need(to="published")
    volunteer = skilled("volunteer")
    service.retrain(app)
    good = model_file.read_bytes()
    with app.test_request_context(), db.new_session() as s:
        user = s.get(User, volunteer.id)
        assert service.fitted_model() is not None
        model_file.write_bytes(good[: len(good) // 2])  # a half-written copy
        assert service.fitted_model() is None
        assert [item.need for item in rules.for_you(s, user)]  # the profile rules
        model_file.write_bytes(good)
        assert service.fitted_model() is not None


def test_views_are_counted_per_helper_and_day(app, users, make_need, skilled, signed_in):
    need_id = make_need(to="published")
    skilled("volunteer")
    with app.app_context(), db.write_session() as s:
        user = s.get(User, users["volunteer"].id)
        today = date.today()
        assert rules.record_view(s, user, need_id, today) is True
        assert rules.record_view(s, user, need_id, today) is False
        assert rules.record_view(s, user, need_id, today + timedelta(days=1)) is True
    with app.app_context(), db.new_session() as s:
        assert s.scalar(select(func.count()).select_from(MatchInteraction)) == 2


# --- the library's evaluation --------------------------------------------------------------------------


def test_the_fairness_reranked_evaluation_also_drops_what_the_helper_touched(tmp_path):
    """The evaluation's "+fair" lists go through the re-ranker: a need the helper touched before the
    split must be gone from them too."""
    import matching
    from matching.data import load, write
    from matching.evaluate import rank_all, time_split
    from matching.fairness import ExposureReranker
    from tests.matching.conftest import make_rows

    write(tmp_path, make_rows())
    data = load(tmp_path)
    split = time_split(data, test_fraction=0.2)
    helper = data.helper_index["H1"]
    touched = {data.need_index[n] for n in ("N1", "N2", "N3")}
    for model in matching.models(include_optional=False).values():
        model.fit(split.train, now=split.split_at)
        lists = rank_all(model, split, 20, ExposureReranker(pool=5))
        ranked = lists[list(split.helpers).index(helper)] if helper in split.helpers else None
        assert ranked is not None
        assert not touched.intersection(ranked.tolist()), model.name
