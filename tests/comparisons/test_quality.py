"""Matching quality on a list drawn from the registry with the mistakes real lists have."""

import random

from portal import db
from portal.comparisons import linkage, rules
from portal.comparisons.generator import generate, quality
from portal.comparisons.models import Meaning
from tests.comparisons.conftest import COUNTY


def test_generated_list_is_matched_with_precision_095_and_recall_090(app, registry):
    with app.app_context(), db.write_session() as s:
        rows, truth = generate(s, COUNTY, 600, random.Random(7))
        placed = rules.place_rows(linkage.Registry.load(s, COUNTY), linkage.Places(s, COUNTY), Meaning.low_income,
                                  [(line, row) for line, row in enumerate(rows, start=2)])
    predicted = [p.child_id for p in placed]
    overall = quality(predicted, truth)
    fuzzy = quality([p.child_id if p.match != "exact" else None for p in placed],
                    [t if p.match != "exact" else None for p, t in zip(placed, truth, strict=True)])
    print(overall, fuzzy)
    assert overall["precision"] >= 0.95 and overall["recall"] >= 0.90, overall
    assert fuzzy["precision"] >= 0.95 and fuzzy["recall"] >= 0.90, fuzzy
    # The people not on file and the namesakes from another county were not matched to anyone.
    assert overall["matched"] <= overall["expected"]
