"""Round 3 of the summary check: the edges of what the second red team got through. Each rule that lets
ordinary text pass is tried against the attack it must not let through, and each new class of evasion with
variants the red team did not write."""

from datetime import date

import pytest

from portal.needs.pii import find_pii

NAMES = ["萧嫣", "周强", "袁志强", "褚国庆", "萧建国", "卫红梅", "陈海燕", "于佑", "李可", "傅明", "欧阳明轩"]
PLACES = ["屠苏村", "东石埠村"]
BIRTHS = [date(2014, 9, 25), date(2012, 3, 8)]
ID = "371302201409250027"


def _hits(text):
    return [(text[h.start : h.end], h.kind) for h in find_pii(text, names=NAMES, places=PLACES, birth_dates=BIRTHS,
                                                                public_places=["义堂镇", "兰山区", "临沂市"])]


@pytest.mark.parametrize("text", [
    "孩子意志强大，坚持康复训练。",  # 志强 cut across by 意志|强大
    "每周强化一次阅读训练。",  # 周强: both halves joined to neighbouring words
    "冬天红梅花开时组织写生。",
    "学习课文《海燕》后写读后感。",
    "国庆假期需要志愿者陪伴。",
    "新中国建国75周年，组织参观纪念馆。",
    "两人一组入户走访。", "孩子参加了第一组的比赛。", "需要5号电池两节。",
    "Follow the bureau's official Weixin account.",
    "孩子喜欢喝可可。",  # 可可 is a word, not 李可's nickname
    "保佑于是成了孩子的口头禅。",  # not 于佑 reversed
    "身份证复印件2份，2024年到期。",
    "三十七名儿童、十三个村参加。",
    "孩子出生体重3.8公斤。",
    "I think one or two volunteers are enough.",
])
def test_ordinary_text_at_the_edge_of_each_rule_passes(text):
    assert _hits(text) == []


@pytest.mark.parametrize("text", [
    "每周强同学需要冬衣。",  # the full name as a word of its own, even after 每
    "周强化名小周，需要冬衣。",  # the surname begins the sentence: not joined on both sides
    "志强需要冬衣。",  # the given name alone, as a word
    "《海燕》作者陈海燕的女儿需要冬衣。",  # the full name next to the title
    "国庆同学需要冬衣。",  # a common word that names no occasion here
    "可李同学需要冬衣。",  # 李可 reversed
    "付明同学需要冬衣。",  # 傅明 with the other form of the surname
    "佑佑需要冬衣。", "萧家嫣嫣需要冬衣。",
    "萧【化名】嫣需要冬衣。", "屠(西)苏村的孩子需要冬衣。", "姓于，名佑，需要冬衣。", "石埠东村一名男孩需要冬衣。",
])
def test_names_and_villages_written_another_way_are_refused(text):
    assert _hits(text), text


@pytest.mark.parametrize("text", [
    "电话 one three eight 0539 one two three four",
    "证件 371302 two zero one four zero nine two five 0027",
    "电话 líng wǔ sān jiǔ bā yāo èr sān sì wǔ liù",  # a landline in tone-marked pinyin
    "手机：一百三十八，零五三九，一千二百三十四",
    "手机号码：一个1，一个3，一个8，接着0539，然后1234",
    "电话 138 然后 0539 最后 1234",
    "身份证尾号0027", "证件号末六位250027",
    "证件号三十七万一千三百零二，二零一四零九二五零零二七",
    "孩子证件前六位371302。2014年生。后八位09250027。",
    "手机 IEB O5E9 I2E4",
])
def test_numbers_read_out_or_in_parts_are_refused(text):
    assert _hits(text), text


@pytest.mark.parametrize("text", [
    "生于二〇一四/九/二十五", "生日：九·二五，2014年生", "出生 2014-09-25T23:59", "DOB: 25/Sep/2014",
    "born on the twenty-fifth of September, twenty fourteen", "chu sheng: er ling yi si nian jiu yue er shi wu ri",
    "孩子今年9月25日满12周岁", "孩子3月8日过14周岁生日",
])
def test_dates_of_birth_in_other_forms_are_refused(text):
    assert _hits(text), text


@pytest.mark.parametrize("text", [
    "🐧 3456789012", "✉ xiaojg 在 163 点 com", "邮箱 xiaojg✉163.com", "车牌鲁Q陆柒捌玖零", "牌照：Q，号码 12345",
    "licence plate Q 12345", "车牌鲁Q BS2O8",
])
def test_contacts_and_plates_in_other_forms_are_refused(text):
    assert _hits(text), text


def test_a_full_name_found_by_segmentation_is_reported_where_it_stands():
    text = "孩子意志坚强，袁志强是她的父亲。"
    assert _hits(text) == [("袁志强", "name")]


def test_the_id_part_is_reported_at_its_digits():
    text = "身份证后六位250027，需要冬衣。"
    assert _hits(text) == [("250027", "id_number")]
    assert ID.endswith("250027")
