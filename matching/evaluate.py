"""Offline evaluation on a time split: every model is fitted on the past only and ranks, for each
helper who took something in the test period, the same candidates.

The rules, the same for every model:

* the split is by time: the last ``test_fraction`` of the interactions is the test;
* candidates are the needs still open at the split (places left, amount not reached) that were
  created before the last test interaction — including needs created during the test, which only
  the profile can rank;
* a need the helper interacted with before the split is removed from that helper's candidates (and
  does not count as relevant): ranking it again would reward remembering, not recommending;
* relevant are the needs the helper claimed, delivered or gave to in the test period.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matching.base import Recommender
from matching.data import Dataset


@dataclass
class Split:
    train: Dataset
    split_at: float
    candidates: np.ndarray  # need indices
    helpers: np.ndarray  # test helper indices
    relevant: list[np.ndarray]  # per test helper: relevant need indices (unseen in train)
    cold: np.ndarray  # bool per test helper: no training interaction at all
    touched: object = None  # helpers × needs, any training interaction (views too)

    def unseen(self, helper: int, candidates: np.ndarray) -> np.ndarray:
        """``candidates`` less the needs ``helper`` interacted with in any way before the split:
        the evaluation's own rule, stricter than a model's (which keeps viewed needs)."""
        row = self.touched.indices[self.touched.indptr[helper] : self.touched.indptr[helper + 1]]
        return candidates[~np.isin(candidates, row)] if len(row) else candidates


def time_split(data: Dataset, test_fraction: float = 0.2, max_helpers: int | None = None, seed: int = 0) -> Split:
    if not 0 < test_fraction < 1:
        raise ValueError("test_fraction must lie between 0 and 1")
    if len(data.inter_at) < 10:
        raise ValueError("too few interactions to split")
    order = np.sort(data.inter_at)
    split_at = float(order[int(len(order) * (1 - test_fraction))])
    train_mask = data.inter_at < split_at
    train = data.with_interactions(train_mask)
    test = data.with_interactions(~train_mask)

    candidates = train.open_needs()
    candidates = candidates[data.need_created[candidates] <= data.inter_at.max()]
    seen = set(zip(train.inter_helper.tolist(), train.inter_need.tolist(), strict=True))
    positive = test.positive_mask()
    wanted: dict[int, set[int]] = {}
    candidate_set = set(candidates.tolist())
    for h, n in zip(test.inter_helper[positive].tolist(), test.inter_need[positive].tolist(), strict=True):
        if (h, n) not in seen and n in candidate_set:
            wanted.setdefault(h, set()).add(n)
    helpers = np.array(sorted(wanted), dtype=np.int32)
    if max_helpers and len(helpers) > max_helpers:
        helpers = np.sort(np.random.default_rng(seed).choice(helpers, max_helpers, replace=False))
    trained = np.zeros(data.n_helpers, bool)
    trained[train.inter_helper] = True
    touched = sparse.csr_matrix((np.ones(len(train.inter_helper), np.int8), (train.inter_helper, train.inter_need)),
                                shape=(data.n_helpers, data.n_needs))
    touched.sum_duplicates()
    return Split(
        train=train,
        split_at=split_at,
        candidates=candidates,
        helpers=helpers,
        relevant=[np.array(sorted(wanted[h]), dtype=np.int32) for h in helpers],
        cold=~trained[helpers],
        touched=touched,
    )


def gini(values: np.ndarray) -> float:
    """0 when every candidate is shown equally often, towards 1 when a few take all exposure."""
    values = np.sort(np.asarray(values, dtype=np.float64))
    if not len(values) or values.sum() == 0:
        return 0.0
    n = len(values)
    cumulative = np.cumsum(values)
    return float((n + 1 - 2 * (cumulative.sum() / cumulative[-1])) / n)


def ranking_metrics(ranked: np.ndarray, relevant: np.ndarray, k: int) -> tuple[float, float, float, float]:
    """precision@k, recall@k, NDCG@k and AP@k of one ranked list against a set of relevant items."""
    hits = np.isin(ranked[:k], relevant).astype(np.float64)
    if not len(relevant):
        return 0.0, 0.0, 0.0, 0.0
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = discounts[: min(len(relevant), k)].sum()
    ndcg = float((hits * discounts[: len(hits)]).sum() / ideal)
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    average_precision = float((precision_at * hits).sum() / min(len(relevant), k))
    return float(hits.sum() / k), float(hits.sum() / len(relevant)), ndcg, average_precision


def rank_all(model: Recommender, split: Split, k: int, reranker=None) -> list[np.ndarray]:
    """Each test helper's top k among the candidates (a reranker, when given, sees every helper in
    turn with the exposure so far)."""
    lists = []
    if reranker is not None:
        reranker.start(model, split.candidates)
    for helper in split.helpers:
        candidates = split.unseen(int(helper), split.candidates)
        if reranker is None:
            needs, _ = model.rank_needs(int(helper), candidates, k)
        else:
            needs = reranker.rank(int(helper), k, candidates)
        lists.append(needs)
    return lists


def evaluate_lists(lists: list[np.ndarray], split: Split, k: int) -> dict:
    rows = np.array([ranking_metrics(ranked, rel, k) for ranked, rel in zip(lists, split.relevant, strict=True)])
    if not len(rows):
        rows = np.zeros((0, 4))
    exposure = np.zeros(split.train.n_needs, np.int64)
    for ranked in lists:
        exposure[ranked] += 1
    shown = exposure[split.candidates]
    cold = rows[split.cold] if len(rows) else rows
    warm = rows[~split.cold] if len(rows) else rows
    mean = rows.mean(axis=0) if len(rows) else np.zeros(4)
    return {
        f"precision@{k}": round(float(mean[0]), 4),
        f"recall@{k}": round(float(mean[1]), 4),
        f"ndcg@{k}": round(float(mean[2]), 4),
        f"map@{k}": round(float(mean[3]), 4),
        "coverage": round(float((shown > 0).mean()) if len(shown) else 0.0, 4),
        "exposure_gini": round(gini(shown), 4),
        f"cold_start_ndcg@{k}": round(float(cold[:, 2].mean()) if len(cold) else 0.0, 4),
        f"warm_ndcg@{k}": round(float(warm[:, 2].mean()) if len(warm) else 0.0, 4),
    }


def reach(model: Recommender, split: Split, k: int, max_helpers: int = 5000, reranker=None, seed: int = 0) -> float:
    """The share of the needs open at the split that appear in the top k of at least one helper —
    every helper of the catalogue, as the portal shows each their own list (a random sample of
    ``max_helpers`` when there are more, which can only understate it)."""
    data = split.train
    open_now = split.candidates[data.need_created[split.candidates] <= split.split_at]
    helpers = np.arange(data.n_helpers, dtype=np.int32)
    if len(helpers) > max_helpers:
        helpers = np.random.default_rng(seed).choice(helpers, max_helpers, replace=False)
    if reranker is not None:
        reranker.start(model, open_now)
    shown = np.zeros(data.n_needs, bool)
    for helper in helpers:
        candidates = split.unseen(int(helper), open_now)
        if reranker is None:
            needs, _ = model.rank_needs(int(helper), candidates, k)
        else:
            needs = reranker.rank(int(helper), k, candidates)
        shown[needs] = True
    return round(float(shown[open_now].mean()) if len(open_now) else 0.0, 4)


def evaluate(data: Dataset, models: dict[str, Recommender], k: int = 10, test_fraction: float = 0.2,
             max_helpers: int | None = None, fairness=None, progress=None, reach_helpers: int = 5000) -> dict:
    """Fit each model on the training part of one split and score its rankings. With a
    ``fairness`` reranker the default model is also scored re-ranked (as ``NAME+fair``), and both
    get their ``reach``."""
    split = time_split(data, test_fraction, max_helpers)
    results: dict[str, dict] = {}
    for name, model in models.items():
        started = time.perf_counter()
        model.fit(split.train, now=split.split_at)
        fitted = time.perf_counter()
        results[name] = evaluate_lists(rank_all(model, split, k), split, k)
        results[name]["fit_seconds"] = round(fitted - started, 2)
        results[name]["rank_seconds"] = round(time.perf_counter() - fitted, 2)
        if progress:
            progress(name, results[name])
        if fairness is not None and name == next(iter(models)):
            results[name]["reach"] = reach(model, split, k, reach_helpers)
            results[f"{name}+fair"] = evaluate_lists(rank_all(model, split, k, fairness), split, k)
            results[f"{name}+fair"]["reach"] = reach(model, split, k, reach_helpers, fairness)
            if progress:
                progress(f"{name}+fair", results[f"{name}+fair"])
    return {
        "split": {
            "at": split.split_at,
            "train_interactions": int(len(split.train.inter_at)),
            "test_helpers": int(len(split.helpers)),
            "cold_start_helpers": int(split.cold.sum()),
            "candidates": int(len(split.candidates)),
        },
        "models": results,
    }


CURVE = ((2, 100, 1.0), (1, 1000, 4.0), (2, 300, 2.0), (2, 1000, 2.0), (2, 1000, 4.0), (3, 1000, 2.0),
         (3, 1000, 4.0), (4, 1000, 4.0), (10, 100, 2.0))


def fairness_curve(model: Recommender, split: Split, k: int = 10, settings=CURVE, reach_helpers: int = 5000) -> list:
    """The trade-off of the exposure re-ranking: for each (free places, pool, exposure weight), the
    NDCG@k lost against the plain ranking and the reach gained. ``model`` is fitted on
    ``split.train``; to choose a setting, pass a split of the training period
    (:func:`validation_split`), never the test."""
    from matching.fairness import ExposureReranker

    plain = evaluate_lists(rank_all(model, split, k), split, k)[f"ndcg@{k}"]
    rows = [{"free": 0, "pool": 0, "exposure_weight": 0.0, f"ndcg@{k}": plain, "loss": 0.0,
             "reach": reach(model, split, k, reach_helpers)}]
    for free, pool, weight in settings:
        def make(free=free, pool=pool, weight=weight):
            return ExposureReranker(pool=pool, exposure_weight=weight, free=free)

        ndcg = evaluate_lists(rank_all(model, split, k, make()), split, k)[f"ndcg@{k}"]
        rows.append({"free": free, "pool": pool, "exposure_weight": weight, f"ndcg@{k}": ndcg,
                     "loss": round(1 - ndcg / plain, 4) if plain else 0.0,
                     "reach": reach(model, split, k, reach_helpers, make())})
    return rows


def validation_split(split: Split, fraction: float = 0.2, max_helpers: int | None = None) -> Split:
    """A split of ``split``'s training period alone (its last ``fraction`` as the validation
    period): what settings are chosen on, so that the test period is never looked at."""
    return time_split(split.train, fraction, max_helpers)
