"""Views are not refusals: opening a need leaves it in the helper's "recommended for you"; only a
claim, a delivery, a gift or an explicit "not interested" (a button, stored as an interaction)
takes it out."""

import csv

from sqlalchemy import func, select

from portal import db
from portal.matching import export, rules, service
from portal.matching.models import MatchEvent, MatchInteraction
from tests.conftest import post
from tests.matching_portal.conftest import english
from tests.matching_portal.test_board import for_you_section


def _dismissals(app) -> list[tuple]:
    with app.app_context(), db.new_session() as s:
        return [tuple(r) for r in s.execute(select(MatchInteraction.helper_key, MatchInteraction.need_id)
                                            .where(MatchInteraction.event == MatchEvent.dismiss))]


def test_opening_a_need_keeps_it_in_the_helpers_recommendations_after_a_retrain(app, make_need, skilled, signed_in):
    need_id = make_need(to="published")
    skilled("volunteer")
    client = english(signed_in("volunteer"))
    assert client.get(f"/board/{need_id}").status_code == 200  # a view, recorded
    service.retrain(app)  # the model learns from that view
    with app.app_context():
        model = service.fitted_model()
        assert model is not None and len(model.data_.inter_at) == 1  # the view is in its data
    assert f"/board/{need_id}" in for_you_section(client.get("/board").get_data(as_text=True))


def test_not_interested_hides_the_need_at_once_and_the_model_learns_it(app, users, make_need, skilled, signed_in,
                                                                       tmp_path):
    hidden = make_need(to="published")
    other = make_need(to="published")
    skilled("volunteer")
    client = english(signed_in("volunteer"))
    section = for_you_section(client.get("/board").get_data(as_text=True))
    assert f"/board/{hidden}/not-interested" in section and "Not interested" in section
    response = post(client, f"/board/{hidden}/not-interested", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "We will not recommend this need to you again." in page
    section = for_you_section(page)
    assert f'href="/board/{hidden}"' not in section and f"/board/{other}" in section
    assert _dismissals(app) == [(f"u{users['volunteer'].id}", hidden)]
    post(client, f"/board/{hidden}/not-interested")  # pressed twice: kept once a day
    assert len(_dismissals(app)) == 1
    # Exported as a refusal, and the retrained model leaves it out by itself.
    with app.app_context(), db.new_session() as s:
        export.export(s, tmp_path / "x")
    with open(tmp_path / "x" / "interactions.csv", encoding="utf-8") as rows:
        events = [(r["need_id"], r["event"]) for r in csv.DictReader(rows)]
    assert (str(hidden), "dismiss") in events
    service.retrain(app)
    with app.app_context():
        model = service.fitted_model()
        ranked = [s.id for s in model.recommend_needs(f"u{users['volunteer'].id}", k=10,
                                                      candidates=[str(hidden), str(other)])]
    assert ranked == [str(other)]


def test_not_interested_is_only_for_helpers(app, make_need, skilled, signed_in, client):
    need_id = make_need(to="published")
    skilled("volunteer")
    assert post(signed_in("county"), f"/board/{need_id}/not-interested").status_code == 403  # staff
    response = post(client, f"/board/{need_id}/not-interested")  # a visitor
    assert response.status_code in (302, 401) and "/login" in response.headers.get("Location", "/login")
    assert _dismissals(app) == []


def test_not_interested_in_a_need_not_on_the_board_says_so_and_stores_nothing(app, make_need, skilled, signed_in):
    draft = make_need()  # not published
    skilled("volunteer")
    client = english(signed_in("volunteer"))
    page = post(client, f"/board/{draft}/not-interested", follow_redirects=True).get_data(as_text=True)
    assert "This need is no longer on the board." in page
    page = post(client, "/board/999999/not-interested", follow_redirects=True).get_data(as_text=True)
    assert "This need is no longer on the board." in page
    assert _dismissals(app) == []


def test_not_interested_without_the_form_token_changes_nothing(app, make_need, skilled, signed_in):
    need_id = make_need(to="published")
    skilled("volunteer")
    client = signed_in("volunteer")
    client.post(f"/board/{need_id}/not-interested", data={})
    assert _dismissals(app) == []


def test_a_dismissal_by_one_helper_hides_nothing_from_another(app, users, make_need, skilled, make_org):
    need_id = make_need(to="published")
    skilled("volunteer")
    org_id, admin = make_org(status="approved")
    with app.test_request_context(), db.write_session() as s:
        from portal.accounts.models import User

        assert rules.dismiss(s, s.get(User, users["volunteer"].id), need_id)
    with app.test_request_context(), db.new_session() as s:
        from portal.accounts.models import User

        member = s.scalar(select(User).where(User.username == admin))
        assert [item.need.id for item in rules.for_you(s, member)] == [need_id]
        assert rules.for_you(s, s.get(User, users["volunteer"].id)) == []
        assert s.scalar(select(func.count()).select_from(MatchInteraction)) == 1
