"""The categories of need (DESIGN.md §3) and the skills helpers offer: one vocabulary for the
helpers' profiles, the needs and the recommender."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from matching import vocabulary


class NeedCategory(StrEnum):
    education = "education"  # tutoring, schooling
    psychological = "psychological"
    medical = "medical"
    necessities = "necessities"  # daily necessities, clothes, goods
    tuition = "tuition"  # tuition fees, scholarships
    companionship = "companionship"
    safety = "safety"  # safety and guardianship
    other = "other"


NEED_CATEGORY_LABELS = {
    NeedCategory.education: _l("Tutoring and education"),
    NeedCategory.psychological: _l("Psychological support"),
    NeedCategory.medical: _l("Medical care"),
    NeedCategory.necessities: _l("Daily necessities"),
    NeedCategory.tuition: _l("Tuition and scholarships"),
    NeedCategory.companionship: _l("Companionship"),
    NeedCategory.safety: _l("Safety and guardianship"),
    NeedCategory.other: _l("Other"),
}


class Skill(StrEnum):
    counselling = "counselling"
    tutoring = "tutoring"
    medical = "medical"
    legal_aid = "legal_aid"
    social_work = "social_work"
    arts = "arts"
    sports = "sports"
    companionship = "companionship"
    transport = "transport"
    goods_supply = "goods_supply"


SKILL_LABELS = {
    Skill.counselling: _l("Psychological counselling"),
    Skill.tutoring: _l("Tutoring"),
    Skill.medical: _l("Medical"),
    Skill.legal_aid: _l("Legal aid"),
    Skill.social_work: _l("Social work"),
    Skill.arts: _l("Arts"),
    Skill.sports: _l("Sports"),
    Skill.companionship: _l("Companionship"),
    Skill.transport: _l("Transport"),
    Skill.goods_supply: _l("Goods supply"),
}

# Skills that count only once staff have verified a certificate (a qualification the law or the
# profession requires); the others count as declared, and a certificate makes them "verified".
CERTIFIED_SKILLS = frozenset({Skill.counselling, Skill.medical, Skill.legal_aid, Skill.social_work})

# Which skills serve which category of need: the recommender's vocabulary (matching/vocabulary.py),
# which the profile rules start from.
SKILLS_FOR_CATEGORY = {
    NeedCategory(category): frozenset(Skill(skill) for skill in skills)
    for category, skills in vocabulary.SKILLS_FOR_CATEGORY.items()
}

SUBJECTS = ("语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "道德与法治", "音乐", "美术", "信息技术")

LANGUAGES = ("普通话", "山东方言", "English", "手语")
