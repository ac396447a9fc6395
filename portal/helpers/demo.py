"""Demo helpers: the demo organization, volunteer and donor with real-looking profiles, one
organization waiting for vetting, a counselling certificate to verify, approved service hours, and
a crowd of volunteers and donors spread over the scale's real towns (for lists and matching)."""

from __future__ import annotations

import io
import os
from datetime import date, timedelta

from flask import current_app
from PIL import Image, ImageDraw
from sqlalchemy import insert, select
from sqlmodel import Session

from portal import crypto
from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.categories import SUBJECTS, NeedCategory, Skill
from portal.helpers import creditcode
from portal.helpers.models import (
    Certificate,
    HelperArea,
    HelperProfile,
    HelperSkill,
    HoursStatus,
    Organization,
    OrganizationArea,
    OrganizationMember,
    OrgStatus,
    VettingEvent,
    VolunteerHours,
)
from portal.regions.models import Level, Region
from portal.types import utcnow

LANSHAN = "371302000000"
YITANG = "371302105000"
TUSU = "371302105259"
CROWD = {"small": (60, 20), "province": (2000, 500)}  # volunteers, donors
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯"


def _user(session: Session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def _profile(user: User, phone: str, **values) -> HelperProfile:
    now = utcnow()
    return HelperProfile(user_id=user.id, phone=phone, phone_hash=crypto.blind_index(phone), phone_verified_at=now,
                         email_key=(user.email or "").lower() or None, email_verified_at=now if user.email else None,
                         **values)


def _vet_demo_volunteer(session: Session, volunteer: User, county: User) -> None:
    """The demo volunteer is vetted for close contact: identity number and a no-criminal-record
    certificate the county approved (a new volunteer of the demo is not)."""
    from portal.children import idnumber
    from portal.helpers.models import CertificateKind, ReviewStatus
    from portal.helpers.vetting import holder_hash

    session.flush()
    profile = session.get(HelperProfile, volunteer.id)
    number = idnumber.make("371302", date(1998, 5, 12), 17)
    profile.id_number, profile.id_number_hash = number, crypto.blind_index(number)
    session.add(Certificate(user_id=volunteer.id, kind=CertificateKind.no_criminal_record, title="临公(兰)证字2026第0371号",
                            issued_on=date.today() - timedelta(days=20), holder_hash=holder_hash(volunteer.display_name, number),
                            status=ReviewStatus.verified, reviewed_by_id=county.id, reviewed_at=utcnow(),
                            file_path=_store_demo_file("record-check", _certificate_photo("No-criminal-record certificate (demo)"))))


def _certificate_photo(text: str) -> bytes:
    image = Image.new("RGB", (800, 560), (250, 246, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 780, 540), outline=(150, 30, 30), width=6)
    draw.text((60, 80), text, fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _store_demo_file(name: str, data: bytes) -> str:
    relative = f"certificates/demo-{name}.jpg"
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], relative)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    with open(path, "wb") as out:
        out.write(data)
    return relative


