"""Regions as people name them: "兰山区 义堂镇" rather than 371302105000.

Forms show a region by its name path (from the county down, or the city and county for a county
and above) and accept that path back, so nobody has to read or type a 12-digit code. A path is
resolved by the region's own name and the names of its ancestors; two regions with the same name
(many counties have a 城关镇) are told apart by the county in front.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from portal.regions.models import LEVEL_ORDER, Level, Region
from portal.regions.rules import CODE_LENGTH, level_of_code, level_rank, names_of, prefix_of

# A path starts at the county (where the civil-affairs bureau is) unless the region is above it.
PATH_TOP = Level.county


def _path_codes(code: str) -> list[str]:
    """The codes named in ``code``'s path, highest first, ending with ``code``."""
    rank = level_rank(level_of_code(code))
    top = min(level_rank(PATH_TOP), max(rank - 1, 0))
    return [prefix_of(code, level).ljust(CODE_LENGTH, "0") for level in LEVEL_ORDER[top:rank]] + [code]


def paths_of(session: Session, codes) -> dict[str, str]:
    """Code → name path for each of ``codes`` (one query for all their ancestors)."""
    codes = [c for c in set(codes) if c and len(c) == CODE_LENGTH and c.isdigit()]
    wanted = {c: _path_codes(c) for c in codes}
    names = names_of(session, {a for path in wanted.values() for a in path})
    return {c: " ".join(names[a] for a in path if a in names) for c, path in wanted.items() if c in names}


def path_of(session: Session, code: str | None) -> str:
    return paths_of(session, [code]).get(code, "") if code else ""


def find_by_path(session: Session, text: str, within: str | None = None) -> str | None:
    """The code of the one region ``text`` names ("兰山区 义堂镇", "义堂镇", or a 12-digit code);
    None when no region, or more than one, answers to it. With ``within`` (a region's code), only
    regions inside that region's subtree count: a name two counties share is then one region."""
    words = text.split()
    if not words:
        return None
    inside = prefix_of(within, level_of_code(within)) if within else ""
    if len(words) == 1 and words[0].isdigit():
        found = words[0] if session.get(Region, words[0]) else None
        return found if found and found.startswith(inside) else None
    candidates = [c for c in session.scalars(select(Region.code).where(Region.name == words[-1]).limit(50))
                  if c.startswith(inside)]
    if len(words) > 1:
        names = names_of(session, {a for c in candidates for a in _all_ancestors(c)})
        candidates = [c for c in candidates
                      if set(words[:-1]) <= {names.get(a) for a in _all_ancestors(c)}]
    return candidates[0] if len(candidates) == 1 else None


def _all_ancestors(code: str) -> list[str]:
    rank = level_rank(level_of_code(code))
    return [prefix_of(code, level).ljust(CODE_LENGTH, "0") for level in LEVEL_ORDER[:rank]]
