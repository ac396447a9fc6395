"""The check of a need's public summary: identity numbers, phones, names and addresses below the town
are found (at their places in the original text); ordinary text passes."""

import pytest
from markupsafe import Markup

from portal.needs.pii import Hit, find_pii, highlight, name_variants, normalise, place_variants

NAMES = ["张小明", "李秀英", "欧阳娜娜", "王芳", "Lily Wang"]
PLACES = ["张家庄村", "李家屯", "李村", "城关社区居委会", "义堂社区", "屠苏村村民委员会"]


def found(text, names=NAMES, places=PLACES):
    return [(text[h.start : h.end], h.kind) for h in find_pii(text, names=names, places=places)]


@pytest.mark.parametrize(
    "text, expected, kind",
    [
        # Identity numbers: 18 digits (also with X, spaces, dashes, full-width digits), 15 digits.
        ("身份证号370302201406011234，请核实", "370302201406011234", "id_number"),
        ("身份证号37030220140601123X", "37030220140601123X", "id_number"),
        ("证件 37030220140601123x 已登记", "37030220140601123x", "id_number"),
        ("身份证：370302 20140601 1234", "370302 20140601 1234", "id_number"),
        ("身份证：370302-2014-0601-123X。", "370302-2014-0601-123X", "id_number"),
        ("身份证：３７０３０２２０１４０６０１１２３４", "３７０３０２２０１４０６０１１２３４", "id_number"),
        ("老证号370302140601123还在用", "370302140601123", "id_number"),
        # Mobiles.
        ("联系13812345678", "13812345678", "mobile"),
        ("奶奶手机：139 0539 1234", "139 0539 1234", "mobile"),
        ("电话138-1234-5678转", "138-1234-5678", "mobile"),
        ("打+86 138 1234 5678", "+86 138 1234 5678", "mobile"),
        ("打0086-13812345678", "0086-13812345678", "mobile"),
        ("打+8613812345678", "+8613812345678", "mobile"),
        ("电话：１３８１２３４５６７８。", "１３８１２３４５６７８", "mobile"),
        ("电话138\u200b1234\u200b5678", "138\u200b1234\u200b5678", "mobile"),
        # Landlines, with the area code in any of the usual forms; 400/800 numbers.
        ("村委电话0539-8123456", "0539-8123456", "landline"),
        ("电话(0539)8123456", "(0539)8123456", "landline"),
        ("电话（0539）8123456", "（0539）8123456", "landline"),
        ("电话05398123456", "05398123456", "landline"),
        ("电话 0539 812 3456", "0539 812 3456", "landline"),
        ("北京010-62345678", "010-62345678", "landline"),
        ("电话：8123456", "8123456", "landline"),
        ("热线400-123-4567", "400-123-4567", "landline"),
        ("拨打800 810 8888", "800 810 8888", "landline"),
        # The child's and guardians' names, also spaced, dotted or with zero-width characters.
        ("张小明今年10岁", "张小明", "name"),
        ("张 小 明今年10岁", "张 小 明", "name"),
        ("孩子叫张·小明。", "张·小明", "name"),
        ("孩子叫张\u200b小\u200b明。", "张\u200b小\u200b明", "name"),
        ("孩子叫张\u3000小明。", "张\u3000小明", "name"),
        ("孩子叫张・小・明。", "张・小・明", "name"),
        ("小明很懂事", "小明", "name"),
        ("小 明很懂事", "小 明", "name"),
        ("由奶奶李秀英照顾", "李秀英", "name"),
        ("由奶奶秀英照顾", "秀英", "name"),
        ("姐姐欧阳娜娜上初中", "欧阳娜娜", "name"),
        ("姐姐娜娜上初中", "娜娜", "name"),
        ("母亲王芳在外务工", "王芳", "name"),
        ("她叫Lily Wang，", "Lily Wang", "name"),
        ("她叫lily  wang。", "lily  wang", "name"),
        ("WANG LILY likes books", "WANG LILY", "name"),
        # Addresses below the town.
        ("住12号", "12号", "address"),
        ("住3号楼", "3号楼", "address"),
        ("住三号楼", "三号楼", "address"),
        ("住2单元", "2单元", "address"),
        ("住501室", "501室", "address"),
        ("家住幸福路18号", "幸福路18号", "address"),
        ("家住幸福路 18 号", "幸福路 18 号", "address"),
        ("家住人民大街5号院", "人民大街5号院", "address"),
        ("住在6栋", "6栋", "address"),
        ("住在8幢", "8幢", "address"),
        ("住在弄堂8弄", "8弄", "address"),
        ("住在3巷", "3巷", "address"),
        ("住5组", "5组", "address"),
        ("住三组", "三组", "address"),
        ("住十二组", "十二组", "address"),
        ("住3村民小组", "3村民小组", "address"),
        ("住１２号", "１２号", "address"),
        # Names of the child's village and its neighbours, in full or without 村/社区/…
        ("张家庄村的孩子", "张家庄村", "address"),
        ("张家庄的孩子", "张家庄", "address"),
        ("张 家 庄的孩子", "张 家 庄", "address"),
        ("李家屯的孩子", "李家屯", "address"),
        ("城关社区的孩子", "城关社区", "address"),
        ("屠苏村的孩子", "屠苏村", "address"),
        ("屠苏的孩子", "屠苏", "address"),
        ("屠苏市场旁边", "屠苏", "address"),
        ("李村的孩子", "李村", "address"),
    ],
)
def test_each_kind_is_found_at_its_exact_place(text, expected, kind):
    assert found(text) == [(expected, kind)]


