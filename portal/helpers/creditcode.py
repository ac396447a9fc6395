"""The unified social credit code (统一社会信用代码, GB 32100-2015) of an organization.

18 characters: the registering authority (1), the kind of entity (1), the administrative division
where it registered (6), the organization code of GB 11714 with its own check character (9) and a
check character over the first 17 (1). Letters I, O, Z, S and V are never used.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# 1 机构编制, 5 民政, 9 工商 (市场监管), Y 其他 … ; the second character is checked only as a character.
AUTHORITIES = "123456789ANY"

AUTHORITY_LABELS = {
    "1": _l("Institutional staffing authority"),
    "5": _l("Civil affairs"),
    "9": _l("Market regulation"),
}


def normalise(code: str) -> str:
    return "".join((code or "").split()).upper()


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(first8: str) -> str:
    """GB 11714: digits count as themselves, letters A–Z as 10–35."""
    total = sum(int(ch, 36) * w for ch, w in zip(first8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def problem(code: str):
    """Why ``code`` is not a valid unified social credit code, or None if it is."""
    code = normalise(code)
    if len(code) != 18:
        return _l("A unified social credit code has 18 characters; this one has %(n)d.", n=len(code))
    bad = [ch for ch in code if ch not in ALPHABET]
    if bad:
        return _l("A unified social credit code never contains %(ch)s.", ch=bad[0])
    if code[0] not in AUTHORITIES:
        return _l("The first character (registering authority) is not valid.")
    if not code[2:8].isdigit():
        return _l("Characters 3 to 8 must be the digits of an administrative division.")
    if org_check_character(code[8:16]) != code[16]:
        return _l("The organization code inside it (characters 9 to 17) is wrong: check for a typing error.")
    if check_character(code[:17]) != code[17]:
        return _l("The last character (check character) does not match: check for a typing error.")
    return None


def make(authority: str, kind: str, division: str, org8: str) -> str:
    """A valid code from its parts (demo data and tests)."""
    first17 = f"{authority}{kind}{division}{org8}{org_check_character(org8)}"
    return first17 + check_character(first17)
