"""The rules as data: every rule explains itself in both languages; amounts are whole fen."""

from datetime import date

import pytest
from flask_babel import force_locale

from portal.errors import DomainError
from portal.programmes.eligibility import (
    ChildFacts,
    amount_for,
    check_amount_rule,
    check_eligibility,
    evaluate,
)
from portal.programmes.models import Programme

ON = date(2026, 9, 1)
COUNTY = "371302000000"
VILLAGE = "371302105259"


def programme(eligibility: dict, amount_rule: dict | None = None, owner: str = COUNTY) -> Programme:
    return Programme(name_zh="测试项目", kind="scholarship", fund_id=1, period_type="per_year", owner_region_code=owner,
                     eligibility=check_eligibility(eligibility, owner),
                     amount_rule=amount_rule or {"type": "fixed", "amount_fen": 1_000_000})


def facts(**values) -> ChildFacts:
    base = dict(region_code=VILLAGE, birth_date=date(2010, 3, 1), categories=("orphan",), school_stage="primary",
                risk_level="yellow", status="active")
    base.update(values)
    return ChildFacts(**base)


def explain_in(app, verdict, locale: str) -> str:
    with app.test_request_context(), force_locale(locale):
        return verdict.explain()


def test_an_age_above_the_limit_is_explained_as_the_bureaus_write_it(app):
    verdict = evaluate(programme({"age_max": 18}), facts(birth_date=date(2007, 5, 1)), ON)
    assert not verdict.eligible and verdict.amount_fen is None
    assert explain_in(app, verdict, "zh") == "不符合: 年龄19岁, 超过18岁上限"
    assert explain_in(app, verdict, "en") == "Not eligible: aged 19, above the upper limit of 18"


def test_an_orphan_at_university_is_eligible_with_both_reasons(app):
    rules = {"categories": ["orphan"], "school_stages": ["university", "vocational_college"]}
    verdict = evaluate(programme(rules), facts(school_stage="university"), ON)
    assert verdict.eligible and verdict.amount_fen == 1_000_000
    assert explain_in(app, verdict, "zh") == "符合: 孤儿, 大学在读"
    assert explain_in(app, verdict, "en") == "Eligible: Orphan, studying at University"


def test_an_age_below_the_limit_and_the_age_inside_it(app):
    rules = programme({"age_min": 6, "age_max": 17})
    young = evaluate(rules, facts(birth_date=date(2021, 9, 2)), ON)  # turns 5 tomorrow... is 4
    assert explain_in(app, young, "zh") == "不符合: 年龄4岁, 低于6岁下限"
    assert explain_in(app, young, "en") == "Not eligible: aged 4, below the lower limit of 6"
    birthday = evaluate(rules, facts(birth_date=date(2020, 9, 1)), ON)  # sixth birthday today
    assert birthday.eligible and explain_in(app, birthday, "zh") == "符合: 年龄6岁"


def test_a_category_not_named_is_explained_with_the_categories_wanted(app):
    verdict = evaluate(programme({"categories": ["orphan", "unsupported"]}), facts(categories=("left_behind",)), ON)
    assert explain_in(app, verdict, "zh") == "不符合: 不属于孤儿或事实无人抚养儿童"
    assert explain_in(app, verdict, "en") == "Not eligible: not Orphan or No one in fact raising the child"


def test_a_school_stage_not_named_is_explained(app):
    verdict = evaluate(programme({"school_stages": ["university"]}), facts(school_stage="senior_secondary"), ON)
    assert explain_in(app, verdict, "zh") == "不符合: 学段为高中, 不是大学"
    assert explain_in(app, verdict, "en") == "Not eligible: at Senior secondary school, not University"


def test_grading_levels_explain_a_wrong_level_and_a_child_not_yet_graded(app):
    rules = programme({"risk_levels": ["red"]})
    assert explain_in(app, evaluate(rules, facts(risk_level="yellow"), ON), "zh") == "不符合: 评估等级为黄色, 不是红色"
    assert explain_in(app, evaluate(rules, facts(risk_level=None), ON), "en") == "Not eligible: not yet graded"
    assert explain_in(app, evaluate(rules, facts(risk_level="red"), ON), "zh") == "符合: 评估等级为红色"