def test_an_address_with_building_unit_and_room_is_marked_part_by_part():
    assert found("住3号楼2单元501室。") == [("3号楼", "address"), ("2单元", "address"), ("501室", "address")]
    assert found("住张家庄村5组") == [("张家庄村", "address"), ("5组", "address")]


def test_a_summary_with_everything_is_marked_in_order_without_overlaps():
    text = "王芳的女儿张 小 明（身份证370302201406011234）住张家庄村三组，电话13905391234或0539-8123456。"
    hits = find_pii(text, names=NAMES, places=PLACES)
    assert [(text[h.start : h.end], h.kind) for h in hits] == [
        ("王芳", "name"),
        ("张 小 明", "name"),
        ("370302201406011234", "id_number"),
        ("张家庄村", "address"),
        ("三组", "address"),
        ("13905391234", "mobile"),
        ("0539-8123456", "landline"),
    ]
    assert all(a.end <= b.start for a, b in zip(hits, hits[1:], strict=False))


def test_overlapping_hits_merge_into_the_longest():
    # The given name inside the full name, the house number inside the street address.
    assert found("张小明住幸福路18号") == [("张小明", "name"), ("幸福路18号", "address")]
    # A village that is also a guardian's name: one hit over both.
    hits = find_pii("来自张家庄村", names=["张家庄"], places=["张家庄村"])
    assert [(h.start, h.end, h.kind) for h in hits] == [(2, 6, "address")]


@pytest.mark.parametrize(
    "text",
    [
        "义堂镇一名10岁留守女孩，五年级，数学基础薄弱，希望每周末有志愿者辅导两小时。",
        "需要冬季棉衣2件，身高140厘米左右。",
        "义堂镇一名初二男生，父母在外务工，由祖父母照顾，需要一台学习用的旧电脑。",
        "兰山区义堂镇一户家庭有3个孩子，最小的6岁，需要助学金3000元/学期。",
        "申请资助¥2,000，用于2026年9月开学的学费和书本费，已筹集45%。",
        "城关镇一名12岁男孩患有哮喘，每月药费约800元，希望有爱心人士帮助。",
        "孩子今年读三年级，第2学期语文成绩下降，希望有大学生志愿者每周视频陪伴一次。",
        "需要一双运动鞋，36码，以及书包1个、文具一套。",
        "义堂镇一名9岁女孩喜欢画画，需要水彩颜料和绘画本，预算200元以内。",
        "家中房屋漏雨，需要维修屋顶，预计材料费1.5万元，工期约2周。",
        "2025-2026学年需要助学金，每月300元，共10个月。",
        "留守儿童，初一，每周六上午9:00-11:00需要英语辅导，可线上进行。",
        "临沂市兰山区义堂镇一名15岁少年希望参加暑期职业体验活动，时间为7月10日至7月20日。",
        "义堂镇中心小学一名四年级学生视力下降，需要配一副眼镜，约500元。",
        "孩子父亲去世，母亲改嫁，现与爷爷奶奶同住，需要大米50斤、食用油2桶。",
        "希望为全镇30名留守儿童举办一次读书分享会，志愿者分成三组轮流带领。",
        "需要一张1.2米的单人床和被褥一套，孩子身高150厘米，体重40公斤。",
        "孩子9月1号开学，需要校服两套，穿160号，另需36号鞋一双。",
        "数学第3单元没学懂，希望在2026年3月前补上，每次1.5小时。",
        "城关镇的一名高一学生，学习成绩排名年级前10%，需要学费资助¥4,500。",
        "该儿童为事实无人抚养儿童，2019年起由民政部门保障，现需心理辅导服务（每月2次）。",
        "Ｔｈｅ ｃｈｉｌｄ ｎｅｅｄｓ ａ ｂｉｋｅ，预算８００元。",
    ],
)
def test_ordinary_summaries_pass(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text, names, places",
    [
        ("明天开始上课", ["明"], []),  # a one-character name is ignored
        ("芳草地很美", ["王芳"], []),  # a two-character name is matched only in full
        ("娜娜阿姨来了", ["欧阳娜"], []),  # compound surname: the given name 娜 has one character
        ("She likes Lily pads and Lilyana", ["Li"], []),  # Latin names are whole words
        ("城关镇一名10岁男孩", [], ["城关社区居委会"]),  # the town named like the community
        ("义堂镇的孩子", [], ["义堂社区"]),
        ("李村镇的孩子", [], ["李村"]),  # the town named like the village; 李 alone is not searched for
        ("城关区的孩子", [], ["城关社区"]),
        ("", ["张小明"], ["张家庄村"]),
    ],
)
def test_names_and_places_do_not_block_ordinary_text(text, names, places):
    assert find_pii(text, names=names, places=places) == []


