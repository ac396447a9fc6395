"""Evasions of the summary check, by class: what the issue reported, and what an attacker would try
next (other scripts, other romanisations, other separators, other numerals). Each class also has the
ordinary text that must still pass. No Flask app is needed."""

from datetime import date

import pytest

from portal.needs.pii import find_pii, highlight

NAMES = ["萧嫣", "于佑", "贾琪", "袁琪琪", "张小明", "李可", "吕欣怡", "曾雨桐", "王泽宇", "诸葛晨曦", "林怡"]
PLACES = ["屠苏村村民委员会", "义顺村村民委员会", "李村"]
BIRTH_DATES = [date(2014, 9, 25), date(2012, 3, 8)]
PUBLIC = ["义堂镇", "兰山区", "临沂市"]


def found(text):
    hits = find_pii(text, names=NAMES, places=PLACES, birth_dates=BIRTH_DATES, public_places=PUBLIC)
    return [(text[h.start : h.end], h.kind) for h in hits]


@pytest.mark.parametrize(
    "text, expected",
    [
        # As reported.
        ("义堂镇儿童 Xiao Yan（萧）需要课业辅导，祖父 Yu You 照顾。", [("Xiao Yan（萧", "name"), ("Yu You", "name")]),
        ("身份证3713O22O15O221OOO3", [("3713O22O15O221OOO3", "id_number")]),
        ("监护人电话l37O8593715", [("l37O8593715", "mobile")]),
        ("证件号前17位37130220100114000", [("37130220100114000", "id_number")]),
        ("家住七十七号", [("七十七号", "address")]),
        ("八十一号", [("八十一号", "address")]),
        ("一名儿童賈琪需要学费帮助", [("賈琪", "name")]),
        ("…与同村的袁琪琪一起上学…", [("袁琪琪", "name")]),
        ("萧x嫣", [("萧x嫣", "name")]),
        ("屠蘇村", [("屠蘇村", "address")]),
        ("Tusu村", [("Tusu村", "address")]),
        ("电话1373975494四", [("1373975494四", "mobile")]),
        ("电话137加39754944", [("137加39754944", "mobile")]),
        ("2014年9月25日出生", [("2014年9月25日", "birth_date")]),
        ("联系邮箱 xiaoyan2014@qq.com", [("xiaoyan2014@qq.com", "email")]),
        ("身份证前六位371302，中间20140925，最后四位0021", [("371302，中间20140925，最后四位0021", "id_number")]),
        ("电话١٣٧٣٩٧٥٤٩٤٤", [("١٣٧٣٩٧٥٤٩٤٤", "mobile")]),
    ],
)
def test_the_reported_evasions_are_caught(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # Romanisation: tones as marks or digits, ü as u/v/yu, either order, run together, camel case,
        # initials in words of their own, Wade–Giles, zhuyin, letters spelt out, half in characters.
        ("孩子 Xiāo Yān 需要辅导", "Xiāo Yān"),
        ("孩子 xiao1 yan1 需要辅导", "xiao1 yan1"),
        ("孩子 XIAOYAN 需要辅导", "XIAOYAN"),
        ("孩子 YanXiao 需要辅导", "YanXiao"),
        ("孩子 Lü Xinyi 需要辅导", "Lü Xinyi"),
        ("孩子 Lyu Xinyi 需要辅导", "Lyu Xinyi"),
        ("孩子 Lv Xin-yi 需要辅导", "Lv Xin-yi"),
        ("孩子 Ceng Yutong 需要辅导", "Ceng Yutong"),  # 曾 read the other way
        ("孩子 Zhuge Chenxi 需要辅导", "Zhuge Chenxi"),
        ("孩子 Chenxi 需要辅导", "Chenxi"),  # the given name alone, two syllables
        ("孩子 Zhang X.M. 需要辅导", "Zhang X.M"),
        ("孩子 ZXM 需要辅导", "ZXM"),
        ("孩子 Hsiao Yen 需要辅导", "Hsiao Yen"),
        ("孩子 ㄒㄧㄠˉ ㄧㄢˉ 需要辅导", "ㄒㄧㄠˉ ㄧㄢ"),
        ("孩子 x i a o y a n 需要辅导", "x i a o y a n"),
        ("孩子萧Yan需要辅导", "萧Yan"),
        ("孩子Xiao嫣需要辅导", "Xiao嫣"),
        ("孩子张Xiao明需要辅导", "张Xiao明"),
        ("孩子 Хiао Yаn 需要辅导", "Хiао Yаn"),  # Cyrillic letters drawn like Latin ones
        ("孩子 Ｘｉａｏ Ｙａｎ 需要辅导", "Ｘｉａｏ Ｙａｎ"),
        ("孩子 Xia'o Yan 需要辅导", "Xia'o Yan"),
        ("孩子 Li Ke 需要辅导", "Li Ke"),
        ("孩子 Xi-ao Yan 需要辅导", "Xi-ao Yan"),  # a syllable broken over two words
        ("孩子 Xi ao Y an 需要辅导", "Xi ao Y an"),
        ("孩子 𝐗𝐢𝐚𝐨 𝐘𝐚𝐧 需要辅导", "𝐗𝐢𝐚𝐨 𝐘𝐚𝐧"),  # mathematical letters
        ("孩子 ⓧⓘⓐⓞ ⓨⓐⓝ 需要辅导", "ⓧⓘⓐⓞ ⓨⓐⓝ"),
        ("孩子 ˣⁱᵃᵒ ʸᵃⁿ 需要辅导", "ˣⁱᵃᵒ ʸᵃⁿ"),
        ("孩子 X1ao Y4n 需要辅导", "X1ao Y4n"),  # digits for letters
        ("孩子 L1 Ke 需要辅导", "L1 Ke"),
        ("孩子 XIA0 YAN 需要辅导", "XIA0 YAN"),
        ("孩子 xIaO yAn 需要辅导", "xIaO yAn"),  # capitals anywhere
    ],
)
def test_names_in_any_romanisation_are_caught(text, expected):
    assert found(text) == [(expected, "name")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("孩子叫蕭嫣", "蕭嫣"),  # traditional
        ("孩子叫王澤宇", "王澤宇"),  # traditional
        ("孩子叫王沢宇", "王沢宇"),  # Japanese form
        ("孩子叫張小明", "張小明"),
        ("孩子叫萧 1 嫣", "萧 1 嫣"),  # a digit put between
        ("孩子叫萧ab嫣", "萧ab嫣"),
        ("孩子叫萧⃝嫣", "萧⃝嫣"),
        ("孩子叫萧\U0001f600嫣", "萧\U0001f600嫣"),
        ("孩子叫⿰萧嫣", "萧嫣"),
        ("孩子叫呂欣怡", "呂欣怡"),
        ("孩子叫弓长小明", "弓长小明"),  # the surname told by its parts
        ("监护人木子可", "木子可"),
    ],
)
def test_names_in_other_scripts_or_with_junk_inside_are_caught(text, expected):
    assert found(text) == [(expected, "name")]


