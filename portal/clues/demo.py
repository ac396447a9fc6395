"""Demo clues in Lanshan district, through the clues' own rules: from the public form, the 12345
hotline and partner departments, at every stage — waiting at 义堂镇 for demo-town to assign (one
urgent, received 30 hours ago, so the next hourly run alerts the county), one whose town is unknown
waiting at the county for demo-county, clues being checked by demo-village, and clues closed with
each outcome (a new child registered, a child on file reassessed, transferred with the receiving
unit's receipt, unfounded), so that the county's counts read "发现线索N条, 移送N条, 救助N名".

Received times are set back from the moment of the load (open clues are never overdue at once);
assignments and outcomes are recorded at the load. The same set at every scale.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from portal.accounts.models import User
from portal.children.demo import new_qr_token_seeded
from portal.children.models import Assessment, Child
from portal.children.rules import ChildValues, record_assessment, register_child
from portal.clues import rules
from portal.clues.models import Clue, ClueEvent
from portal.demo import SEED
from portal.regions.models import Region
from portal.types import utcnow

TUSU, YISHUN, YITANG, LANSHAN = "371302105259", "371302105260", "371302105000", "371302000000"

# (region, source, urgent, hours ago, place, what was seen, reference, outcome)
CLUES = [
    (TUSU, "public", True, 30, "屠苏村村东桥头", "桥洞下连着两晚有个七八岁的女孩一个人睡，身上很脏，问她也不说话。", "", None),
    (YITANG, "public", False, 20, "义堂镇集市东口", "集市上有个男孩上学时间一直在帮人搬货，看着不到十四岁。", "", None),
    (YISHUN, "phone", False, 50, "颐顺园村小学附近", "12345热线转来：邻居反映一户人家父亲外出务工，两个孩子常年跟年迈的奶奶住，奶奶最近住院了。",
     "12345热线工单", None),
    (LANSHAN, "public", False, 40, "兰山区某小区门口", "小区门口常有一个小女孩晚上十点后还在外面，说家里没人。", "", None),
    (TUSU, "school", False, 72, "屠苏村小学", "班主任反映：一名三年级学生一周没来上课，家访时家中无人。", "屠苏村小学 情况说明", "checking"),
    (TUSU, "grid_worker", True, 60, "屠苏村三组", "网格员巡查发现：一户家中父亲服刑，母亲离家，孩子由叔叔临时照看，叔叔要外出打工。",
     "网格巡查记录", "checking"),
    (YITANG, "police", False, 240, "义堂镇", "派出所通报：一名未成年人多次夜不归宿，家长联系不上。", "义堂派出所 通报", "transferred"),
    (YISHUN, "hospital", True, 200, "兰山区人民医院", "医院社工反映：一名儿童住院，陪护的只有年迈的外公，医疗费无着落。", "医院社工部",
     "new_child"),
    (YISHUN, "department", False, 180, "颐顺园村", "残联比对：一名在册儿童的父亲新近被评定为重度残疾。", "区残联 比对清单", "reassessed"),
    (YITANG, "court", False, 300, "义堂镇", "法院转来：离婚案件中两名子女的抚养安排存疑，请核实实际照料情况。", "兰山区人民法院 函", "unfounded"),
]


def load(session: Session, scale: str, rng) -> list[str]:
    if session.get(Region, LANSHAN) is None:
        return ["clues: none (Lanshan district is not in this data set)"]
    staff = {name: session.scalar(select(User).where(User.username == name))
             for name in ("demo-county", "demo-town", "demo-village", "demo-village2")}
    if any(user is None for user in staff.values()):
        return ["clues: none (the demo accounts are missing)"]
    now = utcnow()
    own_rng = random.Random(SEED + 30)
    made = 0
    for number, (region, source, urgent, hours, place, text, ref, outcome) in enumerate(CLUES, 1):
        if session.get(Region, region) is None:
            continue
        values = rules.ClueValues(region_code=region, place=place, text=text, urgent=urgent, source=source,
                                  source_ref=ref)
        if source == "public":
            clue, _code = rules.report_public(session, values, f"demo-clue-{number}")
        else:
            clue, _code = rules.enter_clue(session, staff["demo-county"], values)
        received = now - timedelta(hours=hours)
        session.execute(update(Clue).where(Clue.id == clue.id).values(created_at=received, level_since=received))
        session.execute(update(ClueEvent).where(ClueEvent.clue_id == clue.id).values(at=received))
        session.refresh(clue)
        if outcome:
            _act(session, staff, clue, outcome, own_rng)
        made += 1
    return [f"clues: {made} clues from the public, the hotline and partner departments"]


def _act(session: Session, staff: dict, clue: Clue, outcome: str, rng) -> None:
    # 屠苏村's clues go to demo-village, 颐顺园村's to demo-village2 (who registers and reassesses there).
    director = staff["demo-village2" if clue.region_code == YISHUN else "demo-village"]
    rules.assign(session, staff["demo-town"], clue, director.id, "请尽快实地核实")
    if outcome == "checking":
        return
    values = rules.OutcomeValues(outcome=outcome)
    if outcome == "new_child":
        # The file the director opens after the visit on site, as through the children's form.
        child = register_child(session, director, ChildValues(
            name="王雨桐", gender="female", birth_date=date(2016, 5, 12), region_code=YISHUN,
            categories=["left_behind"], school="颐顺园小学", grade="四年级",
            school_stage="primary"), confirmed_not_duplicate=True)
        child.qr_token = new_qr_token_seeded(rng)  # two builds of the demo are identical
        values.child_id = child.id
    elif outcome == "reassessed":
        child = session.scalars(select(Child).where(Child.region_code == YISHUN).order_by(Child.id)).first()
        latest = session.scalars(select(Assessment).where(Assessment.child_id == child.id)
                                 .order_by(Assessment.id.desc())).first()
        # Graded again on what was found: the same indicators as last time, so the level stays.
        assessment = record_assessment(session, director, child, indicators=list(latest.indicators if latest else []),
                                       assessed_on=rules.china_today(), today=rules.china_today(), team="儿童主任、残联专干",
                                       notes="父亲新近评定为重度残疾，已告知可申请的保障。")
        values.assessment_id = assessment.id
    elif outcome == "transferred":
        values.receiving_unit, values.receipt = "兰山区人民检察院", "兰检未检回〔2026〕12号"
        values.transferred_on = rules.china_today() - timedelta(days=1)
    else:
        values.reason = "经实地走访，孩子随母亲生活，照料正常，学校反映情况良好。"
    rules.record_outcome(session, director, clue, values)
