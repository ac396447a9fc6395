"""The home page counts what other areas hold: their factories are shared here."""

from tests.helpers.conftest import make_org, signed_in  # noqa: F401
from tests.needs.conftest import helper_in, make_need  # noqa: F401
