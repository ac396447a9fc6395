"""The evaluation's rules, the same for every model: a time split, the same candidates, and no
credit for what a helper touched before the split."""

from __future__ import annotations

import json

import numpy as np
import pytest

import matching
from matching.__main__ import main
from matching.baselines import ItemKNN, Popularity, optional_models
from matching.data import load
from matching.evaluate import evaluate, gini, rank_all, ranking_metrics, time_split, validation_split


def test_ranking_metrics_by_hand():
    ranked = np.array([5, 1, 7, 3])
    relevant = np.array([1, 3, 9])
    precision, recall, ndcg, ap = ranking_metrics(ranked, relevant, k=4)
    assert precision == pytest.approx(2 / 4)
    assert recall == pytest.approx(2 / 3)
    dcg = 1 / np.log2(3) + 1 / np.log2(5)
    ideal = 1 + 1 / np.log2(3) + 1 / np.log2(4)
    assert ndcg == pytest.approx(dcg / ideal)
    assert ap == pytest.approx((1 / 2 + 2 / 4) / 3)
    assert ranking_metrics(np.array([1, 3]), np.array([1, 3]), k=2)[2] == pytest.approx(1.0)


def test_gini():
    assert gini(np.array([3, 3, 3, 3])) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 12])) == pytest.approx(0.75)
    assert gini(np.zeros(4)) == 0.0


def test_split_is_by_time_and_drops_what_was_seen(data_dir):
    data = load(data_dir)
    split = time_split(data, test_fraction=0.2)
    assert split.train.inter_at.max() < split.split_at <= data.inter_at[data.inter_at >= split.split_at].min()
    relevant = {data.helper_ids[h]: {data.need_ids[n] for n in rel} for h, rel in zip(split.helpers, split.relevant, strict=True)}
    # H1 delivered N1 in the test period, but had claimed it before: not something to find again.
    assert relevant == {"H1": {"F1"}, "H2": {"N5"}}
    assert "F1" in {data.need_ids[n] for n in split.candidates}  # created during the test period


def test_no_model_is_credited_for_needs_the_helper_already_touched(data_dir):
    """Popularity ranks N1, N2, N3 first for everybody; for H1, who touched them all before the
    split (N2 only viewed), they must be gone from the list, whatever the model: the evaluation
    keeps its own rule, stricter than the portal's (where a view is not a refusal)."""
    data = load(data_dir)
    split = time_split(data, test_fraction=0.2)
    touched = {data.need_index[n] for n in ("N1", "N2", "N3")}
    h1 = int(np.flatnonzero(split.helpers == data.helper_index["H1"])[0])
    for model in [Popularity(), *matching.models(include_optional=False).values()]:
        model.fit(split.train, now=split.split_at)
        ranked = rank_all(model, split, k=20)[h1]
        assert not touched.intersection(ranked.tolist()), model.name
    # Without the filter popularity would have put them on top.
    popular = Popularity().fit(split.train, now=split.split_at)
    top = np.argsort(-popular.need_score_)[:2]
    assert set(top.tolist()) <= {data.need_index[n] for n in ("N1", "N2", "N3")}


def test_every_model_sees_the_same_split(data_dir):
    data = load(data_dir)
    result = evaluate(data, matching.models(include_optional=False), k=5)
    assert set(result["models"]) >= {"tongxin", "popularity", "recent-popularity", "profile-rules", "item-knn"}
    for row in result["models"].values():
        assert set(row) >= {"precision@5", "recall@5", "ndcg@5", "map@5", "coverage", "exposure_gini",
                            "cold_start_ndcg@5"}
        assert 0 <= row["ndcg@5"] <= 1 and 0 <= row["coverage"] <= 1


def test_command_line_json_contract(data_dir, capsys):
    assert main(["evaluate", "--data", str(data_dir), "--k", "5", "--json", "--no-optional"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["default"] == "tongxin" and result["k"] == 5
    assert "cold_start_ndcg@5" in result["models"]["tongxin"]
    assert "tongxin+fair" in result["models"]
    assert set(result["split"]) >= {"test_helpers", "cold_start_helpers"}


def test_json_gives_each_model_its_ndcg_on_helpers_with_history(data_dir, capsys):
    """``warm_ndcg@k`` is the NDCG over the test helpers who had history: with the cold-start one,
    weighted by the helper counts, it gives back the overall NDCG."""
    assert main(["evaluate", "--data", str(data_dir), "--k", "5", "--json", "--no-optional"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    split = result["split"]
    cold, warm = split["cold_start_helpers"], split["test_helpers"] - split["cold_start_helpers"]
    assert warm > 0
    for name, row in result["models"].items():
        combined = (row["cold_start_ndcg@5"] * cold + row["warm_ndcg@5"] * warm) / (cold + warm)
        assert combined == pytest.approx(row["ndcg@5"], abs=1e-3), name


@pytest.mark.parametrize("model", [ItemKNN(), *optional_models().values()], ids=lambda m: m.name)
def test_history_models_rank_a_helper_without_history_by_popularity(data_dir, model):
    """Item-kNN, ALS and BPR know nothing of a helper without history; they back off to
    popularity instead of ranking by the catalogue's order."""
    data = load(data_dir)
    model.fit(data)
    popular = Popularity().fit(data)
    newcomer = data.helper_index["NEW"]
    ranked, _ = model.rank_needs(newcomer, k=3)
    expected, _ = popular.rank_needs(newcomer, k=3)
    assert ranked.tolist() == expected.tolist()


def test_command_line_refuses_bad_data_with_file_and_line(data_dir, capsys):
    path = data_dir / "interactions.csv"
    path.write_text(path.read_text(encoding="utf-8") + "H1,N1,like,2025-03-01T00:00:00,0\n", encoding="utf-8")
    assert main(["evaluate", "--data", str(data_dir)]) == 2
    assert "interactions.csv:17: event 'like'" in capsys.readouterr().err


def test_the_validation_split_lies_inside_the_training_period(data_dir):
    """Settings are chosen on the training period alone: nothing of the test is in the validation."""
    data = load(data_dir)
    split = time_split(data, test_fraction=0.2)
    validation = validation_split(split, 0.3)
    assert validation.train.inter_at.max() < validation.split_at <= split.train.inter_at.max() < split.split_at
    assert len(validation.train.inter_at) + (split.train.inter_at >= validation.split_at).sum() == len(
        split.train.inter_at)


def test_the_fairness_curve_starts_from_the_plain_ranking(data_dir, capsys):
    assert main(["evaluate", "--data", str(data_dir), "--k", "5", "--json", "--no-optional", "--models",
                 "popularity", "--fairness-curve"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for rows in result["fairness_curve"].values():
        assert rows[0]["free"] == 0 and rows[0]["loss"] == 0.0
        assert all(0 <= row["reach"] <= 1 for row in rows) and len(rows) > 3
    # On the test, the plain ranking is the default model's row of the table.
    assert result["fairness_curve"]["test"][0]["ndcg@5"] == result["models"]["tongxin"]["ndcg@5"]