def test_name_and_place_variants():
    assert name_variants("张小明") == ["张小明", "小明"]
    assert name_variants("张 小明") == ["张小明", "小明"]
    assert name_variants("王芳") == ["王芳"]
    assert name_variants("司马相如") == ["司马相如", "相如"]
    assert name_variants("诸葛亮") == ["诸葛亮"]
    assert name_variants("买买提·艾力") == ["买买提艾力", "买买提", "艾力"]
    assert name_variants("明") == []
    assert place_variants("屠苏村村民委员会") == [("屠苏村村民委员会", False), ("屠苏村", True), ("屠苏", True)]
    assert place_variants("李村") == [("李村", False)]


def test_normalisation_keeps_a_map_to_the_original():
    norm, index = normalise("张 小\u200b明 １２ 3 4")
    assert norm == "张小明12 3 4"
    assert index == [0, 2, 4, 6, 7, 8, 9, 10, 11]


def test_iterables_and_blank_inputs_are_accepted():
    hits = find_pii("张小明住张家庄", names=(n for n in ["", "  ", None, "张小明"]), places=iter(["张家庄村", ""]))
    assert [h.kind for h in hits] == ["name", "address"]


def test_hits_carry_a_translatable_label():
    hit = find_pii("身份证370302201406011234")[0]
    assert hit.kind == "id_number" and str(hit.label) == "Identity number"
    labels = {h.kind: str(h.label) for h in find_pii("张小明13812345678住5组0539-8123456", names=["张小明"])}
    assert set(labels) == {"name", "mobile", "address", "landline"} and all(labels.values())


def test_highlight_escapes_the_text_and_marks_exactly_the_hits():
    text = '<script>alert("张小明")</script> 电话13812345678 & 更多'
    hits = find_pii(text, names=["张小明"])
    html = highlight(text, hits)
    assert isinstance(html, Markup)
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;" in html
    assert html.count('<mark class="pii"') == 2 and html.count("</mark>") == 2
    assert '<mark class="pii" title="Name of the child or a guardian">张小明</mark>' in html
    assert '<mark class="pii" title="Mobile number">13812345678</mark>' in html
    assert html.endswith(" &amp; 更多")
    assert Markup(html).striptags() == Markup.escape(text).striptags()


def test_highlight_escapes_the_marked_text_and_the_label_and_sorts_hits():
    text = "a<b>c d"
    hits = [Hit(6, 7, "name", 'x"y'), Hit(1, 4, "name", "<label>")]
    assert highlight(text, hits) == Markup(
        'a<mark class="pii" title="&lt;label&gt;">&lt;b&gt;</mark>c <mark class="pii" title="x&#34;y">d</mark>'
    )


def test_highlight_without_hits_is_the_escaped_text():
    assert highlight("<i>ok</i>", []) == Markup("&lt;i&gt;ok&lt;/i&gt;")
    assert highlight("", []) == Markup("")


# --------------------------------------------------------------------------------------------------
# Bypasses found in review: invisible characters, punctuation inside names, Chinese numerals, and
# other separators inside numbers.

INVISIBLE = [
    "\u034f",  # combining grapheme joiner
    "\ufe00",  # variation selectors
    "\ufe0f",
    "\U000e0100",
    "\u2066",  # bidi isolates and embeddings
    "\u2067",
    "\u2068",
    "\u2069",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\U000e0000",  # tag characters
    "\U000e0001",
    "\U000e0020",
    "\U000e007f",
    "\u3164",  # Hangul fillers
    "\uffa0",
    "\u115f",
    "\u1160",
    "\u00ad",  # soft hyphen
    "\u180e",  # Mongolian vowel separator
    "\u0301",  # any combining or enclosing mark
    "\u20dd",
    "\u0007",  # a control character
]


