"""Demo needs on the demo children: every status, category and kind, with the history that led
there (deterministic for the seed, streamed).

small: about 300 needs on Lanshan district's children, among them the ones the demo accounts act
on — reported needs in demo-village's 屠苏村, needs at 义堂镇 for demo-town and at the county for
demo-county to publish, published needs in 义堂镇 that demo-volunteer may claim, and claims of
demo-volunteer and demo-org at every stage. province: 200,000 needs over the province's children
(two a child on average), about a quarter of them on the public board.

Each need gets the events of its history in order (reported, risen, published, claimed, delivered,
verified, or resolved, rejected, cancelled, expired on the way), with the claims and deliveries its
status implies. Reporting, rising and publishing are done by staff of the need's own village, town
and county: the loader adds an account (that cannot sign in) for each child director, supervisor and
civil-affairs bureau the demo accounts do not already cover. Internal descriptions name the child;
public summaries name only the town. Times are counted back from the day of the load, so open needs
are never overdue all at once and published deadlines lie ahead; everything else is fixed by the
seed. Rows go in with one statement per table and batch, with explicit ids, as in the children's
loader.
"""

from __future__ import annotations

import itertools
import time as clock
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, insert, select, text
from sqlmodel import Session

from portal.accounts.demo import DEMO_ACCOUNTS
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.categories import NeedCategory
from portal.children.models import Child
from portal.children.rules import age_on
from portal.helpers.models import HelperArea, OrganizationMember
from portal.needs.models import (
    Claim,
    ClaimStatus,
    Delivery,
    DeliveryStatus,
    Need,
    NeedChild,
    NeedEvent,
    NeedKind,
    NeedStatus,
)
from portal.needs.rules import DEFAULT_DAYS, band_of, county_of, town_of
from portal.regions.rules import names_of

S = NeedStatus
K = NeedKind
C = NeedCategory

PLANS = {"small": 300, "province": 200_000}  # needs in all, the demo accounts' own included
BATCH = 5000
VILLAGES_PER_QUERY = 100

TUSU, YISHUN, YITANG = "371302105259", "371302105260", "371302105000"

# How the needs are spread over the statuses (weights): about a quarter on the board.
STATUS_WEIGHTS = {S.reported: 8, S.at_town: 6, S.at_county: 6, S.published: 25, S.claimed: 10, S.delivered: 5,
                  S.verified: 15, S.resolved: 12, S.rejected: 4, S.cancelled: 2, S.expired: 7}
CATEGORY_WEIGHTS = {C.education: 25, C.psychological: 14, C.medical: 10, C.necessities: 15, C.tuition: 10,
                    C.companionship: 13, C.safety: 8, C.other: 5}
KIND_WEIGHTS = {
    C.education: {K.service: 6, K.pairing: 2, K.activity: 1},
    C.psychological: {K.service: 5, K.pairing: 3, K.activity: 1},
    C.medical: {K.money: 5, K.service: 3},
    C.necessities: {K.goods: 8, K.money: 1},
    C.tuition: {K.money: 8, K.pairing: 2},
    C.companionship: {K.pairing: 5, K.service: 4, K.activity: 1},
    C.safety: {K.service: 6, K.activity: 2},
    C.other: {K.goods: 3, K.service: 3, K.activity: 2},
}

