"""Demo children, assessments and visits on the real division codes (deterministic, streamed).

small: about 1,500 children in the 359 villages of Lanshan district (371302), the 兰山e起助 platform
of the seed reports, with the two demo villages well filled. province: 100,000 children in 2,000
villages spread over all of Shandong, with about 1,000,000 visits. Identity numbers carry each
child's real county code and a valid check digit. Rows go in with one statement per batch, so the
province set streams through without being held in memory.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, insert, select, text
from sqlmodel import Session

from portal import crypto
from portal.children import idnumber
from portal.children.grading import INDICATORS, grade
from portal.children.models import Assessment, Category, Child, Guardian
from portal.regions.models import Level, Region
from portal.visits.models import Visit
from portal.visits.schedule import DEFAULT_DAYS, UNASSESSED

TODAY = date(2026, 11, 26)  # fixed, so the data set is the same whenever it is built
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "子涵浩然欣怡梓轩雨桐宇航思远佳怡俊杰紫萱一诺明轩诗琪晨曦若汐博文嘉怡天佑梦琪皓轩语嫣泽宇可馨"
# Given names as people are given them: one of the pairs above, or one character of them (not 一).
# Random pairs of their characters made words that ordinary summaries use ("语文", and 高一 as a
# whole name), which the summary check rightly refuses in the town where such a child lives.
GIVEN_NAMES = [GIVEN[i : i + 2] for i in range(0, len(GIVEN), 2)]
GIVEN_CHARACTERS = sorted(set(GIVEN) - set("一"))
RELATIONS = ["祖父", "祖母", "外祖母", "母亲", "父亲", "伯父", "姑姑"]
SITUATIONS = ["在家务农", "外出务工", "身体不好", "年迈", "服刑", ""]
FINDINGS = ["学习正常，情绪稳定", "家中卫生条件差，已提醒监护人", "孩子近期情绪低落，需心理关注",
            "冬衣不足", "监护人生病住院，孩子由邻居照看", "一切正常"]
PLANS = {
    # scale: (county prefix or None for the province, villages, children per village, visits per child)
    "small": ("371302", None, 4, 3),
    "province": (None, 2000, 50, 10),
}
DEMO_VILLAGES = {"371302105259": 12, "371302105260": 8}  # the demo child directors' villages
BATCH = 5000


def _villages(session: Session, scale: str, prefix: str) -> list[str]:
    county, count, _per, _visits = PLANS[scale]
    stmt = select(Region.code).where(Region.level == Level.village)
    stmt = stmt.where(Region.code.like(f"{county or prefix}%")).order_by(Region.code)
    codes = list(session.scalars(stmt))
    if count and len(codes) > count:
        step = len(codes) / count
        codes = [codes[int(i * step)] for i in range(count)]
    for code in DEMO_VILLAGES:
        if code not in codes and code.startswith(prefix):
            codes.append(code)
    return codes


def _how_many(scale: str, per_village: int, rng) -> int:
    # The province set promises at least 100,000 children (2,000 villages x 50); the small set
    # varies village sizes as real ones do.
    return per_village if scale == "province" else rng.randint(1, 2 * per_village - 1)


def _name(rng) -> str:
    return rng.choice(SURNAMES) + (rng.choice(GIVEN_NAMES) if rng.choice((1, 2)) == 2 else rng.choice(GIVEN_CHARACTERS))


class _Batches:
    """Collects rows per table and inserts each table's rows in one statement per batch."""

    def __init__(self, session: Session):
        self.session = session
        self.rows: dict = {Child: [], Guardian: [], Assessment: [], Visit: []}
        self.counts = dict.fromkeys(self.rows, 0)
        self.orders: dict[tuple, int] = {}

    def next_order(self, county: str, born: date, gender: str) -> int:
        """The next order code for this county, birth date and gender: identity numbers never repeat."""
        key = (county, born, gender)
        order = self.orders.get(key, 0)
        self.orders[key] = order + 1
        return order

    def add(self, model, row: dict) -> None:
        self.rows[model].append(row)
        if len(self.rows[model]) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for model, rows in self.rows.items():  # children first: the others refer to them
            if rows:
                self.session.execute(insert(model), rows)
                self.counts[model] += len(rows)
                rows.clear()


