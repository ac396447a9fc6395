"""The simple models the project's own model is judged against, plus wrappers of the established
libraries (``implicit``'s ALS and BPR, LightFM) when they are installed as an optional extra."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.base import Reason, Recommender, Suggestion, interaction_matrix, top_k
from matching.data import KINDS, Dataset
from matching.features import DAY, SKILLS_FOR_CATEGORY, History, TextSpace, skills_serve


class Popularity(Recommender):
    """Needs ranked by how many helpers took them; helpers by how many needs they took."""

    name = "popularity"

    def _fit(self, data: Dataset) -> None:
        took = interaction_matrix(data, positive_only=True)
        took.data[:] = 1
        self.need_score_ = np.asarray(took.sum(axis=0)).ravel().astype(np.float32)
        self.helper_score_ = np.asarray(took.sum(axis=1)).ravel().astype(np.float32)

    def score(self, helpers, needs):
        return self.need_score_[needs] + 1e-6 * self.helper_score_[helpers]


class RecentPopularity(Popularity):
    """Popularity where each event counts half as much every ``half_life_days``."""

    name = "recent-popularity"

    def __init__(self, half_life_days: float = 14.0):
        self.half_life_days = half_life_days

    def _fit(self, data: Dataset) -> None:
        history = History(data, self.now_, half_life_days=self.half_life_days, neighbours=0, helper_cap=0)
        self.need_score_ = history.need_pop
        self.helper_score_ = history.helper_count.astype(np.float32)


class ProfileRules(Recommender):
    """Hand-set rules on the profile only — service area, skills for the category, text, kind —
    what the portal falls back on when no fitted model exists, and fair for newcomers."""

    name = "profile-rules"

    def __init__(self, text_dims: int = 48):
        self.text_dims = text_dims

    def _fit(self, data: Dataset) -> None:
        self.text_space_ = TextSpace(self.text_dims)
        self.need_vec_, self.helper_vec_ = self.text_space_.fit_transform(data.need_text, data.helper_text)
        self.skill_known_ = skills_serve(data)
        self.money_ = data.need_amount > 0

    def score(self, helpers, needs):
        data = self.data_
        level = data.regions.common_level(data.helper_region[helpers], data.need_region[needs])
        area = np.array([0, 0.5, 1.0, 2.0, 3.0, 3.5], np.float32)[level]
        skill = self.skill_known_[helpers, data.need_category[needs]] * 2.0
        text = np.einsum("ij,ij->i", self.helper_vec_[helpers], self.need_vec_[needs])
        donor = data.helper_kind[helpers] == KINDS.index("donor")
        kind = np.where(donor == self.money_[needs], 1.0, -1.0)
        waiting = np.log1p(np.maximum(0, self.now_ - data.need_created[needs]) / DAY) * 0.1
        return area + skill + 2.0 * text + kind + 0.3 * data.need_urgency[needs] + waiting

    def reasons(self, helper, need):
        data = self.data_
        out = area_reasons(data, helper, need)
        category = data.categories[data.need_category[need]]
        shared = SKILLS_FOR_CATEGORY.get(category, frozenset()).intersection(data.helper_skills[helper])
        out += [Reason("skill", s) for s in sorted(shared)[:1]]
        if self.money_[need]:
            out.append(Reason("money_need"))
        return out


    def recommend_newcomer(self, newcomer: Newcomer, k: int = 10, candidates: list[str] | None = None) -> list[Suggestion]:
        """The k best of ``candidates`` (default the open needs) for a helper who came after the fit,
        scored by the same rules from their profile alone: nothing is fitted again, so a new
        helper is served at once (the text space and the needs stay as fitted)."""
        data = self.data_
        needs = self.open_ if candidates is None else np.array([data.need_index[c] for c in candidates], dtype=np.int32)
        region = data.regions.index.get(newcomer.region, -1)
        if not len(needs):
            return []
        if region >= 0:
            level = data.regions.common_level(np.full(len(needs), region, dtype=np.int32), data.need_region[needs])
        else:  # a region added after the fit: no area in common
            level = np.zeros(len(needs), dtype=np.int8)
        area = np.array([0, 0.5, 1.0, 2.0, 3.0, 3.5], np.float32)[level]
        serves = np.array([bool(SKILLS_FOR_CATEGORY.get(c, frozenset()).intersection(newcomer.skills))
                           for c in data.categories], dtype=np.float32)
        skill = serves[data.need_category[needs]] * 2.0
        text = np.zeros(len(needs), np.float32)
        if newcomer.text and hasattr(self.text_space_, "svd"):
            text = self.need_vec_[needs] @ self.text_space_.transform([newcomer.text])[0]
        kind = np.where((newcomer.kind == "donor") == self.money_[needs], 1.0, -1.0)
        waiting = np.log1p(np.maximum(0, self.now_ - data.need_created[needs]) / DAY) * 0.1
        scores = area + skill + 2.0 * text + kind + 0.3 * data.need_urgency[needs] + waiting
        best = top_k(scores, k)
        out = []
        for position in best:
            need = int(needs[position])
            code = {5: "same_village", 4: "same_town", 3: "same_county", 2: "same_city"}.get(int(level[position]))
            reasons = [Reason(code)] if code else []
            category = data.categories[data.need_category[need]]
            shared = SKILLS_FOR_CATEGORY.get(category, frozenset()).intersection(newcomer.skills)
            reasons += [Reason("skill", s) for s in sorted(shared)[:1]]
            if self.money_[need]:
                reasons.append(Reason("money_need"))
            out.append(Suggestion(data.need_ids[need], float(scores[position]), reasons))
        return out


@dataclass(frozen=True)
class Newcomer:
    """A helper's profile as the exchange format holds it, for one the model was not fitted on."""

    kind: str  # volunteer | organization | donor
    region: str  # the region code of their (first) area, a village counted as its town
    skills: tuple[str, ...] = ()
    text: str = ""