# Public summaries: the town, an age, a grade, never a name, a village or a number that identifies.
SUMMARIES = {
    (C.education, K.service): [
        "{town}一名{age}岁{tag}{sex}，{grade}，{subject}基础薄弱，希望周末有志愿者辅导。",
        "{town}一名{age}岁{tag}{sex}，{grade}，学习习惯较差，希望有大学生志愿者每周两次线上辅导{subject}。",
    ],
    (C.education, K.pairing): ["{town}一名{age}岁{tag}{sex}，{grade}，希望有志愿者结对{months}个月，定期辅导功课、交流学习方法。"],
    (C.education, K.activity): ["{town}{n}名{tag}儿童暑期无人辅导，希望开办为期一周的学业辅导营，需要志愿者授课。"],
    (C.psychological, K.service): [
        "{town}一名{age}岁{tag}{sex}，近来情绪低落、不愿与人交流，希望有心理咨询师上门疏导。",
        "{town}一名{age}岁{sex}，{grade}，在校常与同学冲突，需要专业人员进行心理评估和辅导。",
    ],
    (C.psychological, K.pairing): ["{town}一名{age}岁{tag}{sex}，与{guardian}生活，希望有社工结对陪伴{months}个月。"],
    (C.psychological, K.activity): ["{town}{n}名{tag}儿童需要团体心理辅导，每月一次，由专业社工带领。"],
    (C.medical, K.money): ["{town}一名{age}岁{sex}患有{illness}，需要手术治疗，家庭无力承担，筹款目标{amount}元。"],
    (C.medical, K.service): ["{town}一名{age}岁{sex}患有{illness}，需要定期到市医院复查，希望有志愿者协助接送。"],
    (C.necessities, K.goods): [
        "{town}一名{age}岁{tag}{sex}冬衣、被褥不足，需要一套冬季衣物和一床棉被。",
        "{town}一名{age}岁{sex}，{grade}，家中没有写作业的地方，需要一张书桌和一盏护眼台灯。",
        "{town}一名{age}岁{tag}{sex}上学路远，需要一辆自行车。",
    ],
    (C.necessities, K.money): ["{town}一名{age}岁{tag}{sex}家中住房漏雨，需要筹款{amount}元修缮屋顶。"],
    (C.tuition, K.money): ["{town}一名{age}岁{sex}，{grade}，家庭困难，需要资助本学年学杂费和生活费{amount}元。"],
    (C.tuition, K.pairing): ["{town}一名{age}岁{tag}{sex}，{grade}，成绩优秀，希望爱心人士结对资助{months}个月。"],
    (C.companionship, K.pairing): ["{town}一名{age}岁{tag}{sex}与年迈的{guardian}生活，希望有志愿者结对{months}个月，每月上门陪伴。"],
    (C.companionship, K.service): ["{town}一名{age}岁{tag}{sex}希望周末有志愿者陪伴读书、做手工。"],
    (C.companionship, K.activity): ["{town}{n}名{tag}儿童希望春节前参加一次集体联欢活动，需要志愿者组织。"],
    (C.safety, K.service): ["{town}一名{age}岁{sex}放学后无人看护，需要志愿者协助接送并开展安全教育。"],
    (C.safety, K.activity): ["{town}{n}名儿童需要一次防溺水和交通安全讲座。"],
    (C.other, K.goods): ["{town}一名{age}岁{sex}喜欢画画，希望得到一套绘画用品。"],
    (C.other, K.service): ["{town}一名{age}岁{tag}{sex}需要办理残疾证，家中无人熟悉流程，希望有志愿者协助。"],
    (C.other, K.activity): ["{town}{n}名儿童希望参观市科技馆，需要志愿者组织并陪同。"],
}
# Internal descriptions: for staff only, they name the child and the village.
DESCRIPTIONS = {
    C.education: "{name}，{age}岁，{grade}，父母在外务工，由{guardian}照看。{subject}成绩落后，家中无人辅导作业。",
    C.psychological: "{name}，{age}岁。{guardian}反映孩子近两个月常独自哭泣，不愿与人说话，夜里睡不好。",
    C.medical: "{name}，{age}岁，患{illness}，在市人民医院就诊，医保报销后自付部分较多，{guardian}务农收入微薄。",
    C.necessities: "{name}，{age}岁，住{village}，家中仅{guardian}一人务农，入冬后衣被不足，生活用品短缺。",
    C.tuition: "{name}，{age}岁，{grade}，父亲病故，母亲改嫁，由{guardian}抚养，学费和住宿费无力负担。",
    C.companionship: "{name}，{age}岁，父母常年在外，{guardian}年迈多病，孩子放学后独自在家，缺少陪伴。",
    C.safety: "{name}，{age}岁，家住{village}，放学需步行经过国道，{guardian}无法接送，存在安全隐患。",
    C.other: "{name}，{age}岁，{village}，家庭有特殊困难，详见入户走访记录。",
}
ACTIVITY_DESCRIPTION = "{village}{n}名儿童（{names}）参加，地点在村儿童之家，由村儿童主任组织。"
TAGS = {"orphan": "孤儿", "unsupported": "事实无人抚养", "left_behind": "留守", "migrant": "流动",
        "low_income": "低保家庭", "illness_disability": "残疾", "parent_imprisoned": "困境", "other": "困境"}
