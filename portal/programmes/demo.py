"""Demo programmes: the seeds' own (orphan scholarship, living allowance by category, medical aid
as a share of invoices, insurance premiums), with university students for the scholarship to find.

Lanshan district (371302) runs all four on both sets; on the province set Zibo city (3703) runs
them too ("为淄博市215名孤困儿童发放助学金107.5万元"). The rules find the children; most are then
enrolled with their documents, the newest stay on the newly eligible lists. Nothing is paid here
(batches are built on top), so the ledger only gains the insurance programme's own, empty fund.
Draws come from a generator of their own, so the other areas' data stay as they were.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, insert, select
from sqlmodel import Session

from portal import crypto
from portal.accounts.models import User
from portal.children import demo as children_demo
from portal.children import idnumber
from portal.children.models import Child
from portal.demo import SEED
from portal.programmes import finding, rules
from portal.programmes.models import EnrolmentState, Programme, ProgrammeEnrolment
from portal.regions.models import Level, Region
from portal.visits.models import Visit

TODAY = children_demo.TODAY
OWNERS = {"small": ["371302000000"], "province": ["371302000000", "370300000000"]}
STUDENT_VILLAGES = ["371302105260"]  # demo-village2's: two students for the scholarship to find there
STUDENTS = {"371302000000": 14, "370300000000": 215}  # university and college students per owner

PROGRAMMES = [
    dict(name_zh="福彩圆梦·孤儿助学", name_en="Orphans at university (lottery welfare fund)", kind="scholarship",
         period_type="per_year", fund_code="scholarship", amount_rule={"type": "fixed", "amount_fen": 1_000_000},
         eligibility={"categories": ["orphan"], "school_stages": ["university", "vocational_college"],
                      "statuses": ["active", "aged_out"]},
         required_documents=["enrolment_certificate", "identity_document"]),
    dict(name_zh="孤儿和事实无人抚养儿童基本生活费", name_en="Basic living allowance", kind="living_allowance",
         period_type="monthly", fund_code="living_allowance",
         amount_rule={"type": "by_category", "amounts_fen": {"orphan": 180_000, "unsupported": 140_000}},
         eligibility={"categories": ["orphan", "unsupported"], "age_max": 17}, required_documents=["identity_document"]),
    dict(name_zh="护佑健康·孤困儿童医疗救助", name_en="Medical aid for children in difficulty", kind="medical_aid",
         period_type="one_off", fund_code="medical_aid",
         amount_rule={"type": "share", "percent": 70, "cap_fen": 2_000_000},
         eligibility={"categories": ["orphan", "unsupported", "illness_disability"], "age_max": 17},
         required_documents=["hospital_invoices", "identity_document"]),
    dict(name_zh="明天计划·孤困儿童保险", name_en="Tomorrow Plan insurance premiums", kind="insurance_premium",
         period_type="per_year", fund_code=rules.OWN_FUND, amount_rule={"type": "fixed", "amount_fen": 38_000},
         eligibility={"categories": ["orphan", "unsupported"], "age_max": 17}, required_documents=["identity_document"]),
]
SCHOOLS = {"university": ["山东大学", "临沂大学", "曲阜师范大学", "山东理工大学"],
           "vocational_college": ["临沂职业学院", "淄博职业学院", "山东医学高等专科学校"]}


def _villages(session: Session, owner: str) -> list[str]:
    prefix = owner[:6] if owner.endswith("000000") and not owner.endswith("00000000") else owner[:4]
    have = select(Child.region_code).where(Child.region_code.like(f"{prefix}%")).distinct()
    codes = sorted(session.scalars(have))
    demo = [c for c in STUDENT_VILLAGES if c.startswith(prefix)]
    return demo + [c for c in codes if c not in demo]


def _moment(days_before: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_before), time(9, 0), timezone.utc)


def _students(session: Session, owner: str, count: int, rng: random.Random, next_id: int, visits: int) -> int:
    """Young people of 18 at university or college, orphans (a few de-facto unsupported),
    their files kept past 18 (aged out) as the scholarship needs."""
    villages = _villages(session, owner)
    if not villages:
        return 0
    rows = []
    for n in range(count):
        village = villages[0] if n < 2 else rng.choice(villages)
        # Born in the year that makes them 18 this year (files stay valid for the registry's own
        # check, which counts years) and already 18 on the demo's day: freshmen and sophomores.
        born = date(TODAY.year - 18, 1, 1) + timedelta(days=rng.randint(0, (TODAY - date(TODAY.year, 1, 1)).days - 5))
        gender = rng.choice(("male", "female"))
        # The children loader's files are all younger: no identity number can repeat one of theirs.
        number = idnumber.make(village[:6], born, 2 * n + (1 if gender == "male" else 0))
        stage = "university" if rng.random() < 0.7 else "vocational_college"
        rows.append({
            "id": next_id + n, "region_code": village, "name": rng.choice(children_demo.SURNAMES) + rng.choice(children_demo.GIVEN_NAMES), "gender": gender,
            "birth_date": born, "id_number": number, "id_number_hash": crypto.blind_index(number), "ethnicity": "汉族",
            "household_registration": None, "address": f"{rng.randint(1, 120)}号",
            "categories": ["orphan"] if rng.random() < 0.85 else ["unsupported"], "school": rng.choice(SCHOOLS[stage]),
            "grade": rng.choice(("大一", "大二")), "school_stage": stage, "disability_category": "",
            "disability_level": "", "chronic_illness": "", "benefits": [], "status": "aged_out", "status_reason": "18",
            "risk_level": None, "next_visit_due": None,
            "last_visited_on": _birthday(born, 18) - timedelta(days=30) if visits else None,
            "qr_token": children_demo.new_qr_token_seeded(rng),
            "created_at": _moment(900), "updated_at": _moment(60),
        })
    session.execute(insert(Child), rows)
    # Their files' history: the visits of their last months before 18, as every demo file has.
    session.execute(insert(Visit), [
        {"child_id": row["id"], "visited_on": eighteenth - timedelta(days=30 + 60 * k), "mode": rng.choice(("home", "school")),
         "seen": "儿童及监护人", "findings": "学习努力，准备升学", "follow_up": "", "via_qr": False,
         "created_at": datetime.combine(eighteenth - timedelta(days=30 + 60 * k), time(9, 0), timezone.utc)}
        for row in rows for eighteenth in [_birthday(row["birth_date"], 18)] for k in range(visits)])
    return len(rows)


def _birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February
        return born.replace(year=born.year + years, day=28)


def _enrol_most(session: Session, programme: Programme, rng: random.Random) -> tuple[int, int]:
    """Enrol the children found, with their documents, but one in six: those stay newly eligible."""
    rows = session.scalars(select(ProgrammeEnrolment).where(ProgrammeEnrolment.programme_id == programme.id)
                           .order_by(ProgrammeEnrolment.child_id)).all()
    enrolled = 0
    for row in rows:
        if rng.random() < 1 / 6:
            continue
        documents = dict.fromkeys(programme.required_documents, True)
        if "hospital_invoices" in programme.required_documents:
            documents["hospital_invoices_fen"] = rng.randint(2_000, 80_000) * 100
        row.state, row.documents = EnrolmentState.enrolled, documents
        row.found_on = TODAY - timedelta(days=rng.randint(60, 700))
        enrolled += 1
    session.flush()
    return enrolled, len(rows) - enrolled


def load(session: Session, scale: str, rng) -> list[str]:
    own_rng = random.Random(SEED + 20)
    next_id = (session.scalar(select(func.max(Child.id))) or 0) + 1
    added = 0
    for owner in OWNERS[scale]:
        if session.get(Region, owner) is None:
            continue
        count = _students(session, owner, STUDENTS[owner], own_rng, next_id, children_demo.PLANS[scale][3])
        next_id += count
        added += count
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text

        session.execute(text("SELECT setval(pg_get_serial_sequence('child', 'id'), (SELECT max(id) FROM child))"))
    lines = [f"programmes: {added} university and college students"]
    county_staff = session.scalar(select(User).where(User.username == "demo-county"))
    for owner in OWNERS[scale]:
        region = session.get(Region, owner)
        if region is None or region.level not in (Level.city, Level.county):
            continue
        for values in PROGRAMMES:
            programme = _programme(session, owner, values, county_staff if owner == "371302000000" else None)
            enrolled, pending = _enrol_most(session, programme, own_rng)
            lines.append(f"programmes: {region.name} {programme.name_zh}: {enrolled} enrolled, {pending} newly eligible")
    return lines


def _programme(session: Session, owner: str, values: dict, actor) -> Programme:
    """Create a programme (through the rules when the owner has demo staff) and let the rules find
    its children as of the demo's day."""
    if actor is not None and actor.region_code == owner:
        return rules.create_programme(session, actor, rules.ProgrammeValues(**values), today=TODAY)
    checked = rules._checked(session, rules.ProgrammeValues(**values), owner)
    programme = Programme(**checked, owner_region_code=owner)
    programme.fund_id = rules._fund(session, programme, values["fund_code"]).id
    session.add(programme)
    session.flush()
    finding.find_eligible(session, programme, TODAY)
    return programme

