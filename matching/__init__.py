"""The recommender that pairs published needs with helpers (see DESIGN.md §5).

A library with no Flask and no SQL: it reads the CSV exchange format (:mod:`matching.data`) and
offers scikit-learn style models — ``fit(data)``, then ``recommend_needs(helper_id, k)`` and
``recommend_helpers(need_id, k)``, each suggestion with its reasons. ``python -m matching`` runs
the evaluation, the generator of synthetic data, recommendations and the benchmark.

Names are loaded on first use, so that importing ``matching.vocabulary`` (as the portal does at
start-up) does not load numpy and scikit-learn.
"""

from __future__ import annotations

import importlib

DEFAULT = "tongxin"

_LAZY = {
    "Reason": "matching.base", "Recommender": "matching.base", "Suggestion": "matching.base",
    "ItemKNN": "matching.baselines", "Popularity": "matching.baselines", "ProfileRules": "matching.baselines",
    "RecentPopularity": "matching.baselines", "optional_models": "matching.baselines",
    "DataError": "matching.data", "Dataset": "matching.data", "load": "matching.data",
    "TongxinModel": "matching.model",
}

__all__ = ["DEFAULT", "models", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'matching' has no attribute {name!r}")


def models(include_optional: bool = True) -> dict:
    """Every model the evaluation compares, the default first."""
    from matching.baselines import ItemKNN, Popularity, ProfileRules, RecentPopularity, optional_models
    from matching.model import TongxinModel

    found = {
        DEFAULT: TongxinModel(),
        "popularity": Popularity(),
        "recent-popularity": RecentPopularity(),
        "profile-rules": ProfileRules(),
        "item-knn": ItemKNN(),
    }
    if include_optional:
        found.update(optional_models())
    return found