GUARDIANS = ["祖母", "祖父", "外祖母", "外祖父", "祖父母", "外祖父母"]  # parents away, ill or gone
ILLNESSES = ["先天性心脏病", "哮喘", "癫痫", "听力障碍", "脊柱侧弯", "1型糖尿病"]
SUBJECTS = ["数学", "语文", "英语"]
NUMERALS = "一二三四五六"
SCHOOL_WORDS = ("{grade}", "上学", "在校", "作业")
ESCALATE_NOTES = ["村里无法解决，请镇里协调。", "村集体无相应资金，上报。", "需要上级协调部门资源。", ""]
RESOLUTIONS = ["已纳入临时救助，民政办发放救助金1000元。", "已协调教育部门落实学费减免。",
               "已由村委会协调亲属落实临时照料。", "已纳入医疗救助，个人负担大幅减少。",
               "已联系学校安排老师课后辅导。", "已申请孤儿基本生活费，按月发放。"]
REJECTIONS = ["经核实，该儿童已随父母迁往外地，需求不再存在。", "经入户核实，家庭已自行解决。",
              "与此前已办结的需求重复。"]
CANCELLATIONS = ["孩子已随母亲外出就学，需求取消。", "监护人表示已自行解决，不再需要。"]
DELIVERY_REPORTS = {
    C.education: "已上门辅导四次，孩子作业完成情况明显好转。",
    C.psychological: "已完成三次心理辅导，孩子愿意主动交流，建议继续关注。",
    C.medical: "已陪同到医院复查两次，医生建议三个月后再查。",
    C.necessities: "物品已送到孩子家中，监护人签收。",
    C.tuition: "已与学校对接，费用已缴清。",
    C.companionship: "每周末上门陪伴读书，孩子很开心。",
    C.safety: "已完成接送安排和安全教育讲座。",
    C.other: "已按需求完成，照片见附件。",
}
PAIRING_SUMMARIES = ["结对期满，孩子学习和情绪均有明显进步。", "结对期满，双方约定继续保持联系。"]
AUTO_NOTE = "waited its time at this level without action"
EXPIRED_NOTE = "deadline passed without a claim"


def _grade(age: int) -> str:
    if age < 6:
        return "学龄前"
    if age <= 11:
        return f"{NUMERALS[age - 6]}年级"
    return f"初{NUMERALS[age - 12]}" if age <= 14 else f"高{NUMERALS[min(age, 17) - 15]}"


def _short(village_name: str) -> str:
    """The name a village goes by: "屠苏村村民委员会" is "屠苏村" (as ``rules.nearby_places`` reads it)."""
    return village_name.replace("村民委员会", "").replace("居民委员会", "").replace("社区居委会", "社区")


class _Batches:
    """Rows per table, inserted with one statement per table and batch; users first, events last,
    so that every row finds what it refers to."""

    ORDER = (User, Need, NeedChild, Claim, Delivery, NeedEvent)

    def __init__(self, session: Session):
        self.session = session
        self.rows: dict = {model: [] for model in self.ORDER}
        self.counts = dict.fromkeys(self.ORDER, 0)

    def add(self, model, row: dict) -> None:
        self.rows[model].append(row)
        if len(self.rows[model]) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for model in self.ORDER:
            rows = self.rows[model]
            if rows:
                # Core's executemany on the table: the ORM's bulk insert would split the rows
                # wherever a value is None and insert them one by one.
                self.session.execute(insert(model.__table__), rows)
                self.counts[model] += len(rows)
                rows.clear()


