"""Unified social credit codes: real codes pass, typing errors are caught with a reason."""

import pytest
from flask_babel import force_locale

from portal.helpers import creditcode


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "91440300708461136T",
                                  " 91350100m000100y43 "])
def test_real_codes_are_valid(app, code):
    assert creditcode.problem(code) is None


@pytest.mark.parametrize("code, reason", [
    ("91350100M000100Y4", "18"),
    ("91350100M000100I43", "I"),
    ("O1350100M000100Y43", "O"),
    ("X1350100M000100Y43", "registering authority"),
    ("913501A0M000100Y43", "administrative division"),
    ("91350100M000100Y53", "organization code"),
    ("91350100M000100Y44", "check character"),
])
def test_bad_codes_say_why(app, code, reason):
    with app.test_request_context(), force_locale("en"):
        problem = creditcode.problem(code)
        assert problem is not None and reason in str(problem)


def test_make_builds_valid_codes(app):
    code = creditcode.make("5", "2", "371302", "MA3C7Q2K")
    assert len(code) == 18 and creditcode.problem(code) is None
