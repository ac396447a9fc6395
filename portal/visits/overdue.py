"""The overdue-visit list: which children's visits are late, where they live (village and town),
filtered by place, most overdue first, and its spreadsheet for planning the rounds.

The spreadsheet leaves the portal, so it holds no identity data: no name, identity number or
address; a child is an age band, categories, a village and a number of days. Every export is in
the audit log with the place it covered.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlmodel import Session

from portal import access
from portal.audit.rules import record
from portal.children import rules as child_rules
from portal.children.labels import CATEGORY_LABELS
from portal.children.models import Child
from portal.errors import DomainError
from portal.regions.models import Level, Region
from portal.regions.rules import children_of, level_of_code, names_of
from portal.visits.rules import days_overdue

# Enough for a county's backlog in one file; a larger one is narrowed by town first.
EXPORT_LIMIT = 20_000
ORDERS = ("days", "risk")
# Same bands as the public age bands of needs (portal.needs.rules.AGE_BANDS), kept here so the
# visits area does not import the needs area.
AGE_BANDS = ((0, 2), (3, 5), (6, 11), (12, 14), (15, 17))


def town_of(code: str) -> str:
    return code[:9] + "000"


def age_band(born: date, today: date) -> str:
    age = child_rules.age_on(born, today)
    return next((f"{low}-{high}" for low, high in AGE_BANDS if low <= age <= high), "18+")


@dataclass
class Place:
    """Where the list looks: the viewer's own region, or a town or village inside it."""
    code: str
    town: str = ""
    village: str = ""


def choose_place(viewer, town: str = "", village: str = "") -> Place:
    """The region the list covers: the village if one is chosen, else the town, else the viewer's
    own region. Refuses a code that is not a town or village, or one outside the viewer's region
    (another town or county is never listed, whatever the address bar says)."""
    access.require(viewer, "children.list")
    town, village = town.strip(), village.strip()
    for code, level in ((town, Level.town), (village, Level.village)):
        if not code:
            continue
        if not (len(code) == 12 and code.isdigit() and level_of_code(code) == level):
            raise DomainError(_l("Choose a place from the list."))
        # A place above the viewer's own region (a village director's own town) means "all of mine".
        if not access.within_scope(viewer, code) and not viewer.region_code.startswith(access.scope_prefix(code)):
            raise DomainError(_l("That place is outside your area."))
    if village and town and town_of(village) != town:
        raise DomainError(_l("That village is not in the chosen town."))
    if village and access.within_scope(viewer, village):
        return Place(village, town=town_of(village), village=village)
    if town and access.within_scope(viewer, town):
        return Place(town, town=town)
    return Place(viewer.region_code)


def place_choices(session: Session, viewer, place: Place) -> tuple[list[Region], list[Region]]:
    """The towns the viewer may pick (none for a town or village worker) and the villages of the
    chosen town (or of the viewer's own town)."""
    own = level_of_code(viewer.region_code)
    towns = children_of(session, viewer.region_code) if own == Level.county else []
    if own in (Level.province, Level.city):
        towns = []  # a city picks a county first on the children's list; here it sees every town
    town = place.town or (viewer.region_code if own == Level.town else "")
    villages = children_of(session, town) if town and own != Level.village else []
    return towns, villages


def overdue_children(session: Session, viewer, place: Place, order: str, page: int, per_page: int,
                     today: date) -> tuple[list[Child], int]:
    """Children of ``place`` whose visit is late: most days overdue first (``order="days"``), or
    the reddest first (``"risk"``)."""
    filters = child_rules.ChildFilter(overdue=True, region_code=place.code,
                                      order="due" if order != "risk" else "")
    return child_rules.list_children(session, viewer, filters, page, per_page, today=today)


def place_names(session: Session, children: list[Child]) -> dict[str, str]:
    """Code → name of each child's village and town, in one query."""
    codes = {c.region_code for c in children} | {town_of(c.region_code) for c in children}
    return names_of(session, codes)


def export_overdue(session: Session, viewer, place: Place, today: date) -> bytes:
    """The overdue list as a workbook with no identity data (age band, categories, village, town,
    days overdue), most overdue first; written to the audit log. Refuses more than EXPORT_LIMIT rows."""
    children, total = overdue_children(session, viewer, place, "days", 1, EXPORT_LIMIT + 1, today)
    if total > EXPORT_LIMIT:
        raise DomainError(_l("More than %(n)d children match: choose a town and export in parts.", n=EXPORT_LIMIT))
    names = place_names(session, children)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(_l("Overdue visits")))
    sheet.append([str(_l("Age band")), str(_l("Categories")), str(_l("Village")), str(_l("Town")),
                  str(_l("Days overdue"))])
    for c in children:
        categories = "、".join(str(CATEGORY_LABELS.get(k, k)) for k in c.categories)
        sheet.append([age_band(c.birth_date, today), categories, names.get(c.region_code, c.region_code),
                      names.get(town_of(c.region_code), town_of(c.region_code)), days_overdue(c, today)])
    buffer = io.BytesIO()
    book.save(buffer)
    record(session, viewer, "visits.overdue_export", "region", place.code, region_code=place.code,
           detail={"rows": len(children)})
    return buffer.getvalue()