class _Loader:
    def __init__(self, session: Session, scale: str, rng):
        self.session, self.scale, self.rng = session, scale, rng
        self.batches = _Batches(session)
        self.today = date.today()
        self.now = datetime.combine(self.today, time(0, 0), timezone.utc)  # the events lie before it
        self.next_need = (session.scalar(select(func.max(Need.id))) or 0) + 1
        self.next_claim = (session.scalar(select(func.max(Claim.id))) or 0) + 1
        self.next_delivery = (session.scalar(select(func.max(Delivery.id))) or 0) + 1
        self.statuses = list(STATUS_WEIGHTS)
        self.status_weights = list(STATUS_WEIGHTS.values())
        self.categories = list(CATEGORY_WEIGHTS)
        self.category_weights = list(CATEGORY_WEIGHTS.values())
        self.by_status = dict.fromkeys(NeedStatus, 0)

    # --- who acts --------------------------------------------------------------------------------

    def staff_and_helpers(self, villages: list[str]) -> int:
        """The staff over every village with children (demo accounts where they exist, else a new
        account that cannot sign in) and the crowd of volunteers by the area they serve."""
        session, rng = self.session, self.rng
        towns = sorted({town_of(v) for v in villages})
        counties = sorted({county_of(v) for v in villages})
        self.names = names_of(session, [*villages, *towns, *counties])
        demo = {username for username, *_ in DEMO_ACCOUNTS}
        users = session.execute(select(User.id, User.username, User.role, User.region_code)
                                .where(User.username.in_(demo))).all()
        self.demo = {u.username: u.id for u in users}
        self.staff: dict[str, int] = {}
        for user in users:
            if user.region_code and user.role in (Role.child_director, Role.child_supervisor, Role.civil_affairs):
                self.staff.setdefault(user.region_code, user.id)
        next_user = (session.scalar(select(func.max(User.id))) or 0) + 1
        surnames, given = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董", "秀英桂兰丽娟建国志强海燕春梅红霞玉华文明德胜"
        created = self.now - timedelta(days=400)
        added = 0
        for codes, role, title in ((counties, Role.civil_affairs, "民政局"), (towns, Role.child_supervisor, "儿童督导员"),
                                   (villages, Role.child_director, "儿童主任")):
            for code in codes:
                if code in self.staff:
                    continue
                person = rng.choice(surnames) + "".join(rng.sample(given, 2))
                place = _short(self.names.get(code, code))
                self.batches.add(User, {
                    "id": next_user, "username": f"demo-staff-{code}", "display_name": f"{place}{title} {person}",
                    "password_hash": "!", "role": role, "region_code": code, "locale": "zh", "is_active": True,
                    "must_change_password": False, "created_at": created, "password_changed_at": created,
                })
                self.staff[code] = next_user
                next_user += 1
                added += 1
        # The crowd (demo-volunteer-NNNNN) by the town or county each serves: they claim the random
        # needs; demo-volunteer and demo-org claim only the needs chosen for them below.
        self.helpers: dict[str, list[int]] = {}
        stmt = (select(HelperArea.region_code, HelperArea.user_id).join(User, User.id == HelperArea.user_id)
                .where(User.role == Role.volunteer, User.username.like("demo-volunteer-%"))
                .order_by(HelperArea.user_id, HelperArea.region_code))
        for code, user_id in session.execute(stmt):
            self.helpers.setdefault(code, []).append(user_id)
        self.crowd = sorted({uid for ids in self.helpers.values() for uid in ids})
        org_user = self.demo.get("demo-org")
        self.org = session.scalar(select(OrganizationMember.organization_id)
                                  .where(OrganizationMember.user_id == org_user)) if org_user else None
        return added

    def claimers(self, village: str, count: int) -> list[tuple[int, int | None]]:
        pool = self.helpers.get(town_of(village), []) + self.helpers.get(county_of(village), [])
        if len(pool) < count:  # too few near enough: others of the crowd too (the demo checks no areas)
            more = self.rng.sample(self.crowd, min(len(self.crowd), count + len(pool)))
            pool = list(dict.fromkeys(pool + more))
        return [(uid, None) for uid in self.rng.sample(pool, min(count, len(pool)))]

    # --- one need and its history ------------------------------------------------------------------

    def need(self, children: list, village: str, status: NeedStatus, category: NeedCategory, kind: NeedKind, *,
             urgency: int | None = None, slots: int | None = None, taken: int | None = None,
             claimers: list[tuple[int, int | None]] | None = None, template: int | None = None) -> int:
        """One need of ``children`` (one child, or several for an activity) that ended in ``status``."""
        rng = self.rng
        if kind == K.money and status in (S.claimed, S.delivered, S.verified):
            # A money need is done once funded, and only donations fund it: it goes on the board
            # here, and the donations loader settles the gifts that fund it (``donations.demo``).
            status = S.published
        if kind == K.pairing and status == S.delivered:
            status = S.claimed  # a pairing runs until it ends with a summary
        need_id = self.next_need
        self.next_need += 1
        town, county = town_of(village), county_of(village)
        director, supervisor, civil = self.staff[village], self.staff[town], self.staff[county]
        urgency = urgency or rng.choices((1, 2, 3), (3, 5, 2))[0]
        if slots is None:
            slots = rng.randint(2, 6) if kind == K.activity else (2 if kind == K.service and rng.random() < 0.15 else 1)
        months = rng.choice((3, 6, 6, 12, 12, 24)) if kind == K.pairing else 0
        amount = 0
        if kind == K.money:
            amount = {C.medical: rng.randint(20, 80) * 1000, C.tuition: rng.randint(20, 60) * 100}.get(
                category, rng.randint(30, 100) * 100)
        texts = self.texts(children, village, category, kind, months, amount, template)

        # The path through the statuses, with the hours each step took after the one before.
        steps: list[tuple] = []  # (hours after the previous step, action, from, to, actor, note)
        if status in (S.resolved, S.rejected):
            top = rng.choices((S.reported, S.at_town, S.at_county), (3, 3, 4))[0]
        elif status == S.cancelled:
            top = rng.choice((S.reported, S.at_town, S.at_county, S.published))
        else:
            top = {S.reported: S.reported, S.at_town: S.at_town}.get(status, S.at_county)
        rises = {S.reported: 0, S.at_town: 1}.get(top, 2)  # how many times it rose
        for source, target, actor, days in ((S.reported, S.at_town, director, DEFAULT_DAYS["village"]),
                                            (S.at_town, S.at_county, supervisor, DEFAULT_DAYS["town"]))[:rises]:
            if rng.random() < 0.3:  # nobody acted in time: the portal passed it up
                steps.append((days * 24 + rng.uniform(0.2, 1), "auto_escalate", source, target, None, AUTO_NOTE))
            else:
                steps.append((rng.uniform(3, days * 24 - 4), "escalate", source, target, actor,
                              rng.choice(ESCALATE_NOTES)))
        reaches_board = status in (S.published, S.claimed, S.delivered, S.verified, S.expired) or top == S.published
        if reaches_board:
            steps.append((rng.uniform(6, 24 * 6), "publish", S.at_county, S.published, civil, ""))
        # A need on the board has its deadline ahead of the load (or none); others were given one
        # when reported (or none); an expired one's lay the day before it expired.
        ahead = status == S.published or (status == S.cancelled and top == S.published)
        deadline_days = rng.randint(4, 90) if ahead and rng.random() < 0.8 else None
        set_at_report = not ahead and status != S.expired and rng.random() < 0.6

        # Claims, deliveries, funding.
        raised = 0
        claim_rows: list[dict] = []
        if kind == K.money or status not in (S.published, S.claimed, S.delivered, S.verified):
            taken = 0
        elif status != S.published:
            taken = slots
        elif taken is None:
            taken = rng.randint(1, slots - 1) if slots > 1 and rng.random() < 0.5 else 0
        if kind == K.money:
            pass  # raised by the demo donations, settled through the ledger (``donations.demo``)
        elif taken:
            who = (claimers or [])[:taken]
            if len(who) < taken:
                mine = {w[0] for w in who}
                who += [c for c in self.claimers(village, taken) if c[0] not in mine][: taken - len(who)]
            taken = len(who)
            for helper_id, org_id in who:
                claim_id = self.next_claim
                self.next_claim += 1
                claim_rows.append({"id": claim_id, "need_id": need_id, "helper_id": helper_id,
                                   "organization_id": org_id, "status": ClaimStatus.active, "reason": "",
                                   "period_end": None, "closed_at": None})
                steps.append((rng.uniform(2, 24 * 15), "claim", S.published, S.published, helper_id,
                              f"claim {claim_id}"))
            if status != S.published and who:
                steps.append((0.0, "all_claimed", S.published, S.claimed, who[-1][0], ""))
        deliveries: list[dict] = []
        if status in (S.delivered, S.verified) and kind != K.pairing:
            report = DELIVERY_REPORTS[category]
            for i, row in enumerate(claim_rows):
                last = i == len(claim_rows) - 1
                delivery_id = self.next_delivery
                self.next_delivery += 1
                row["status"] = ClaimStatus.delivered
                deliveries.append({"id": delivery_id, "claim_id": row["id"], "need_id": need_id, "report": report,
                                   "status": DeliveryStatus.reported, "decided_by_id": None, "decided_at": None,
                                   "reason": "", "step": len(steps)})
                steps.append((rng.uniform(24, 24 * 20), "deliver", S.claimed, S.delivered if last else S.claimed,
                              row["helper_id"], report))
            if status == S.verified:
                for i, delivery in enumerate(deliveries):
                    last = i == len(deliveries) - 1
                    delivery.update(status=DeliveryStatus.verified, decided_by_id=director, decided_step=len(steps))
                    claim_rows[i].update(status=ClaimStatus.verified, closed_step=len(steps))
                    steps.append((rng.uniform(2, 24 * 5), "verify" if last else "verify_delivery",
                                  S.delivered, S.verified if last else S.delivered, director,
                                  "" if last else f"delivery {delivery['id']}"))
        resolution = ""
        if status == S.verified and kind == K.pairing:
            resolution = rng.choice(PAIRING_SUMMARIES)
            for row in claim_rows:
                row.update(status=ClaimStatus.verified, reason=resolution, closed_step=len(steps))
            steps.append((months * 30 * 24 + rng.uniform(0, 72), "end_pairing", S.claimed, S.verified,
                          claim_rows[-1]["helper_id"] if claim_rows else director, resolution))
        elif status in (S.resolved, S.rejected, S.cancelled):
            action = {S.resolved: "resolve", S.rejected: "reject", S.cancelled: "cancel"}[status]
            resolution = rng.choice({S.resolved: RESOLUTIONS, S.rejected: REJECTIONS, S.cancelled: CANCELLATIONS}[status])
            actor = {S.reported: director, S.at_town: supervisor}.get(top, civil)
            steps.append((rng.uniform(4, 24 * 6), action, top, status, actor, resolution))
        elif status == S.expired:  # nobody claimed it in two to six weeks
            steps.append((rng.uniform(14 * 24, 45 * 24), "expire", S.published, S.expired, None, EXPIRED_NOTE))
            resolution = EXPIRED_NOTE

        # Time: the last step lies a while before the load (short for needs still waiting on someone).
        waited = {S.reported: (1, 60), S.at_town: (1, 24 * 6), S.at_county: (1, 24 * 12), S.published: (1, 24 * 40),
                  S.claimed: (1, 24 * 30), S.delivered: (1, 24 * 8)}.get(status, (24, 24 * 300))
        if kind == K.pairing and status == S.claimed:
            waited = (1, months * 30 * 24 * 0.8)
        hours = [h for h, *_ in steps]
        created = self.now - timedelta(hours=sum(hours) + rng.uniform(*waited))
        # Nothing is reported about a child before the child was born: for a baby, the same history
        # in a shorter time (a newborn of the province set was once "published" before its birth).
        born = datetime.combine(max(c.birth_date for c in children) + timedelta(days=1), time(0), tzinfo=timezone.utc)
        if created < born:
            shrink = max(0.0, (self.now - born) / (self.now - created))
            hours = [h * shrink for h in hours]
            created = self.now - (self.now - created) * shrink
        at, moments = created, []
        for h in hours:
            at += timedelta(hours=h)
            moments.append(at)
        deadline = None
        if deadline_days is not None:
            deadline = self.today + timedelta(days=deadline_days)
        elif set_at_report:
            deadline = created.date() + timedelta(days=rng.randint(20, 120))
        elif status == S.expired:
            deadline = (moments[-1] - timedelta(days=1)).date()

        level_since = created
        published_at = claimed_at = closed_at = None
        for moment, (_h, action, _from, to, _actor, _note) in zip(moments, steps, strict=True):
            if action == "publish":
                published_at = moment
            if action == "claim" and claimed_at is None:
                claimed_at = moment
            if action not in ("claim", "all_claimed", "funded", "verify_delivery") and not (
                    action == "deliver" and to == S.claimed):
                level_since = moment
        if status in (S.verified, S.resolved, S.rejected, S.cancelled, S.expired):
            closed_at = moments[-1]

        first = children[0]
        # As ``rules.publish`` does: the band of the children's ages on the day of publication.
        band = band_of([age_on(c.birth_date, published_at.date()) for c in children]) if published_at else ""
        self.batches.add(Need, {
            "id": need_id, "child_id": None if kind == K.activity else first.id, "region_code": village,
            "town_code": town, "county_code": county, "category": category, "kind": kind, "urgency": urgency,
            "description": texts[0], "public_summary": texts[1] if published_at else "",
            "age_band": band,
            "slots": slots, "slots_taken": taken, "target_fen": amount * 100, "raised_fen": raised,
            "pairing_months": months, "deadline": deadline, "status": status, "level_since": level_since,
            "resolution": resolution, "reported_by_id": director, "created_at": created,
            "published_at": published_at, "claimed_at": claimed_at, "closed_at": closed_at,
        })
        if kind == K.activity:
            for child in children:
                self.batches.add(NeedChild, {"need_id": need_id, "child_id": child.id})
        claim_moments = [m for m, step in zip(moments, steps, strict=True) if step[1] == "claim"]
        for row, claimed in zip(claim_rows, claim_moments, strict=True):
            row["claimed_at"] = claimed
            if months:
                row["period_end"] = row["claimed_at"].date() + timedelta(days=30 * months)
            closed_step = row.pop("closed_step", None)
            if closed_step is not None:
                row["closed_at"] = moments[closed_step]
            self.batches.add(Claim, row)
        for delivery in deliveries:
            delivery["created_at"] = moments[delivery.pop("step")]
            decided_step = delivery.pop("decided_step", None)
            delivery["decided_at"] = moments[decided_step] if decided_step is not None else None
            self.batches.add(Delivery, delivery)
        self.event(need_id, director, "report", "", S.reported, "", created)
        for moment, (_h, action, source, target, actor, note) in zip(moments, steps, strict=True):
            self.event(need_id, actor, action, source, target, note, moment)
        if status == S.at_county and self.now - level_since > timedelta(days=DEFAULT_DAYS["county"]):
            # waited its time at the county: the periodic task alerted the county's staff once
            self.event(need_id, None, "county_overdue", status, status, "waited its time at the county without action",
                       level_since + timedelta(days=DEFAULT_DAYS["county"], minutes=30))
        self.by_status[status] += 1
        return need_id

    def event(self, need_id: int, actor, action: str, source, target, note: str, at: datetime) -> None:
        self.batches.add(NeedEvent, {"need_id": need_id, "actor_id": actor, "action": action,
                                     "from_status": str(source), "to_status": str(target), "note": note, "at": at})

    def texts(self, children: list, village: str, category, kind, months: int, amount: int,
              template: int | None) -> tuple[str, str]:
        """The internal description (names the child) and the public summary (names only the town)."""
        rng = self.rng
        first = children[0]
        age = age_on(first.birth_date, self.today)
        tags = [TAGS[c] for c in (first.categories or []) if c in TAGS]
        values = {
            "town": self.names.get(town_of(village), ""), "village": _short(self.names.get(village, "")),
            "age": age, "sex": "女孩" if first.gender == "female" else "男孩", "tag": tags[0] if tags else "",
            "grade": _grade(age), "subject": rng.choice(SUBJECTS), "guardian": rng.choice(GUARDIANS),
            "illness": rng.choice(ILLNESSES), "months": months, "amount": amount, "name": first.name,
            "n": len(children), "names": "、".join(c.name for c in children[:8]),
        }
        if kind == K.activity:
            values["tag"] = tags[0] if tags and tags[0] in ("留守", "困境", "流动") else ""
        choices = SUMMARIES[(category, kind)]
        if template is None:  # a child below school age is not given a grade, a school or homework
            fitting = [i for i, t in enumerate(choices) if age >= 6 or not any(w in t for w in SCHOOL_WORDS)]
            template = rng.choice(fitting or range(len(choices)))
        summary = choices[template].format(**values)
        description = (ACTIVITY_DESCRIPTION if kind == K.activity else DESCRIPTIONS[category]).format(**values)
        return description, summary

    def random_need(self, child, siblings: list) -> None:
        rng = self.rng
        status = rng.choices(self.statuses, self.status_weights)[0]
        category = rng.choices(self.categories, self.category_weights)[0]
        if category in (C.education, C.tuition) and age_on(child.birth_date, self.today) < 6:
            category = rng.choice((C.companionship, C.necessities, C.medical))
        kinds = KIND_WEIGHTS[category]
        kind = rng.choices(list(kinds), list(kinds.values()))[0]
        children = [child]
        if kind == K.activity:
            others = [c for c in siblings if c.id != child.id]
            children += rng.sample(others, min(len(others), rng.randint(2, 7)))
            if len(children) < 2:
                kind = K.service if (category, K.service) in SUMMARIES else K.goods
        self.need(children, child.region_code, status, category, kind)

    # --- the needs the demo accounts act on ----------------------------------------------------------

    def for_demo_accounts(self, by_village: dict[str, list]) -> int:
        tusu, yishun = by_village.get(TUSU, []), by_village.get(YISHUN, [])
        volunteer, org_user = self.demo.get("demo-volunteer"), self.demo.get("demo-org")
        if len(tusu) < 8 or len(yishun) < 6 or not volunteer or not org_user or self.org is None:
            return 0
        me, org = (volunteer, None), (org_user, self.org)

        def cycle(children: list, school: bool):
            return itertools.cycle([c for c in children if age_on(c.birth_date, self.today) >= 6] if school else children)

        t, y, ts, ys = cycle(tusu, False), cycle(yishun, False), cycle(tusu, True), cycle(yishun, True)
        made = [
            # demo-village's queue (屠苏村) and demo-village2's (颐顺园村)
            self.need([next(ts)], TUSU, S.reported, C.education, K.service, urgency=3),
            self.need([next(t)], TUSU, S.reported, C.necessities, K.goods),
            self.need([next(y)], YISHUN, S.reported, C.companionship, K.pairing),
            # demo-town's queue (义堂镇) and demo-county's, waiting to be published (兰山区)
            self.need([next(ts)], TUSU, S.at_town, C.psychological, K.service, urgency=3),
            self.need([next(y)], YISHUN, S.at_town, C.safety, K.service),
            self.need([next(ts)], TUSU, S.at_county, C.tuition, K.money),
            self.need([next(ys)], YISHUN, S.at_county, C.education, K.service, urgency=3),
            self.need([next(t)], TUSU, S.at_county, C.medical, K.service),
            # on the board in 义堂镇: demo-volunteer may claim these
            self.need([next(ts)], TUSU, S.published, C.education, K.service, urgency=3, template=0, taken=0),
            self.need([next(ys)], YISHUN, S.published, C.psychological, K.service, template=0, taken=0),
            self.need([next(t)], TUSU, S.published, C.companionship, K.pairing, taken=0),
            self.need([next(y)], YISHUN, S.published, C.necessities, K.goods, urgency=3, template=0, taken=0),
            self.need(yishun[:5], YISHUN, S.published, C.safety, K.activity, slots=4, taken=1, claimers=[org]),
            self.need([next(t)], TUSU, S.published, C.medical, K.money),
            # demo-volunteer's claims: active, delivered (waiting for demo-village), verified
            self.need([next(ts)], TUSU, S.claimed, C.education, K.service, slots=1, claimers=[me]),
            self.need([next(ts)], TUSU, S.delivered, C.education, K.service, slots=1, claimers=[me]),
            self.need([next(ys)], YISHUN, S.verified, C.psychological, K.service, slots=1, claimers=[me]),
            # demo-org's: an active pairing, a delivery waiting, a verified one
            self.need([next(ts)], TUSU, S.claimed, C.psychological, K.pairing, claimers=[org]),
            self.need([next(y)], YISHUN, S.delivered, C.companionship, K.service, slots=1, claimers=[org]),
            self.need([next(ts)], TUSU, S.verified, C.education, K.service, slots=1, claimers=[org]),
            # closed in other ways
            self.need([next(ts)], TUSU, S.resolved, C.tuition, K.money),
            self.need([next(y)], YISHUN, S.rejected, C.necessities, K.goods),
            self.need([next(t)], TUSU, S.expired, C.other, K.goods),
            self.need([next(y)], YISHUN, S.cancelled, C.companionship, K.service),
        ]
        return len(made)


