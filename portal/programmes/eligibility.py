"""A programme's rules as data: checking them, and evaluating them for one child or a whole region.

Plain functions, no request and no session except in ``eligible_children``. Three kinds of data:

* eligibility (every key optional; a key left out does not restrict)::

    {"categories": ["orphan", "unsupported"],        # any of them
     "age_min": 6, "age_max": 17,                     # whole years on the evaluation day, inclusive
     "school_stages": ["university", "vocational_college"],
     "risk_levels": ["red", "yellow"],                # the latest grading
     "statuses": ["active"],                          # default ["active"]
     "regions": ["371302000000"]}                     # subtrees inside the owning region

* the amount rule, in fen (ints only)::

    {"type": "fixed", "amount_fen": 1000000}                           # per child per period
    {"type": "share", "percent": 70, "cap_fen": 2000000}              # of the eligible costs (invoices)
    {"type": "by_category", "amounts_fen": {"orphan": 180000, "unsupported": 150000}}

* required documents: a list of ``DOCUMENTS`` codes.

``evaluate`` answers a ``Verdict``: eligible or not, the amount when it can be computed, and the
reasons, kept as codes with parameters (``Reason``) so they are stored once and shown in the reader's
language: "不符合: 年龄19岁, 超过18岁上限", "符合: 孤儿, 大学在读".
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, cast, or_, select
from sqlmodel import Session

from portal.children.grading import LEVEL_LABELS, RiskLevel
from portal.children.labels import CATEGORY_LABELS, SCHOOL_STAGE_LABELS, STATUS_LABELS
from portal.children.models import Category, Child, ChildStatus, SchoolStage
from portal.children.rules import age_on
from portal.errors import DomainError
from portal.regions.rules import level_of_code, subtree_bounds

MAX_AGE = 30  # files stay for young adults still at school (an orphan at university)
MAX_AMOUNT_FEN = 10**10  # 100 million yuan per child per period: more is a typing mistake
BATCH = 5000  # children read per round trip in ``eligible_children``

DOCUMENTS = {
    "enrolment_certificate": _l("Enrolment certificate"),
    "hospital_invoices": _l("Hospital invoices with amounts"),
    "identity_document": _l("Identity card or household register"),
}
ELIGIBILITY_KEYS = ("categories", "age_min", "age_max", "school_stages", "risk_levels", "statuses", "regions")
AMOUNT_TYPES = ("fixed", "share", "by_category")


# --- checking the data ----------------------------------------------------------------------------


def _codes(data: dict, key: str, allowed, message) -> list[str] | None:
    if key not in data or data[key] in (None, []):
        return None
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
        raise DomainError(message, field=key)
    return sorted(set(value))


def _whole(value, key: str, message, low: int, high: int) -> int:
    # bool is an int subclass; floats and strings are not whole numbers of years or fen.
    if type(value) is not int or not low <= value <= high:
        raise DomainError(message, field=key)
    return value


def check_eligibility(data, owner_region_code: str) -> dict:
    """The eligibility rules ``data`` normalised, or DomainError naming the rule at fault: unknown
    keys, unknown categories, stages, levels or statuses, ages outside 0–30 or min above max, and
    regions outside the owning region."""
    if not isinstance(data, dict):
        raise DomainError(_l("The eligibility rules must be a set of named rules."))
    unknown = sorted(set(data) - set(ELIGIBILITY_KEYS))
    if unknown:
        raise DomainError(_l("Unknown eligibility rule: %(names)s.", names=", ".join(unknown)))
    rules: dict = {}
    for key, allowed, message in (
        ("categories", Category.__members__, _l("Choose categories from the list.")),
        ("school_stages", SchoolStage.__members__, _l("Choose school stages from the list.")),
        ("risk_levels", RiskLevel.__members__, _l("Choose grading levels from the list.")),
        ("statuses", ChildStatus.__members__, _l("Choose file statuses from the list.")),
    ):
        codes = _codes(data, key, allowed, message)
        if codes:
            rules[key] = codes
    rules.setdefault("statuses", [ChildStatus.active.value])
    for key in ("age_min", "age_max"):
        if data.get(key) is not None:
            rules[key] = _whole(data[key], key, _l("An age is a whole number of years from 0 to %(n)d.", n=MAX_AGE),
                                0, MAX_AGE)
    if rules.get("age_min", 0) > rules.get("age_max", MAX_AGE):
        raise DomainError(_l("The lowest age is above the highest."), field="age_min")
    regions = data.get("regions") or []
    if not isinstance(regions, list) or not all(isinstance(c, str) for c in regions):
        raise DomainError(_l("List the regions by their 12-digit codes."), field="regions")
    owner_low, owner_high = subtree_bounds(owner_region_code, level_of_code(owner_region_code))
    for code in regions:
        if len(code) != 12 or not code.isascii() or not code.isdigit() or not owner_low <= code <= owner_high:
            raise DomainError(_l("Region %(code)s is not inside the programme's region.", code=code), field="regions")
    if regions:
        rules["regions"] = sorted(set(regions))
    return rules


def check_amount_rule(data, required_documents: list[str]) -> dict:
    """The amount rule ``data`` normalised, or DomainError: an unknown type, amounts that are not
    whole positive fen, a share outside 1–100 %, a table naming unknown categories, and a share of
    costs without hospital invoices among the required documents (the costs come from them)."""
    if not isinstance(data, dict) or data.get("type") not in AMOUNT_TYPES:
        raise DomainError(_l("Choose how the amount is set."), field="amount_type")
    amount_message = _l("An amount must be more than zero and at most 100,000,000 yuan.")
    kind = data["type"]
    if kind == "fixed":
        return {"type": kind, "amount_fen": _whole(data.get("amount_fen"), "amount", amount_message, 1, MAX_AMOUNT_FEN)}
    if kind == "share":
        if "hospital_invoices" not in required_documents:
            raise DomainError(_l("A share of costs needs hospital invoices among the required documents."),
                              field="required_documents")
        return {"type": kind,
                "percent": _whole(data.get("percent"), "percent", _l("The share is a whole percentage from 1 to 100."), 1, 100),
                "cap_fen": _whole(data.get("cap_fen"), "cap", amount_message, 1, MAX_AMOUNT_FEN)}
    table = data.get("amounts_fen")
    if not isinstance(table, dict) or not table:
        raise DomainError(_l("Give an amount for at least one category."), field="amounts")
    if any(key not in Category.__members__ for key in table):
        raise DomainError(_l("Choose categories from the list."), field="amounts")
    return {"type": kind, "amounts_fen": {key: _whole(value, "amounts", amount_message, 1, MAX_AMOUNT_FEN)
                                          for key, value in sorted(table.items())}}


def check_documents(data) -> list[str]:
    """The required documents, known codes only."""
    if not isinstance(data, list) or not all(isinstance(d, str) and d in DOCUMENTS for d in data):
        raise DomainError(_l("Choose the required documents from the list."), field="required_documents")
    return sorted(set(data))


# --- reasons and verdicts ---------------------------------------------------------------------------

REASON_TEXTS = {
    "category": _l("%(categories)s"),
    "not_category": _l("not %(categories)s"),
    "age": _l("aged %(age)s"),
    "age_below": _l("aged %(age)s, below the lower limit of %(min)s"),
    "age_above": _l("aged %(age)s, above the upper limit of %(max)s"),
    "stage": _l("studying at %(stage)s"),
    "not_stage": _l("at %(stage)s, not %(stages)s"),
    "level": _l("graded %(level)s"),
    "not_level": _l("graded %(level)s, not %(levels)s"),
    "not_graded": _l("not yet graded"),
    "not_status": _l("file %(status)s"),
    "not_region": _l("lives outside the programme's region"),
    "no_amount": _l("no amount is set for %(categories)s"),
}
_LABELS = {"categories": CATEGORY_LABELS, "stage": SCHOOL_STAGE_LABELS, "stages": SCHOOL_STAGE_LABELS,
           "level": LEVEL_LABELS, "levels": LEVEL_LABELS, "status": STATUS_LABELS}


@dataclass(frozen=True)
class Reason:
    """Why one rule passed (``ok``) or failed, as a code with parameters (stored as a dict)."""

    code: str
    ok: bool
    params: dict = field(default_factory=dict)

    def text(self) -> str:
        """In the current language."""
        values = {}
        for name, value in self.params.items():
            labels = _LABELS.get(name)
            if labels is None:
                values[name] = value
            elif isinstance(value, list):
                values[name] = _(" or ").join(str(labels.get(v, v)) for v in value)
            else:
                values[name] = str(labels.get(value, value))
        template = REASON_TEXTS.get(self.code)
        return str(template) % values if template is not None else self.code

    def as_dict(self) -> dict:
        return {"code": self.code, "ok": self.ok, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: dict) -> Reason:
        return cls(data.get("code", ""), bool(data.get("ok")), dict(data.get("params") or {}))


def explain(eligible: bool, reasons: list[Reason]) -> str:
    """"符合: 孤儿, 大学在读" or "不符合: 年龄19岁, 超过18岁上限", in the current language: the rules
    that made the child eligible, or the ones that did not."""
    shown = [r.text() for r in reasons if r.ok == eligible]
    if eligible:
        return _("Eligible: %(reasons)s", reasons=", ".join(shown)) if shown else _("Eligible")
    return _("Not eligible: %(reasons)s", reasons=", ".join(shown))


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    reasons: list[Reason]
    amount_fen: int | None = None  # per period; None when it depends on costs not yet known

    def explain(self) -> str:
        return explain(self.eligible, self.reasons)

    def reasons_data(self) -> list[dict]:
        return [r.as_dict() for r in self.reasons]


@dataclass(frozen=True)
class ChildFacts:
    """What the rules read of a child's file (and, for a share of costs, the invoices' total)."""

    region_code: str
    birth_date: date
    categories: tuple[str, ...]
    school_stage: str = SchoolStage.none.value
    risk_level: str | None = None
    status: str = ChildStatus.active.value
    child_id: int | None = None
    eligible_costs_fen: int | None = None

    @classmethod
    def of(cls, child, eligible_costs_fen: int | None = None) -> ChildFacts:
        return cls(region_code=child.region_code, birth_date=child.birth_date, categories=tuple(child.categories or ()),
                   school_stage=str(child.school_stage or SchoolStage.none.value),
                   risk_level=str(child.risk_level) if child.risk_level else None, status=str(child.status),
                   child_id=child.id, eligible_costs_fen=eligible_costs_fen)


@functools.lru_cache(maxsize=4096)
def _bounds(region: str) -> tuple[str, str]:
    # Region codes never change meaning: a province-wide evaluation asks the same few thousand times.
    return subtree_bounds(region, level_of_code(region))


def _in_regions(code: str, regions: list[str]) -> bool:
    for region in regions:
        low, high = _bounds(region)
        if low <= code <= high:
            return True
    return False


def evaluate(programme, facts: ChildFacts, on_date: date) -> Verdict:
    """Is the child of ``facts`` eligible for ``programme`` on ``on_date``, why, and for how much.

    Every rule is checked (not only up to the first failure) so the explanation names all that
    fail. The owning region always applies; the rules' regions narrow it.
    """
    rules = programme.eligibility or {}
    reasons: list[Reason] = []
    outside = not _in_regions(facts.region_code, [programme.owner_region_code])
    if outside or (rules.get("regions") and not _in_regions(facts.region_code, rules["regions"])):
        reasons.append(Reason("not_region", False))
    statuses = rules.get("statuses") or [ChildStatus.active.value]
    if facts.status not in statuses:
        reasons.append(Reason("not_status", False, {"status": facts.status}))
    wanted = rules.get("categories")
    if wanted:
        matching = [c for c in wanted if c in facts.categories]
        reasons.append(Reason("category", True, {"categories": matching}) if matching
                       else Reason("not_category", False, {"categories": wanted}))
    age = age_on(facts.birth_date, on_date)
    if rules.get("age_min") is not None and age < rules["age_min"]:
        reasons.append(Reason("age_below", False, {"age": age, "min": rules["age_min"]}))
    elif rules.get("age_max") is not None and age > rules["age_max"]:
        reasons.append(Reason("age_above", False, {"age": age, "max": rules["age_max"]}))
    elif rules.get("age_min") is not None or rules.get("age_max") is not None:
        reasons.append(Reason("age", True, {"age": age}))
    stages = rules.get("school_stages")
    if stages:
        reasons.append(Reason("stage", True, {"stage": facts.school_stage}) if facts.school_stage in stages
                       else Reason("not_stage", False, {"stage": facts.school_stage, "stages": stages}))
    levels = rules.get("risk_levels")
    if levels:
        if facts.risk_level is None:
            reasons.append(Reason("not_graded", False))
        elif facts.risk_level in levels:
            reasons.append(Reason("level", True, {"level": facts.risk_level}))
        else:
            reasons.append(Reason("not_level", False, {"level": facts.risk_level, "levels": levels}))
    amount = amount_for(programme.amount_rule or {}, facts)
    if amount == 0:
        reasons.append(Reason("no_amount", False, {"categories": list(facts.categories)}))
    eligible = all(r.ok for r in reasons)
    return Verdict(eligible, reasons, amount if eligible and amount else None)


def amount_for(rule: dict, facts: ChildFacts) -> int | None:
    """Fen per period for this child: the fixed amount; the share of its eligible costs up to the
    cap (None while the costs are unknown); the highest amount of its categories in the table (0
    when none of its categories has one). Integer arithmetic only: a share rounds down to the fen."""
    kind = rule.get("type")
    if kind == "fixed":
        return int(rule["amount_fen"])
    if kind == "share":
        if facts.eligible_costs_fen is None:
            return None
        return min(facts.eligible_costs_fen * int(rule["percent"]) // 100, int(rule["cap_fen"]))
    if kind == "by_category":
        amounts = [int(v) for k, v in rule.get("amounts_fen", {}).items() if k in facts.categories]
        return max(amounts) if amounts else 0
    return None


# --- a whole region ----------------------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def candidate_query(programme, on_date: date):
    """The files the rules could accept, narrowed in SQL by region, status, stage, grading, birth
    date and category, as plain columns (no decryption, no ORM objects): ``evaluate`` decides."""
    rules = programme.eligibility or {}
    low, high = subtree_bounds(programme.owner_region_code, level_of_code(programme.owner_region_code))
    stmt = select(*FACT_COLUMNS).where(Child.region_code.between(low, high))
    if rules.get("regions"):
        stmt = stmt.where(or_(*[Child.region_code.between(*subtree_bounds(c, level_of_code(c))) for c in rules["regions"]]))
    stmt = stmt.where(Child.status.in_(rules.get("statuses") or [ChildStatus.active.value]))
    if rules.get("school_stages"):
        stmt = stmt.where(Child.school_stage.in_(rules["school_stages"]))
    if rules.get("risk_levels"):
        stmt = stmt.where(Child.risk_level.in_(rules["risk_levels"]))
    if rules.get("age_min") is not None:  # aged at least min: born on or before the min-th birthday
        stmt = stmt.where(Child.birth_date <= _years_before(on_date, rules["age_min"]))
    if rules.get("age_max") is not None:  # not yet max + 1
        stmt = stmt.where(Child.birth_date > _years_before(on_date, rules["age_max"] + 1))
    if rules.get("categories"):
        # JSON arrays matched as text, as the child list does: '"orphan"' inside '["orphan"]'.
        stmt = stmt.where(or_(*[cast(Child.categories, Text).contains(f'"{c}"') for c in rules["categories"]]))
    return stmt.order_by(Child.id)


FACT_COLUMNS = (Child.id, Child.region_code, Child.birth_date, Child.categories, Child.school_stage, Child.risk_level,
                Child.status)


def facts_of_children(session: Session, child_ids: list[int]) -> Iterator[ChildFacts]:
    """``ChildFacts`` of these children, ``BATCH`` ids per query (columns only: nothing decrypted)."""
    for start in range(0, len(child_ids), BATCH):
        chunk = child_ids[start : start + BATCH]
        yield from facts_rows(session, select(*FACT_COLUMNS).where(Child.id.in_(chunk)).order_by(Child.id))


def facts_rows(session: Session, stmt) -> Iterator[ChildFacts]:
    """``ChildFacts`` of the rows of ``candidate_query``-shaped ``stmt``, read ``BATCH`` at a time."""
    result = session.execute(stmt.execution_options(yield_per=BATCH))
    for row in result:
        yield ChildFacts(region_code=row.region_code, birth_date=row.birth_date, categories=tuple(row.categories or ()),
                         school_stage=str(row.school_stage), risk_level=str(row.risk_level) if row.risk_level else None,
                         status=str(row.status), child_id=row.id)


def eligible_children(session: Session, programme, on_date: date) -> list[tuple[int, Verdict]]:
    """(child id, verdict) for every child of the owning region whom ``programme``'s rules accept
    on ``on_date``, by child id. Read-only; it does not check who asks (callers do)."""
    found = []
    for facts in facts_rows(session, candidate_query(programme, on_date)):
        verdict = evaluate(programme, facts, on_date)
        if verdict.eligible:
            found.append((facts.child_id, verdict))
    return found
