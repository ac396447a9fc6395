"""What a viewer may read of a clue. The child director it is assigned to reads it as written;
every other viewer allowed to see the clue reads it through the needs' PII check
(``portal.needs.pii``), as a need's public summary is checked: identity and phone numbers, names
of the county's children and guardians (a reporter may pick the wrong town, or none), exact
addresses and village names are masked, and the reporter's contact is left out. What staff typed
beside it (the reference of a call, the reason a clue was unfounded) is read through the same
check."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, union_all
from sqlmodel import Session

from portal import access
from portal.accounts.roles import Role
from portal.children.models import Child, Guardian, GuardianshipAgreement
from portal.clues.models import Clue
from portal.needs.pii import find_pii
from portal.regions.models import Level, Region
from portal.regions.rules import level_of_code, names_of, subtree_bounds

MASK = "■■■"


@dataclass
class Details:
    place: str
    text: str
    contact: str
    masked: bool  # names, numbers and addresses were hidden from this viewer
    source_ref: str = ""  # the reference staff gave (a caller, a department's document)
    reason: str = ""  # why the clue was found unfounded


def visible_details(session: Session, viewer, clue: Clue) -> Details:
    """What ``viewer`` may read of the clue. The child director it is assigned to reads it as
    written; anyone else allowed to see the clue reads it through the needs' PII check, with every
    identity number, phone number, name of a child or guardian of the county, exact address and
    village name masked (the place keeps the village, so the supervisor knows whom to send; its
    house numbers are masked), without the reporter's contact, and with staff's reference and
    reason read through the same check."""
    access.require(viewer, "clues.view", clue)
    if viewer.role == Role.child_director and clue.assigned_to_id == viewer.id:
        return Details(clue.place, clue.text, clue.contact or "", masked=False, source_ref=clue.source_ref or "",
                       reason=clue.reason or "")
    # The names of the whole county: a clue that waits at the county (town unknown) or names a
    # child of another town than the one picked exposes that child just as well.
    names, births = county_names(session, clue.county_code, clue.town_code, clue.text + clue.place
                                 + (clue.source_ref or "") + (clue.reason or ""))
    villages = village_names(session, clue.town_code or clue.county_code)
    public = names_of(session, {clue.town_code or "", clue.county_code, clue.county_code[:4] + "0" * 8,
                                clue.county_code[:2] + "0" * 10}).values()

    def check(text: str, places=villages) -> list:
        return find_pii(text or "", names=names, places=places, birth_dates=births, public_places=public)

    text_hits, place_hits = check(clue.text), check(clue.place, places=())
    ref_hits, reason_hits = check(clue.source_ref), check(clue.reason)
    return Details(_mask(clue.place, place_hits), _mask(clue.text, text_hits), "",
                   masked=bool(text_hits or place_hits or ref_hits or reason_hits or clue.contact),
                   source_ref=_mask(clue.source_ref or "", ref_hits), reason=_mask(clue.reason or "", reason_hits))


def county_names(session: Session, county_code: str, town_code: str | None = None,
                 text: str = "") -> tuple[list[str], list[date]]:
    """Names of the children of the county and of their guardians (also temporary guardians), and
    the children's dates of birth: what a clue's text must not show to staff not assigned to it.

    Every name of ``town_code`` is checked in all its forms, as a need's summary is. Of the rest of
    the county (all of it when the town is unknown), a name is checked when ``text`` could hold it:
    when the text has Latin letters (pinyin, initials), or shares a character with the name in
    either script; the check's cost grows with the names it is taught, and a county holds
    thousands."""
    low, high = subtree_bounds(county_code, Level.county)
    inside = Child.region_code.between(low, high)
    children = session.execute(select(Child.name, Child.birth_date, Child.region_code).where(inside)).all()
    ids = select(Child.id).where(inside)
    guardians = session.execute(union_all(
        select(Guardian.name, Child.region_code).join(Child, Child.id == Guardian.child_id).where(Guardian.child_id.in_(ids)),
        select(GuardianshipAgreement.guardian_name, Child.region_code).join(
            Child, Child.id == GuardianshipAgreement.child_id).where(GuardianshipAgreement.child_id.in_(ids)),
    )).all()
    town = subtree_bounds(town_code, Level.town) if town_code else None
    could_hold = _could_hold(text)
    names = {name for name, code in [*((n, c) for n, _b, c in children), *guardians]
             if name and name.strip() and ((town and town[0] <= code <= town[1]) or could_hold(name))}
    return sorted(names), sorted({born for _n, born, _c in children if born})


def _could_hold(text: str):
    folded = unicodedata.normalize("NFKC", text or "")
    if any(ch.isascii() and ch.isalpha() for ch in folded):
        return lambda name: True
    seen = set(folded) | set(_simplified(folded))
    return lambda name: any(ch in seen for ch in name)


@functools.cache
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s").convert


def _simplified(text: str) -> str:
    return _to_simplified()(text) if text else ""


def village_names(session: Session, area: str) -> list[str]:
    """Village names of the town (or, for a clue waiting at the county, of the county), also
    without their committee's suffix ("屠苏村村民委员会" is known as "屠苏村")."""
    low, high = subtree_bounds(area, level_of_code(area))
    names = list(session.scalars(select(Region.name).where(Region.code.between(low, high),
                                                           Region.level == Level.village)))
    short = [n.replace("村民委员会", "").replace("居民委员会", "").replace("社区居委会", "社区") for n in names]
    return sorted({*names, *short} - {""})


def _mask(text: str, hits) -> str:
    parts, position = [], 0
    for hit in sorted(hits, key=lambda h: h.start):
        if hit.start < position:
            continue
        parts += [text[position : hit.start], MASK]
        position = hit.end
    parts.append(text[position:])
    return "".join(parts)
