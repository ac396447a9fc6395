"""Citizen identity numbers (GB 11643-1999): 6-digit region code, 8-digit birth date, 3-digit
sequence (odd for men, even for women) and a check digit over the first 17 (ISO 7064 MOD 11-2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_DIGITS = "10X98765432"
PATTERN = re.compile(r"^\d{17}[\dX]$")
# Province-level codes that appear in identity numbers (31 provinces, Taiwan, Hong Kong, Macao).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)


def normalise(raw: str) -> str:
    return "".join((raw or "").split()).upper()


def check_digit(first17: str) -> str:
    return CHECK_DIGITS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class IdNumber:
    value: str

    @property
    def county_code(self) -> str:
        return self.value[:6]

    @property
    def birth_date(self) -> date:
        return date(int(self.value[6:10]), int(self.value[10:12]), int(self.value[12:14]))

    @property
    def gender(self) -> str:
        return "male" if int(self.value[16]) % 2 else "female"


def parse(raw: str, today: date | None = None) -> IdNumber:
    """The identity number in ``raw``, or ValueError with a translatable reason."""
    value = normalise(raw)
    if not PATTERN.match(value):
        raise ValueError(_l("An identity number has 18 characters: 17 digits and a digit or X."))
    if value[:2] not in PROVINCE_CODES:
        raise ValueError(_l("The identity number does not start with a province code."))
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValueError(_l("The identity number does not contain a valid birth date.")) from None
    if born > (today or date.today()) or born.year < 1900:
        raise ValueError(_l("The identity number does not contain a valid birth date."))
    if check_digit(value[:17]) != value[17]:
        raise ValueError(_l("The identity number's check digit is wrong: check for a typing error."))
    return IdNumber(value)


def make(county_code: str, born: date, sequence: int) -> str:
    """A well-formed number (demo data and tests): county, birth date, 3-digit sequence, check digit."""
    first17 = f"{county_code[:6]}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)
