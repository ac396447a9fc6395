"""The demo's needs have histories that could have happened: nothing is reported, published or
closed about a child before the child was born (the province set once stopped on a newborn whose
need was "published" before the birth)."""

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from portal import db
from portal.children.models import Child
from portal.needs import demo
from portal.needs.models import Need, NeedCategory, NeedEvent, NeedKind, NeedStatus

VILLAGE = "371302105259"


def test_a_newborns_needs_start_after_the_birth_whatever_history_they_are_given(app, make_child):
    born = date.today() - timedelta(days=3)
    child_id = make_child(birth_date=born, region_code=VILLAGE).id
    with app.app_context(), db.write_session() as s:
        child = s.get(Child, child_id)
        loader = demo._Loader(s, "small", random.Random(7))
        loader.staff_and_helpers([VILLAGE])
        for status in (NeedStatus.resolved, NeedStatus.expired, NeedStatus.cancelled, NeedStatus.published,
                       NeedStatus.claimed, NeedStatus.verified):
            for _ in range(5):
                loader.need([child], VILLAGE, status, NeedCategory.medical, NeedKind.service)
        loader.batches.flush()
    first_day = datetime.combine(born, time(0), tzinfo=timezone.utc)
    with app.app_context(), db.new_session() as s:
        needs = s.scalars(select(Need).where(Need.child_id == child_id)).all()
        assert len(needs) == 30
        for need in needs:
            assert need.created_at >= first_day
            assert need.published_at is None or (need.published_at >= first_day and need.age_band == "0-2"), need.age_band
        moments = s.scalars(select(NeedEvent.at).join(Need, Need.id == NeedEvent.need_id)
                            .where(Need.child_id == child_id)).all()
        assert moments and min(moments) >= first_day
