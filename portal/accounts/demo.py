"""The demo accounts: fixed user names, one password, placed in real Linyi regions."""

from __future__ import annotations

from sqlmodel import Session

from portal.accounts.models import User
from portal.accounts.passwords import hash_password
from portal.accounts.roles import Role
from portal.regions.rules import get_region

DEMO_PASSWORD = "tongxin-demo"

# user name, role, region (Linyi city; Lanshan district; Yitang town and two of its villages;
# Luozhuang district next door), display name
DEMO_ACCOUNTS = [
    ("demo-admin", Role.admin, None, "系统管理员"),
    ("demo-city", Role.civil_affairs, "371300000000", "临沂市民政局 王敏"),
    ("demo-county", Role.civil_affairs, "371302000000", "兰山区民政局 李静"),
    ("demo-county2", Role.civil_affairs, "371311000000", "罗庄区民政局 赵刚"),
    # A second Lanshan staff member: the checker who approves the batches demo-county makes.
    ("demo-county-b", Role.civil_affairs, "371302000000", "兰山区民政局 周洁"),
    # The head of Lanshan's bureau: above the limit, Lanshan's batches wait for their approval too.
    ("demo-county-head", Role.civil_affairs, "371302000000", "兰山区民政局负责人 孙建华"),
    ("demo-town", Role.child_supervisor, "371302105000", "义堂镇儿童督导员 刘芳"),
    ("demo-village", Role.child_director, "371302105259", "屠苏村儿童主任 张秀英"),
    ("demo-village2", Role.child_director, "371302105260", "颐顺园村儿童主任 陈丽"),
    ("demo-org", Role.org_member, None, "山青社工 孙伟"),
    ("demo-org2", Role.org_member, None, "临沂爱心助学协会 钱红"),
    ("demo-volunteer", Role.volunteer, None, "周洋"),  # a real name, as volunteers must give
    ("demo-donor", Role.donor, None, "爱心人士 吴磊"),
]
# Only on the province set, where Zibo city owns programmes of its own.
PROVINCE_ACCOUNTS = [
    ("demo-zibo-head", Role.civil_affairs, "370300000000", "淄博市民政局负责人 韩志远"),
]
# Named heads of their region's civil-affairs bureau (``User.is_head``).
HEADS = {"demo-county-head", "demo-zibo-head"}


def accounts_for(scale: str) -> list[tuple]:
    return DEMO_ACCOUNTS + (PROVINCE_ACCOUNTS if scale == "province" else [])


def load(session: Session, scale: str, rng) -> list[str]:
    password_hash = hash_password(DEMO_PASSWORD)  # one hash: ten argon2 runs would only cost time
    accounts = accounts_for(scale)
    for username, role, region_code, name in accounts:
        if region_code:
            get_region(session, region_code)
        session.add(
            User(
                username=username,
                display_name=name,
                password_hash=password_hash,
                role=role,
                region_code=region_code,
                email=f"{username}@example.org",
                is_head=username in HEADS,
            )
        )
    session.flush()
    return [f"accounts: {len(accounts)} demo accounts"]


def logins_table() -> str:
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD})", ""]
    for username, role, region_code, name in DEMO_ACCOUNTS:
        lines.append(f"  {username:<16} {role.value:<17} {region_code or '':<13} {name}")
    lines += ["", "Province set only:"]
    for username, role, region_code, name in PROVINCE_ACCOUNTS:
        lines.append(f"  {username:<16} {role.value:<17} {region_code or '':<13} {name}")
    return "\n".join(lines)
