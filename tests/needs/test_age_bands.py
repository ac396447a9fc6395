"""The age band a need shows in public: never backwards, always holding every child's age."""

import itertools
from datetime import date

import pytest

from portal.needs import rules


def bounds(band: str) -> tuple[int, int]:
    """"6-14" -> (6, 14); "15+" -> (15, 99)."""
    if band.endswith("+"):
        return int(band[:-1]), 99
    low, high = band.split("-")
    return int(low), int(high)


AGES = range(0, 25)


@pytest.mark.parametrize("size", [1, 2, 3])
def test_no_ages_give_a_backwards_band_or_one_that_leaves_a_child_out(size):
    for ages in itertools.product(AGES, repeat=size):
        low, high = bounds(rules.band_of(list(ages)))
        assert low <= high, ages
        assert all(low <= age <= high for age in ages), ages


def test_the_order_of_the_children_does_not_change_the_band():
    assert rules.band_of([16, 8]) == rules.band_of([8, 16]) == "6-17"
    assert rules.band_of([13, 3, 16]) == "3-17"


def test_a_child_not_yet_born_on_the_day_has_no_age_band():
    with pytest.raises(ValueError):
        rules.band_of([-1])
    with pytest.raises(ValueError):
        rules.age_band(date(2026, 12, 1), date(2026, 11, 30))