@pytest.mark.parametrize("mark", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_inside_a_name_or_number_are_ignored(mark):
    assert found(f"母亲王{mark}芳在外务工") == [(f"王{mark}芳", "name")]
    assert found(f"母亲王{mark}{mark}芳") == [(f"王{mark}{mark}芳", "name")]
    assert found(f"住张{mark}家{mark}庄") == [(f"张{mark}家{mark}庄", "address")]
    assert found(f"电话139{mark}0539{mark}1234") == [(f"139{mark}0539{mark}1234", "mobile")]
    assert found(f"身份证3703022014{mark}06011234") == [(f"3703022014{mark}06011234", "id_number")]


def test_combining_marks_after_a_hit_are_marked_with_it():
    text = "母亲王芳\u0301\ufe0f在外务工"
    assert found(text) == [("王芳\u0301\ufe0f", "name")]
    html = highlight(text, find_pii(text, names=NAMES))
    assert '">王芳\u0301\ufe0f</mark>在外务工' in html


# Full-width and ASCII punctuation, symbols, emoji, a braille blank; also runs and runs with spaces.
BETWEEN = [*"、/|*_,，／｜＊＿。；~～!？…\"“”「」(（）【+=#@&%^<>\\'`★♥😀→\u2800", "——", " 、 ", " / ", "，\n", "- -"]


@pytest.mark.parametrize("between", BETWEEN)
def test_punctuation_and_symbols_between_the_characters_of_a_name_or_place_are_ignored(between):
    assert found(f"母亲王{between}芳在外务工") == [(f"王{between}芳", "name")]
    assert found(f"孩子叫张{between}小{between}明。") == [(f"张{between}小{between}明", "name")]
    assert found(f"来自李{between}家{between}屯的孩子") == [(f"李{between}家{between}屯", "address")]


def test_punctuation_inside_names_is_highlighted_in_the_original_text():
    text = "<b>王、芳</b>和张/小|明"
    html = highlight(text, find_pii(text, names=NAMES))
    assert '&lt;b&gt;<mark class="pii" title="Name of the child or a guardian">王、芳</mark>&lt;/b&gt;' in html
    assert '和<mark class="pii" title="Name of the child or a guardian">张/小|明</mark>' in html


def test_a_village_followed_by_punctuation_and_a_town_word_is_still_the_village():
    assert found("住在李村，镇上的学校太远") == [("李村", "address")]
    assert found("家在屠苏、镇里有亲戚") == [("屠苏", "address")]
    assert found("李 村镇的孩子") == []


@pytest.mark.parametrize(
    "text, expected, kind",
    [
        ("奶奶电话一三九零五三九一二三四", "一三九零五三九一二三四", "mobile"),
        ("奶奶电话一三九〇五三九一二三四。", "一三九〇五三九一二三四", "mobile"),
        ("电话：壹叁玖零伍叁玖壹贰叁肆", "壹叁玖零伍叁玖壹贰叁肆", "mobile"),
        ("电话：一八六两三四五六七八九", "一八六两三四五六七八九", "mobile"),
        ("手机幺三九零五三九幺二三四", "幺三九零五三九幺二三四", "mobile"),
        ("电话一三九 零五三九 一二三四", "一三九 零五三九 一二三四", "mobile"),
        ("电话一三九-零五三九-一二三四", "一三九-零五三九-一二三四", "mobile"),
        ("电话一三九、零五三九、一二三四", "一三九、零五三九、一二三四", "mobile"),
        ("电话一三九/零五三九/一二三四", "一三九/零五三九/一二三四", "mobile"),
        ("电话139零五三九1234", "139零五三九1234", "mobile"),
        ("电话1三9零5三9一2三4", "1三9零5三9一2三4", "mobile"),
        ("电话１３９零五三九一二三四", "１３９零五三九一二三四", "mobile"),
        ("电话一\u200b三九零五三九一二三四", "一\u200b三九零五三九一二三四", "mobile"),
        ("村委电话零五三九八一二三四五六", "零五三九八一二三四五六", "landline"),
        ("电话：八一二三四五六", "八一二三四五六", "landline"),
        ("身份证三七零三零二二零一四零六零一一二三四", "三七零三零二二零一四零六零一一二三四", "id_number"),
        ("身份证叁柒零叁零贰贰零壹肆零陆零壹壹贰叁X。", "叁柒零叁零贰贰零壹肆零陆零壹壹贰叁X", "id_number"),
        ("身份证三七零三零二 二零一四零六零一 一二三四", "三七零三零二 二零一四零六零一 一二三四", "id_number"),
    ],
)
def test_numbers_in_chinese_numerals_are_found(text, expected, kind):
    assert found(text) == [(expected, kind)]


def test_chinese_numerals_are_folded_only_in_runs_of_seven_or_more():
    norm, index = normalise("电话一三九零五三九一二三四")
    assert norm == "电话13905391234" and index == list(range(13))
    for ordinary in ("一二年级", "三四个孩子", "十一岁", "一二三四五六", "二〇二六年九月一日", "一两个月", "三三两两"):
        assert normalise(ordinary)[0] == ordinary
    assert normalise("一二三四五六七十")[0] == "1234567十"


@pytest.mark.parametrize(
    "text, expected, kind",
    [
        ("电话139/0539/1234", "139/0539/1234", "mobile"),
        ("电话139,0539,1234", "139,0539,1234", "mobile"),
        ("电话139，0539，1234。", "139，0539，1234", "mobile"),
        ("电话139.0539.1234", "139.0539.1234", "mobile"),
        ("电话139_0539_1234", "139_0539_1234", "mobile"),
        ("电话139、0539、1234", "139、0539、1234", "mobile"),
        ("电话139 / 0539 / 1234", "139 / 0539 / 1234", "mobile"),
        ("电话139．0539．1234", "139．0539．1234", "mobile"),
        ("电话139／0539／1234", "139／0539／1234", "mobile"),
        ("电话139//0539//1234", "139//0539//1234", "mobile"),
        ("身份证371302/20150101/123X", "371302/20150101/123X", "id_number"),
        ("身份证371302.20150101.123X", "371302.20150101.123X", "id_number"),
        ("身份证371302,20150101,1234", "371302,20150101,1234", "id_number"),
        ("身份证371302、20150101、123x", "371302、20150101、123x", "id_number"),
        ("身份证371302_20150101_1234", "371302_20150101_1234", "id_number"),
        ("村委电话0539/8123456", "0539/8123456", "landline"),
        ("村委电话0539.812.3456", "0539.812.3456", "landline"),
        ("电话：812,3456", "812,3456", "landline"),
        ("热线400/123/4567", "400/123/4567", "landline"),
        ("打+86 139/0539/1234", "+86 139/0539/1234", "mobile"),
        ("打0086.139.0539.1234", "0086.139.0539.1234", "mobile"),
    ],
)
def test_numbers_with_other_separators_are_found(text, expected, kind):
    assert found(text) == [(expected, kind)]


def test_two_numbers_in_a_list_are_found_separately():
    assert found("电话13905391234,13812345678") == [("13905391234", "mobile"), ("13812345678", "mobile")]
    assert found("电话139 0539 1234、138 1234 5678") == [("139 0539 1234", "mobile"), ("138 1234 5678", "mobile")]


@pytest.mark.parametrize(
    "text",
    [
        "弟弟妹妹分别读3、4年级，需要文具两套。",
        "需要资助3,000元，已筹集¥2,000，2026.9.1开学，9/1报到。",
        "资助期为2026.09.01-2027.06.30，每月300元。",
        "2026/09/01至2026/12/31每周辅导一次。",
        "全县教育投入13,500,000,000元，其中义堂镇1,380,000元。",
        "作业是第1、2、3、4、5、6、7、8、9、10、11课的练习。",
        "孩子十一岁，读五六年级，家里三四口人，一两年内需要资助，一二年级时成绩很好。",
        "二〇二六年九月一日开学，需要一二三四五六册练习本。",
        "成绩：语文92.5，数学88.5，英语90，总分271。",
        "身高1.45米，体重35.5公斤，鞋码36/37。",
        "三次测验138，464，181三四个孩子都参加了。",  # 三四 after a list of numbers is a word
        "奖学金分3,000、5,000、8,000元三档。",
        "身高149，168，179  5、3年级各一人。",  # numbers and separators of different kinds
        "资助期2023.09.26—2026.06.03，共3年。",
        "资助期2023.07.26—2024.01.08 2025.3.1再评估。",
        "三个年级人数分别为165，101，418，12个班。",  # a list: groups of 1–2 digits
        "人数134，311，147 10人缺席。",
        "奖励分130、150、180、20元四档。",
    ],
)
def test_ordinary_numbers_with_separators_pass(text):
    assert found(text) == []
