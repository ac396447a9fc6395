"""Identity numbers: GB 11643 check digit, birth date, province."""

from datetime import date

import pytest

from portal.children import idnumber


def test_a_well_formed_number_parses_with_birth_date_and_gender():
    number = idnumber.make("371302", date(2014, 6, 1), 123)
    parsed = idnumber.parse(number)
    assert parsed.birth_date == date(2014, 6, 1) and parsed.gender == "male" and parsed.county_code == "371302"


def test_published_example_check_digit():
    # The standard's worked example: 11010519491231002X.
    assert idnumber.check_digit("11010519491231002") == "X"
    assert idnumber.parse("11010519491231002x").value == "11010519491231002X"


@pytest.mark.parametrize(
    "raw",
    [
        "37130220140601123",      # 17 characters
        "3713022014060112X5",     # X in the wrong place
        "991302201406011235",     # no such province
        "371302201402301230",     # 30 February
        "371302209901011230",     # born in the future
    ],
)
def test_malformed_numbers_are_refused(raw):
    with pytest.raises(ValueError):
        idnumber.parse(raw, today=date(2026, 11, 26))


def test_one_wrong_digit_is_caught_by_the_check_digit():
    good = idnumber.make("371302", date(2014, 6, 1), 123)
    typo = good[:15] + ("7" if good[15] != "7" else "8") + good[16:]  # a sequence digit mistyped
    with pytest.raises(ValueError, match="check digit"):
        idnumber.parse(typo)


def test_spaces_are_ignored():
    good = idnumber.make("371302", date(2014, 6, 1), 124)
    assert idnumber.parse(f" {good[:6]} {good[6:14]} {good[14:]} ").value == good
