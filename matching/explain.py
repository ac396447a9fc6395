"""Reasons in plain words, for the command line. The portal renders the same codes through its own
translations; this table is the library's default wording."""

from __future__ import annotations

from matching.base import Reason

SKILL_NAMES = {
    "zh": {"counselling": "心理辅导", "tutoring": "课业辅导", "medical": "医疗", "legal_aid": "法律援助",
           "social_work": "社会工作", "arts": "文艺", "sports": "体育", "companionship": "陪伴",
           "transport": "交通运输", "goods_supply": "物资供应"},
    "en": {},
}
WORDS = {
    "zh": {
        "same_village": "同村", "same_town": "同镇", "same_county": "同县", "same_city": "同市",
        "skill": "{value}", "done_similar": "已完成 {value} 个相似需求", "took_similar": "做过 {value} 个同类需求",
        "worked_here": "在当地服务过", "text_match": "描述相符", "like_before": "与做过的需求相似",
        "urgent": "紧急", "money_need": "资助类需求", "waiting": "已等待 {value} 天",
    },
    "en": {
        "same_village": "same village", "same_town": "same town", "same_county": "same county",
        "same_city": "same city", "skill": "{value}", "done_similar": "{value} similar needs completed",
        "took_similar": "took {value} needs of this kind", "worked_here": "has served here",
        "text_match": "description matches", "like_before": "like needs taken before", "urgent": "urgent",
        "money_need": "needs funding", "waiting": "waiting {value} days",
    },
}


def describe(reasons: list[Reason], language: str = "zh") -> str:
    words, skills = WORDS[language], SKILL_NAMES.get(language, {})
    parts = []
    for reason in reasons:
        value = skills.get(reason.value, reason.value) if reason.code == "skill" else reason.value
        parts.append(words.get(reason.code, reason.code).format(value=value))
    return " · ".join(parts)
