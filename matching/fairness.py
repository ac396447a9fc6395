"""Exposure fairness: needs from remote villages and needs that wait long must not starve.

:class:`ExposureReranker` keeps the model's first ``k - free`` needs for a helper as they are and
fills the last ``free`` places of the top k from the model's best ``pool`` needs, re-ordered to
trade relevance for exposure: a need loses ground for each time it was already shown (to other
helpers) and for the places already taken — the spirit of VolunteerMatch's penalty on
opportunities that already have volunteers — and an old need nobody took gains ground the longer
it waits. The places at the bottom of a list weigh least in what a helper finds (and in NDCG),
yet over all helpers they are many: two of ten suffice to show most open needs to someone.

:func:`replay` measures the effect: it replays the test period, each time a helper really took a
need letting them take the best-ranked need of their top k that they really took (if any is
there), while places run out, and counts claims and needs with at least one claim.
"""

from __future__ import annotations

import numpy as np

from matching.base import Recommender, top_k
from matching.data import Dataset
from matching.features import DAY


def need_state(data: Dataset, now: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(places taken as a share, claimed at all, days waited) per need, from the interactions."""
    fill, claimed = data.fill()
    waited = np.maximum(0.0, now - data.need_created) / DAY
    return fill, claimed, waited.astype(np.float32)


class ExposureReranker:
    """Parameters: the ``free`` places at the bottom of each top k that are re-ranked (all k when
    ``free >= k``), the ``pool`` of the model's best needs they are filled from, and the weights of
    exposure so far, of the places taken and of waiting. The defaults were chosen on the training
    period's own validation split (``matching/README.md``, trade-off curve)."""

    def __init__(self, pool: int = 1000, exposure_weight: float = 4.0, fill_weight: float = 1.0,
                 wait_weight: float = 0.3, free: int = 2):
        self.pool, self.exposure_weight = pool, exposure_weight
        self.fill_weight, self.wait_weight, self.free = fill_weight, wait_weight, free

    def start(self, model: Recommender, candidates: np.ndarray) -> None:
        """Begin a round (a replay, or an evaluation pass over all helpers) with no exposure yet."""
        self.model, self.candidates = model, candidates
        self.fill, self.claimed, self.waited = need_state(model.data_, model.now_)
        self.exposure = np.zeros(model.data_.n_needs, np.float32)

    def adjust(self, needs: np.ndarray, scores: np.ndarray, exposure: np.ndarray | None = None) -> np.ndarray:
        """The re-ranking score of ``needs`` given the model's ``scores`` for one helper."""
        exposure = self.exposure[needs] if exposure is None else exposure
        spread = scores.std() or 1.0
        relevance = (scores - scores.mean()) / spread
        waiting = np.where(self.claimed[needs], 0.0, np.log1p(self.waited[needs]))
        return (relevance - self.exposure_weight * np.log1p(exposure)
                - self.fill_weight * self.fill[needs] + self.wait_weight * waiting)

    def rank(self, helper: int, k: int, candidates: np.ndarray | None = None) -> np.ndarray:
        needs, scores = self.model.rank_needs(helper, self.candidates if candidates is None else candidates,
                                              max(self.pool, k))
        if not len(needs):
            return needs
        keep = max(0, k - self.free)
        rest, rest_scores = needs[keep:], scores[keep:]
        chosen = np.concatenate([needs[:keep], rest[top_k(self.adjust(rest, rest_scores), k - keep)]])
        self.exposure[chosen] += 1
        return chosen


def replay(model: Recommender, data: Dataset, split, k: int = 10, reranker: ExposureReranker | None = None) -> dict:
    """Replay the test period of ``split`` (see matching.evaluate) for its test helpers."""
    helpers = set(split.helpers.tolist())
    test = data.inter_at >= split.split_at
    positive = test & data.positive_mask()
    order = np.argsort(data.inter_at[positive], kind="stable")
    visits_h = data.inter_helper[positive][order]
    visits_t = data.inter_at[positive][order]
    wanted = {int(h): set(rel.tolist()) for h, rel in zip(split.helpers, split.relevant, strict=True)}
    taken_by: dict[int, set[int]] = {h: set() for h in wanted}
    claims, _given = split.train.progress()
    places = np.where(data.need_amount > 0, 1 << 30, data.need_slots - claims)
    claimed = np.zeros(data.n_needs, np.int64)
    if reranker is not None:
        reranker.start(model, split.candidates)
    made = 0
    for helper, at in zip(visits_h.tolist(), visits_t.tolist(), strict=True):
        if helper not in helpers:
            continue
        candidates = split.candidates[(places[split.candidates] > 0) & (data.need_created[split.candidates] <= at)]
        candidates = split.unseen(helper, candidates)
        if reranker is None:
            shown, _ = model.rank_needs(helper, candidates, k)
        else:
            shown = reranker.rank(helper, k, candidates)
        for need in shown.tolist():
            if need in wanted[helper] and need not in taken_by[helper]:
                taken_by[helper].add(need)
                places[need] -= 1
                claimed[need] += 1
                made += 1
                break
    return {"claims": made, "needs_with_claim": int((claimed > 0).sum())}
