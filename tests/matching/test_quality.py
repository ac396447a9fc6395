"""The issue's targets, checked on the synthetic small set (seed 0) so that a change that makes the
recommender worse fails here: the default model beats the best other model on NDCG@10 by 10%, on
cold-start helpers it is at least twice popularity, and the fairness re-ranking puts 80% of the open
needs in someone's top 10 while NDCG@10 stays within 5%. (The real data set's figures are in
matching/README.md; it is not fast enough to evaluate in every test run.)"""

from __future__ import annotations

import pytest

import matching
from matching.data import load
from matching.evaluate import evaluate
from matching.fairness import ExposureReranker
from matching.generate import generate


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    generate(folder, scale="small", seed=0)
    return evaluate(load(folder), matching.models(include_optional=False), k=10, fairness=ExposureReranker())


@pytest.mark.slow
def test_default_model_beats_every_other_by_ten_percent(result):
    models = result["models"]
    best_other = max(row["ndcg@10"] for name, row in models.items() if not name.startswith("tongxin"))
    assert models["tongxin"]["ndcg@10"] >= 1.10 * best_other
    assert models["tongxin"]["ndcg@10"] > 0.2


@pytest.mark.slow
def test_cold_start_is_at_least_twice_popularity(result):
    models = result["models"]
    assert result["split"]["cold_start_helpers"] >= 10
    assert models["tongxin"]["cold_start_ndcg@10"] >= 2 * models["popularity"]["cold_start_ndcg@10"]
    assert models["tongxin"]["cold_start_ndcg@10"] > models["profile-rules"]["cold_start_ndcg@10"]


@pytest.mark.slow
def test_fairness_reaches_most_open_needs_at_little_cost(result):
    plain, fair = result["models"]["tongxin"], result["models"]["tongxin+fair"]
    assert fair["reach"] >= 0.8 > plain["reach"]
    assert fair["ndcg@10"] >= 0.95 * plain["ndcg@10"]
    assert fair["exposure_gini"] < plain["exposure_gini"]
