"""Where each row of a partner list lands: matched with a change, matched without, a new
candidate, or unmatched with the reason. Reads the registry held in memory (``linkage``), writes
nothing: a person decides on what it found (``rules``).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal import crypto
from portal.children import idnumber
from portal.children.models import Category, ChildStatus, SchoolStage
from portal.comparisons import linkage, reading
from portal.comparisons.models import Meaning, Outcome

# What being on a list adds to a file.
CATEGORY_OF = {
    Meaning.low_income: Category.low_income,
    Meaning.severe_disability: Category.illness_disability,
    Meaning.hospitalised: Category.illness_disability,
    Meaning.guardian_imprisoned: Category.parent_imprisoned,
    Meaning.orphan: Category.orphan,
    Meaning.unsupported: Category.unsupported,
}
PROGRESS_EVERY = 1000


@dataclass
class Placed:
    line: int
    data: dict
    outcome: Outcome
    match: str = ""
    score: int = 0
    child_id: int | None = None
    region_code: str | None = None
    suggestion: dict | None = None
    reason: str = ""


def suggestion_for(meaning: Meaning, file: linkage.OnFile) -> dict:
    """What the list says that the file does not, as a change to confirm (empty: nothing new)."""
    if file.status != ChildStatus.active.value:
        return {}
    if meaning == Meaning.out_of_school:
        return {} if file.school_stage == SchoolStage.none.value else {"school_stage": SchoolStage.none.value}
    category = CATEGORY_OF[meaning].value
    return {} if category in file.categories else {"add_category": category}


def place_rows(registry: linkage.Registry, places: linkage.Places, meaning: Meaning,
               rows: list[tuple[int, dict]], progress=None) -> list[Placed]:
    """Each row matched (exactly by identity number, else by name, birth date and place), new, or
    unmatched with its reason. Reads nothing but ``registry`` and ``places``; writes nothing.
    ``progress(done, total)``, when given, is told every ``PROGRESS_EVERY`` rows."""
    placed = []
    first_line: dict[str, int] = {}
    for done, (line, values) in enumerate(rows):
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, len(rows))
        data = {k: v for k, v in values.items() if v}
        name = (values.get("name") or "").strip()
        number, id_hash = None, None
        if values.get("id_number"):
            try:
                number = idnumber.parse(values["id_number"])
            except ValueError:
                number = None  # a mistyped number is no number: the name and birth date decide
            else:
                id_hash = crypto.blind_index(number.value)
        if id_hash and id_hash in first_line:
            placed.append(Placed(line, data, Outcome.unmatched, reason="repeated"))
            continue
        if id_hash:
            first_line[id_hash] = line
        born = reading.parse_birth_date(values.get("birth_date", "")) or (number.birth_date if number else None)
        village, outside = places.resolve(values.get("region", ""), values.get("address", ""))
        if number and not village and not places.inside(number.county_code):
            outside = True
        file, match, score = registry.exact(id_hash), "exact", 100
        if file is None and name and born and not outside:
            found = registry.fuzzy(name, born, id_hash, village)
            if found.ambiguous:
                placed.append(Placed(line, data, Outcome.unmatched, score=found.score, reason="ambiguous"))
                continue
            file, match, score = found.file, "fuzzy", found.score
        if file is not None:
            suggestion = suggestion_for(meaning, file)
            placed.append(Placed(line, data, Outcome.changed if suggestion else Outcome.unchanged, match, score,
                                 file.id, file.region_code, suggestion))
        elif not name:
            placed.append(Placed(line, data, Outcome.unmatched, reason="no_name"))
        elif outside:
            placed.append(Placed(line, data, Outcome.unmatched, reason="outside"))
        elif born is None:
            placed.append(Placed(line, data, Outcome.unmatched, reason="no_birth"))
        elif village is None:
            placed.append(Placed(line, data, Outcome.unmatched, reason="no_village"))
        else:
            placed.append(Placed(line, data, Outcome.new, region_code=village))
    return placed
