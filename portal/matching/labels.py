"""The recommender's reasons and helper kinds in plain words, in the reader's language.

The library explains a suggestion with codes (``matching.base.Reason``: "same_town", "skill" with
a skill code, "done_similar" with a count, …); the portal words them through its own catalogue.
A code the portal does not know is left out rather than shown raw.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.categories import SKILL_LABELS, Skill

SEPARATOR = " · "

HELPER_KIND_LABELS = {
    "volunteer": _l("Volunteer"),
    "donor": _l("Donor"),
    "organization": _l("Organization"),
}

REASON_LABELS = {
    "same_village": _l("same village"),
    "same_town": _l("same town"),
    "same_county": _l("same county"),
    "same_city": _l("same city"),
    "worked_here": _l("has served here"),
    "text_match": _l("description matches"),
    "like_before": _l("like needs taken before"),
    "urgent": _l("urgent"),
    "money_need": _l("needs funding"),
}


COUNTED_LABELS = {
    "done_similar": _l("%(n)d similar needs completed"),
    "took_similar": _l("took %(n)d needs of this kind"),
    "waiting": _l("waiting %(n)d days"),
}


def reason_words(reason) -> str | None:
    """One reason in words, or None for a code the portal does not know."""
    code, value = reason.code, reason.value
    if code == "skill":
        return str(SKILL_LABELS[Skill(value)]) if value in Skill.__members__ else None
    if code in COUNTED_LABELS:
        try:
            return str(COUNTED_LABELS[code] % {"n": int(value)})
        except (TypeError, ValueError):
            return None
    label = REASON_LABELS.get(code)
    return str(label) if label is not None else None


def describe(reasons) -> str:
    """"same town · Psychological counselling · 2 similar needs completed" (each reason once)."""
    words = []
    for reason in reasons:
        text = reason_words(reason)
        if text and text not in words:
            words.append(text)
    return SEPARATOR.join(words)
