"""The recommender that pairs published needs with helpers (see DESIGN.md §5).

A library with no Flask and no SQL: it reads the CSV exchange format (:mod:`matching.data`) and
offers scikit-learn style models — ``fit(data)``, then ``recommend_needs(helper_id, k)`` and
``recommend_helpers(need_id, k)``, each suggestion with its reasons. ``python -m matching`` runs
the evaluation, the generator of synthetic data, recommendations and the benchmark.
"""

from __future__ import annotations

from matching.base import Reason, Recommender, Suggestion
from matching.baselines import ItemKNN, Popularity, ProfileRules, RecentPopularity, optional_models
from matching.data import DataError, Dataset, load
from matching.model import TongxinModel

DEFAULT = "tongxin"

__all__ = ["DEFAULT", "DataError", "Dataset", "Reason", "Recommender", "Suggestion", "TongxinModel", "load",
           "models", "ProfileRules"]


def models(include_optional: bool = True) -> dict[str, Recommender]:
    """Every model the evaluation compares, the default first."""
    found: dict[str, Recommender] = {
        DEFAULT: TongxinModel(),
        "popularity": Popularity(),
        "recent-popularity": RecentPopularity(),
        "profile-rules": ProfileRules(),
        "item-knn": ItemKNN(),
    }
    if include_optional:
        found.update(optional_models())
    return found