def load(session: Session, scale: str, rng) -> list[str]:
    started = clock.perf_counter()
    loader = _Loader(session, scale, rng)
    villages = list(session.scalars(select(Child.region_code).where(Child.status == "active")
                                    .group_by(Child.region_code).order_by(Child.region_code)))
    if not villages:
        return ["needs: no children, no needs"]
    staff = loader.staff_and_helpers(villages)
    columns = (Child.id, Child.region_code, Child.name, Child.gender, Child.birth_date, Child.categories)

    def children_of(codes: list[str]) -> dict[str, list]:
        rows = session.execute(select(*columns).where(Child.region_code.in_(codes), Child.status == "active")
                               .order_by(Child.id)).all()
        found: dict[str, list] = {}
        for row in rows:
            found.setdefault(row.region_code, []).append(row)
        return found

    demo = loader.for_demo_accounts(children_of([TUSU, YISHUN]))
    total = session.scalar(select(func.count()).select_from(Child).where(Child.status == "active"))
    wanted = max(0, PLANS[scale] - demo)
    made = seen = 0
    for start in range(0, len(villages), VILLAGES_PER_QUERY):
        by_village = children_of(villages[start:start + VILLAGES_PER_QUERY])
        for village in villages[start:start + VILLAGES_PER_QUERY]:
            siblings = by_village.get(village, [])
            for child in siblings:
                seen += 1
                # Spread ``wanted`` needs over the children: some have none, some several.
                due = round(seen * wanted / total) - made
                count = max(0, min(4, due + (rng.choice((-2, -1, 0, 0, 1, 2)) if seen < total else 0)))
                for _ in range(count):
                    loader.random_need(child, siblings)
                made += count
    loader.batches.flush()
    if session.get_bind().dialect.name == "postgresql":
        for table in ("user_account", "need", "claim", "delivery"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    counts = loader.batches.counts
    statuses = ", ".join(f"{s.value} {n}" for s, n in loader.by_status.items() if n)
    return [f"needs: {counts[Need]} needs ({statuses}), {counts[NeedEvent]} events, {counts[Claim]} claims, "
            f"{counts[Delivery]} deliveries, {staff} staff accounts; {clock.perf_counter() - started:.1f} s"]
