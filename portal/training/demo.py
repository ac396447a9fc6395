"""Demo training sessions and attendance, deterministic, on the staff the other loaders made.

Lanshan district (371302), the 兰山e起助 platform of the seed reports, reproduces their sentences
for 2026: "开展培训12场570人次" and "培训覆盖率100%" — each town trains all its child directors and
its supervisors once, and the district's own sessions bring the total to 570 person-times. On the
province set every other county with staff holds one to three sessions that reach most, not all,
of its people, so coverage differs from county to county (and the untrained-director notice has
people to report).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, insert, select, text
from sqlmodel import Session

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.regions.models import Level
from portal.regions.rules import names_of, prefix_of
from portal.training.models import TrainingAttendance, TrainingSession

SEED_COUNTY = "371302"
SEED_SESSIONS, SEED_PERSON_TIMES = 12, 570
YEAR = 2026
TOPICS = ["未成年人保护法解读", "困境儿童分类保障政策", "儿童主任工作职责与台账规范", "留守儿童关爱服务实务",
          "儿童心理健康识别与转介", "家庭监护评估与风险分级", "强制报告制度培训", "儿童之家活动设计",
          "防溺水与安全教育", "一童一档信息化操作", "个案管理与入户走访技巧", "社会组织参与儿童关爱服务"]
TRAINERS = ["区民政局儿童福利科", "市未成年人救助保护中心", "山青社工服务中心", "临沂大学社会工作系"]
COUNTY_TRAINER = "区民政局儿童福利科"


def _token(rng) -> str:
    # Seeded so that two builds are identical; real sessions use ``children.rules.new_qr_token``.
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(24))


def _town(code: str) -> str:
    return prefix_of(code, Level.town).ljust(12, "0")


class _Loader:
    def __init__(self, session: Session, rng):
        self.session, self.rng = session, rng
        self.next_id = (session.scalar(select(func.max(TrainingSession.id))) or 0) + 1
        self.sessions: list[dict] = []
        self.attendance: list[dict] = []
        self.organiser = session.scalar(select(User.id).where(User.username == "demo-county"))

    def hold(self, region: str, held_on: date, topic: str, trainer: str, people: list[int], place: str = "") -> None:
        sid = self.next_id
        self.next_id += 1
        self.sessions.append({
            "id": sid, "topic": topic, "held_on": held_on, "region_code": region, "trainer": trainer, "place": place,
            "checkin_token": _token(self.rng), "created_by_id": self.organiser,
            "created_at": datetime.combine(held_on - timedelta(days=14), time(1, 0), timezone.utc),
        })
        at = datetime.combine(held_on, time(1, 30), timezone.utc)  # 09:30 in China
        for uid in people:
            self.attendance.append({"session_id": sid, "user_id": uid, "via_qr": self.rng.random() < 0.7,
                                    "recorded_by_id": self.organiser, "recorded_at": at})

    def flush(self) -> None:
        if self.sessions:
            self.session.execute(insert(TrainingSession.__table__), self.sessions)
        for start in range(0, len(self.attendance), 5000):
            self.session.execute(insert(TrainingAttendance.__table__), self.attendance[start:start + 5000])


def _trainees(session: Session) -> dict[str, dict[str, list[tuple[int, Role]]]]:
    """county prefix → town code → [(user id, role)] of the active directors and supervisors."""
    rows = session.execute(select(User.id, User.role, User.region_code).where(
        User.is_active, User.role.in_([Role.child_director, Role.child_supervisor]), User.region_code.is_not(None))
        .order_by(User.region_code, User.id)).all()
    found: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for uid, role, code in rows:
        found[code[:6]][_town(code)].append((uid, Role(role)))
    return found


def _seed_county(loader: _Loader, towns: dict[str, list], names: dict[str, str]) -> bool:
    """Lanshan's year: a session in each town for all its people, then the district's own sessions
    (supervisors first, then directors drawn at random) up to 570 person-times in 12 sessions."""
    people = sum(len(p) for p in towns.values())
    town_sessions = sorted(towns)[: SEED_SESSIONS - 2]
    county_sessions = SEED_SESSIONS - len(town_sessions)
    missed = [p for t in sorted(towns) if t not in town_sessions for p in towns[t]]
    extra = SEED_PERSON_TIMES - (people - len(missed))  # what the district's own sessions must add
    if extra < len(missed) or extra > county_sessions * people:
        return False  # this data set's staff cannot give the seed's figures: the generic plan instead
    rng = loader.rng
    for i, town in enumerate(town_sessions):
        held_on = date(YEAR, 3, 3) + timedelta(days=14 * i)
        loader.hold(town, held_on, TOPICS[i % len(TOPICS)], rng.choice(TRAINERS), [uid for uid, _r in towns[town]],
                    place=f"{names.get(town, '')}政府会议室")
    everyone = [p for t in sorted(towns) for p in towns[t]]
    supervisors = [uid for uid, role in everyone if role == Role.child_supervisor]
    directors = [uid for uid, role in everyone if role == Role.child_director]
    # Those whose town held no session of its own come first, so that everyone is trained.
    first = [uid for uid, _r in missed]
    rest = [uid for uid in supervisors + rng.sample(directors, len(directors)) if uid not in first]
    queue = first + rest
    per_session = [extra // county_sessions + (1 if i < extra % county_sessions else 0) for i in range(county_sessions)]
    start = 0
    for i, size in enumerate(per_session):
        chosen = [queue[(start + k) % len(queue)] for k in range(size)]
        start += size
        held_on = date(YEAR, 9, 16) + timedelta(days=35 * i)
        loader.hold(SEED_COUNTY + "000000", held_on, TOPICS[(len(town_sessions) + i) % len(TOPICS)], COUNTY_TRAINER,
                    chosen, place="兰山区民政局五楼会议室")
    return True


def _other_county(loader: _Loader, county: str, towns: dict[str, list]) -> None:
    rng = loader.rng
    everyone = [uid for t in sorted(towns) for uid, _r in towns[t]]
    for i in range(rng.randint(1, 3)):
        held_on = date(YEAR, 4, 1) + timedelta(days=rng.randint(0, 220))
        share = rng.uniform(0.55, 0.95)
        chosen = sorted(rng.sample(everyone, max(1, int(len(everyone) * share))))
        loader.hold(county + "000000", held_on, TOPICS[(i + len(county)) % len(TOPICS)], rng.choice(TRAINERS), chosen)


def load(session: Session, scale: str, rng) -> list[str]:
    loader = _Loader(session, rng)
    by_county = _trainees(session)
    if not by_county:
        return ["training: no child directors or supervisors, no sessions"]
    names = names_of(session, {t for towns in by_county.values() for t in towns})
    seeded = False
    for county in sorted(by_county):
        if county == SEED_COUNTY:
            seeded = _seed_county(loader, by_county[county], names)
            if seeded:
                continue
        if scale == "province" or county == SEED_COUNTY:
            _other_county(loader, county, by_county[county])
    loader.flush()
    if session.get_bind().dialect.name == "postgresql":
        for table in ("training_session", "training_attendance"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    note = " (Lanshan: the seed reports' 12 sessions, 570 person-times, 100% coverage)" if seeded else ""
    return [f"training: {len(loader.sessions)} sessions, {len(loader.attendance)} attendances{note}"]
