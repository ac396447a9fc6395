"""Risk grading: each dimension takes its most serious indicator, the child its most serious dimension."""

import pytest

from portal.children.grading import INDICATORS, Dimension, RiskLevel, explain, grade


def test_no_indicator_is_green_everywhere():
    result = grade([])
    assert result.overall == RiskLevel.green
    assert set(result.dimensions.values()) == {RiskLevel.green}


def test_overall_is_the_most_severe_dimension_with_reasons():
    result = grade(["low_income", "out_of_school", "elderly_guardian"])
    assert result.dimensions[Dimension.economy] == RiskLevel.blue
    assert result.dimensions[Dimension.environment] == RiskLevel.yellow
    assert result.dimensions[Dimension.guardianship] == RiskLevel.blue
    assert result.overall == RiskLevel.yellow
    assert result.reasons[Dimension.environment] == ["out_of_school"]


def test_a_single_red_indicator_makes_the_child_red():
    assert grade(["violence", "low_income"]).overall == RiskLevel.red


def test_every_indicator_belongs_to_a_dimension_and_has_a_level():
    keys = [i.key for i in INDICATORS]
    assert len(keys) == len(set(keys))
    for indicator in INDICATORS:
        assert grade([indicator.key]).dimensions[indicator.dimension] == indicator.level


def test_unknown_indicator_is_refused():
    with pytest.raises(KeyError):
        grade(["not_an_indicator"])


def test_reasons_in_words(app):
    with app.test_request_context():
        lines = explain(grade(["serious_illness"]))
    assert lines == ["健康：红色 — 需要治疗的重病"]