@pytest.mark.parametrize(
    "text, expected, kind",
    [
        ("电话𝟏𝟑𝟕𝟑𝟗𝟕𝟓𝟒𝟗𝟒𝟒", "𝟏𝟑𝟕𝟑𝟗𝟕𝟓𝟒𝟗𝟒𝟒", "mobile"),  # mathematical digits
        ("电话१३७३९७५४९४४", "१३७३९७५४९४४", "mobile"),  # Devanagari
        ("电话۱۳۷۳۹۷۵۴۹۴۴", "۱۳۷۳۹۷۵۴۹۴۴", "mobile"),  # Persian
        ("电话①③⑦③⑨⑦⑤④⑨④④", "①③⑦③⑨⑦⑤④⑨④④", "mobile"),
        ("电话l37-O859-37l5", "l37-O859-37l5", "mobile"),
        ("电话I37 3975 4944", "I37 3975 4944", "mobile"),
        ("电话137加3975加4944", "137加3975加4944", "mobile"),
        ("电话137 x 3975 x 4944", "137 x 3975 x 4944", "mobile"),
        ("电话一三七3975四九四四", "一三七3975四九四四", "mobile"),
        ("电话 one three seven three nine seven five four nine four four",
         "one three seven three nine seven five four nine four four", "mobile"),
        ("电话 yaosanqisanjiuqiwusijiusisi", "yaosanqisanjiuqiwusijiusisi", "mobile"),
        ("手机号码：开头137，然后3975，最后4944", "137，然后3975，最后4944", "mobile"),
        ("身份证371302２０１４0925002l", "371302２０１４0925002l", "id_number"),
        ("身份证 37130220140925", "37130220140925", "id_number"),  # 14 digits: region and birth date
        ("身份证371302加20140925加0021", "371302加20140925加0021", "id_number"),
        ("身份证 三七一三零二二零一四零九二五零零二一", "三七一三零二二零一四零九二五零零二一", "id_number"),
        ("身份证37130220140925002×", "37130220140925002×", "id_number"),
        ("身份证37130220140925****", "37130220140925", "id_number"),
        ("电话幺三拐三勾拐五四勾四四", "幺三拐三勾拐五四勾四四", "mobile"),  # numbers as read out on the radio  # masked, but county and birth date show
        ("电话1️⃣3️⃣7️⃣3️⃣9️⃣7️⃣5️⃣4️⃣9️⃣4️⃣4️⃣", "1️⃣3️⃣7️⃣3️⃣9️⃣7️⃣5️⃣4️⃣9️⃣4️⃣4️⃣", "mobile"),
        ("电话139*0539*1234", "139*0539*1234", "mobile"),
        ("电话 onethreeseventhreeninesevenfivefourninefourfour", "onethreeseventhreeninesevenfivefourninefourfour",
         "mobile"),
    ],
)
def test_numbers_in_disguise_are_caught(text, expected, kind):
    assert found(text) == [(expected, kind)]