def load(session: Session, scale: str, rng) -> list[str]:
    from portal.demo import SCALES

    prefix = SCALES[scale]
    _county, _count, per_village, visits_per_child = PLANS[scale]
    next_id = (session.scalar(select(func.max(Child.id))) or 0) + 1
    batches = _Batches(session)
    for village in _villages(session, scale, prefix):
        for _ in range(DEMO_VILLAGES.get(village, _how_many(scale, per_village, rng))):
            _child(batches, rng, next_id, village, visits_per_child)
            next_id += 1
    batches.flush()
    if session.get_bind().dialect.name == "postgresql":
        for table in ("child", "guardian", "assessment", "visit"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    counts = batches.counts
    return [f"children: {counts[Child]} children, {counts[Assessment]} assessments, {counts[Visit]} visits"]


def _child(batches: _Batches, rng, child_id: int, village: str, visits_per_child: int) -> None:
    age_days = rng.randint(365, 17 * 365)
    born = TODAY - timedelta(days=age_days)
    gender = rng.choice(("male", "female"))
    order = batches.next_order(village[:6], born, gender)
    number = idnumber.make(village[:6], born, 2 * order + (1 if gender == "male" else 0))
    categories = sorted(set(rng.sample([c.value for c in Category], rng.choice((1, 1, 2)))))
    ticked = [i.key for i in INDICATORS if rng.random() < 0.06]
    result = grade(ticked)
    level = result.overall
    interval = DEFAULT_DAYS[level or UNASSESSED]
    last_visit = TODAY - timedelta(days=rng.randint(0, int(interval * 1.6)))
    batches.add(Child, {
        "id": child_id, "region_code": village, "name": _name(rng), "gender": gender, "birth_date": born,
        "id_number": number, "id_number_hash": crypto.blind_index(number), "ethnicity": "汉族",
        "household_registration": None, "address": f"{rng.randint(1, 120)}号", "categories": categories,
        "school": "" if age_days < 6 * 365 else "村小学", "grade": "", "disability_category": "",
        "school_stage": school_stage_for(age_days // 365, child_id),
        "disability_level": "", "chronic_illness": "", "benefits": [], "status": "active", "status_reason": "",
        "risk_level": level.value, "next_visit_due": last_visit + timedelta(days=interval),
        "last_visited_on": last_visit, "qr_token": new_qr_token_seeded(rng),
        "created_at": _moment(TODAY - timedelta(days=400)), "updated_at": _moment(TODAY - timedelta(days=30)),
    })
    batches.add(Guardian, {
        "child_id": child_id, "relation": rng.choice(RELATIONS), "name": _name(rng),
        "phone": f"13{rng.randint(100000000, 999999999)}", "situation": rng.choice(SITUATIONS),
    })
    batches.add(Assessment, {
        "child_id": child_id, "assessed_on": TODAY - timedelta(days=rng.randint(30, 200)), "team": "社工+儿童主任",
        "indicators": ticked, "notes": "", "created_at": _moment(TODAY - timedelta(days=30)),
        "overall": level.value, **{d.value: lv.value for d, lv in result.dimensions.items()},
    })
    day = last_visit
    for _ in range(visits_per_child):
        batches.add(Visit, {
            "child_id": child_id, "visited_on": day, "mode": rng.choice(("home", "home", "school", "phone")),
            "seen": "儿童及监护人", "findings": rng.choice(FINDINGS), "follow_up": "", "via_qr": rng.random() < 0.5,
            "created_at": _moment(day),
        })
        day -= timedelta(days=rng.randint(interval // 2 + 1, interval))


def school_stage_for(age: int, child_id: int) -> str:
    """The stage a child of ``age`` is usually at (no draw from the generator: the rest of the data
    set stays as it was); one teenager in five at a secondary vocational school."""
    if age < 3:
        return "none"
    if age < 6:
        return "preschool"
    if age < 12:
        return "primary"
    if age < 15:
        return "junior_secondary"
    return "vocational_school" if child_id % 5 == 0 else "senior_secondary"


def new_qr_token_seeded(rng) -> str:
    # Seeded in demo data so two builds are identical; real files use ``new_qr_token`` (secrets).
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(24))


def _moment(day: date):
    from datetime import datetime, time, timezone

    return datetime.combine(day, time(9, 0), timezone.utc)