def area_reasons(data: Dataset, helper: int, need: int) -> list[Reason]:
    level = int(data.regions.common_level(data.helper_region[helper], data.need_region[need]))
    code = {5: "same_village", 4: "same_town", 3: "same_county", 2: "same_city"}.get(level)
    return [Reason(code)] if code else []


class BacksOffToPopularity:
    """For models that know a helper only by their history (item-kNN, ALS, BPR, LightFM): a helper
    with no positive interaction in the training data gets the needs by popularity, and ties among
    the others are broken by popularity too — so a comparison judges the models on the helpers
    they can score, not on their cold-start holes."""

    def _fit_popularity(self, data: Dataset) -> None:
        took = interaction_matrix(data, positive_only=True)
        took.data[:] = 1
        count = np.asarray(took.sum(axis=0)).ravel().astype(np.float32)
        self.popularity_ = count / (1.0 + count.max(initial=0.0))  # in [0, 1)
        self.warm_ = np.asarray(took.sum(axis=1)).ravel() > 0

    def _backed_off(self, helpers: np.ndarray, needs: np.ndarray, scores: np.ndarray) -> np.ndarray:
        popularity = self.popularity_[needs]
        return np.where(self.warm_[helpers], scores + 1e-6 * popularity, popularity).astype(np.float32)


class ItemKNN(BacksOffToPopularity, Recommender):
    """Item-based nearest neighbours: a need scores by its similarity (cosine over who took them)
    to what the helper took; a helper scores by what they took that resembles the need."""

    name = "item-knn"

    def __init__(self, neighbours: int = 50):
        self.neighbours = neighbours

    def _fit(self, data: Dataset) -> None:
        self.history_ = History(data, self.now_, neighbours=self.neighbours)
        self._fit_popularity(data)

    def score(self, helpers, needs):
        return self._backed_off(helpers, needs, self.history_.cf(helpers, needs))


class ImplicitModel(BacksOffToPopularity, Recommender):
    """``implicit``'s ALS or BPR on the weighted helper × need matrix (an optional extra)."""

    def __init__(self, algorithm: str = "als", factors: int = 64, iterations: int = 15, regularization: float = 0.05,
                 seed: int = 0):
        self.algorithm, self.factors, self.iterations = algorithm, factors, iterations
        self.regularization, self.seed = regularization, seed

    @property
    def name(self):
        return f"implicit-{self.algorithm}"

    def _fit(self, data: Dataset) -> None:
        from implicit.als import AlternatingLeastSquares
        from implicit.bpr import BayesianPersonalizedRanking

        matrix = interaction_matrix(data, positive_only=True)
        if self.algorithm == "als":
            model = AlternatingLeastSquares(factors=self.factors, iterations=self.iterations,
                                            regularization=self.regularization, random_state=self.seed)
            matrix.data = 1 + 10 * matrix.data  # confidence, as in Hu, Koren and Volinsky
        else:
            model = BayesianPersonalizedRanking(factors=self.factors, iterations=max(self.iterations, 50),
                                                random_state=self.seed)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, "blas"):  # implicit runs its own threads; BLAS ones would fight them
            model.fit(matrix.tocsr(), show_progress=False)
        self.helper_factors_ = np.asarray(_to_numpy(model.user_factors), np.float32)
        self.need_factors_ = np.asarray(_to_numpy(model.item_factors), np.float32)
        self._fit_popularity(data)

    def score(self, helpers, needs):
        return self._backed_off(helpers, needs,
                                np.einsum("ij,ij->i", self.helper_factors_[helpers], self.need_factors_[needs]))


class LightFMModel(BacksOffToPopularity, Recommender):
    """LightFM with WARP loss on the helper × need matrix (an optional extra)."""

    name = "lightfm"

    def __init__(self, components: int = 32, epochs: int = 20, seed: int = 0):
        self.components, self.epochs, self.seed = components, epochs, seed

    def _fit(self, data: Dataset) -> None:
        from lightfm import LightFM

        matrix = interaction_matrix(data, positive_only=True).tocoo()
        model = LightFM(no_components=self.components, loss="warp", random_state=self.seed)
        model.fit(matrix, epochs=self.epochs, num_threads=2)
        self.model_ = model
        self._fit_popularity(data)

    def score(self, helpers, needs):
        scores = self.model_.predict(helpers.astype(np.int32), needs.astype(np.int32), num_threads=2)
        return self._backed_off(helpers, needs, scores)


def _to_numpy(array):
    return array.to_numpy() if hasattr(array, "to_numpy") else array


def optional_models() -> dict[str, Recommender]:
    """The established libraries' models that are installed here."""
    models: dict[str, Recommender] = {}
    try:
        import implicit  # noqa: F401
    except ImportError:
        pass
    else:
        models["implicit-als"] = ImplicitModel("als")
        models["implicit-bpr"] = ImplicitModel("bpr")
    try:
        import lightfm  # noqa: F401
    except ImportError:
        pass
    else:
        models["lightfm"] = LightFMModel()
    return models
