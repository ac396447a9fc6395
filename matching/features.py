"""What the models know about a helper, a need and the two together, computed once per fit.

* :class:`TextSpace` — needs' and helpers' texts in one dense space: TF-IDF over character
  1–2-grams (Chinese has no spaces between words, so whitespace tokens would be whole sentences;
  characters work for Chinese, English and mixed text alike), reduced by truncated SVD.
* :class:`History` — what the interactions say: each helper's categories, areas, skills-to-category
  lift, the texts of what they took, item-to-item similarity, and each need's popularity and fill.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from matching.base import WEIGHT_BY_CODE, interaction_matrix
from matching.data import EVENTS, LEVELS, Dataset
from matching.vocabulary import SKILLS_FOR_CATEGORY

DAY = 86400.0
COUNTY, TOWN = LEVELS.index("county"), LEVELS.index("town")



def skills_serve(data: Dataset) -> np.ndarray:
    """Helpers × categories: 1 where a declared skill serves the category (SKILLS_FOR_CATEGORY)."""
    known = np.zeros((data.n_helpers, len(data.categories)), np.float32)
    for c, category in enumerate(data.categories):
        serving = SKILLS_FOR_CATEGORY.get(category, frozenset())
        if serving:
            known[:, c] = [bool(serving.intersection(skills)) for skills in data.helper_skills]
    return known


class TextSpace:
    def __init__(self, dims: int = 48, sample: int = 40_000, seed: int = 0):
        self.dims, self.sample, self.seed = dims, sample, seed

    def fit_transform(self, need_texts: list[str], helper_texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        docs = need_texts + helper_texts
        rng = np.random.default_rng(self.seed)
        pick = rng.choice(len(docs), size=min(self.sample, len(docs)), replace=False) if docs else []
        sample = [docs[i] for i in pick]
        self.vectorizer = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 2), min_df=2, max_features=30_000, sublinear_tf=True, dtype=np.float32
        )
        try:
            fitted = self.vectorizer.fit_transform(sample)
        except ValueError:  # no text at all: every text sits at the origin
            return np.zeros((len(need_texts), 1), np.float32), np.zeros((len(helper_texts), 1), np.float32)
        dims = max(1, min(self.dims, fitted.shape[1] - 1, fitted.shape[0] - 1))
        self.svd = TruncatedSVD(n_components=dims, random_state=self.seed).fit(fitted)
        needs = self.transform(need_texts)
        helpers = self.transform(helper_texts)
        return needs, helpers

    def transform(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.svd.n_components), np.float32)
        return normalize(self.svd.transform(self.vectorizer.transform(texts))).astype(np.float32)


def one_of_many(values: np.ndarray, more_than: int = 64) -> bool:
    """Whether ``values`` is more than ``more_than`` copies of one value: one helper against many
    needs (or the reverse), which the vector paths serve faster than pair by pair."""
    return len(values) > more_than and values[0] == values[-1] and bool((values == values[0]).all())


class PairLookup:
    """Counts keyed by (row, column) pairs, looked up for whole arrays at once."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n_cols: int):
        self.n_cols = np.int64(n_cols)
        keys = rows.astype(np.int64) * self.n_cols + cols
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order]
        self.keys, starts = np.unique(keys, return_index=True)
        self.values = np.add.reduceat(values, starts) if len(keys) else values

    def get(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        if not len(self.keys):
            return np.zeros(len(rows), np.float32)
        if one_of_many(rows):
            # One row against many columns: search the row's few entries, not all of them.
            lo, hi = np.searchsorted(self.keys, [rows[0] * self.n_cols, (rows[0] + 1) * self.n_cols])
            dense = np.zeros(max(int(self.n_cols), int(cols.max(initial=0)) + 1), np.float32)
            dense[self.keys[lo:hi] - rows[0] * self.n_cols] = self.values[lo:hi]
            return dense[cols]
        inside = cols < self.n_cols  # columns added after the lookup was built are empty
        keys = rows.astype(np.int64) * self.n_cols + cols
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where((self.keys[at] == keys) & inside, self.values[at], 0).astype(np.float32)


class History:
    """Statistics of the interactions in ``data`` (all of them happened before ``now``)."""

    def __init__(self, data: Dataset, now: float, text: tuple[np.ndarray, np.ndarray] | None = None,
                 neighbours: int = 50, helper_cap: int = 50, half_life_days: float = 30.0,
                 ease_needs: int = 3000, ease_lambda: float = 200.0, ease_neighbours: int = 100):
        self.data, self.now = data, now
        n_cat = len(data.categories)
        weights = interaction_matrix(data, positive_only=True)
        took = weights.copy()
        took.data[:] = 1.0
        self.took = took  # helpers × needs they claimed, delivered or gave to
        self.helper_count = np.asarray(took.sum(axis=1)).ravel()
        need_cat = sparse.csr_matrix(
            (np.ones(data.n_needs, np.float32), (np.arange(data.n_needs), data.need_category)),
            shape=(data.n_needs, n_cat),
        )
        self.helper_cat = np.asarray((took @ need_cat).todense(), dtype=np.float32)
        self.category_share = (self.helper_cat.sum(axis=0) + 1.0) / (self.helper_cat.sum() + n_cat)
        delivered = data.inter_event == EVENTS.index("deliver")
        done = sparse.csr_matrix(
            (np.ones(delivered.sum(), np.float32), (data.inter_helper[delivered], data.inter_need[delivered])),
            shape=(data.n_helpers, data.n_needs),
        )
        done.data[:] = 1.0
        self.helper_done_cat = np.asarray((done @ need_cat).todense(), dtype=np.float32)

        # Areas the helper worked in: positive pairs by the need's county and town.
        rows, cols = took.nonzero()
        anc = data.regions.ancestors[data.need_region[cols]]
        n_regions = len(data.regions.codes)
        one = np.ones(len(rows), np.float32)
        self.county = PairLookup(rows[anc[:, COUNTY] >= 0], anc[anc[:, COUNTY] >= 0, COUNTY], one[anc[:, COUNTY] >= 0],
                                 n_regions)
        self.town = PairLookup(rows[anc[:, TOWN] >= 0], anc[anc[:, TOWN] >= 0, TOWN], one[anc[:, TOWN] >= 0], n_regions)

        # Skills: which categories helpers with each skill took, as a smoothed log-lift; a
        # helper's skill score for a category is the best lift among their skills.
        vocab = sorted({s for skills in data.helper_skills for s in skills})
        self.skill_index = {s: i for i, s in enumerate(vocab)}
        pairs = [(h, self.skill_index[s]) for h, skills in enumerate(data.helper_skills) for s in skills]
        hs = sparse.csr_matrix(
            (np.ones(len(pairs), np.float32), tuple(np.array(pairs, dtype=np.int64).T) if pairs else ([], [])),
            shape=(data.n_helpers, len(vocab)),
        )
        skill_cat = np.asarray((hs.T @ self.helper_cat), dtype=np.float32)
        alpha = 5.0
        lift = np.log((skill_cat + alpha * self.category_share) / (skill_cat.sum(axis=1, keepdims=True) + alpha)
                      / self.category_share)
        self.skill_lift = lift  # skills × categories, to name the skill that fits in a reason
        self.helper_skill_lift = np.zeros((data.n_helpers, n_cat), np.float32)
        if pairs:
            best = np.full((data.n_helpers, n_cat), -np.inf, np.float32)
            ph, ps = np.array(pairs).T
            np.maximum.at(best, ph, lift[ps])
            self.helper_skill_lift = np.where(np.isfinite(best), best, 0).astype(np.float32)
        self.helper_skill_known = skills_serve(data)

        # Needs: recency-weighted interest and how full they are.
        age_days = np.maximum(0.0, (now - data.inter_at) / DAY)
        decay = np.power(0.5, age_days / half_life_days).astype(np.float32)
        positive = WEIGHT_BY_CODE[data.inter_event] > 0
        self.need_pop = np.zeros(data.n_needs, np.float32)
        np.add.at(self.need_pop, data.inter_need[positive], (WEIGHT_BY_CODE[data.inter_event] * decay)[positive])
        week = np.power(0.5, age_days / 7.0).astype(np.float32)
        self.need_pop_week = np.zeros(data.n_needs, np.float32)
        np.add.at(self.need_pop_week, data.inter_need[positive], week[positive])
        # Attention of every kind (views and refusals too) over the last days: what is being shown.
        self.need_attention = np.zeros((data.n_needs, 3), np.float32)
        for column, days in enumerate((1.0, 3.0, 14.0)):
            np.add.at(self.need_attention[:, column], data.inter_need, np.power(0.5, age_days / days))
        self.need_count = np.asarray(took.sum(axis=0)).ravel()
        self.need_fill, self.need_claimed = data.fill()

        # Helpers: how busy they were lately, against their capacity.
        recent = (data.inter_at >= now - 30 * DAY) & (data.inter_event == EVENTS.index("claim"))
        self.helper_recent = np.bincount(data.inter_helper[recent], minlength=data.n_helpers).astype(np.float32)
        last = np.full(data.n_helpers, -np.inf)
        np.maximum.at(last, data.inter_helper, data.inter_at)
        self.helper_idle_days = np.where(np.isfinite(last), (now - last) / DAY, 365.0).astype(np.float32)

        # Text: what the helper wrote, and the texts of the needs they took.
        if text is not None:
            self.need_vec, self.helper_vec = text
            self.helper_hist_vec = normalize(took @ self.need_vec).astype(np.float32)
        else:
            self.need_vec = self.helper_vec = self.helper_hist_vec = None

        latest = self._latest(took, data, helper_cap)
        self.similar = self._item_similarity(latest, neighbours) if neighbours else sparse.csr_matrix(
            (data.n_needs, data.n_needs), dtype=np.float32)
        self._cf = PairProduct(latest, self.similar)
        self._ease = PairProduct(took, self._ease_weights(took, ease_needs, ease_lambda, ease_neighbours))

        # Peers: needs taken by helpers with the same skill, or from the same county, as shares
        # of those helpers; each helper averages over their skills.
        n_skills = hs.shape[1]
        skill_share = sparse.diags(1.0 / np.maximum(np.asarray(hs.sum(axis=0)).ravel(), 1)) @ (hs.T @ took)
        per_skill = sparse.diags(1.0 / np.maximum(np.asarray(hs.sum(axis=1)).ravel(), 1)) @ hs
        self._skill_peers = PairProduct(per_skill if n_skills else hs, skill_share.tocsr())
        area = data.regions.ancestors[data.helper_region, COUNTY]
        area = np.where(area >= 0, area, data.helper_region)
        ha = sparse.csr_matrix((np.ones(data.n_helpers, np.float32), (np.arange(data.n_helpers), area)),
                               shape=(data.n_helpers, n_regions))
        area_share = sparse.diags(1.0 / np.maximum(np.asarray(ha.sum(axis=0)).ravel(), 1)) @ (ha.T @ took)
        self._area_peers = PairProduct(ha, area_share.tocsr())

    @staticmethod
    def _latest(took, data: Dataset, cap: int):
        """``took`` keeping each helper's latest ``cap`` needs, so that a few very busy
        organizations cannot make the item-to-item product quadratic."""
        rows, cols = took.nonzero()
        order = np.lexsort((-data.need_created[cols], rows))
        rows, cols = rows[order], cols[order]
        starts = np.searchsorted(rows, rows, side="left")
        keep = (np.arange(len(rows)) - starts) < cap
        return sparse.csr_matrix((np.ones(keep.sum(), np.float32), (rows[keep], cols[keep])), shape=took.shape)

    @staticmethod
    def _item_similarity(latest, neighbours: int):
        """Needs × needs cosine similarity of who took them, each need keeping its ``neighbours``
        nearest."""
        x = normalize(latest, axis=0)
        sim = (x.T @ x).tocsr()
        sim.setdiag(0)
        sim.eliminate_zeros()
        indptr, values = sim.indptr, sim.data
        lengths = np.diff(indptr)
        if lengths.max(initial=0) > neighbours:
            keep = np.ones(len(values), bool)
            for row in np.flatnonzero(lengths > neighbours):
                lo, hi = indptr[row], indptr[row + 1]
                weakest = np.argpartition(-values[lo:hi], neighbours)[neighbours:]
                keep[lo + weakest] = False
            sim = sparse.csr_matrix((values * keep, sim.indices, indptr), shape=sim.shape)
            sim.eliminate_zeros()
        return sim.astype(np.float32)

    @staticmethod
    def _ease_weights(took, size: int, lam: float, neighbours: int):
        """Needs × needs weights of EASE (Steck 2019), the item–item model a tuned comparison puts
        first on rating logs: B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, a zero diagonal. Dense, so
        only over the ``size`` needs taken most often (at a province, a few weeks' busiest; needs
        with no history cost nothing), each keeping its ``neighbours`` strongest weights."""
        n = took.shape[1]
        empty = sparse.csr_matrix((n, n), dtype=np.float32)
        counts = np.asarray(took.sum(axis=0)).ravel()
        busy = np.flatnonzero(counts >= 2)
        if not size or len(busy) < 2:
            return empty
        if len(busy) > size:
            busy = busy[np.argsort(-counts[busy], kind="stable")[:size]]
        busy = np.sort(busy)
        x = took[:, busy]
        gram = (x.T @ x).toarray().astype(np.float64)
        gram[np.diag_indices_from(gram)] += lam
        p = np.linalg.inv(gram)
        b = -p / np.diag(p)[None, :]
        np.fill_diagonal(b, 0.0)
        keep = min(neighbours, len(busy) - 1)
        strongest = np.argpartition(-np.abs(b), keep - 1, axis=1)[:, :keep]
        rows = np.repeat(busy, keep)
        values = np.take_along_axis(b, strongest, axis=1).ravel()
        return sparse.csr_matrix((values.astype(np.float32), (rows, busy[strongest.ravel()])), shape=(n, n))

    def ease(self, helpers: np.ndarray, needs: np.ndarray) -> np.ndarray:
        """The EASE score of each pair: what the helper took, weighted by the need's EASE weights."""
        return self._ease.get(helpers, needs)

    def cf(self, helpers: np.ndarray, needs: np.ndarray) -> np.ndarray:
        """Item-kNN affinity of each pair: the summed similarity of the need to what the helper took."""
        return self._cf.get(helpers, needs)

    def peers(self, helpers: np.ndarray, needs: np.ndarray) -> np.ndarray:
        """The share of helpers like this one (same skills, same county) who took the need: what
        a newcomer's peers did, the cold start's best guide after the profile."""
        return self._skill_peers.get(helpers, needs) + self._area_peers.get(helpers, needs)


class PairProduct:
    """(left @ right)[helpers[i], needs[i]] for sparse helpers × K and K × needs matrices, without
    forming the product: one helper against many needs, or one need against many helpers, is a
    vector–matrix product; mixed pairs (training) expand each pair over the helper's row."""

    def __init__(self, left, right):
        self.left = left.tocsr()
        self.right = right.tocsr()
        self._by_need = self._lookup = None

    # The two other layouts of ``right`` are derived when first used and never saved: the model
    # file holds the matrix once (a third of its size at a province, for the item-kNN matrix).
    def __getstate__(self):
        return {"left": self.left, "right": self.right}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._by_need = self._lookup = None

    def grow(self, n_needs: int) -> None:
        """Room for needs added after the fit (``TongxinModel.add_needs``): nobody took them yet,
        so their columns are empty."""
        self.right = sparse.csr_matrix((self.right.data, self.right.indices, self.right.indptr),
                                       shape=(self.right.shape[0], n_needs))
        if self._by_need is not None:
            by_need = self._by_need
            indptr = np.concatenate([by_need.indptr, np.full(n_needs - by_need.shape[1], by_need.indptr[-1],
                                                             by_need.indptr.dtype)])
            self._by_need = sparse.csc_matrix((by_need.data, by_need.indices, indptr),
                                              shape=(by_need.shape[0], n_needs))
        # The lookup keeps its own width: a column beyond it is an empty one (see PairLookup.get).

    @property
    def right_by_need(self):
        if self._by_need is None:
            self._by_need = self.right.tocsc()
        return self._by_need

    @property
    def lookup(self) -> PairLookup:
        if self._lookup is None:
            coo = self.right.tocoo()
            self._lookup = PairLookup(coo.row, coo.col, coo.data.astype(np.float32), self.right.shape[1])
        return self._lookup

    def get(self, helpers: np.ndarray, needs: np.ndarray) -> np.ndarray:
        if not len(helpers):
            return np.zeros(0, np.float32)
        if one_of_many(helpers):
            row = np.asarray((self.left[helpers[0]] @ self.right).todense()).ravel()
            return row[needs].astype(np.float32)
        if one_of_many(needs):
            col = np.asarray((self.left @ self.right_by_need[:, needs[0]]).todense()).ravel()
            return col[helpers].astype(np.float32)
        starts = self.left.indptr[helpers]
        counts = self.left.indptr[helpers + 1] - starts
        total = int(counts.sum())
        if not total:
            return np.zeros(len(helpers), np.float32)
        offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)
        values = self.lookup.get(self.left.indices[offsets], np.repeat(needs, counts)) * self.left.data[offsets]
        pair = np.repeat(np.arange(len(helpers)), counts)
        return np.bincount(pair, weights=values, minlength=len(helpers)).astype(np.float32)
