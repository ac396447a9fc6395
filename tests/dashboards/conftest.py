"""A hand-built Lanshan (兰山区) whose every figure is known: children of each grading colour and
category in two villages of 义堂镇, one in 白沙埠镇 and one in the next county; visits, an
agreement, needs solved both ways, a pairing, volunteer hours, organizations and gifts."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal import db
from portal.accounts.models import User
from portal.children.models import Child, ChildStatus, GuardianshipAgreement
from portal.clues.models import Clue
from portal.clues.rules import CHINA_TIME
from portal.dashboards import periods
from portal.donations.models import Donation
from portal.helpers.models import Organization, OrganizationArea, VolunteerHours
from portal.ledger import rules as ledger
from portal.needs.models import Claim, Need
from portal.training.models import TrainingAttendance, TrainingSession
from portal.types import utcnow
from portal.visits.models import Visit
from tests.clues.conftest import make_clue  # noqa: F401  (clues reported through the rules)
from tests.disbursements.conftest import scholarship  # noqa: F401  (money fixtures)
from tests.programmes.conftest import make_programme  # noqa: F401

TODAY = date.today()
PROVINCE, CITY, COUNTY, COUNTY2 = "370000000000", "371300000000", "371302000000", "371311000000"
TOWN, OTHER_TOWN = "371302105000", "371302101000"
VILLAGE, VILLAGE2, OTHER_VILLAGE, COUNTY2_VILLAGE = "371302105259", "371302105260", "371302101201", "371311001001"


@pytest.fixture
def county_b(app, users, password_hash):
    """A second Lanshan civil-affairs staff member, who approves the batches ``county`` makes."""
    from portal.accounts.models import User

    with app.app_context(), db.write_session() as s:
        s.add(User(username="county_b", display_name="Test county_b", password_hash=password_hash,
                   role="civil_affairs", region_code=COUNTY, email="county_b@example.org"))


def this_month() -> periods.Period:
    return periods.month(TODAY)


def change(app, model, row_id, **values):
    with app.app_context(), db.write_session() as s:
        row = s.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)


@pytest.fixture
def lanshan(app, users, make_child):
    """The hand-built county. 义堂镇: village 259 has c1 (orphan, red, visited twice, next visit
    in 20 days), c2 (orphan and left behind, yellow, visit overdue, an agreement signed today),
    c3 (no one raising them, green, paired, visit due in 5 days), c4 (left behind, not graded,
    visit overdue) and c5 (aged out this month); village 260 has c6 (visited once, next visit in
    30 days) and c7 (never visited). 白沙埠镇 has c8; the next county c9."""
    c = {}
    c[1] = make_child(categories=["orphan"])
    c[2] = make_child(categories=["orphan", "left_behind"])
    c[3] = make_child(categories=["unsupported"])
    c[4] = make_child()
    c[5] = make_child()
    c[6] = make_child("village2", region_code=VILLAGE2)
    c[7] = make_child("village2", region_code=VILLAGE2)
    c[8] = make_child("county", region_code=OTHER_VILLAGE)
    c[9] = make_child("county2", region_code=COUNTY2_VILLAGE)
    ids = {k: v.id for k, v in c.items()}
    change(app, Child, ids[1], risk_level="red", next_visit_due=TODAY + timedelta(days=20))
    change(app, Child, ids[2], risk_level="yellow", next_visit_due=TODAY - timedelta(days=3))
    change(app, Child, ids[3], risk_level="green", next_visit_due=TODAY + timedelta(days=5))
    change(app, Child, ids[4], next_visit_due=TODAY - timedelta(days=1))
    change(app, Child, ids[5], status=ChildStatus.aged_out, updated_at=utcnow())
    change(app, Child, ids[6], next_visit_due=TODAY + timedelta(days=30))
    change(app, Child, ids[7], next_visit_due=None)
    with app.app_context(), db.write_session() as s:
        for child, n in ((ids[1], 2), (ids[6], 1), (ids[9], 1)):
            for _i in range(n):
                s.add(Visit(child_id=child, visited_on=TODAY, visitor_id=users["village"].id,
                            mode="home"))
        s.add(GuardianshipAgreement(child_id=ids[2], guardian_name="王芳", signed_on=TODAY,
                                    renewal_due=TODAY + timedelta(days=10)))
        need = dict(town_code=TOWN, county_code=COUNTY, category="education", description="辅导",
                    reported_by_id=users["village"].id)
        now = utcnow()
        s.add(Need(child_id=ids[1], region_code=VILLAGE, kind="service", status="verified", published_at=now,
                   claimed_at=now, closed_at=now, **need))
        s.add(Need(child_id=ids[2], region_code=VILLAGE, kind="goods", status="resolved", closed_at=now, **need))
        s.add(Need(child_id=ids[6], region_code=VILLAGE2, kind="service", status="reported", **need))
        pairing = Need(child_id=ids[3], region_code=VILLAGE, kind="pairing", status="claimed", published_at=now,
                       claimed_at=now, pairing_months=12, **need)
        s.add(pairing)
        s.add(Need(child_id=ids[8], region_code=OTHER_VILLAGE, kind="service", status="resolved", closed_at=now,
                   **{**need, "town_code": OTHER_TOWN}))
        s.flush()
        org = Organization(name="兰山区阳光社工服务中心", credit_code="52371302MJD000001X", legal_representative="张三",
                           contact_name="李四", contact_phone="13800000000", status="approved")
        other = Organization(name="申请中的组织", credit_code="52371302MJD000002X", legal_representative="张三",
                             contact_name="李四", contact_phone="13800000001", status="applied")
        s.add_all([org, other])
        s.flush()
        s.add_all([OrganizationArea(organization_id=org.id, region_code=COUNTY),
                   OrganizationArea(organization_id=other.id, region_code=OTHER_TOWN)])
        s.add(Claim(need_id=pairing.id, helper_id=users["org"].id, organization_id=org.id,
                    period_end=TODAY + timedelta(days=365)))
        s.add_all([
            VolunteerHours(user_id=users["volunteer"].id, region_code=VILLAGE, service_date=TODAY, minutes=90,
                           status="approved"),
            VolunteerHours(user_id=users["volunteer"].id, region_code=VILLAGE2, service_date=TODAY, minutes=60,
                           status="approved"),
            VolunteerHours(user_id=users["volunteer"].id, region_code=VILLAGE, service_date=TODAY, minutes=600,
                           status="pending"),
        ])
        fund = ledger.general_fund(s)
        s.add(Donation(fund_id=fund.id, region_code=VILLAGE, amount_fen=1_200_000, channel="bank", status="paid",
                       paid_at=now, payer="赵六"))
        s.add(Donation(fund_id=fund.id, region_code=COUNTY2_VILLAGE, amount_fen=50_000, channel="bank",
                       status="paid", paid_at=now, payer="钱七"))
    return ids


def china_noon(day: date) -> datetime:
    """Noon of ``day`` as the bureaus count days (clues are counted in China time)."""
    return datetime.combine(day, time(12), tzinfo=CHINA_TIME)


@pytest.fixture
def trained_and_clued(app, users, lanshan, make_clue, password_hash):  # noqa: F811
    """Lanshan with training and clues, this month (M) and the month before (P).

    People: 义堂镇's supervisor ``town`` and directors ``village`` (259) and ``village2`` (260);
    ``other_director`` in 白沙埠镇; ``county2_director`` in 罗庄区. Sessions: S1 held by 义堂镇 in M,
    attended by ``town`` and ``village``; S2 held by 兰山区 in M, attended by ``village`` and
    ``other_director``; S3 held by 义堂镇 in P, attended by ``village2``; S4 held by 罗庄区 in M,
    attended by ``county2_director``; S5 held by 义堂镇 in M, attended by no one (not held).

    Clues: K1 (259, public, M) closed in M as a new child c1; K2 (259, school, M) transferred in M;
    K3 (260, police, M) still open; K4 (白沙埠村, phone, M) reassessed c8 in M; K5 (义堂镇 itself,
    phone, P) unfounded in P; K6 (罗庄区, public, M) a new child c9 in M; K7 (259, public, P)
    reassessed c1 again in M."""
    month = this_month()
    before = month.previous().start
    with app.app_context(), db.write_session() as s:
        for key, region in (("other_director", OTHER_VILLAGE), ("county2_director", COUNTY2_VILLAGE)):
            s.add(User(username=key, display_name=f"Test {key}", password_hash=password_hash, role="child_director",
                       region_code=region, email=f"{key}@example.org"))
        s.flush()
        people = {name: uid for uid, name in s.execute(select(User.id, User.username))}
        sessions = {}
        for name, region, day, attendees in (
                ("S1", TOWN, TODAY, ["town", "village"]), ("S2", COUNTY, TODAY, ["village", "other_director"]),
                ("S3", TOWN, before, ["village2"]), ("S4", COUNTY2, TODAY, ["county2_director"]),
                ("S5", TOWN, TODAY, [])):
            training = TrainingSession(topic=f"培训{name}", held_on=day, region_code=region, trainer="讲师",
                                       checkin_token=f"token-{name}", created_by_id=users["county"].id)
            s.add(training)
            s.flush()
            sessions[name] = training.id
            for person in attendees:
                s.add(TrainingAttendance(session_id=training.id, user_id=people[person],
                                         recorded_by_id=users["county"].id))
    clues = {}
    for name, region, by, source in (("K1", VILLAGE, None, ""), ("K2", VILLAGE, "county", "school"),
                                     ("K3", VILLAGE2, "county", "police"), ("K4", OTHER_VILLAGE, "county", "phone"),
                                     ("K5", TOWN, "county", "phone"), ("K6", COUNTY2_VILLAGE, "county2", "public"),
                                     ("K7", VILLAGE, None, "")):
        clues[name] = make_clue(region=region, by=None if source == "public" else by, source=source)[0]
    m, p = china_noon(TODAY), china_noon(before)
    closed = dict(status="closed", closed_at=m)
    for name, received, values in (
            ("K1", m, dict(outcome="new_child", child_id=lanshan[1], **closed)),
            ("K2", m, dict(outcome="transferred", receiving_unit="区教育局", transferred_on=TODAY, receipt="R1",
                           **closed)),
            ("K3", m, {}),
            ("K4", m, dict(outcome="reassessed", child_id=lanshan[8], **closed)),
            ("K5", p, dict(status="closed", closed_at=p, outcome="unfounded", reason="查无此人")),
            ("K6", m, dict(outcome="new_child", child_id=lanshan[9], **closed)),
            ("K7", p, dict(outcome="reassessed", child_id=lanshan[1], **closed))):
        change(app, Clue, clues[name], created_at=received, **values)
    return {"sessions": sessions, "clues": clues, "people": people}
