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
