"""What a viewer may read of a clue. The child director it is assigned to reads it as written;
every other viewer allowed to see the clue reads it through the needs' PII check
(``portal.needs.pii``), as a need's public summary is checked: identity and phone numbers, names
of the town's children and guardians, exact addresses and village names are masked, and the
reporter's contact is left out."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from sqlmodel import Session

from portal import access
from portal.accounts.roles import Role
from portal.clues.models import Clue
from portal.needs.pii import find_pii
from portal.needs.rules import identifying_names, nearby_places
from portal.regions.rules import names_of

MASK = "■■■"


@dataclass
class Details:
    place: str
    text: str
    contact: str
    masked: bool  # names, numbers and addresses were hidden from this viewer


def visible_details(session: Session, viewer, clue: Clue) -> Details:
    """What ``viewer`` may read of the clue. The child director it is assigned to reads it as
    written; anyone else allowed to see the clue reads it through the needs' PII check, with every
    identity number, phone number, name of a child or guardian of the town, exact address and
    village name masked (the place keeps the village, so the supervisor knows whom to send; its
    house numbers are masked), and without the reporter's contact."""
    access.require(viewer, "clues.view", clue)
    if viewer.role == Role.child_director and clue.assigned_to_id == viewer.id:
        return Details(clue.place, clue.text, clue.contact or "", masked=False)
    names, births, villages = [], [], []
    if clue.town_code:
        # The names and villages of the clue's town, as a need's public summary is checked.
        town = SimpleNamespace(id=None, child_id=None, town_code=clue.town_code)
        names, births = identifying_names(session, town)
        villages = nearby_places(session, town)
    public = names_of(session, {clue.town_code or "", clue.county_code, clue.county_code[:4] + "0" * 8,
                                clue.county_code[:2] + "0" * 10}).values()
    text_hits = find_pii(clue.text, names=names, places=villages, birth_dates=births, public_places=public)
    place_hits = find_pii(clue.place, names=names, birth_dates=births, public_places=public)
    return Details(_mask(clue.place, place_hits), _mask(clue.text, text_hits), "",
                   masked=bool(text_hits or place_hits or clue.contact))


def _mask(text: str, hits) -> str:
    parts, position = [], 0
    for hit in sorted(hits, key=lambda h: h.start):
        if hit.start < position:
            continue
        parts += [text[position : hit.start], MASK]
        position = hit.end
    parts.append(text[position:])
    return "".join(parts)
