"""Four-dimension risk grading (红黄蓝绿, 一类一策) as data, and the plain functions that apply it.

Each dimension has indicators; each indicator carries the level it raises the dimension to. A
dimension's level is the most severe of its ticked indicators (green when none is ticked), and the
child's overall level is the most severe dimension. Bureaus adjust the lists here, not the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class RiskLevel(StrEnum):
    red = "red"
    yellow = "yellow"
    blue = "blue"
    green = "green"


# Most severe first.
SEVERITY = [RiskLevel.red, RiskLevel.yellow, RiskLevel.blue, RiskLevel.green]

LEVEL_LABELS = {
    RiskLevel.red: _l("Red"),
    RiskLevel.yellow: _l("Yellow"),
    RiskLevel.blue: _l("Blue"),
    RiskLevel.green: _l("Green"),
}


class Dimension(StrEnum):
    health = "health"
    guardianship = "guardianship"
    environment = "environment"
    economy = "economy"


DIMENSION_LABELS = {
    Dimension.health: _l("Health"),
    Dimension.guardianship: _l("Guardianship"),
    Dimension.environment: _l("Environment and safety"),
    Dimension.economy: _l("Family economy"),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: Dimension
    level: RiskLevel
    label: object


INDICATORS = [
    # health
    Indicator("serious_illness", Dimension.health, RiskLevel.red, _l("Serious illness needing treatment")),
    Indicator("untreated_condition", Dimension.health, RiskLevel.red, _l("Condition left untreated")),
    Indicator("severe_disability", Dimension.health, RiskLevel.yellow, _l("Severe disability (grade 1 or 2)")),
    Indicator("disability", Dimension.health, RiskLevel.blue, _l("Disability (grade 3 or 4)")),
    Indicator("chronic_illness", Dimension.health, RiskLevel.blue, _l("Chronic illness under treatment")),
    Indicator("psychological_distress", Dimension.health, RiskLevel.yellow, _l("Signs of psychological distress")),
    # guardianship
    Indicator("no_guardian_able", Dimension.guardianship, RiskLevel.red, _l("No guardian able to care for the child")),
    Indicator("guardian_sick_or_absent", Dimension.guardianship, RiskLevel.yellow, _l("Guardian seriously ill, disabled or absent")),
    Indicator("elderly_guardian", Dimension.guardianship, RiskLevel.blue, _l("Only an elderly guardian")),
    Indicator("no_temporary_agreement", Dimension.guardianship, RiskLevel.blue, _l("Left-behind without a temporary guardianship agreement")),
    # environment and safety
    Indicator("violence", Dimension.environment, RiskLevel.red, _l("Violence or abuse at home")),
    Indicator("neglect", Dimension.environment, RiskLevel.red, _l("Neglect")),
    Indicator("unsafe_housing", Dimension.environment, RiskLevel.yellow, _l("Unsafe housing")),
    Indicator("out_of_school", Dimension.environment, RiskLevel.yellow, _l("Out of school")),
    Indicator("bad_influences", Dimension.environment, RiskLevel.blue, _l("Exposed to bad influences")),
    # family economy
    Indicator("extreme_poverty", Dimension.economy, RiskLevel.yellow, _l("Extremely poor family")),
    Indicator("sudden_hardship", Dimension.economy, RiskLevel.yellow, _l("Sudden hardship (accident, illness, disaster)")),
    Indicator("low_income", Dimension.economy, RiskLevel.blue, _l("Low-income family on minimum living allowance")),
]
INDICATORS_BY_KEY = {i.key: i for i in INDICATORS}


def most_severe(levels) -> RiskLevel:
    levels = list(levels)
    for level in SEVERITY:
        if level in levels:
            return level
    return RiskLevel.green


@dataclass(frozen=True)
class Grade:
    overall: RiskLevel
    dimensions: dict[Dimension, RiskLevel]
    reasons: dict[Dimension, list[str]]  # indicator keys that set each dimension's level


def grade(indicator_keys) -> Grade:
    """The level per dimension and overall for the ticked indicators; unknown keys are refused."""
    ticked = [INDICATORS_BY_KEY[k] for k in indicator_keys]  # KeyError for an unknown indicator
    dimensions = {}
    reasons = {}
    for dimension in Dimension:
        mine = [i for i in ticked if i.dimension == dimension]
        level = most_severe(i.level for i in mine)
        dimensions[dimension] = level
        reasons[dimension] = [i.key for i in mine if i.level == level]
    return Grade(most_severe(dimensions.values()), dimensions, reasons)


def explain(result: Grade) -> list[str]:
    """The reasons in words, e.g. "Health: Red — Serious illness needing treatment"."""
    lines = []
    for dimension, level in result.dimensions.items():
        if level == RiskLevel.green:
            continue
        labels = str(_l(", ")).join(str(INDICATORS_BY_KEY[k].label) for k in result.reasons[dimension])
        lines.append(str(_l("%(dimension)s: %(level)s — %(reasons)s", dimension=DIMENSION_LABELS[dimension],
                            level=LEVEL_LABELS[level], reasons=labels)))
    return lines