def load(session: Session, scale: str, rng) -> list[str]:
    county = _user(session, "demo-county")
    village = _user(session, "demo-village")
    org_user, org2_user = _user(session, "demo-org"), _user(session, "demo-org2")
    volunteer, donor = _user(session, "demo-volunteer"), _user(session, "demo-donor")

    approved = Organization(
        name="兰山区山青社会工作服务中心", credit_code=creditcode.make("5", "2", "371302", "MA3C7Q2K"),
        legal_representative="孙伟", contact_name="孙伟", contact_phone="0539-8123456",
        contact_email=org_user.email, description="专业社工机构，为困境儿童提供心理辅导、课业辅导和陪伴服务。",
        categories=[NeedCategory.psychological, NeedCategory.education, NeedCategory.companionship],
        skills=[Skill.social_work, Skill.counselling, Skill.tutoring], also_donor=True,
        status=OrgStatus.approved, status_reason="登记证书、章程核验无误，同意入驻。", created_by_id=org_user.id,
    )
    waiting = Organization(
        name="临沂市爱心助学协会", credit_code=creditcode.make("5", "1", "371300", "MA7N4B8D"),
        legal_representative="钱红", contact_name="钱红", contact_phone="13805391234",
        contact_email=org2_user.email, description="资助困境儿童就学，组织暑期夏令营。",
        categories=[NeedCategory.tuition, NeedCategory.education], skills=[Skill.tutoring, Skill.goods_supply],
        status=OrgStatus.applied, created_by_id=org2_user.id,
    )
    session.add_all([approved, waiting])
    session.flush()
    session.add_all([
        OrganizationArea(organization_id=approved.id, region_code=LANSHAN),
        OrganizationArea(organization_id=waiting.id, region_code=LANSHAN),
        # The approved organization vouches for its administrator (close contact with children).
        OrganizationMember(organization_id=approved.id, user_id=org_user.id, is_admin=True, vouched_at=utcnow(),
                           vouched_by_id=org_user.id),
        OrganizationMember(organization_id=waiting.id, user_id=org2_user.id, is_admin=True),
        VettingEvent(organization_id=approved.id, actor_id=org_user.id, action="apply"),
        VettingEvent(organization_id=approved.id, actor_id=county.id, action="approve", reason=approved.status_reason),
        VettingEvent(organization_id=waiting.id, actor_id=org2_user.id, action="apply"),
        _profile(org_user, "13905390001"),
        _profile(org2_user, "13805391234"),
        _profile(volunteer, "13905390002", categories=[NeedCategory.education, NeedCategory.psychological],
                 weekends=True, hours_per_month=8, capacity=2, languages=["普通话", "山东方言"],
                 bio="临沂大学心理学专业研究生，周末可到村里辅导。"),
        _profile(donor, "13905390003", categories=[NeedCategory.tuition, NeedCategory.medical], anonymous=True),
        HelperArea(user_id=volunteer.id, region_code=YITANG),
        HelperArea(user_id=donor.id, region_code=LANSHAN),
        HelperSkill(user_id=volunteer.id, skill=Skill.tutoring, subjects=["数学", "英语"]),
        HelperSkill(user_id=volunteer.id, skill=Skill.counselling, subjects=[]),
        Certificate(user_id=volunteer.id, skill=Skill.counselling, title="心理咨询师（三级）证书 No. 2023-0371-0456",
                    file_path=_store_demo_file("counselling", _certificate_photo("Counselling certificate (demo)"))),
    ])
    _vet_demo_volunteer(session, volunteer, county)
    today = date.today()
    for i, minutes in enumerate((120, 90, 150)):
        session.add(VolunteerHours(user_id=volunteer.id, region_code=TUSU, service_date=today - timedelta(days=30 * (i + 1)),
                                   minutes=minutes, description="周末数学辅导", status=HoursStatus.approved,
                                   decided_by_id=village.id, decided_at=utcnow()))
    session.flush()
    volunteers, donors = _crowd(session, scale, rng)
    return [f"helpers: 2 organizations (1 approved, 1 waiting), {volunteers + 1} volunteers, {donors + 1} donors"]


def _crowd(session: Session, scale: str, rng) -> tuple[int, int]:
    """Volunteers and donors with random names, skills and towns of the scale (no sign-in: their
    password hash is unusable)."""
    from portal.demo import SCALES

    towns = list(session.scalars(select(Region.code).where(Region.level == Level.town,
                                                          Region.code.like(f"{SCALES[scale]}%")).order_by(Region.code)))
    n_volunteers, n_donors = CROWD[scale]
    now = utcnow()
    users, profiles, areas, skills = [], [], [], []
    next_id = (session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) or 0) + 1
    for i in range(n_volunteers + n_donors):
        role = Role.volunteer if i < n_volunteers else Role.donor
        uid = next_id + i
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        users.append({"id": uid, "username": f"demo-{role.value}-{i:05d}", "display_name": name,
                      "password_hash": "!", "role": role, "locale": "zh", "is_active": True,
                      "must_change_password": False, "created_at": now, "password_changed_at": now})
        categories = sorted(set(rng.sample(list(NeedCategory), rng.randint(1, 3))))
        phone = f"13{rng.randint(0, 999999999):09d}"
        profiles.append({"user_id": uid, "phone": phone, "phone_hash": crypto.blind_index(phone),
                         "phone_verified_at": now, "categories": [c.value for c in categories],
                         "weekdays": rng.random() < 0.3, "weekends": rng.random() < 0.8,
                         "hours_per_month": rng.choice((4, 8, 8, 12, 20)) if role == Role.volunteer else 0,
                         "capacity": rng.choice((1, 1, 2, 3)), "languages": ["普通话"], "bio": "",
                         "anonymous": role == Role.donor and rng.random() < 0.4, "deactivated_reason": ""})
        town = rng.choice(towns)
        areas.append({"user_id": uid, "region_code": town if rng.random() < 0.8 else town[:6] + "000000"})
        if role == Role.volunteer:
            for skill in rng.sample(list(Skill), rng.randint(1, 3)):
                subjects = rng.sample(SUBJECTS, 2) if skill == Skill.tutoring else []
                skills.append({"user_id": uid, "skill": skill, "subjects": subjects})
    for table, rows in ((User, users), (HelperProfile, profiles), (HelperArea, areas), (HelperSkill, skills)):
        for start in range(0, len(rows), 2000):
            session.execute(insert(table), rows[start:start + 2000])
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text

        session.execute(text("SELECT setval(pg_get_serial_sequence('user_account', 'id'), (SELECT max(id) FROM user_account))"))
    return n_volunteers, n_donors
