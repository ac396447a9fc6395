"""Issue 21: staff need lists name the child and show the day the need was reported; helpers
never reach them and another county's staff never see the child."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from portal.needs.rules import child_names


def test_staff_list_names_the_child_and_shows_the_day_reported(app, client, as_user, make_need):
    make_need(child_values={"name": "吴小雨"})
    as_user("town")
    page = client.get("/needs/").get_data(as_text=True)
    assert "吴小雨" in page
    # The day as the portal's users live it (China time): after 16:00 UTC it is already tomorrow.
    today = datetime.now(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    assert "上报日期" in page and f"{today.year}/{today.month}/{today.day}" in page


@pytest.mark.parametrize("role", ["volunteer", "org", "donor"])
def test_helpers_never_get_the_staff_list(client, as_user, make_need, role):
    make_need(child_values={"name": "吴小雨"})
    as_user(role)
    response = client.get("/needs/")
    assert response.status_code == 403 and "吴小雨" not in response.get_data(as_text=True)


def test_another_countys_staff_never_see_the_name(client, as_user, make_need, app, users):
    need_id = make_need(child_values={"name": "吴小雨"})
    as_user("county2")
    assert "吴小雨" not in client.get("/needs/").get_data(as_text=True)
    from portal import db
    from portal.needs.models import Need

    with app.app_context(), db.new_session() as s:  # even handed the need, the rule names no one
        assert child_names(s, users["county2"], [s.get(Need, need_id)]) == {}
        assert child_names(s, users["county"], [s.get(Need, need_id)]) == {need_id: "吴小雨"}