@pytest.mark.parametrize(
    "text, expected, kind",
    [
        ("邮箱 xiao.yan@163.com", "xiao.yan@163.com", "email"),
        ("邮箱 xiaoyan at qq dot com", "xiaoyan at qq dot com", "email"),
        ("邮箱 xiaoyan(at)gmail(dot)com", "xiaoyan(at)gmail(dot)com", "email"),
        ("邮箱 xiaoyan艾特qq点com", "xiaoyan艾特qq点com", "email"),
        ("邮箱 xiaoyan＠１６３．ｃｏｍ", "xiaoyan＠１６３．ｃｏｍ", "email"),
        ("微信：xiaoyan_mama", "xiaoyan_mama", "social"),
        ("加薇信 yuyou1960", "yuyou1960", "social"),
        ("VX: jiaqi0308", "jiaqi0308", "social"),
        ("QQ号：987654321", "987654321", "social"),
        ("扣扣 876543210", "876543210", "social"),
        ("车牌鲁Q·12345", "鲁Q·12345", "plate"),
        ("车牌魯Q 8K88A", "魯Q 8K88A", "plate"),
        ("车牌鲁 Q12345", "鲁 Q12345", "plate"),
        ("微信号码：xiaomama2014", "xiaomama2014", "social"),
        ("孩子生日25/9/2014", "25/9/2014", "birth_date"),  # day first
        ("孩子2014年九月廿五日出生", "2014年九月廿五日", "birth_date"),  # digits and numerals mixed, 廿 for 20
        ("家住柒拾柒号", "柒拾柒号", "address"),
        ("小红书 xiaoyan2014", "xiaoyan2014", "social"),
        ("家住一百零三号院", "一百零三号院", "address"),
        ("住五〇一室", "五〇一室", "address"),
        ("门牌号是88", "门牌号是88", "address"),
        ("家住七十七號", "七十七號", "address"),
        ("家住٧٧号", "٧٧号", "address"),
        ("孩子二〇一四年九月二十五日出生", "二〇一四年九月二十五日", "birth_date"),
        ("孩子20140925出生", "20140925", "birth_date"),
        ("孩子生于2014/09/25", "2014/09/25", "birth_date"),
        ("孩子生日是9月25日", "9月25日", "birth_date"),
        ("孩子2012.3.8入学", "2012.3.8", "birth_date"),  # a village child's birth date, whatever it says
        ("孩子住在 Tusu Cun", "Tusu Cun", "address"),
        ("孩子住在TS村", "TS村", "address"),
        ("孩子住在 Yishun", "Yishun", "address"),
        ("孩子住在屠x苏", "屠x苏", "address"),
    ],
)
def test_contacts_addresses_dates_and_villages_are_caught(text, expected, kind):
    assert found(text) == [(expected, kind)]


@pytest.mark.parametrize(
    "text",
    [
        "I like reading; she would like to make friends.",  # like = 李可 in pinyin, as one English word
        "Linyi City, Lanshan District, Yitang Town",  # 林怡 is spelt like 临沂
        "孩子需要在 Linyi 看病。",
        "张XX的孩子，Zhang X，XX村，王F",  # placeholders and single initials
        "需要PPT、DIY材料和APP会员。",
        "QQ群、微信群、WeChat groups 都可以联系儿童主任。",
        "iPhone15 充电器，ISO9001 认证，A4纸，5G手机，3D打印，MP3。",
        "山洞里有三个拐角，勾股定理。",
        "一室一厅的房子，九月十一号开学，中央一号文件，3号线。",
        "孩子2014年出生，今年12岁，2024年9月开学。",
        "需要资助3000元，每月300元，共10个月，2026年9月1日至2027年6月30日。",
        "身高145厘米，体重36公斤，2026年3月15日体检。",
        "Xuexi hen nuli, xiwang you ren bangzhu.",
        "The child likes yoga, panda books and a bike.",
        "孩子的偶像是 Yao Ming。",
    ],
)
def test_ordinary_text_of_each_class_passes(text):
    assert found(text) == []


def test_romanised_hits_are_highlighted_with_their_own_label():
    text = "祖父 Yu You 照顾，住 Tusu 村"
    hits = find_pii(text, names=NAMES, places=PLACES)
    html = highlight(text, hits)
    assert '<mark class="pii" title="Name of a child or guardian of the village, in pinyin">Yu You</mark>' in html
    assert '<mark class="pii" title="Village or community name, in pinyin">Tusu 村</mark>' in html


def test_every_kind_of_hit_has_a_label():
    text = ("萧嫣 Xiao Yan 身份证371302201409250021 电话13739754944 0539-8123456 邮箱a1@qq.com 微信：xiaoyan_mama "
            "鲁Q·12345 2014年9月25日出生 七十七号 屠苏")
    hits = find_pii(text, names=NAMES, places=PLACES, birth_dates=BIRTH_DATES)
    assert {h.kind for h in hits} == {"name", "id_number", "mobile", "landline", "email", "social", "plate",
                                      "birth_date", "address"}
    assert all(str(h.label) for h in hits)
