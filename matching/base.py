"""What every recommender shares: scikit-learn style parameters, ``fit`` on a :class:`Dataset`, and
the two rankings built on one scoring function.

A model implements ``_fit(data)`` and ``score(helpers, needs)`` — the scores of the pairs
(helpers[i], needs[i]), vectorised — and may implement ``reasons(helper, need)``. Everything else
(candidates, the filter of what a helper already touched, top-k) lives here, once, so that every
model is ranked by exactly the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator

from matching.data import EVENTS, Dataset

# How much each event says about a helper's interest in a need: deliveries most, views a little,
# withdrawals, disputes and "not interested" against.
EVENT_WEIGHTS = {"view": 0.2, "claim": 2.0, "deliver": 3.0, "donate": 2.0, "withdraw": -1.0, "dispute": -2.0,
                 "dismiss": -1.0}
WEIGHT_BY_CODE = np.array([EVENT_WEIGHTS[e] for e in EVENTS], dtype=np.float32)


@dataclass(frozen=True)
class Reason:
    """One plain-words reason for a suggestion: a code (see matching.explain) and its value."""

    code: str
    value: str | int | None = None


@dataclass
class Suggestion:
    id: str
    score: float
    reasons: list[Reason] = field(default_factory=list)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores, best first; ties keep the candidates' order."""
    if len(scores) <= k:
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


class Recommender(BaseEstimator):
    """Base of every model. After ``fit``: ``data_`` (the catalogue and the interactions it learned
    from), ``seen_`` (helpers × needs they acted on — took, gave to, withdrew from, disputed or
    marked "not interested" — which are never suggested to them again; opening a need is not
    turning it down, so a view leaves it in the suggestions),
    ``open_`` (needs open at the end of the data) and ``now_``."""

    name = "base"

    def fit(self, data: Dataset, now: float | None = None):
        self.data_ = data
        self.now_ = float(now if now is not None else (data.inter_at.max() if len(data.inter_at) else 0.0))
        acted = data.inter_event != EVENTS.index("view")
        ones = np.ones(int(acted.sum()), dtype=np.int8)
        seen = sparse.csr_matrix((ones, (data.inter_helper[acted], data.inter_need[acted])),
                                 shape=(data.n_helpers, data.n_needs))
        seen.sum_duplicates()
        self.seen_ = seen
        self.seen_by_need_ = seen.tocsc()
        self.open_ = data.open_needs()
        self._fit(data)
        return self

    def _fit(self, data: Dataset) -> None:
        raise NotImplementedError

    def warm(self):
        """Recommend once each way, so that what a ranking derives on first use is derived, and
        the pages of a memory-mapped model it reads are in memory, before a request needs them
        (``matching.persist``)."""
        data = self.data_
        if data.n_helpers and data.n_needs:
            self.recommend_needs(data.helper_ids[0], k=1)
            self.recommend_helpers(data.need_ids[0], k=1)
        return self

    def score(self, helpers: np.ndarray, needs: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def reasons(self, helper: int, need: int) -> list[Reason]:
        return []

    def explain(self, helpers: np.ndarray, needs: np.ndarray) -> list[list[Reason]]:
        """The reasons of each pair (helpers[i], needs[i]); models may do it for all at once."""
        return [self.reasons(int(h), int(n)) for h, n in zip(helpers, needs, strict=True)]

    # Rankings -------------------------------------------------------------------------------------

    def unseen(self, helper: int, candidates: np.ndarray) -> np.ndarray:
        row = self.seen_.indices[self.seen_.indptr[helper] : self.seen_.indptr[helper + 1]]
        if not len(row):
            return candidates
        return candidates[~np.isin(candidates, row, assume_unique=False)]

    def rank_needs(self, helper: int, candidates: np.ndarray | None = None, k: int = 10) -> tuple:
        """(need indices, scores) of the k best needs among ``candidates`` (default the open
        needs) for helper index ``helper``, leaving out needs the helper already acted on."""
        candidates = self.unseen(helper, self.open_ if candidates is None else np.asarray(candidates))
        if not len(candidates):
            return candidates, np.zeros(0)
        scores = self.score(np.full(len(candidates), helper, dtype=np.int32), candidates)
        best = top_k(scores, k)
        return candidates[best], scores[best]

    def rank_helpers(self, need: int, candidates: np.ndarray | None = None, k: int = 10) -> tuple:
        """(helper indices, scores) of the k best helpers for need index ``need``, leaving out
        helpers who already touched it."""
        if candidates is None:
            candidates = np.arange(self.data_.n_helpers, dtype=np.int32)
        candidates = np.asarray(candidates)
        by_need = self.seen_by_need_
        touched = by_need.indices[by_need.indptr[need] : by_need.indptr[need + 1]]
        if len(touched):
            candidates = candidates[~np.isin(candidates, touched)]
        if not len(candidates):
            return candidates, np.zeros(0)
        scores = self.score(candidates, np.full(len(candidates), need, dtype=np.int32))
        best = top_k(scores, k)
        return candidates[best], scores[best]

    def recommend_needs(self, helper_id: str, k: int = 10, candidates: list[str] | None = None) -> list[Suggestion]:
        """The k open needs best for ``helper_id``, each with the reasons that drove it."""
        data = self.data_
        helper = data.helper_index[helper_id]
        cand = None if candidates is None else np.array([data.need_index[c] for c in candidates], dtype=np.int32)
        needs, scores = self.rank_needs(helper, cand, k)
        reasons = self.explain(np.full(len(needs), helper, dtype=np.int32), needs)
        return [
            Suggestion(data.need_ids[n], float(s), r) for n, s, r in zip(needs, scores, reasons, strict=True)
        ]

    def recommend_helpers(self, need_id: str, k: int = 10, candidates: list[str] | None = None) -> list[Suggestion]:
        """The k helpers most likely to take ``need_id`` (for staff to invite), with reasons."""
        data = self.data_
        need = data.need_index[need_id]
        cand = None if candidates is None else np.array([data.helper_index[c] for c in candidates], dtype=np.int32)
        helpers, scores = self.rank_helpers(need, cand, k)
        reasons = self.explain(helpers, np.full(len(helpers), need, dtype=np.int32))
        return [
            Suggestion(data.helper_ids[h], float(s), r) for h, s, r in zip(helpers, scores, reasons, strict=True)
        ]


def interaction_matrix(data: Dataset, weights: np.ndarray = WEIGHT_BY_CODE, positive_only: bool = False):
    """Helpers × needs, summing the event weights of each pair (negatives included unless
    ``positive_only``; then each pair's total is floored at 0)."""
    values = weights[data.inter_event]
    matrix = sparse.csr_matrix(
        (values, (data.inter_helper, data.inter_need)), shape=(data.n_helpers, data.n_needs), dtype=np.float32
    )
    matrix.sum_duplicates()
    if positive_only:
        matrix.data = np.maximum(matrix.data, 0)
        matrix.eliminate_zeros()
    return matrix
