"""The project's own model: a logistic ranker over what the profile and the history say of a pair.

Each (helper, need) pair is described by a few dozen features — how close their regions sit in the
tree, what the helper took before in that area and category, whether their skills serve the
category (declared, and learned from who took what), how alike their texts are, helper kind against
money needs, item-to-item similarity to what the helper took, and the need's popularity, fill, age
and urgency. Helpers with no history still get the profile features, which is the cold start.

It learns the weights the way it will be used: the training interactions are split by time once
more; features come from the earlier part, and the pairs taken in the later part are the positives,
against negatives drawn from the needs open then (half of them from the same county, so that the
model learns more than "near is good"). The final state is then computed on all the training data.

Being linear in its features, each suggestion is explained by the features that pushed it up most.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from matching.base import Reason, Recommender
from matching.baselines import area_reasons
from matching.data import KINDS, Dataset
from matching.features import COUNTY, DAY, SKILLS_FOR_CATEGORY, History, TextSpace, one_of_many

FEATURES = (
    "level_city", "level_county", "level_town", "level_village",
    "county_history", "town_history", "category_history", "done_category",
    "skill_known", "skill_lift", "text", "history_text", "cf", "ease",
    "donor_money", "donor_service", "organization_money", "volunteer_money", "organization_slots",
    "need_popularity", "need_popularity_week", "attention_day", "attention_3days",
    "attention_fortnight", "peers", "need_fill", "need_age", "need_future", "urgency",
    "helper_activity", "helper_idle", "helper_spare",
    "cold_text", "cold_skill", "cold_level", "cold_popularity", "cold_peers",
)
VOLUNTEER, ORGANIZATION, DONOR = (KINDS.index(k) for k in KINDS)
KNOWN_SKILLS = frozenset().union(*SKILLS_FOR_CATEGORY.values())

# The weights used until there is enough history to learn them (fewer than ``min_pairs`` new pairs
# taken in the later part of the training data): near first, skills for the category, matching
# text, money needs to donors and service needs to volunteers, then urgency and waiting.
PRIOR = {
    "level_city": 0.5, "level_county": 1.0, "level_town": 1.5, "level_village": 0.5,
    "county_history": 0.5, "town_history": 0.5, "category_history": 0.5, "done_category": 0.5,
    "skill_known": 2.0, "skill_lift": 0.5, "text": 2.0, "history_text": 1.0, "cf": 0.5,
    "donor_money": 2.0, "donor_service": -1.0, "volunteer_money": -1.0, "organization_slots": 0.3,
    "need_fill": -0.5, "need_age": 0.1, "urgency": 0.3,
}


class TongxinModel(Recommender):
    """The default model. Parameters: ``negatives`` drawn per positive pair, the share of the
    training interactions kept as history when learning the weights (``history_share``), the
    regularisation ``C``, ``max_pairs`` positives at most, the text space's ``text_dims``, the
    ``objective`` (``pointwise``: positives against sampled negatives; ``pairwise``: each positive
    against its own negatives) and ``min_pairs``, below which the hand-set ``PRIOR`` weights are
    used instead of learned ones (``learned_`` says which)."""

    name = "tongxin"

    def __init__(self, negatives: int = 8, history_share: float = 0.75, C: float = 1.0, max_pairs: int = 60_000,
                 text_dims: int = 48, objective: str = "pointwise", min_pairs: int = 100, seed: int = 0,
                 ease_needs: int = 3000, ease_lambda: float = 200.0):
        self.negatives, self.history_share, self.C = negatives, history_share, C
        self.max_pairs, self.text_dims, self.objective, self.seed = max_pairs, text_dims, objective, seed
        self.min_pairs, self.ease_needs, self.ease_lambda = min_pairs, ease_needs, ease_lambda

    # Fitting --------------------------------------------------------------------------------------

    def _fit(self, data: Dataset) -> None:
        self.text_space_ = TextSpace(self.text_dims, seed=self.seed)
        self.text_ = self.text_space_.fit_transform(data.need_text, data.helper_text)
        helpers, needs, labels, history = self._training_pairs(data)
        self.learned_ = int(labels.sum()) >= self.min_pairs
        if self.learned_:
            self.state_ = history
            self._learn(self._features(helpers, needs), labels)
        self.state_ = History(data, self.now_, text=self.text_, ease_needs=self.ease_needs, ease_lambda=self.ease_lambda)
        if not self.learned_:
            # Too little history to learn from: hand-set weights on the profile features, the
            # same judgement as the profile rules.
            self.weights_ = np.array([PRIOR.get(f, 0.0) for f in FEATURES], np.float32)
            self.bias_ = 0.0
            x = self._features(*self._sample_pairs(data))
            self.mean_ = x.mean(axis=0) if len(x) else np.zeros(len(FEATURES), np.float32)
        self._prepare()

    def _sample_pairs(self, data: Dataset, size: int = 2000):
        rng = np.random.default_rng(self.seed)
        if not data.n_helpers or not data.n_needs:
            return np.zeros(0, np.int32), np.zeros(0, np.int32)
        return (rng.integers(0, data.n_helpers, size).astype(np.int32),
                rng.integers(0, data.n_needs, size).astype(np.int32))

    def _learn(self, x: np.ndarray, labels: np.ndarray) -> None:
        self.mean_ = x.mean(axis=0)
        self.scale_ = np.where(x.std(axis=0) > 1e-6, x.std(axis=0), 1.0)
        z = (x - self.mean_) / self.scale_
        if self.objective == "pairwise":
            # Each positive against each of its own negatives: the weights learn to order pairs
            # for one helper (what a ranking needs), not to tell positives from the crowd.
            n_pos = int(labels.sum())
            per = (len(labels) - n_pos) // n_pos
            diff = (z[:n_pos, None, :] - z[n_pos:].reshape(n_pos, per, -1)).reshape(-1, z.shape[1])
            classifier = LogisticRegression(C=self.C, max_iter=500, fit_intercept=False)
            classifier.fit(np.concatenate([diff, -diff]), np.r_[np.ones(len(diff)), np.zeros(len(diff))])
            intercept = 0.0
        else:
            classifier = LogisticRegression(C=self.C, max_iter=500)
            classifier.fit(z, labels)
            intercept = float(classifier.intercept_[0])
        # Scores are x · w + b on raw features: fold the scaling into the weights once.
        self.weights_ = (classifier.coef_[0] / self.scale_).astype(np.float32)
        self.bias_ = intercept - float((self.mean_ * self.weights_).sum())

    def _training_pairs(self, data: Dataset):
        rng = np.random.default_rng(self.seed)
        times = data.inter_at
        empty = np.zeros(0, np.int32)
        if not len(times):
            return empty, empty, np.zeros(0), None
        cut = float(np.quantile(times, self.history_share))
        earlier = data.with_interactions(times < cut)
        later = data.inter_at >= cut
        positive = later & data.positive_mask()
        history = History(earlier, cut, text=self.text_, ease_needs=self.ease_needs, ease_lambda=self.ease_lambda)
        pairs = np.unique(np.stack([data.inter_helper[positive], data.inter_need[positive]], axis=1), axis=0)
        # Pairs already touched before the cut are not what the model must find.
        touched = earlier.inter_helper.astype(np.int64) * data.n_needs + earlier.inter_need
        pairs = pairs[~np.isin(pairs[:, 0].astype(np.int64) * data.n_needs + pairs[:, 1], touched)]
        if len(pairs) > self.max_pairs:
            pairs = pairs[rng.choice(len(pairs), self.max_pairs, replace=False)]
        if len(pairs) < self.min_pairs:
            return empty, empty, np.zeros(0), None
        open_then = earlier.open_needs()
        open_then = open_then[data.need_created[open_then] <= times.max()]
        county = data.regions.ancestors[data.need_region[open_then], COUNTY]
        order = np.argsort(county, kind="stable")
        open_sorted, county_sorted = open_then[order], county[order]

        half = self.negatives // 2
        pos_h, pos_n = pairs[:, 0], pairs[:, 1]
        random_neg = open_then[rng.integers(0, len(open_then), size=(len(pairs), self.negatives - half))]
        own = data.regions.ancestors[data.need_region[pos_n], COUNTY]
        lo = np.searchsorted(county_sorted, own, side="left")
        hi = np.searchsorted(county_sorted, own, side="right")
        width = np.maximum(hi - lo, 1)
        near = lo[:, None] + (rng.random((len(pairs), half)) * width[:, None]).astype(np.int64)
        near_neg = np.where(hi[:, None] > lo[:, None], open_sorted[np.minimum(near, len(open_sorted) - 1)],
                            random_neg[:, :1])
        negatives = np.concatenate([random_neg, near_neg], axis=1)
        # A need the helper already acted on before the cut is never a candidate when ranking for
        # them, so it is no negative either: drawn again (it would teach that needs like what the
        # helper took are unwelcome, and turn the history features' weights upside down).
        touched = np.unique(touched)
        for _ in range(10):
            stale = np.isin(pos_h[:, None].astype(np.int64) * data.n_needs + negatives, touched)
            if not stale.any():
                break
            negatives[stale] = open_then[rng.integers(0, len(open_then), size=int(stale.sum()))]
        helpers = np.concatenate([pos_h, np.repeat(pos_h, negatives.shape[1])]).astype(np.int32)
        needs = np.concatenate([pos_n, negatives.ravel()]).astype(np.int32)
        labels = np.concatenate([np.ones(len(pos_h)), np.zeros(negatives.size)])
        return helpers, needs, labels, history

    # Scoring --------------------------------------------------------------------------------------

    def _features(self, helpers: np.ndarray, needs: np.ndarray) -> np.ndarray:
        data, state = self.data_, self.state_
        now = state.now
        level = data.regions.common_level(data.helper_region[helpers], data.need_region[needs])
        anc = data.regions.ancestors[data.need_region[needs]]
        category = data.need_category[needs]
        kind = data.helper_kind[helpers]
        money = data.need_amount[needs] > 0
        count = state.helper_count[helpers]
        cold = (count == 0).astype(np.float32)
        cat_hist = state.helper_cat[helpers, category]
        share = state.category_share[category]
        alpha = 2.0
        text = np.einsum("ij,ij->i", state.helper_vec[helpers], state.need_vec[needs])
        skill_known = state.helper_skill_known[helpers, category]
        peers = np.log1p(100 * state.peers(helpers, needs))
        columns = [
            level >= 2, level >= 3, level >= 4, level >= 5,
            np.log1p(state.county.get(helpers, anc[:, COUNTY])),
            np.log1p(state.town.get(helpers, anc[:, COUNTY + 1])),
            np.log((cat_hist + alpha * share) / (count + alpha) / share),
            np.log1p(state.helper_done_cat[helpers, category]),
            skill_known,
            state.helper_skill_lift[helpers, category],
            text,
            np.einsum("ij,ij->i", state.helper_hist_vec[helpers], state.need_vec[needs]),
            np.log1p(state.cf(helpers, needs)),
            state.ease(helpers, needs),
            (kind == DONOR) & money,
            (kind == DONOR) & ~money,
            (kind == ORGANIZATION) & money,
            (kind == VOLUNTEER) & money,
            (kind == ORGANIZATION) * np.log(data.need_slots[needs]),
            np.log1p(state.need_pop[needs]),
            np.log1p(state.need_pop_week[needs]),
            *np.log1p(state.need_attention[needs]).T,
            peers,
            state.need_fill[needs],
            np.log1p(np.maximum(0.0, now - data.need_created[needs]) / DAY),
            data.need_created[needs] > now,
            data.need_urgency[needs],
            np.log1p(count),
            np.log1p(state.helper_idle_days[helpers]),
            np.clip(data.helper_capacity[helpers] - state.helper_recent[helpers], -5, 20) / 5.0,
            cold * text,
            cold * skill_known,
            cold * level,
            cold * np.log1p(state.need_pop_week[needs]),
            cold * peers,
        ]
        return np.column_stack([np.asarray(c, dtype=np.float32) for c in columns])

    def score(self, helpers, needs):
        """``_features(helpers, needs) @ weights_ + bias_``, computed the fast way: the parts that
        depend on the need alone or the helper alone were summed at fit time (``_prepare``), and
        one helper against many needs (or one need against many helpers) takes one product per
        pair feature instead of a row of features per pair."""
        data, state, w = self.data_, self.state_, self.w_
        if one_of_many(helpers):
            return self._score_for_helper(int(helpers[0]), needs)
        cold = state.helper_count[helpers] == 0
        kind = data.helper_kind[helpers]
        level = data.regions.common_level(data.helper_region[helpers], data.need_region[needs])
        anc = self.need_ancestors_[needs]
        peers = np.log1p(100 * state.peers(helpers, needs))
        total = (
            self.bias_
            + self.need_part_[needs] + np.where(cold, self.need_cold_part_[needs], 0)
            + self.helper_part_[helpers]
            + self.kind_money_[kind, self.need_money_[needs]]
            + np.where(kind == ORGANIZATION, self.organization_slots_[needs], 0)
            + self.level_table_[cold.astype(np.int8), level]
            + w["county_history"] * np.log1p(state.county.get(helpers, anc[:, 0]))
            + w["town_history"] * np.log1p(state.town.get(helpers, anc[:, 1]))
            + self.category_table_[helpers, data.need_category[needs]]
            + self._text(helpers, needs)
            + w["cf"] * np.log1p(state.cf(helpers, needs))
            + w["ease"] * state.ease(helpers, needs)
            + (w["peers"] + np.where(cold, w["cold_peers"], 0)) * peers
        )
        return total.astype(np.float32)

    def _score_for_helper(self, helper: int, needs: np.ndarray) -> np.ndarray:
        """``score`` for one helper against many needs: every helper-side term is a scalar or a
        small table, so each need costs a few gathers."""
        data, state, w = self.data_, self.state_, self.w_
        cold = int(state.helper_count[helper] == 0)
        one = np.full(len(needs), helper, dtype=np.int32)
        # The deepest level shared: sharing a region means sharing every region above it, so
        # the deepest matching level of the helper's own chain decides.
        level = np.zeros(len(needs), np.int8)
        for depth, region in enumerate(data.regions.ancestors[data.helper_region[helper]]):
            if region >= 0:
                level[self.need_chain_[depth][needs] == region] = depth + 1
        peers = np.log1p(100 * state.peers(one, needs))
        total = (
            self.need_by_kind_[data.helper_kind[helper], cold, needs]
            + self.level_table_[cold][level]
            + w["county_history"] * np.log1p(state.county.get(one, self.need_chain_[COUNTY][needs]))
            + w["town_history"] * np.log1p(state.town.get(one, self.need_chain_[COUNTY + 1][needs]))
            + self.category_table_[helper][data.need_category[needs]]
            + self._text(one, needs)
            + w["cf"] * np.log1p(state.cf(one, needs))
            + w["ease"] * state.ease(one, needs)
            + (w["peers"] + cold * w["cold_peers"]) * peers
        )
        return (total + (self.bias_ + self.helper_part_[helper])).astype(np.float32)

    def _text(self, helpers: np.ndarray, needs: np.ndarray) -> np.ndarray:
        vectors, need_vec = self.helper_text_, self.state_.need_vec
        if one_of_many(helpers, 1000):
            return (need_vec @ vectors[helpers[0]])[needs]
        if one_of_many(needs, 1000):
            return (vectors @ need_vec[needs[0]])[helpers]
        return np.einsum("ij,ij->i", vectors[helpers], need_vec[needs])

    def _prepare(self) -> None:
        """Sum what depends on one side only, once: see ``score``."""
        data, state = self.data_, self.state_
        w = self.w_ = dict(zip(FEATURES, self.weights_.astype(np.float64), strict=True))
        now = state.now
        self.need_money_ = (data.need_amount > 0).astype(np.int8)
        # Each need's ancestors, one contiguous row per level (levels × needs): cheap to gather.
        self.need_chain_ = np.ascontiguousarray(data.regions.ancestors[data.need_region].T)
        self.need_ancestors_ = self.need_chain_[[COUNTY, COUNTY + 1]].T
        attention = np.log1p(state.need_attention)
        self.need_part_ = (
            w["need_popularity"] * np.log1p(state.need_pop) + w["need_popularity_week"] * np.log1p(state.need_pop_week)
            + w["attention_day"] * attention[:, 0] + w["attention_3days"] * attention[:, 1]
            + w["attention_fortnight"] * attention[:, 2] + w["need_fill"] * state.need_fill
            + w["need_age"] * np.log1p(np.maximum(0.0, now - data.need_created) / DAY)
            + w["need_future"] * (data.need_created > now) + w["urgency"] * data.need_urgency
        ).astype(np.float32)
        self.need_cold_part_ = (w["cold_popularity"] * np.log1p(state.need_pop_week)).astype(np.float32)
        count = state.helper_count
        cold = (count == 0).astype(np.float32)
        self.helper_part_ = (
            w["helper_activity"] * np.log1p(count) + w["helper_idle"] * np.log1p(state.helper_idle_days)
            + w["helper_spare"] * np.clip(data.helper_capacity - state.helper_recent, -5, 20) / 5.0
        ).astype(np.float32)
        self.kind_money_ = np.zeros((len(KINDS), 2), np.float32)
        self.kind_money_[DONOR] = [w["donor_service"], w["donor_money"]]
        self.kind_money_[ORGANIZATION, 1] = w["organization_money"]
        self.kind_money_[VOLUNTEER, 1] = w["volunteer_money"]
        self.organization_slots_ = (w["organization_slots"] * np.log(data.need_slots)).astype(np.float32)
        # The need-side terms for each kind of helper, new or not: one gather for one helper.
        self.need_by_kind_ = np.empty((len(KINDS), 2, data.n_needs), np.float32)
        for kind in range(len(KINDS)):
            for is_cold in (0, 1):
                self.need_by_kind_[kind, is_cold] = (
                    self.need_part_ + is_cold * self.need_cold_part_ + self.kind_money_[kind, self.need_money_]
                    + (kind == ORGANIZATION) * self.organization_slots_)
        steps = np.array([0, 0, w["level_city"], w["level_county"], w["level_town"], w["level_village"]])
        levels = np.arange(6)
        self.level_table_ = np.stack([np.cumsum(steps), np.cumsum(steps) + w["cold_level"] * levels]).astype(
            np.float32)
        share = state.category_share[None, :]
        alpha = 2.0
        self.category_table_ = (
            w["category_history"] * np.log((state.helper_cat + alpha * share) / (count[:, None] + alpha) / share)
            + w["done_category"] * np.log1p(state.helper_done_cat)
            + (w["skill_known"] + w["cold_skill"] * cold[:, None]) * state.helper_skill_known
            + w["skill_lift"] * state.helper_skill_lift
        ).astype(np.float32)
        self.helper_text_ = (
            (w["text"] + w["cold_text"] * cold[:, None]) * state.helper_vec + w["history_text"] * state.helper_hist_vec
        ).astype(np.float32)

    # Needs published after the fit ------------------------------------------------------------------

    def add_needs(self, rows) -> list[str]:
        """Fold needs published after the fit into the model, without fitting again: ``rows`` are
        needs.csv rows (``need_id, created_at, category, region_code, urgency, amount_fen, slots,
        text``; ``created_at`` ISO 8601 or seconds). A new need has no history, so its features are
        the ones the model learned for needs created after its training cut (``need_future``):
        place, category, skills, text against each helper's profile and history, kind, urgency.
        Returns the ids added; a need already known, or of a region or category the model has
        never seen, is left out (the profile rules rank it until the next training)."""
        from scipy import sparse

        from matching.data import parse_time

        data, state = self.data_, self.state_
        category_index = {c: i for i, c in enumerate(data.categories)}
        fresh, seen_ids = [], set()
        for row in rows:
            need_id, created, category, region, urgency, amount, slots, text = row[:8]
            need_id = str(need_id)
            if need_id in data.need_index or need_id in seen_ids or region not in data.regions.index \
                    or category not in category_index:
                continue
            seen_ids.add(need_id)
            fresh.append((need_id, created if isinstance(created, (int, float)) else parse_time(str(created)),
                          category_index[category], data.regions.index[region], int(urgency), int(amount),
                          max(1, int(slots)), str(text or "")))
        if not fresh:
            return []
        old, added = data.n_needs, len(fresh)
        total = old + added
        columns = list(zip(*fresh, strict=True))

        def grown(array, values, dtype=None):
            return np.concatenate([array, np.asarray(values, dtype=dtype or array.dtype)])

        # Every array indexed by need grows first; the ids (what callers look up) come last, so a
        # ranking running meanwhile only ever asks for needs every array already holds.
        if hasattr(self.text_space_, "svd"):
            vectors = self.text_space_.transform(list(columns[7]))
        else:  # no text at fit time: every text sits at the origin
            vectors = np.zeros((added, state.need_vec.shape[1]), np.float32)
        state.need_vec = grown(state.need_vec, vectors)
        self.text_ = (state.need_vec, self.text_[1])
        for name in ("need_pop", "need_pop_week", "need_count", "need_fill", "need_claimed"):
            setattr(state, name, grown(getattr(state, name), np.zeros(added)))
        state.need_attention = grown(state.need_attention, np.zeros((added, 3)))
        for product in (state._cf, state._ease, state._skill_peers, state._area_peers):
            product.grow(total)
        for matrix in (self.seen_, self.seen_by_need_):
            matrix.resize((matrix.shape[0], total))
        state.took = sparse.csr_matrix((state.took.data, state.took.indices, state.took.indptr),
                                       shape=(state.took.shape[0], total))
        data.need_created = grown(data.need_created, columns[1])
        data.need_category = grown(data.need_category, columns[2])
        data.need_region = grown(data.need_region, columns[3])
        data.need_urgency = grown(data.need_urgency, columns[4])
        data.need_amount = grown(data.need_amount, columns[5])
        data.need_slots = grown(data.need_slots, columns[6])
        data.need_text = data.need_text + list(columns[7])
        data.need_ids = data.need_ids + list(columns[0])
        self._prepare()
        self.open_ = grown(self.open_, np.arange(old, total))
        data.need_index = {**data.need_index, **{need_id: old + i for i, need_id in enumerate(columns[0])}}
        return list(columns[0])

    def explain(self, helpers: np.ndarray, needs: np.ndarray) -> list[list[Reason]]:
        x = self._features(helpers, needs)
        return [self._reasons(int(h), int(n), row) for h, n, row in zip(helpers, needs, x, strict=True)]

    def reasons(self, helper: int, need: int) -> list[Reason]:
        return self.explain(np.array([helper], np.int32), np.array([need], np.int32))[0]

    def _reasons(self, helper: int, need: int, x: np.ndarray) -> list[Reason]:
        """The features that pushed this pair up most, in plain words (area first, then skill,
        then history), at most four."""
        data, state = self.data_, self.state_
        push = dict(zip(FEATURES, (x - self.mean_) * self.weights_, strict=True))
        out = area_reasons(data, helper, need)
        category = data.need_category[need]
        skills = data.helper_skills[helper]
        serving = sorted(SKILLS_FOR_CATEGORY.get(data.categories[category], frozenset()).intersection(skills))
        if serving:
            out.append(Reason("skill", serving[0]))
        elif push["skill_lift"] > 0 and (unknown := [s for s in skills if s not in KNOWN_SKILLS]):
            # A skill outside the portal's vocabulary whose holders took this category more than
            # others did: name it only when that lift is clear.
            lifts = [state.skill_lift[state.skill_index[s], category] for s in unknown]
            if max(lifts) > 0.3:
                out.append(Reason("skill", unknown[int(np.argmax(lifts))]))
        done = int(state.helper_done_cat[helper, category])
        if done:
            out.append(Reason("done_similar", done))
        elif push["category_history"] > 0 and state.helper_cat[helper, category] >= 1:
            out.append(Reason("took_similar", int(state.helper_cat[helper, category])))
        ranked = sorted(
            (("worked_here", push["county_history"] + push["town_history"]), ("text_match", push["text"]),
             ("like_before", push["cf"] + push["history_text"]),
             ("urgent", push["urgency"] if data.need_urgency[need] == 3 else 0.0),
             ("money_need", push["donor_money"])),
            key=lambda item: -item[1],
        )
        for code, weight in ranked:
            if weight > 0.05 and len(out) < 4:
                out.append(Reason(code))
        if data.need_amount[need] > 0 and Reason("money_need") not in out and len(out) < 4:
            out.append(Reason("money_need"))
        return out
