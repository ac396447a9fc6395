"""Synthetic data for the recommender: a region tree, children's needs, helpers and what helpers did.

``generate(out_dir, scale, seed)`` writes four CSV files (UTF-8, a header row, ``\\n`` line endings):

``regions.csv`` — ``region_code,parent_code,level,name``
    A division tree shaped like Shandong: the province ``370000000000``, its cities (``370100000000``),
    counties (``370102000000``), towns (``370102001000``) and villages (``370102001001``), rows in code order.
    Names are synthetic (青山县, 石桥镇, 东庄村), unique among siblings. The first towns of a county are the
    街道 around the county seat; every other town and its villages have a *remoteness* in [0, 1]. Fewer
    helpers live in remote towns and remote needs get less attention — less, never none.

``helpers.csv`` — ``helper_id,kind,region_code,skills,text,capacity``
    Volunteers (~70%, registered in a town, capacity 1–5), organizations (~8%, a county, 10–60) and donors
    (~22%, a county or a city, 0–10; some give nationwide). Each volunteer or organization declares 1–3
    categories: its skills and its bio (擅长数学, 心理咨询师, 可提供冬衣 …) come from them, with a preferred
    *detail* per category (a subject, an item, an issue). Each also has a hidden preferred category that
    neither skills nor bio mention, so skills explain only about two thirds of a helper's claims. Donors
    prefer tuition or medical needs (愿意资助学费). Activity is heavy-tailed (log-normal), scaled by
    capacity; capacity is not enforced as a limit on open claims.

``needs.csv`` — ``need_id,created_at,category,region_code,urgency,amount_fen,slots,text``
    Needs of a village, published over 2025 (``+08:00``), mostly on working days and in office hours, with
    seasons: tuition and education peak in Feb–Mar and Aug–Sep, necessities in winter, safety in summer.
    Money needs (all tuition, about half of medical, a few necessities and other) have ``amount_fen`` and
    one slot; the others have ``amount_fen`` 0 and 1–5 slots. The text comes from per-category templates
    around the need's detail (数学辅导 每周两次, 急需冬衣，身高140cm), sometimes with English words.
    Need ids follow publication time.

``interactions.csv`` — ``helper_id,need_id,event,at,amount_fen``, in time order
    How a need finds helpers: a level (own town, county, city, anywhere) is drawn with weights that favour
    the nearest, scaled by how much supply that area has for the category compared with an average area of
    that level; then a few candidates are drawn from that area weighted by activity × category preference,
    and the one whose preferred detail matches the need's text is chosen more often (text similarity
    predicts claims). The number of claims grows with the category's popularity (education and
    necessities popular, safety and other neglected), urgency and the local supply, shrinks with remoteness,
    and never exceeds the free slots. Event chains per (helper, need):

    * ``view`` — one or more before every claim or donation; more views by other helpers, also on needs
      nobody claims (these background views fill the interaction count up to the scale's target);
    * ``claim`` — mostly within 30 days of publication, sooner when urgent;
    * ``withdraw`` — ~8% of claims, a few days later; the slot reopens and often another helper claims it;
    * ``deliver`` — ~80% of the claims not withdrawn, days later; ``dispute`` — ~3% of deliveries;
    * ``donate`` — only donors, only on money needs, in time order until the sum reaches ``amount_fen``
      (the last gift is cut to the rest). ``amount_fen`` is positive for donations, 0 for everything else.

    Events after 2025-12-31 are cut off as in a year-end export, so late needs have fewer events. No event
    is earlier than its need's ``created_at``; claims minus withdrawals never exceed the need's slots.

Everything comes from one ``numpy.random.default_rng(seed)``: the same seed gives the same files.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SCALES = {
    "small": {
        "cities": 1, "counties_per_city": (12, 12), "towns_per_county": (10, 16), "villages_per_town": (12, 42),
        "needs": 4_000, "helpers": 1_000, "interactions": 25_000,
        "claims_per_need": 1.3, "donations_per_money_need": 3.0,
    },
    "province": {
        "cities": 16, "counties_per_city": (6, 11), "towns_per_county": (9, 18), "villages_per_town": (15, 52),
        "needs": 200_000, "helpers": 50_000, "interactions": 1_000_000,
        "claims_per_need": 1.25, "donations_per_money_need": 3.0,
    },
}

CATEGORIES = ("education", "psychological", "medical", "necessities", "tuition", "companionship", "safety", "other")
SKILLS = ("counselling", "tutoring", "medical", "legal_aid", "social_work", "arts", "sports", "companionship",
          "transport", "goods_supply")
SKILLS_FOR_CATEGORY = {
    "education": ("tutoring", "arts", "sports"),
    "psychological": ("counselling", "social_work"),
    "medical": ("medical",),
    "necessities": ("goods_supply", "transport"),
    "tuition": (),
    "companionship": ("companionship", "social_work", "arts", "sports"),
    "safety": ("legal_aid", "social_work"),
    "other": (),
}
KINDS = ("volunteer", "organization", "donor")
EVENTS = ("view", "claim", "donate", "withdraw", "deliver", "dispute")  # also the tie-break order at one instant
LEVELS = ("province", "city", "county", "town", "village")

# Per category: share of needs, attention (claims or gifts per need, relative), share of volunteers and
# organizations declaring it, probability that a need is a money need.
_CATEGORY_TABLE = np.array([
    (0.24, 1.35, 0.30, 0.00),  # education
    (0.10, 0.90, 0.11, 0.00),  # psychological
    (0.11, 0.90, 0.09, 0.45),  # medical
    (0.19, 1.30, 0.20, 0.04),  # necessities
    (0.08, 1.00, 0.00, 1.00),  # tuition
    (0.13, 1.00, 0.20, 0.00),  # companionship
    (0.08, 0.45, 0.06, 0.00),  # safety
    (0.07, 0.35, 0.04, 0.12),  # other
])
NEED_SHARE, ATTENTION, HELPER_SHARE, MONEY_SHARE = _CATEGORY_TABLE.T

# Month factors for publication dates (Jan..Dec).
_SEASONS = {
    "education": (1, 2.2, 2.2, 1, 1, 1, 1.3, 2.2, 2.2, 1, 1, 1),
    "psychological": (1, 1, 1.3, 1, 1, 1, 1, 1, 1.3, 1, 1, 1),
    "necessities": (2.5, 1.6, 1, 1, 1, 1, 1, 1, 1, 1, 1.8, 2.5),
    "tuition": (1, 2.5, 2.5, 1, 1, 1, 1, 3.5, 3.5, 1, 1, 1),
    "companionship": (1.4, 1.4, 1, 1, 1, 1, 1.5, 1.5, 1, 1, 1, 1),
    "safety": (1, 1, 1, 1, 1, 1.6, 1.6, 1.6, 1, 1, 1, 1),
}
URGENCY_SHARE = (0.5, 0.35, 0.15)
URGENCY_ATTENTION = np.array([1.0, 1.4, 1.9])
URGENCY_SPEED = np.array([1.0, 1.5, 2.2])  # claims and gifts come this much sooner

# Where a need finds helpers: weights of the need's own town, county, city and the whole province.
CLAIM_ALPHAS = (0.55, 0.28, 0.12, 0.05)
VIEW_ALPHAS = (0.35, 0.30, 0.20, 0.15)
DONATE_ALPHAS = (0.40, 0.35, 0.25)  # county, city, nationwide
DONATE_VIEW_ALPHAS = (0.30, 0.30, 0.40)

WITHDRAW_SHARE, REPLACE_SHARE, DELIVER_SHARE, DISPUTE_SHARE = 0.08, 0.6, 0.80, 0.03
NATIONAL_DONOR_SHARE = 0.15

DAY, HOUR = 86_400, 3_600
YEAR_DAYS = 365
END = YEAR_DAYS * DAY  # seconds since 2025-01-01T00:00:00+08:00; events from here on are not exported
NEWCOMER_SHARE = 0.3  # helpers who register during the year
_EPOCH = np.datetime64("2025-01-01T00:00:00", "s")

# Details: what a need is precisely about and what a helper prefers within a category.
# (Chinese, English, skill that serves it or None, weight, money detail?)
_DETAILS = {
    "education": [
        ("数学", "math", "tutoring", 5), ("英语", "English", "tutoring", 5), ("语文", "Chinese", "tutoring", 4),
        ("物理", "physics", "tutoring", 2), ("化学", "chemistry", "tutoring", 1.5),
        ("生物", "biology", "tutoring", 1), ("历史", "history", "tutoring", 1), ("地理", "geography", "tutoring", 1),
        ("编程", "coding", "tutoring", 1), ("音乐", "music", "arts", 1.5), ("美术", "art", "arts", 1.5),
        ("书法", "calligraphy", "arts", 1), ("体育", "PE", "sports", 1.5),
    ],
    "psychological": [
        ("情绪低落", "low mood", "counselling", 3), ("父母离异", "parents' divorce", "social_work", 2),
        ("亲人离世", "bereavement", "counselling", 1.5), ("厌学", "school refusal", "counselling", 2),
        ("焦虑", "anxiety", "counselling", 2), ("社交困难", "social difficulties", "social_work", 1.5),
        ("网络成瘾", "internet addiction", "social_work", 1.5), ("自卑", "low self-esteem", "counselling", 1.5),
    ],
    "medical": [
        ("陪同就医", "hospital escort", "medical", 3), ("康复训练", "rehabilitation", "medical", 2),
        ("助听器", "hearing aid", "medical", 1.5), ("配眼镜", "glasses", "medical", 2),
        ("视力筛查", "eye check", "medical", 1), ("龋齿治疗", "dental care", "medical", 1.5),
        ("手术费", "surgery costs", None, 3, True), ("住院费", "hospital bills", None, 2, True),
        ("白血病治疗费", "leukemia treatment", None, 1, True), ("医药费", "medicine costs", None, 2, True),
    ],
    "necessities": [
        ("冬衣", "winter clothes", "goods_supply", 4), ("羽绒服", "down jacket", "goods_supply", 2),
        ("棉被", "quilt", "goods_supply", 2), ("书包", "school bag", "goods_supply", 3),
        ("文具", "stationery", "goods_supply", 3), ("运动鞋", "sneakers", "goods_supply", 2),
        ("台灯", "desk lamp", "goods_supply", 1.5), ("营养品", "nutrition supplements", "goods_supply", 1.5),
        ("书桌", "desk", "transport", 1), ("自行车", "bicycle", "transport", 1),
        ("取暖费", "heating costs", None, 1, True),
    ],
    "tuition": [
        ("高中学费", "high-school tuition", None, 3, True), ("大学学费", "university tuition", None, 3, True),
        ("中职学费", "vocational school fees", None, 2, True), ("生活费", "living costs", None, 2, True),
        ("住宿费", "boarding fees", None, 1, True),
    ],
    "companionship": [
        ("周末陪伴", "weekend company", "companionship", 3), ("陪伴读书", "reading together", "companionship", 2),
        ("亲情电话", "calls with parents", "companionship", 1.5), ("户外活动", "outdoor activities", "sports", 1.5),
        ("打篮球", "basketball", "sports", 1), ("节日探访", "holiday visits", "social_work", 2),
        ("手工绘画", "drawing and crafts", "arts", 1.5), ("唱歌", "singing", "arts", 1),
    ],
    "safety": [
        ("监护缺失", "lack of guardianship", "social_work", 2), ("防溺水教育", "drowning prevention", "social_work", 2),
        ("防欺凌", "anti-bullying", "social_work", 1.5), ("法律咨询", "legal advice", "legal_aid", 2),
        ("户籍办理", "household registration", "legal_aid", 1.5),
        ("抚养费纠纷", "child-support dispute", "legal_aid", 1),
    ],
    "other": [
        ("理发", "haircuts", None, 2), ("拍照", "photos", None, 1), ("生日礼物", "birthday gift", None, 2),
        ("课外书", "books", None, 2), ("电脑维修", "computer repair", None, 1),
        ("生活补助", "living allowance", None, 1, True),
    ],
}

_NEED_TEMPLATES = {
    "education": ("{d}辅导 每周{n}次", "{g}学生，{d}基础薄弱，希望有志愿者一对一辅导", "需要{d}课后辅导, after-school",
                  "求{d}老师周末辅导，online也可以", "{g}{d}成绩落后，父母外出务工，需要{e} tutor"),
    "psychological": ("孩子{d}，需要心理疏导", "{g}学生{d}，希望有心理咨询师定期谈心", "{d}，需要心理疏导, after-school",
                      "因{d}情绪不稳定，需要专业心理支持 counselling", "留守儿童，{d}，每周一次心理陪伴"),
    "medical": ("需要{d}", "孩子需要{d}，家中无人陪同", "{d} needed，家长行动不便", "{g}学生，需要{d}服务"),
    "necessities": ("需要{d}，家里{n}个孩子", "急需{d}，身高{h}cm", "{d}已破旧，希望捐赠新的", "需要{d}, donation welcome"),
    "companionship": ("留守儿童，需要{d}，每周{n}次", "{d}，父母在外务工, weekend", "需要志愿者：{d}", "{g}学生，{d}需求"),
    "safety": ("{d}，需要社工介入", "涉及{d}，请求法律援助或社工支持", "{d} support needed，孩子常独自在家", "需要{d}帮助"),
    "other": ("希望有爱心人士提供{d}", "需要{d}，谢谢爱心人士", "需要{d} help", "{g}学生，想要{d}"),
}
_MONEY_TEMPLATES = {
    "tuition": ("{d}缺口{y}元，希望结对资助", "家庭困难，{d}尚差{y}元", "考上了学校，{d}{y}元无力支付",
                "申请{d}资助{y}元, scholarship", "父母务工收入低，{d}{y}元需要帮助"),
    "medical": ("孩子患病，{d}尚差{y}元", "{d}缺口{y}元，恳请爱心人士资助", "筹集{d}{y}元, urgent",
                "家庭困难，{d}{y}元无力承担"),
    "default": ("{d}缺口{y}元，恳请爱心人士资助", "家庭困难，{d}尚差{y}元", "筹集{d}{y}元，谢谢好心人"),
}
_GRADES = ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "初一", "初二", "初三", "高一", "高二", "高三")

# Helper bios: occupations by the helper's first category, phrases by category (Chinese, English).
_OCCUPATIONS = {
    "education": (("中学教师", "Teacher"), ("退休教师", "Retired teacher"), ("大学生", "University student"),
                  ("师范生", "Student teacher")),
    "psychological": (("心理咨询师", "Counsellor"), ("高校辅导员", "College counsellor"), ("社工", "Social worker")),
    "medical": (("护士", "Nurse"), ("乡村医生", "Village doctor"), ("儿科医生", "Paediatrician")),
    "necessities": (("个体户", "Shop owner"), ("超市店主", "Supermarket owner"), ("货车司机", "Truck driver")),
    "tuition": (("公司职员", "Office worker"), ("企业主", "Business owner")),
    "companionship": (("大学生", "University student"), ("退休职工", "Retiree"), ("全职妈妈", "Stay-at-home mum")),
    "safety": (("律师", "Lawyer"), ("社工", "Social worker"), ("退休民警", "Retired police officer")),
    "other": (("理发师", "Hairdresser"), ("摄影爱好者", "Amateur photographer"), ("程序员", "Programmer")),
}
_SPECIALTIES = {
    "education": (("擅长{d}", "good at {e}"), ("可以辅导{d}", "can tutor {e}"), ("{d}专业毕业", "degree in {e}")),
    "psychological": (("关注孩子{d}问题", "helps children with {e}"), ("有{d}方面的心理辅导经验", "experienced with {e}")),
    "medical": (("可提供{d}", "can help with {e}"), ("熟悉{d}", "experienced in {e}")),
    "necessities": (("可提供{d}", "can donate {e}"), ("愿意捐赠{d}", "happy to give {e}")),
    "companionship": (("愿意参与{d}", "happy to join {e}"), ("擅长{d}", "good at {e}"), ("喜欢{d}活动", "enjoys {e}")),
    "safety": (("熟悉{d}", "knows {e} well"), ("可提供{d}帮助", "can help with {e}")),
    "other": (("可以提供{d}", "can offer {e}"), ("有空可以提供{d}", "happy to offer {e}")),
}
_FUNDING = (("愿意资助{d}", "happy to sponsor {e}"), ("长期资助{d}", "sponsors {e}"), ("关注儿童{d}", "cares about {e}"))
_AVAILABILITY = (("周末有空", "available on weekends"), ("每周可服务{n}小时", "can give {n} hours a week"),
                 ("晚上有时间", "free in the evenings"), ("寒暑假可以集中服务", "free in the school holidays"))
_MIXED_TAILS = (", weekends OK", ", after work", ", online OK", " (volunteer)")
_ORG_NAMES = (("阳光社会工作服务中心", "Sunshine Social Work Centre"), ("春苗志愿者协会", "Spring Sprout Volunteers"),
              ("爱心助学会", "Caring Education Society"), ("青少年服务中心", "Youth Service Centre"),
              ("红烛志愿服务队", "Red Candle Volunteer Team"))
_DONOR_KINDS = (("爱心人士", "Private donor"), ("本地企业", "Local business"), ("个体工商户", "Small business owner"))

# Syllables for region names.
_CITY_A = "济青淄枣东烟潍泰威日临德聊滨菏莱"
_CITY_B = "南岛博庄营台坊安海照沂州城泽芜"
_COUNTY_A = "青清东西南北临泰德宁昌明长高广金安平永兴龙云汶沂蒙莒郯滕邹曲岱峄莱胶诸寿乐惠利"
_COUNTY_B = "山河阳城州平安宁泉水陵邑丘原津川海台"
_TOWN_A = "青石白黄龙凤马金柳桃杏梨花松柏清安平新太万双高大古永兴长宁泉"
_TOWN_B = "山河桥店集庄岭峪口阳水泉湖关城沟台楼埠营坡园林"
_VILLAGE_A = "东西南北前后上下大小王李张刘陈杨赵黄周吴孙马朱胡郭何高林石柳河山双三新中"
_VILLAGE_B = ("庄", "屯", "洼", "岭", "集", "营", "店", "楼", "河", "沟", "峪", "坡", "湾", "埠", "家庄", "家洼",
              "家岭", "家屯", "官庄", "桥", "园", "泉", "寨", "疃", "台")


# --- vocabulary -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Vocabulary:
    """The details of one category as arrays."""

    zh: tuple[str, ...]
    en: tuple[str, ...]
    skill: np.ndarray  # skill index serving the detail, -1 for none
    weight: np.ndarray
    money: np.ndarray  # bool

    def draw(self, rng: np.random.Generator, money: np.ndarray) -> np.ndarray:
        """A detail per row, among the money details where ``money`` is set and among the others elsewhere."""
        out = np.empty(len(money), np.int64)
        for flag in (False, True):
            rows = np.flatnonzero(money == flag)
            allowed = self.weight * (self.money == flag)
            if not allowed.any():
                allowed = self.weight
            out[rows] = rng.choice(len(self.zh), rows.size, p=allowed / allowed.sum())
        return out


def _vocabulary(details: list[tuple]) -> _Vocabulary:
    rows = [(*d, False) if len(d) == 4 else d for d in details]
    return _Vocabulary(
        zh=tuple(r[0] for r in rows), en=tuple(r[1] for r in rows),
        skill=np.array([SKILLS.index(r[2]) if r[2] else -1 for r in rows]),
        weight=np.array([float(r[3]) for r in rows]), money=np.array([r[4] for r in rows]),
    )


VOCABULARY = [_vocabulary(_DETAILS[c]) for c in CATEGORIES]
_SERVES = np.array([[s in SKILLS_FOR_CATEGORY[c] for c in CATEGORIES] for s in SKILLS])  # skill x category


# --- regions ----------------------------------------------------------------------------------------------------


@dataclass
class Regions:
    """The division tree as parallel arrays per level (indices point to the parent level's arrays)."""

    city_code: np.ndarray
    county_city: np.ndarray
    county_code: np.ndarray
    county_urban: np.ndarray
    town_county: np.ndarray
    town_code: np.ndarray
    town_remote: np.ndarray
    village_town: np.ndarray
    village_code: np.ndarray
    village_remote: np.ndarray
    names: dict[str, list[str]]

    def rows(self) -> list[tuple[str, str, str, str]]:
        """``regions.csv`` rows in code order (a depth-first walk of the tree)."""
        province = 370000000000
        rows = [(province, "", "province", "山东省")]
        rows += zip(self.city_code.tolist(), [str(province)] * len(self.city_code), ["city"] * len(self.city_code),
                    self.names["city"], strict=True)
        for level, codes, parents in (("county", self.county_code, self.city_code[self.county_city]),
                                      ("town", self.town_code, self.county_code[self.town_county]),
                                      ("village", self.village_code, self.town_code[self.village_town])):
            rows += zip(codes.tolist(), parents.astype(str).tolist(), [level] * len(codes), self.names[level],
                        strict=True)
        rows.sort(key=lambda row: row[0])
        return [(str(code), parent, level, name) for code, parent, level, name in rows]


def _ranks(sizes: np.ndarray) -> np.ndarray:
    """0, 1, … within each consecutive group of the given sizes."""
    starts = np.cumsum(sizes) - sizes
    return np.arange(sizes.sum()) - np.repeat(starts, sizes)


def _stems(rng: np.random.Generator, group: np.ndarray, rank: np.ndarray, first: str, second) -> list[str]:
    """Two-part names, distinct within each group: a random permutation of all combinations per group."""
    combinations = [a + b for a in first for b in second if a != b]
    assert rank.max() < len(combinations), "more siblings than names"
    n_groups = int(group.max()) + 1
    permutations = np.argsort(rng.random((n_groups, len(combinations))), axis=1)
    return [combinations[i] for i in permutations[group, rank].tolist()]


def build_regions(rng: np.random.Generator, cfg: dict) -> Regions:
    n_cities = cfg["cities"]
    counties = rng.integers(cfg["counties_per_city"][0], cfg["counties_per_city"][1] + 1, n_cities)
    county_city, county_rank = np.repeat(np.arange(n_cities), counties), _ranks(counties)
    towns = rng.integers(cfg["towns_per_county"][0], cfg["towns_per_county"][1] + 1, len(county_city))
    town_county, town_rank = np.repeat(np.arange(len(county_city)), towns), _ranks(towns)
    villages = rng.integers(cfg["villages_per_town"][0], cfg["villages_per_town"][1] + 1, len(town_county))
    village_town, village_rank = np.repeat(np.arange(len(town_county)), villages), _ranks(villages)

    # The first county of a city is its urban district; the first towns of a county are the seat's 街道.
    county_urban = county_rank == 0
    streets = np.where(county_urban, np.maximum(2, (towns * 0.4).astype(int)), rng.integers(1, 3, len(towns)))
    town_street = town_rank < streets[town_county]
    town_remote = np.where(town_street, rng.uniform(0, 0.15, len(town_county)),
                           0.15 + 0.85 * rng.beta(1.8, 2.0, len(town_county)))
    village_remote = np.clip(town_remote[village_town] + rng.normal(0, 0.12, len(village_town)), 0, 1)

    city_code = 370000000000 + (np.arange(n_cities) + 1) * 10**8
    county_code = city_code[county_city] + (county_rank + 2) * 10**6
    town_code = county_code[town_county] + (town_rank + 1) * 1000
    village_code = town_code[village_town] + village_rank + 1

    county_suffix = np.where(county_urban | ((county_rank == 1) & (counties[county_city] >= 8)), "区",
                             np.where(rng.random(len(county_city)) < 0.15, "市", "县"))
    town_suffix = np.where(town_street, "街道", np.where(rng.random(len(town_county)) < 0.2, "乡", "镇"))
    village_suffix = np.where(town_street[village_town], "社区", "村")
    names = {
        "city": [s + "市" for s in _stems(rng, np.zeros(n_cities, int), np.arange(n_cities), _CITY_A, _CITY_B)],
        "county": _suffixed(_stems(rng, county_city, county_rank, _COUNTY_A, _COUNTY_B), county_suffix),
        "town": _suffixed(_stems(rng, town_county, town_rank, _TOWN_A, _TOWN_B), town_suffix),
        "village": _suffixed(_stems(rng, village_town, village_rank, _VILLAGE_A, _VILLAGE_B), village_suffix),
    }
    return Regions(city_code, county_city, county_code, county_urban, town_county, town_code, town_remote,
                   village_town, village_code, village_remote, names)


def _suffixed(stems: list[str], suffixes: np.ndarray) -> list[str]:
    return [stem + suffix for stem, suffix in zip(stems, suffixes.tolist(), strict=True)]


# --- helpers ----------------------------------------------------------------------------------------------------


@dataclass
class Helpers:
    kind: np.ndarray  # index into KINDS
    town: np.ndarray  # -1 when registered above town level
    county: np.ndarray  # -1 when registered at a city
    city: np.ndarray
    region_code: np.ndarray
    national: np.ndarray  # donors who give anywhere
    capacity: np.ndarray
    activity: np.ndarray  # relative rate of acting
    gift: np.ndarray  # a donor's typical gift in fen
    pref: np.ndarray  # helper x category, rows sum to 1
    declared: list[list[int]]  # categories in the bio, strongest first
    detail: np.ndarray  # helper x category: the preferred detail
    skills: np.ndarray  # helper x skill, bool
    text: list[str]
    joined: np.ndarray  # seconds: when the helper registered (before the year for most)


def build_helpers(rng: np.random.Generator, cfg: dict, regions: Regions) -> Helpers:
    n = cfg["helpers"]
    counts = np.array([0, round(0.08 * n), round(0.22 * n)])
    counts[0] = n - counts[1:].sum()
    kind = rng.permutation(np.repeat(np.arange(3), counts))
    volunteer, organization, donor = (kind == k for k in range(3))

    town, county, city, national = _place_helpers(rng, regions, kind)
    region_code = np.where(town >= 0, regions.town_code[town],
                           np.where(county >= 0, regions.county_code[np.maximum(county, 0)], regions.city_code[city]))

    capacity = np.select([volunteer, organization],
                         [rng.choice(np.arange(1, 6), n, p=[0.35, 0.3, 0.18, 0.1, 0.07]), rng.integers(10, 61, n)],
                         rng.integers(0, 11, n))
    activity = np.select([volunteer, organization],
                         [rng.lognormal(0, 1.2, n) * (0.6 + 0.2 * capacity), rng.lognormal(0, 0.5, n) * capacity * 0.4],
                         rng.lognormal(0, 1.1, n) * (0.5 + 0.15 * capacity))
    gift = np.where(donor, np.round(rng.lognormal(np.log(80_000), 1.0, n) * np.where(national, 4, 1), -2), 0)

    pref, declared = _preferences(rng, kind)
    detail = np.stack([VOCABULARY[c].draw(rng, donor) for c in range(len(CATEGORIES))], axis=1)
    skills = _skills(rng, kind, declared, detail)
    pref[donor & skills[:, SKILLS.index("goods_supply")], CATEGORIES.index("necessities")] += 0.3  # in kind
    pref /= pref.sum(axis=1, keepdims=True)
    goods = skills[:, SKILLS.index("goods_supply")]
    text = _helper_texts(rng, kind, national, declared, detail, donor & goods, county, regions)
    # Most helpers were there before the year began; the others join during it, newcomers with no
    # history until their first event — the cold start that recommenders must serve.
    newcomer = rng.random(n) < NEWCOMER_SHARE
    joined = np.where(newcomer, (rng.random(n) * END).astype(np.int64), -1)
    return Helpers(kind, town, county, city, region_code, national, capacity, activity, gift, pref, declared,
                   detail, skills, text, joined)


def _place_helpers(rng: np.random.Generator, regions: Regions, kind: np.ndarray):
    """Volunteers in towns (central towns and urban districts have more), organizations in counties, donors
    in counties or cities."""
    n = len(kind)
    villages_per_town = np.bincount(regions.village_town, minlength=len(regions.town_code))
    town_weight = ((1 - 0.8 * regions.town_remote) * np.sqrt(villages_per_town)
                   * np.where(regions.county_urban[regions.town_county], 2.5, 1.0))
    county_weight = np.bincount(regions.town_county, town_weight)
    city_weight = np.bincount(regions.county_city, county_weight)

    town = np.where(kind == 0, rng.choice(len(town_weight), n, p=town_weight / town_weight.sum()), -1)
    county = np.where(town >= 0, regions.town_county[np.maximum(town, 0)],
                      rng.choice(len(county_weight), n, p=county_weight / county_weight.sum()))
    donor_at_city = (kind == 2) & (rng.random(n) < 0.4)
    city = np.where(donor_at_city, rng.choice(len(city_weight), n, p=city_weight / city_weight.sum()),
                    regions.county_city[county])
    county = np.where(donor_at_city, -1, county)
    national = (kind == 2) & (rng.random(n) < NATIONAL_DONOR_SHARE)
    return town, county, city, national


def _preferences(rng: np.random.Generator, kind: np.ndarray) -> tuple[np.ndarray, list[list[int]]]:
    """Category preferences: declared categories (in the bio) take 50%, one hidden category 40%, the rest 10%.
    Volunteers declare 1–3 categories, organizations 2–3, donors tuition and/or medical."""
    n, n_cat = len(kind), len(CATEGORIES)
    tuition, medical = CATEGORIES.index("tuition"), CATEGORIES.index("medical")
    donor_share = np.zeros(n_cat)
    donor_share[[tuition, medical, CATEGORIES.index("necessities"), CATEGORIES.index("other")]] = (0.45, 0.35, 0.1, 0.1)
    share = np.where((kind == 2)[:, None], donor_share, HELPER_SHARE)
    # Gumbel top-k: an order of categories drawn without replacement, proportional to share.
    keys = np.log(np.maximum(share, 1e-12)) + rng.gumbel(size=(n, n_cat))
    order = np.argsort(-keys, axis=1)
    n_declared = np.select([kind == 0, kind == 1], [rng.choice([1, 2, 3], n, p=[0.45, 0.35, 0.2]),
                                                    rng.choice([2, 3], n)], 1)
    donor_first = np.where(rng.random(n) < 0.55, tuition, medical)
    donors = kind == 2
    order[donors] = _move_to_front(order[donors], tuition + medical - donor_first[donors])
    order[donors] = _move_to_front(order[donors], donor_first[donors])
    n_declared[(kind == 2) & (rng.random(n) < 0.3)] = 2

    pref = np.full((n, n_cat), 0.1 / n_cat)
    rows = np.arange(n)
    strength = np.array([1.0, 0.6, 0.4])
    for i in range(3):
        has = n_declared > i
        total = np.cumsum(strength)[n_declared - 1]
        pref[rows[has], order[has, i]] += 0.5 * strength[i] / total[has]
    pref[rows, order[rows, n_declared]] += 0.4  # the hidden category
    declared = [row[:k] for row, k in zip(order.tolist(), n_declared.tolist(), strict=True)]
    return pref, declared


def _move_to_front(order: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Each row of ``order`` with its ``first`` category moved to the front, the others keeping their order."""
    rest = order[order != first[:, None]].reshape(len(order), -1)
    return np.concatenate([first[:, None], rest], axis=1)


def _skills(rng: np.random.Generator, kind: np.ndarray, declared: list[list[int]], detail: np.ndarray) -> np.ndarray:
    """Skills follow the declared categories: the skill serving the preferred detail, sometimes another skill
    of the category (organizations: all of them), and now and then (or when there is none) an unrelated one.
    Donors: few or none."""
    n = len(kind)
    skills = np.zeros((n, len(SKILLS)), bool)
    extra = rng.random((n, 3))
    noise = rng.integers(0, len(SKILLS), n)
    for h, categories in enumerate(declared):
        if kind[h] == 2:
            continue
        for i, c in enumerate(categories):
            served = SKILLS_FOR_CATEGORY[CATEGORIES[c]]
            skill = VOCABULARY[c].skill[detail[h, c]]
            if skill >= 0:
                skills[h, skill] = True
            if kind[h] == 1:
                skills[h, [SKILLS.index(name) for name in served]] = True
            elif served and extra[h, i] < 0.3:
                skills[h, SKILLS.index(_choose(served, extra[h, i] / 0.3))] = True
    skills[np.arange(n), noise] |= (kind != 2) & ((rng.random(n) < 0.15) | ~skills.any(axis=1))
    goods = (kind == 2) & (rng.random(n) < 0.25)
    skills[goods, SKILLS.index("goods_supply")] = True
    skills[goods & (rng.random(n) < 0.4), SKILLS.index("transport")] = True
    return skills


def _helper_texts(rng: np.random.Generator, kind, national, declared, detail, goods, county,
                  regions: Regions) -> list[str]:
    """Short bios: Chinese (75%), Chinese with English words (15%) or English (10%)."""
    n = len(kind)
    necessities = CATEGORIES.index("necessities")
    language = rng.choice(3, n, p=[0.75, 0.15, 0.10]).tolist()
    pick, hours = rng.random((n, 6)).tolist(), rng.integers(2, 9, n).tolist()
    kind, national, goods, county, detail = kind.tolist(), national.tolist(), goods.tolist(), county.tolist(), detail
    texts = []
    for h in range(n):
        english = int(language[h] == 2)
        u = pick[h]
        specialties = [_phrase(_FUNDING if kind[h] == 2 else _SPECIALTIES[CATEGORIES[c]], u[1 + i], english,
                               VOCABULARY[c], detail[h, c]) for i, c in enumerate(declared[h][:3])]
        if kind[h] == 0:
            occupation = _choose(_OCCUPATIONS[CATEGORIES[declared[h][0]]], u[0])[english]
            availability = _choose(_AVAILABILITY, u[4])[english].format(n=hours[h])
            parts = [occupation, *specialties[:2], availability]
        elif kind[h] == 1:
            name = _choose(_ORG_NAMES, u[0])
            county_name = regions.names["county"][county[h]]
            parts = [f"{name[1]}, {county_name}" if english else county_name + name[0],
                     "serving children across the county" if english else "服务全县留守和困境儿童", *specialties]
        else:
            donor = _choose(_DONOR_KINDS, u[0])[english]
            if national[h]:
                donor = "National charity fund" if english else "全国性公益基金"
            parts = [donor, *specialties[:2]]
            if goods[h]:
                parts.append(_phrase(_SPECIALTIES["necessities"], u[3], english, VOCABULARY[necessities],
                                     detail[h, necessities]))
        if english:
            text = ". ".join(part[0].upper() + part[1:] for part in parts) + "."
        else:
            text = "，".join(parts) + "。"
        if language[h] == 1:
            text = text[:-1] + _choose(_MIXED_TAILS, u[5])
        texts.append(text)
    return texts


def _choose(options, u: float):
    return options[int(u * len(options))]


def _phrase(options, u: float, english: bool, vocabulary: _Vocabulary, detail: int) -> str:
    template = _choose(options, u)[english]
    return template.format(d=vocabulary.zh[detail], e=vocabulary.en[detail])


# --- needs ------------------------------------------------------------------------------------------------------


@dataclass
class Needs:
    created: np.ndarray  # seconds since 2025-01-01T00:00:00+08:00
    category: np.ndarray
    village: np.ndarray
    urgency: np.ndarray  # 1..3
    amount: np.ndarray  # fen, 0 unless a money need
    slots: np.ndarray
    detail: np.ndarray
    text: list[str]
    keys: dict[str, np.ndarray]  # the need's town, county, city and province (0) indices
    remote: np.ndarray

    @property
    def money(self) -> np.ndarray:
        return self.amount > 0


def build_needs(rng: np.random.Generator, cfg: dict, regions: Regions) -> Needs:
    n = cfg["needs"]
    category = rng.choice(len(CATEGORIES), n, p=NEED_SHARE / NEED_SHARE.sum())
    created = _publication_times(rng, category)
    order = np.argsort(created, kind="stable")  # need ids follow publication time
    category, created = category[order], created[order]

    village_weight = 1 + 0.6 * regions.village_remote  # more children in need far from the county seat
    village = rng.choice(len(village_weight), n, p=village_weight / village_weight.sum())
    urgency = rng.choice([1, 2, 3], n, p=URGENCY_SHARE)
    money = rng.random(n) < MONEY_SHARE[category]
    detail = np.empty(n, np.int64)
    for c in range(len(CATEGORIES)):
        rows = np.flatnonzero(category == c)
        detail[rows] = VOCABULARY[c].draw(rng, money[rows])
    amount = np.where(money, _amounts(rng, category), 0)
    slots = np.where(money, 1, rng.choice(np.arange(1, 6), n, p=[0.45, 0.25, 0.15, 0.1, 0.05]))
    text = _need_texts(rng, category, detail, amount, urgency)

    town = regions.village_town[village]
    county = regions.town_county[town]
    keys = {"town": town, "county": county, "city": regions.county_city[county], "province": np.zeros(n, np.int64)}
    return Needs(created, category, village, urgency, amount, slots, detail, text, keys,
                 regions.village_remote[village])


def _publication_times(rng: np.random.Generator, category: np.ndarray) -> np.ndarray:
    """Days weighted by the category's season and by working days; 85% in office hours."""
    day = np.arange(YEAR_DAYS)
    month = (_EPOCH + day.astype("timedelta64[D]")).astype("datetime64[M]").astype(int) % 12
    weekday = (day + 2) % 7  # 2025-01-01 was a Wednesday
    created = np.empty(len(category), np.int64)
    for c, name in enumerate(CATEGORIES):
        rows = np.flatnonzero(category == c)
        weight = np.asarray(_SEASONS.get(name, (1,) * 12), float)[month] * np.where(weekday >= 5, 0.35, 1.0)
        days = rng.choice(YEAR_DAYS, rows.size, p=weight / weight.sum())
        office = rng.random(rows.size) < 0.85
        seconds = np.where(office, rng.integers(8 * HOUR + 1800, 17 * HOUR + 1800, rows.size),
                           rng.integers(0, DAY, rows.size))
        created[rows] = days * DAY + seconds
    return created


def _amounts(rng: np.random.Generator, category: np.ndarray) -> np.ndarray:
    """Amounts in fen, multiples of 50 yuan: tuition around 3,000 yuan, medical around 6,000, others 1,000."""
    median = np.full(len(category), 100_000.0)
    median[category == CATEGORIES.index("tuition")] = 300_000
    median[category == CATEGORIES.index("medical")] = 600_000
    raw = rng.lognormal(np.log(median), 0.6)
    return (np.clip(np.round(raw / 5_000) * 5_000, 50_000, 2_000_000)).astype(np.int64)


def _need_texts(rng: np.random.Generator, category, detail, amount, urgency) -> list[str]:
    n = len(category)
    pick = rng.random((n, 2))
    number, grade, height = rng.integers(1, 4, n), rng.integers(0, len(_GRADES), n), rng.integers(100, 171, n)
    texts = []
    for i in range(n):
        c, d = category[i], detail[i]
        name = CATEGORIES[c]
        templates = _MONEY_TEMPLATES.get(name, _MONEY_TEMPLATES["default"]) if amount[i] else _NEED_TEMPLATES[name]
        text = _choose(templates, pick[i, 0]).format(
            d=VOCABULARY[c].zh[d], e=VOCABULARY[c].en[d], n=number[i], g=_GRADES[grade[i]], h=height[i],
            y=amount[i] // 100)
        if urgency[i] == 3 and pick[i, 1] < 0.5:
            text = "急！" + text
        texts.append(text)
    return texts


# --- who meets whom ---------------------------------------------------------------------------------------------


class _Pool:
    """Helpers grouped by a region key, with cumulative weights per category: a weighted draw of a helper of
    a given region for a given category is one binary search."""

    def __init__(self, members: np.ndarray, keys: np.ndarray, weights: np.ndarray, n_keys: int):
        order = np.argsort(keys, kind="stable")
        self.members, sorted_keys = members[order], keys[order]
        self.cum = np.zeros((weights.shape[1], len(order) + 1))  # category x (members + 1)
        np.cumsum(weights[order].T, axis=1, out=self.cum[:, 1:])
        self.start = np.searchsorted(sorted_keys, np.arange(n_keys), "left")
        self.end = np.searchsorted(sorted_keys, np.arange(n_keys), "right")
        self.mean = self.cum[:, -1] / n_keys  # weight of an average region, per category

    def total(self, keys: np.ndarray, categories: np.ndarray) -> np.ndarray:
        return self.cum[categories, self.end[keys]] - self.cum[categories, self.start[keys]]

    def draw(self, rng: np.random.Generator, keys: np.ndarray, categories: np.ndarray) -> np.ndarray:
        start, end = self.start[keys], self.end[keys]
        low, high = self.cum[categories, start], self.cum[categories, end]
        target = low + rng.random(len(keys)) * (high - low)
        index = np.empty(len(keys), np.int64)
        for c in np.unique(categories):
            rows = categories == c
            index[rows] = np.searchsorted(self.cum[c], target[rows], side="right") - 1
        return self.members[np.clip(index, start, end - 1)]


@dataclass
class _Market:
    """Where a need finds helpers: pools for some of the need's region levels, and how much each level counts."""

    pools: list[_Pool]
    levels: tuple[str, ...]
    alphas: tuple[float, ...]

    def relative_supply(self, needs: Needs, rows: np.ndarray) -> np.ndarray:
        """level x row: alpha times the pool's weight for the need's category, relative to an average pool."""
        category = needs.category[rows]
        return np.stack([
            alpha * pool.total(needs.keys[level][rows], category) / np.maximum(pool.mean[category], 1e-12)
            for pool, level, alpha in zip(self.pools, self.levels, self.alphas, strict=True)])

    def supply(self, needs: Needs, rows: np.ndarray) -> np.ndarray:
        """How well the area around each need is served: 1 is average."""
        return self.relative_supply(needs, rows).sum(axis=0) / sum(self.alphas)

    def draw(self, rng: np.random.Generator, needs: Needs, rows: np.ndarray, helpers: Helpers,
             candidates: int = 1, bonus: float = 0.0, at: np.ndarray | None = None) -> np.ndarray:
        """As :meth:`draw_once`; with ``at``, a helper who had not joined by then is drawn again (a
        few times, then kept)."""
        out = self.draw_once(rng, needs, rows, helpers, candidates, bonus)
        if at is None:
            return out
        for _ in range(8):
            early = np.flatnonzero(helpers.joined[out] > at)
            if not early.size:
                break
            out[early] = self.draw_once(rng, needs, rows[early], helpers, candidates, bonus)
        return out

    def draw_once(self, rng: np.random.Generator, needs: Needs, rows: np.ndarray, helpers: Helpers,
                  candidates: int = 1, bonus: float = 0.0) -> np.ndarray:
        """A helper for each need index in ``rows``: a level, ``candidates`` helpers from that level's pool
        (by activity and category preference), then one of them, ``1 + bonus`` times likelier when its
        preferred detail is the need's."""
        cumulative = np.cumsum(self.relative_supply(needs, rows), axis=0)
        target = rng.random(len(rows)) * cumulative[-1]
        level = np.minimum((target >= cumulative).sum(axis=0), len(self.pools) - 1)
        out = np.empty(len(rows), np.int64)
        for i, (pool, name) in enumerate(zip(self.pools, self.levels, strict=True)):
            at = np.flatnonzero(level == i)
            if not at.size:
                continue
            need = rows[at]
            drawn = pool.draw(rng, np.repeat(needs.keys[name][need], candidates),
                              np.repeat(needs.category[need], candidates)).reshape(-1, candidates)
            match = helpers.detail[drawn, needs.category[need][:, None]] == needs.detail[need][:, None]
            weight = np.cumsum(1 + bonus * match, axis=1)
            choice = (rng.random(at.size)[:, None] * weight[:, -1:] >= weight).sum(axis=1)
            out[at] = drawn[np.arange(at.size), choice]
        return out


def _markets(helpers: Helpers, regions: Regions) -> dict[str, _Market]:
    """Claims come from volunteers and organizations (and donors of goods), gifts from donors."""
    n_keys = {"town": len(regions.town_code), "county": len(regions.county_code), "city": len(regions.city_code),
              "province": 1}
    donor = helpers.kind == 2
    claim_weight = np.where(donor, 0.3 * helpers.activity * helpers.skills[:, SKILLS.index("goods_supply")],
                            helpers.activity)
    donate_weight = np.where(donor, helpers.activity, 0.0)

    def pool(level: str, members: np.ndarray, weight: np.ndarray) -> _Pool:
        keys = np.zeros(len(helpers.kind), np.int64) if level == "province" else getattr(helpers, level)
        members = np.flatnonzero(members & (weight > 0))
        return _Pool(members, keys[members], weight[members, None] * helpers.pref[members], n_keys[level])

    everyone = np.ones(len(helpers.kind), bool)
    claim_pools = [pool("town", helpers.town >= 0, claim_weight), pool("county", helpers.county >= 0, claim_weight),
                   pool("city", everyone, claim_weight), pool("province", everyone, claim_weight)]
    nationwide = donate_weight * np.where(helpers.national, 3.0, 0.1)
    donate_pools = [pool("county", helpers.county >= 0, donate_weight), pool("city", everyone, donate_weight),
                    pool("province", everyone, nationwide)]
    claim_levels, donate_levels = ("town", "county", "city", "province"), ("county", "city", "province")
    return {
        "claim": _Market(claim_pools, claim_levels, CLAIM_ALPHAS),
        "claim_view": _Market(claim_pools, claim_levels, VIEW_ALPHAS),
        "donate": _Market(donate_pools, donate_levels, DONATE_ALPHAS),
        "donate_view": _Market(donate_pools, donate_levels, DONATE_VIEW_ALPHAS),
    }


# --- interactions -----------------------------------------------------------------------------------------------


class _Log:
    """Events collected as arrays."""

    def __init__(self):
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, event: str, helper, need, at, amount=None) -> None:
        amount = np.zeros(len(helper), np.int64) if amount is None else amount
        self.parts.append((np.asarray(helper, np.int64), np.asarray(need, np.int64),
                           np.full(len(helper), EVENTS.index(event), np.int8), np.asarray(at, np.int64),
                           np.asarray(amount, np.int64)))

    def __len__(self) -> int:
        return sum(len(part[0]) for part in self.parts)

    def arrays(self) -> tuple[np.ndarray, ...]:
        helper, need, event, at, amount = (np.concatenate(column) for column in zip(*self.parts, strict=True))
        keep = at < END
        helper, need, event, at, amount = helper[keep], need[keep], event[keep], at[keep], amount[keep]
        order = np.lexsort((helper, need, event, at))
        return helper[order], need[order], event[order], at[order], amount[order]


def _attention(needs: Needs, rows: np.ndarray, market: _Market, remote_effect: float) -> np.ndarray:
    """Relative interest in each need, mean 1: category, urgency, remoteness and the local supply."""
    supply = np.clip(market.supply(needs, rows), 0.1, 3.0)
    attention = (ATTENTION[needs.category[rows]] * URGENCY_ATTENTION[needs.urgency[rows] - 1]
                 * (1 - remote_effect * needs.remote[rows]) * np.sqrt(supply))
    return attention / attention.mean()


def _claims(rng: np.random.Generator, cfg: dict, needs: Needs, helpers: Helpers, market: _Market, log: _Log) -> None:
    """Claims on the needs that are not money needs, with their views, withdrawals, replacements, deliveries
    and disputes. Open claims never exceed the slots: a replacement comes only after a withdrawal."""
    service = np.flatnonzero(~needs.money)
    expected = cfg["claims_per_need"] * _attention(needs, service, market, remote_effect=0.5)
    rows = np.repeat(service, np.minimum(rng.poisson(expected), needs.slots[service]))
    at = needs.created[rows] + _delay(rng, needs.urgency[rows])
    helper = market.draw(rng, needs, rows, helpers, candidates=5, bonus=5.0, at=at)
    seen = np.empty(0, np.int64)
    delivered = []
    while rows.size:
        pair = rows * len(helpers.kind) + helper
        fresh = ~np.isin(pair, seen)
        fresh[fresh] &= _first_occurrence(pair[fresh])
        rows, at, helper, seen = rows[fresh], at[fresh], helper[fresh], np.concatenate([seen, pair[fresh]])
        _views_before(rng, needs, log, helper, rows, at, extra=0.8, joined=helpers.joined)
        log.add("claim", helper, rows, at)
        withdrawn = rng.random(rows.size) < WITHDRAW_SHARE
        withdrawn_at = at + 3 * HOUR + (rng.exponential(4.0, rows.size) * DAY).astype(np.int64)
        log.add("withdraw", helper[withdrawn], rows[withdrawn], withdrawn_at[withdrawn])
        delivered.append((helper[~withdrawn], rows[~withdrawn], at[~withdrawn]))
        replaced = withdrawn & (rng.random(rows.size) < REPLACE_SHARE)
        rows = rows[replaced]
        at = withdrawn_at[replaced] + HOUR + _delay(rng, needs.urgency[rows])
        helper = market.draw(rng, needs, rows, helpers, candidates=5, bonus=5.0, at=at)
    if delivered:
        _deliveries(rng, log, *(np.concatenate(column) for column in zip(*delivered, strict=True)))


def _first_occurrence(values: np.ndarray) -> np.ndarray:
    first = np.zeros(len(values), bool)
    first[np.unique(values, return_index=True)[1]] = True
    return first


def _delay(rng: np.random.Generator, urgency: np.ndarray) -> np.ndarray:
    """Seconds from publication (or reopening) to a claim: mostly days, 5% after a month."""
    days = rng.exponential(6.0 / URGENCY_SPEED[urgency - 1])
    late = rng.random(len(urgency)) < 0.05
    days[late] = rng.uniform(30, 60, late.sum())
    return 1800 + (days * DAY).astype(np.int64)


def _views_before(rng: np.random.Generator, needs: Needs, log: _Log, helper, rows, at, extra: float,
                  joined: np.ndarray) -> None:
    """One view, plus Poisson(extra) more, by the same helper between publication and the event."""
    count = 1 + rng.poisson(extra, len(rows))
    helper, rows, at = np.repeat(helper, count), np.repeat(rows, count), np.repeat(at, count)
    since = np.maximum(needs.created[rows], np.minimum(joined[helper], at - 60))
    log.add("view", helper, rows, since + (rng.random(len(rows)) * (at - since - 60)).astype(np.int64))


def _deliveries(rng: np.random.Generator, log: _Log, helper, rows, at) -> None:
    delivered = rng.random(len(rows)) < DELIVER_SHARE
    helper, rows = helper[delivered], rows[delivered]
    delivered_at = at[delivered] + DAY + (rng.gamma(2.0, 3.0, len(rows)) * DAY).astype(np.int64)
    log.add("deliver", helper, rows, delivered_at)
    disputed = rng.random(len(rows)) < DISPUTE_SHARE
    log.add("dispute", helper[disputed], rows[disputed],
            delivered_at[disputed] + DAY + rng.integers(0, 13 * DAY, disputed.sum()))


def _donations(rng: np.random.Generator, cfg: dict, needs: Needs, helpers: Helpers, market: _Market,
               log: _Log) -> None:
    """Gifts to money needs, in time order until the amount is reached (the last one cut to the rest)."""
    money = np.flatnonzero(needs.money)
    expected = cfg["donations_per_money_need"] * _attention(needs, money, market, remote_effect=0.3)
    rows = np.repeat(money, rng.poisson(expected))
    speed = URGENCY_SPEED[needs.urgency[rows] - 1]
    at = needs.created[rows] + HOUR + (rng.exponential(10.0 / speed) * DAY).astype(np.int64)
    donor = market.draw(rng, needs, rows, helpers, candidates=3, bonus=3.0, at=at)
    gift = np.maximum(1_000, np.round(helpers.gift[donor] * rng.lognormal(0, 0.3, len(rows)), -2)).astype(np.int64)
    _views_before(rng, needs, log, donor, rows, at, extra=0.4, joined=helpers.joined)

    exported = at < END
    rows, donor, at, gift = rows[exported], donor[exported], at[exported], gift[exported]
    order = np.lexsort((at, rows))
    rows, donor, at, gift = rows[order], donor[order], at[order], gift[order]
    total = np.cumsum(gift)
    group_start = np.r_[True, rows[1:] != rows[:-1]] if len(rows) else np.zeros(0, bool)
    before = total - gift
    before -= before[np.flatnonzero(group_start)][np.cumsum(group_start) - 1]  # given before, to this need
    room = needs.amount[rows] - before
    keep = room > 0
    log.add("donate", donor[keep], rows[keep], at[keep], np.minimum(gift, room)[keep])


def _background_views(rng: np.random.Generator, count: int, needs: Needs, helpers: Helpers,
                      markets: dict[str, _Market], log: _Log) -> None:
    """Views by helpers browsing, spread over all needs by their attention (also needs nobody claims)."""
    weight = np.empty(len(needs.created))
    for market, rows in ((markets["claim"], np.flatnonzero(~needs.money)),
                         (markets["donate"], np.flatnonzero(needs.money))):
        if rows.size:
            weight[rows] = np.sqrt(_attention(needs, rows, market, remote_effect=0.3))
    rows = np.sort(rng.choice(len(weight), count, p=weight / weight.sum()))
    helper = np.empty(count, np.int64)
    money = needs.money[rows]
    created = needs.created[rows]
    at = created + HOUR + (rng.exponential(6.0, count) * DAY).astype(np.int64)
    late = at >= END
    at[late] = created[late] + (rng.random(late.sum()) * (END - created[late])).astype(np.int64)
    helper[~money] = markets["claim_view"].draw(rng, needs, rows[~money], helpers, at=at[~money])
    helper[money] = markets["donate_view"].draw(rng, needs, rows[money], helpers, at=at[money])
    log.add("view", helper, rows, at)


def simulate(rng: np.random.Generator, cfg: dict, regions: Regions, needs: Needs,
             helpers: Helpers) -> tuple[np.ndarray, ...]:
    """All interactions, in time order: (helper, need, event, at, amount_fen) arrays."""
    markets = _markets(helpers, regions)
    log = _Log()
    _claims(rng, cfg, needs, helpers, markets["claim"], log)
    _donations(rng, cfg, needs, helpers, markets["donate"], log)
    exported = int(sum((part[3] < END).sum() for part in log.parts))
    background = cfg["interactions"] - exported
    if background < 0:
        raise ValueError(f"{exported} chained events exceed the target of {cfg['interactions']} interactions")
    _background_views(rng, background, needs, helpers, markets, log)
    return log.arrays()


# --- files ------------------------------------------------------------------------------------------------------


def _timestamps(seconds: np.ndarray) -> list[str]:
    strings = np.datetime_as_string(_EPOCH + seconds.astype("timedelta64[s]"), unit="s").tolist()
    return [s + "+08:00" for s in strings]


def _write(path: Path, header: tuple[str, ...], rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate(out_dir: str | os.PathLike, scale: str = "small", seed: int = 0) -> dict:
    """Writes the four CSV files; returns counts {"regions": n, "needs": n, "helpers": n, "interactions": n}."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    cfg = SCALES[scale]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)

    regions = build_regions(rng, cfg)
    helpers = build_helpers(rng, cfg, regions)
    needs = build_needs(rng, cfg, regions)
    helper, need, event, at, amount = simulate(rng, cfg, regions, needs, helpers)

    region_rows = regions.rows()
    _write(out / "regions.csv", ("region_code", "parent_code", "level", "name"), region_rows)
    helper_ids = [f"H{i:06d}" for i in range(1, len(helpers.kind) + 1)]
    skills = [";".join(SKILLS[s] for s in np.flatnonzero(row)) for row in helpers.skills]
    _write(out / "helpers.csv", ("helper_id", "kind", "region_code", "skills", "text", "capacity"),
           zip(helper_ids, [KINDS[k] for k in helpers.kind.tolist()], helpers.region_code.tolist(), skills,
               helpers.text, helpers.capacity.tolist(), strict=True))
    need_ids = [f"N{i:07d}" for i in range(1, len(needs.created) + 1)]
    _write(out / "needs.csv", ("need_id", "created_at", "category", "region_code", "urgency", "amount_fen", "slots",
                               "text"),
           zip(need_ids, _timestamps(needs.created), [CATEGORIES[c] for c in needs.category.tolist()],
               regions.village_code[needs.village].tolist(), needs.urgency.tolist(), needs.amount.tolist(),
               needs.slots.tolist(), needs.text, strict=True))
    _write(out / "interactions.csv", ("helper_id", "need_id", "event", "at", "amount_fen"),
           zip([helper_ids[h] for h in helper.tolist()], [need_ids[n] for n in need.tolist()],
               [EVENTS[e] for e in event.tolist()], _timestamps(at), amount.tolist(), strict=True))
    return {"regions": len(region_rows), "needs": len(need_ids), "helpers": len(helper_ids), "interactions": len(at)}


if __name__ == "__main__":
    import argparse
    import time

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    started = time.perf_counter()
    counts = generate(arguments.out_dir, arguments.scale, arguments.seed)
    print(counts, f"{time.perf_counter() - started:.1f} s")