def test_a_closed_file_and_a_child_outside_the_region_are_explained(app):
    rules = programme({})
    assert explain_in(app, evaluate(rules, facts(status="closed"), ON), "zh") == "不符合: 档案已结案"
    outside = evaluate(rules, facts(region_code="371311001001"), ON)
    assert explain_in(app, outside, "zh") == "不符合: 不在项目覆盖地区"
    narrowed = programme({"regions": ["371302101000"]})  # one town of the county
    assert not evaluate(narrowed, facts(), ON).eligible
    assert evaluate(narrowed, facts(region_code="371302101201"), ON).eligible


def test_every_failing_rule_is_named_not_only_the_first(app):
    rules = programme({"categories": ["orphan"], "age_max": 17, "school_stages": ["university"]})
    verdict = evaluate(rules, facts(categories=("migrant",), birth_date=date(2005, 1, 1)), ON)
    text = explain_in(app, verdict, "zh")
    assert "不属于孤儿" in text and "超过17岁上限" in text and "不是大学" in text


def test_a_category_table_pays_the_highest_amount_of_the_childs_categories(app):
    table = {"type": "by_category", "amounts_fen": {"orphan": 180_000, "unsupported": 150_000}}
    rules = programme({"categories": ["orphan", "unsupported"]}, table)
    assert evaluate(rules, facts(categories=("unsupported",)), ON).amount_fen == 150_000
    assert evaluate(rules, facts(categories=("orphan", "unsupported")), ON).amount_fen == 180_000
    no_row = evaluate(programme({}, table), facts(categories=("left_behind",)), ON)
    assert not no_row.eligible
    assert explain_in(app, no_row, "zh") == "不符合: 未设定留守儿童的金额"


def test_a_share_of_costs_rounds_down_to_the_fen_and_stops_at_the_cap():
    rule = {"type": "share", "percent": 70, "cap_fen": 2_000_000}
    assert amount_for(rule, facts(eligible_costs_fen=12_345)) == 8_641  # 8641.5 fen, never a float
    assert amount_for(rule, facts(eligible_costs_fen=5_000_000)) == 2_000_000
    assert amount_for(rule, facts()) is None  # costs not known yet


@pytest.mark.parametrize("rules, field", [
    ({"age": 3}, None),  # an unknown rule
    ({"age_max": 17.5}, "age_max"),
    ({"age_max": True}, "age_max"),
    ({"age_min": 12, "age_max": 6}, "age_min"),
    ({"categories": ["orphans"]}, "categories"),
    ({"school_stages": ["college"]}, "school_stages"),
    ({"regions": ["371311000000"]}, "regions"),  # another county
    ({"regions": ["３７１３０２１０５２５９"]}, "regions"),  # full-width digits
])
def test_bad_eligibility_rules_are_refused_with_the_field_named(app, rules, field):
    with pytest.raises(DomainError) as refused:
        check_eligibility(rules, COUNTY)
    assert refused.value.details.get("field") == field


@pytest.mark.parametrize("rule, documents", [
    ({"type": "fixed", "amount_fen": 1000.0}, []),
    ({"type": "fixed", "amount_fen": "1000"}, []),
    ({"type": "fixed", "amount_fen": 0}, []),
    ({"type": "share", "percent": 70, "cap_fen": 100}, []),  # no invoices to take the costs from
    ({"type": "share", "percent": 170, "cap_fen": 100}, ["hospital_invoices"]),
    ({"type": "by_category", "amounts_fen": {"orphan": -5}}, []),
    ({"type": "by_category", "amounts_fen": {}}, []),
    ({"type": "lottery"}, []),
])
def test_bad_amount_rules_are_refused(app, rule, documents):
    with pytest.raises(DomainError):
        check_amount_rule(rule, documents)


def test_a_refused_rule_explains_itself_in_the_users_language(app):
    with pytest.raises(DomainError) as refused:
        check_eligibility({"age_min": 12, "age_max": 6}, COUNTY)
    with app.test_request_context(), force_locale("zh"):
        assert str(refused.value.message) == "最低年龄高于最高年龄。"
