"""The portal's vocabulary that the recommender knows by name: which declared skills serve which
category of need. Plain strings, no imports, so that the portal can read it without loading numpy;
data with other skills learns the link from history instead (matching.features)."""

SKILLS_FOR_CATEGORY = {
    "education": frozenset({"tutoring", "arts", "sports"}),
    "psychological": frozenset({"counselling", "social_work"}),
    "medical": frozenset({"medical"}),
    "necessities": frozenset({"goods_supply", "transport"}),
    "tuition": frozenset(),
    "companionship": frozenset({"companionship", "social_work", "arts", "sports"}),
    "safety": frozenset({"legal_aid", "social_work"}),
    "other": frozenset(),
}
