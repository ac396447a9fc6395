"""Red team, round 2: whole summaries an outsider would write to slip a child's identity past the check.

Written without reading the check's source, its tests or its corpus: only the public ``find_pii`` API, the
bureaus' reports (how staff write) and the design's privacy rules. Each attack must produce at least one hit;
each ordinary summary, written in the bureaus' style, must produce none. Cases the check currently gets wrong
are ``xfail(strict=True)`` so that each fix flips one of them.

The context: 萧嫣 (born 2014-09-25) of 屠苏村, 义堂镇, 兰山区, 临沂市; her neighbours' villages; twenty children and
twenty guardians; her identity number (valid check digit), her father's mobile and the family landline.
"""

from datetime import date as D

import pytest

from portal.needs.pii import find_pii

CHILDREN = {
    "萧嫣": D(2014, 9, 25), "于佑": D(2015, 3, 12), "贾琪": D(2012, 6, 8), "袁琪琪": D(2013, 11, 2),
    "欧阳明轩": D(2016, 1, 19), "李可": D(2011, 7, 30), "王芳": D(2010, 12, 5), "张伟": D(2014, 4, 17),
    "刘洋": D(2013, 8, 21), "陈静": D(2015, 10, 9), "赵子涵": D(2012, 2, 14), "孙浩然": D(2016, 5, 3),
    "周梓萱": D(2011, 9, 1), "吴雨桐": D(2014, 12, 24), "郑一诺": D(2013, 3, 8), "冯欣怡": D(2017, 6, 1),
    "褚俊杰": D(2012, 10, 10), "卫诗琪": D(2015, 7, 7), "蒋宇航": D(2011, 1, 28), "韩小明": D(2016, 8, 16),
}
GUARDIANS = [
    "萧建国", "于秀英", "贾桂兰", "袁志强", "欧阳红", "李德福", "王秀兰", "张玉梅", "刘建军", "陈海燕",
    "赵立新", "孙丽", "周强", "吴敏", "郑军", "冯霞", "褚国庆", "卫红梅", "蒋涛", "韩磊",
]
NAMES = list(CHILDREN) + GUARDIANS
PLACES = ["屠苏村", "颐顺园村", "东石埠村", "西石埠村"]
PUBLIC_PLACES = ["义堂镇", "兰山区", "临沂市", "山东省"]
BIRTH_DATES = list(CHILDREN.values())

# 萧嫣's identity number (valid check digit), her father's mobile, the family landline
ID = "371302201409250027"
MOBILE = "13805391234"
LANDLINE = "0539-8123456"

ATTACKS = [
    # --- identity number: two evasions at once ---
    ("id-mixed-words", "萧同学需助学金，证件号三七一三〇二2014〇九25零零二7，请核实。"),
    ("id-mixed-words", "该生身份证：叁柒壹叁零贰贰零壹肆零玖贰伍零零贰柒，家庭困难。"),
    ("id-mixed-words", "儿童证件号 three seven one three zero two 2014 0925 0027，需要书包。"),
    ("id-mixed-words", "证件 san qi yao san ling er er ling yao si ling jiu er wu ling ling er qi，申请助学。"),
    ("id-mixed-words", "身份证号码：3七1三0二2０1四0九2五0０2七，需要学习用品。"),
    ("id-fullwidth-space", "身份证 ３７１３０２　２０１４０９２５　００２７ 的孩子需要冬衣。"),
    ("id-circled", "证件号③⑦①③⓪②②⓪①④⓪⑨②⑤⓪⓪②⑦，需心理疏导。"),
    ("id-paren", "证号⑶⑺⑴⑶0⑵⑵0⑴⑷0⑼⑵⑸00⑵⑺，需要轮椅一台。"),
    ("id-superscript", "编号³⁷¹³⁰²²⁰¹⁴⁰⁹²⁵⁰⁰²⁷的女孩需要助听器。"),
    ("id-math-bold", "身份证𝟑𝟕𝟏𝟑𝟎𝟐𝟐𝟎𝟏𝟒𝟎𝟗𝟐𝟓𝟎𝟎𝟐𝟕，申请助学金。"),
    ("id-math-mono", "证件𝟹𝟽𝟷𝟹𝟶𝟸𝟸𝟶𝟷𝟺𝟶𝟿𝟸𝟻𝟶𝟶𝟸𝟽，需要校服。"),
    ("id-lookalike-letters", "身份证 37l3O22Ol4O925OO27，需要课外辅导。"),
    ("id-lookalike-mix", "证件号 3713O2 2O14O9 25OO27 的孩子需要眼镜。"),
    ("id-lookalike-punct", "证号37|302201409250027，请尽快联系。"),
    ("id-zwj", "身份证37130\u200d22014\u200d09250027，需要药品。"),
    ("id-zwsp-bom", "身份证3713\u200b0220\ufeff1409\u2060250027，需要营养餐。"),
    ("id-combining", "身份证3\u03037\u03031\u03033\u030302201409250027，需要文具。"),
    ("id-split-sentences", "孩子证件前六位371302。出生于二〇一四年。后八位是09250027。需要学习桌。"),
    ("id-split-described", "证件号码前六位是本区代码371302，中间八位是生日20140925，末四位0027。"),
    ("id-arithmetic", "证件号等于371302201409250000加27，孩子需要冬衣。"),
    ("id-instructions", "证件号：先写371302，再写20140925，最后写0027，需要助学金。"),
    ("id-reversed-words", "证件号倒过来读是720052904102203173，需要书包。"),
    ("id-english", "ID no. 371302-20140925-0027, girl needs winter clothes."),
    ("id-dots", "身份证3.7.1.3.0.2.2.0.1.4.0.9.2.5.0.0.2.7，需要帮助。"),
    ("id-emoji-keycap", "证件3️⃣7️⃣1️⃣3️⃣0️⃣2️⃣2️⃣0️⃣1️⃣4️⃣0️⃣9️⃣2️⃣5️⃣0️⃣0️⃣2️⃣7️⃣，需要帮助。"),
    ("id-emoji-between", "证件号371302🌸20140925🌸0027，需要冬衣。"),
    ("id-linebreak", "证件号3713022014\n09250027，需要课桌。"),
    ("id-roman", "证号 III VII I III 0 II II 0 I IV 0 IX II V 0 0 II VII，需要帮扶。"),
    ("id-table", "证件：\n3 7 1 3 0 2\n2 0 1 4 0 9\n2 5 0 0 2 7\n孩子需要助学金。"),
    ("id-lowercase-x-variant", "身份证37130220120608001３号，需要书包。"),
    ("id-prefix-digits-words", "兰山区代码371302开头，生日那段是二零一四零九二五，尾号零零二七。"),
    ("id-mixed-scripts", "证件号٣٧١٣٠٢٢٠١٤٠٩٢٥٠٠٢٧ 的孩子需要助学金。"),
    ("id-devanagari-fullwidth", "证件३७१३०२２０１４०९२५००२७，需要冬衣。"),
    ("id-hyphen-dashes", "证件号371302–2014–0925–0027（长破折号），需要课外书。"),
    ("id-slash", "证件371302/20140925/0027的女孩需要辅导。"),
    ("id-pinyin-yao", "证件号 san qi yao san ling er, er ling yao si ling jiu er wu, ling ling er qi。"),
    ("id-english-words-mix", "Her ID: 371302 two zero one four zero nine two five 0027. Needs a schoolbag."),
    ("id-half-numerals", "证件号三七一三零二二零一四零九二五零零二七，家庭困难。"),
    ("id-unit-chars", "证号：三十七、十三、零二、二十、十四、零九、二十五、零零、二十七。"),
    # --- mobile / landline ---
    ("phone-mixed-words", "请联系监护人，电话一三八0539一二三四。"),
    ("phone-english-words", "Call her father at one three eight zero five three nine one two three four."),
    ("phone-upper-numerals", "父亲电话壹叁捌零伍叁玖壹贰叁肆，可电话联系。"),
    ("phone-pinyin-words", "dianhua yao san ba ling wu san jiu yao er san si，联系家长。"),
    ("phone-arithmetic", "联系电话：13805391000再加234。"),
    ("phone-split-sentences", "父亲手机号前三位138。中间四位0539。最后四位1234。"),
    ("phone-split-far", "家长手机尾号1234。孩子上三年级，成绩优秀。家长手机前七位1380539。"),
    ("phone-circled", "电话①③⑧⓪⑤③⑨①②③④，欢迎联系。"),
    ("phone-fullwidth-dash", "电话：１３８－０５３９－１２３４。"),
    ("phone-lookalike", "电话 l38O539l234，欢迎联系。"),
    ("phone-lookalike-b", "电话 I3B O5E9 I2E4 有事联系。"),
    ("phone-emoji", "📞138🔸0539🔸1234 联系家长。"),
    ("phone-keycap", "☎️1️⃣3️⃣8️⃣0️⃣5️⃣3️⃣9️⃣1️⃣2️⃣3️⃣4️⃣"),
    ("phone-intl", "Tel +86 138 0539 1234，家长可接听。"),
    ("phone-intl-0086", "电话0086-13805391234，联系家长。"),
    ("phone-superscript", "手机¹³⁸⁰⁵³⁹¹²³⁴，请联系孩子奶奶。"),
    ("phone-math-bold", "手机𝟏𝟑𝟖𝟎𝟓𝟑𝟗𝟏𝟐𝟑𝟒，请联系。"),
    ("phone-zwj", "手机138\u200d0539\u200d1234，请联系。"),
    ("phone-combining", "电话1\u03363\u03368\u033605391234联系。"),
    ("phone-reversed", "电话倒着写：43219350831。"),
    ("phone-instructions", "电话号码：一个1，一个3，一个8，然后是0539，最后1234。"),
    ("phone-landline-words", "家中座机零五三九八一二三四五六，白天有人。"),
    ("phone-landline-area-split", "座机区号是临沂的0539，号码8123456。"),
    ("phone-landline-fullwidth", "座机（０５３９）８１２３４５６。"),
    ("phone-landline-plain", "家庭电话0539-8123456，奶奶在家。"),
    ("phone-dots", "家长电话138.0539.1234"),
    ("phone-words-dian", "家长的电话：幺三八，洞五三九，幺二三四。"),
    ("phone-mixed-english-cn", "Contact number 138 零五三九 1234 (father)."),
    ("phone-linebreak", "监护人电话138053\n91234，请联系。"),
    ("phone-slash-parts", "电话138/0539/1234"),
    ("phone-spelled-mix-scripts", "电话١٣٨٠٥٣٩١٢٣٤，母亲接听。"),
    ("phone-roman", "电话 I III VIII 0 V III IX I II III IV。"),
    # --- names ---
    ("name-split-words", "萧（化名不用）嫣同学需要一台电脑。"),
    ("name-split-by-linebreak", "该生姓萧\n名嫣，今年十二岁，需要助学金。"),
    ("name-described", "孩子姓萧，单名一个嫣字，需要学习用品。"),
    ("name-described-b", "孩子姓欧阳，名字叫明轩，需要课外辅导。"),
    ("name-pinyin-nospace", "Xiaoyan needs a new schoolbag and winter coat."),
    ("name-pinyin-caps", "XIAO YAN，三年级，需要助学金。"),
    ("name-pinyin-hyphen", "Xiao-Yan 同学需要眼镜。"),
    ("name-pinyin-reversed", "Yan Xiao is a girl in grade three who needs a desk."),
    ("name-pinyin-tones", "Xiāo Yān 需要冬衣。"),
    ("name-pinyin-tone-numbers", "xiao1 yan1 同学家庭困难。"),
    ("name-pinyin-ouyang", "Ouyang Mingxuan, 8 years old, needs a wheelchair."),
    ("name-pinyin-ouyang-nospace", "OUYANGMINGXUAN同学需要助听器。"),
    ("name-wade-giles", "Hsiao Yen, a 12-year-old girl, needs tutoring."),
    ("name-wade-giles-b", "Chang Wei needs a schoolbag."),
    ("name-initials-surname", "Y. Qiqi 同学需要书本。"),
    ("name-surname-initial", "袁QQ同学需要书本。"),
    ("name-fullwidth-latin", "Ｘｉａｏ　Ｙａｎ 同学需要书包。"),
    ("name-traditional", "蕭嫣同學需要助學金。"),
    ("name-traditional-b", "歐陽明軒需要輪椅。"),
    ("name-japanese-form", "欧陽明軒くんは車椅子が必要です。"),
    ("name-zwj", "萧\u200d嫣同学需要课外书。"),
    ("name-zwsp", "欧阳\u200b明轩同学需要帮助。"),
    ("name-combining", "萧\u0301嫣同学需要帮助。"),
    ("name-emoji", "萧🌸嫣同学需要冬衣。"),
    ("name-punct", "萧·嫣同学需要冬衣。"),
    ("name-spaces-fullwidth", "萧　嫣同学需要冬衣。"),
    ("name-ideographic-variation", "萧\U000e0100嫣同学需要冬衣。"),
    ("name-radical-lookalike", "⻄石埠村的孩子需要冬衣。"),
    ("name-kangxi-radical", "贾琪的父亲⼯作不稳定，需要帮扶。"),
    ("name-compat-ideograph", "于佑同学需要書包，父親于秀英已病故。"),
    ("name-repeat-char-variant", "袁琪\u3005同学需要营养餐。"),
    ("name-english-sentence", "The girl's family name is Xiao and her given name is Yan."),
    ("name-guardian-in-english", "Her father Xiao Jianguo is ill and cannot work."),
    ("name-guardian-traditional", "祖母王秀蘭照顧孫女。"),
    ("name-pinyin-with-dots", "X.i.a.o Y.a.n 需要文具。"),
    ("name-reversed-chars", "嫣萧同学（倒序）需要帮助。"),
    ("name-across-two-words", "需帮扶儿童：欧阳 / 明轩（八岁）。"),
    ("name-html-entity", "萧&#23315;同学需要文具。"),
    ("name-percent-encoded", "资料见 %E8%90%A7%E5%AB%A3 需要帮助。"),
    ("name-guardian-split", "爷爷萧建\n国身体不好，孙女需要照顾。"),
    ("name-pinyin-in-email-like", "孩子叫 zhangwei，需要电脑。"),
    ("name-abbrev-pinyin-initials", "儿童XY（萧嫣）需要书包。"),
    ("name-pinyin-apostrophe", "Ou'yang Ming'xuan需要轮椅。"),
    ("name-mixed-han-pinyin", "萧yan同学需要冬衣。"),
    ("name-mixed-pinyin-han", "Xiao嫣同学需要冬衣。"),
    # --- village names ---
    ("village-pinyin", "Tusu Village child needs winter clothes."),
    ("village-pinyin-caps", "TUSUCUN 的女孩需要帮助。"),
    ("village-traditional", "屠蘇村一名兒童需要書包。"),
    ("village-split", "屠（镇西）苏村一女孩需助学。"),
    ("village-abbrev", "屠苏的一名儿童需要冬衣。"),
    ("village-zwj", "屠\u200d苏村的孩子需要冬衣。"),
    ("village-neighbour", "东石埠村一男孩需要课外辅导。"),
    ("village-neighbour-abbrev", "石埠东村一男孩需要课外辅导。"),
    ("village-described", "孩子住在义堂镇以“屠苏”酒命名的那个村。"),
    ("village-pinyin-tones", "Túsū cūn 的儿童需要书包。"),
    ("village-emoji", "屠🍶苏村女孩需要帮助。"),
    ("village-yishunyuan-pinyin", "Yishunyuan village, 10-year-old boy needs glasses."),
    # --- house numbers / addresses ---
    ("house-words", "家住村东头，门牌号三十八号，需要修缮房屋。"),
    ("house-upper", "住址：屯里叁拾捌号，需要冬季取暖。"),
    ("house-english", "Lives at No. 38, East Street; needs a heater."),
    ("house-building-words", "住在五号楼二单元三零一室，需要冬衣。"),
    ("house-circled", "住⑤号楼②单元301，需要冬衣。"),
    ("house-fullwidth", "住址：幸福路１２号院３号楼，需要冬衣。"),
    ("house-street-number", "家住义堂镇幸福路88号，需要帮扶。"),
    ("house-hyphen", "家住5-2-301，需要冬衣。"),
    ("house-directions", "从镇政府往北第三条胡同左手第二家就是孩子家。"),
    ("house-room-english", "Room 301, Building 5, Unit 2 — needs winter clothes."),
    # --- birth dates ---
    ("birth-iso-fullwidth", "女孩出生于２０１４－０９－２５，需要助学金。"),
    ("birth-words-upper", "生日贰零壹肆年玖月贰拾伍日，需要书包。"),
    ("birth-english", "Born on 25 September 2014, she needs a desk."),
    ("birth-english-us", "Born Sept. 25th, 2014; needs school supplies."),
    ("birth-split", "孩子生于2014年。生日是9月25日。需要冬衣。"),
    ("birth-compact", "出生20140925，需要冬衣。"),
    ("birth-two-digit-year", "生日14.9.25，需要冬衣。"),
    ("birth-described", "孩子的生日是国庆节前五天，2014年出生。"),
    ("birth-pinyin", "chusheng riqi: er ling yi si nian jiu yue er shi wu ri"),
    ("birth-age-exact", "孩子出生于2014年秋分后第二天。"),
    ("birth-dot-words", "生于二〇一四.九.二十五。"),
    ("birth-circled", "生日⑨月㉕日，2014年出生。"),
    ("birth-ideographic-month", "生日2014年㋈25日，需要冬衣。"),
    ("birth-superscript", "生日²⁰¹⁴/⁰⁹/²⁵，需要冬衣。"),
    # --- e-mail ---
    ("email-at-dot-words", "联系邮箱 xiaoyan2014 at qq dot com"),
    ("email-brackets", "邮箱 xiaojianguo[at]163[dot]com"),
    ("email-fullwidth", "邮箱ｘｉａｏｊｇ＠１６３．ｃｏｍ"),
    ("email-chinese-words", "邮箱：xiaojg艾特163点com"),
    ("email-chinese-quan", "邮箱xiaojg圈a 163.com"),
    ("email-spaced", "e-mail: x i a o j g @ 1 6 3 . c o m"),
    ("email-qq-number", "邮箱是QQ号加@qq.com，QQ号见下：3456789012"),
    ("email-plain-qq", "邮箱 1380539123@qq.com"),
    # --- WeChat / QQ ---
    ("wechat-v-letter", "加V：xiaojg1980 了解详情"),
    ("wechat-wei-homophone", "薇信 xjg_1980，孩子父亲。"),
    ("wechat-vx", "vx号：xjg1980 联系家长"),
    ("wechat-green-bubble", "绿色软件搜 xjg1980 加好友"),
    ("wechat-emoji", "💚 xjg1980 可联系"),
    ("wechat-english", "WeChat ID x j g 1 9 8 0"),
    ("qq-kou", "扣扣：叁肆伍陆柒捌玖零壹贰"),
    ("qq-penguin", "企鹅号 3456789012 联系家长"),
    ("qq-words", "QQ three four five six seven eight nine zero one two"),
    ("qq-q-only", "Q：3456789012（家长）"),
    ("wechat-phone-same", "微信同手机号，手机见上一句。手机138-0539-1234"),
    ("douyin-id", "抖音号 xiaoyan0925 有孩子视频"),
    # --- plates ---
    ("plate-fullwidth", "父亲开的车是鲁Ｑ·１２３４５，可接送。"),
    ("plate-traditional-space", "車牌 魯 Q 1 2 3 4 5 可接送。"),
    ("plate-pinyin-province", "车牌 Lu Q12345 接送孩子。"),
    ("plate-words", "车牌鲁Q一二三四五"),
    ("plate-lookalike", "车牌鲁Q l2E4S"),
    ("plate-new-energy", "车牌鲁QD12345，父亲接送。"),
    # --- URLs ---
    ("url-with-id", "资料见 http://example.org/child?id=371302201409250027"),
    ("url-with-phone", "详情 https://t.cn/x?tel=13805391234"),
    ("url-pinyin-name", "孩子主页 https://example.org/xiaoyan2014"),
    ("url-qr-description", "扫码查看：weixin.qq.com/r/xjg1980"),
]

ORDINARY = [
    "义堂镇一名10岁女孩，父亲病故、母亲改嫁，随祖母生活，现读三年级，需要助学金3000元。",
    "兰山区一名8岁男孩，肢体残疾二级，需要一台轮椅，预算约2000元。",
    "临沂市兰山区义堂镇一名12岁留守儿童，父母在外务工，需要每周一次课业辅导。",
    "女孩今年11岁，读五年级，学习成绩优秀，希望获得学习用品和课外书。",
    "男孩7岁，患有先天性心脏病，术后需要营养补助，每月约500元。",
    "该儿童为事实无人抚养儿童，2023年7月起按月发放基本生活费。",
    "2024年9月开学前，需要校服两套、书包一个、文具一套。",
    "孩子明天要参加期中考试，希望志愿者周末辅导数学和英语。",
    "组织观看宇航员太空授课后，孩子对航天很感兴趣，希望得到科普读物。",
    "小明式的举例教学对孩子很有效，志愿者可采用图画讲解。",
    "需求：冬季棉衣一件、棉鞋一双，尺码适合身高140厘米的儿童。",
    "义堂镇中心小学四年级女生，需要视力矫正，配镜费用约600元。",
    "兰山区民政局已核实，该儿童纳入低保，家庭月收入不足1500元。",
    "需要一名有资质的心理咨询师，每两周一次，共6次，帮助孩子走出丧亲之痛。",
    "孩子在义堂镇中学读初二，住校，每学期住宿费800元。",
    "2025年春季学期需要学费补助1200元。",
    "如有疑问请拨打民政服务热线12345或12349咨询。",
    "紧急情况请拨打110、120，或联系镇儿童督导员。",
    "未成年人保护热线12355，心理援助热线12356。",
    "该生身高135厘米，体重28公斤，需要营养餐补助。",
    "孩子患有癫痫，需长期服用丙戊酸钠，每月药费约300元。",
    "孩子听力损失70分贝，需要配置助听器，费用约8000元。",
    "孤儿，9岁，由叔叔代为照料，需要一对一结对帮扶。",
    "红色风险等级，需要每月入户走访两次。",
    "蓝色风险等级儿童，需要学业辅导和亲情陪伴。",
    "一类一策：针对该儿童制定营养、学业、心理三方面帮扶方案。",
    "临沂市慈善总会可提供配套资金5000元，缺口2000元。",
    "孩子爱好画画，希望有志愿者教授美术，每周六上午。",
    "孩子英语基础薄弱，需要每周两次、每次1小时的线上辅导。",
    "男孩13岁，读七年级，需要一台用于上网课的平板电脑。",
    "女孩6岁，即将上一年级，需要入学用品。",
    "该家庭共3名儿童，最大的12岁，最小的5岁，均需冬衣。",
    "2023年上半年，义堂镇排查低保家庭儿童线索901条。",
    "全区574名困境儿童已完成评估，本需求为其中一例。",
    "孩子患有自闭症谱系障碍，需要康复训练，每次课时费150元，共20次。",
    "孩子视力左眼0.3、右眼0.4，需要配镜。",
    "需要修缮房屋漏雨屋顶，预计材料费4500元。",
    "孩子喜欢踢足球，希望得到一双球鞋，尺码36码。",
    "孩子需要一张学习桌和一盏护眼台灯，合计约400元。",
    "母亲重度残疾，父亲服刑，孩子由祖父母抚养，需要生活帮扶。",
    "孩子参加了“童心有梦”项目，希望继续获得社工陪伴。",
    "孩子10岁，四年级，语文成绩80分，数学65分，需要数学辅导。",
    "本学期（2024年9月至2025年1月）需要午餐补助，每天10元。",
    "每月1日发放生活费1200元，本需求为额外的教育支出。",
    "孩子于2022年失去父亲，需要心理疏导。",
    "兰山区儿童福利指导中心将全程跟踪本需求。",
    "需要爱心人士资助初中三年的学习费用，共计约6000元。",
    "孩子患有哮喘，需要雾化器一台，约300元。",
    "需要志愿者每周三下午16:00—17:30辅导作业。",
    "在义堂镇儿童之家活动时间为每周六9:00至11:00。",
    "孩子10岁，需要一辆自行车上学，学校离家3公里。",
    "请通过儿童主任联系，不要直接联系家庭。",
    "孩子今年上三年级，期末考试进步明显，需要奖励性质的图书。",
    "需要牙科矫正，费用约1.2万元，已申请医疗救助5000元。",
    "孩子对编程感兴趣，希望参加暑期编程夏令营（7月15日至7月25日）。",
    "孩子身体残疾，需要无障碍改造卫生间。",
    "两个孩子都在义堂镇中心小学读书，分别读二年级和五年级。",
    "受助儿童年龄段：6—12岁。",
    "需要冬季取暖煤1吨，约1100元。",
    "9歲男孩一年前失去父親，隨母親生活，需要心理輔導。",
    "義堂鎮一名困境兒童需要學習用品和冬衣。",
    "孩子学习认真，明天就要去县城参加作文比赛，需要一套正装。",
    "孩子的梦想是成为宇航员，需要天文望远镜一台，约800元。",
    "孩子阅读能力较弱，需要拼音读物和识字卡片。",
    "孩子会说简单英语，如 Hello, how are you?",
    "Girl, 10, grade 4, needs a winter coat and boots. Budget 500 yuan.",
    "Boy aged 8 with cerebral palsy needs rehabilitation therapy, 20 sessions.",
    "The child lives in Yitang town, Lanshan district, Linyi city, and needs tutoring.",
    "Nu hai 10 sui, xuyao zhuxuejin 3000 yuan.",
    "孩子所在学校为义堂镇第二小学，离家约2公里。",
    "孩子需要一份重大疾病保险，年保费约200元。",
    "孩子2024年9月升入四年级，学校要求配备校服两套。",
    "孩子有先天性唇腭裂，已完成一期手术，二期手术需要资助2万元。",
    "需要志愿者陪伴孩子过周末，每月2次，每次半天。",
    "孩子三年级时成绩下滑，四年级需要补习语文。",
    "家庭住房面积约30平方米，需要一张上下床。",
    "孩子需要1000元购买冬季衣物，200元购买文具。",
    "第一季度已发放3次走访记录，第二季度需要继续跟进。",
    "孩子在2023年获评“三好学生”，需要奖学金继续学业。",
    "孩子目前在兰山区特殊教育学校就读，需要交通补助每月100元。",
    "孩子12岁，六年级，身高150厘米，鞋码37。",
    "孩子的监护人为祖母，祖母年满70岁，身体欠佳。",
    "孩子父亲2021年因病去世，母亲下落不明。",
    "该需求已由义堂镇儿童督导员审核，报兰山区民政局发布。",
    "需要5名志愿者在暑假期间开展安全教育活动。",
    "孩子需要每天一杯牛奶，一年约需720元。",
    "孩子患有白血病，正在临沂市人民医院治疗，需要资助化疗费用。",
    "孩子就读于临沂市第十二中学，需要住宿生活用品。",
    "需要钢琴课程资助，每节课80元，每周一节。",
    "儿童年龄：9岁；年级：三年级；类别：教育。",
    "孩子喜欢学习数学，曾获全镇数学竞赛第2名。",
    "请各社会组织于2024年12月31日前认领。",
    "认领后请于15个工作日内完成交付并上传照片。",
    "孩子需要2套秋冬校服（每套150元）、1个书包（80元）。",
    "希望有爱心企业提供100本课外读物，捐赠到义堂镇儿童之家。",
    "困境儿童精准帮扶：助学、助医、助困三类需求之一。",
    "孩子目前体重偏低，BMI为14.5，需要营养改善。",
    "孩子参加了2024年暑期夏令营，表现良好。",
    "十二岁男孩，初一，需要一副近视眼镜，约三百元。",
    "孩子八岁，读二年级，需要一千元学习费用。",
    "孩子从三岁起由外祖母抚养，现已十岁。",
    "临沂市民政局2023年为1332名儿童发放生活费1035.87万元。",
    "孩子每周一、三、五放学后需要托管服务。",
    "孩子需要一对一结对帮扶，帮扶人需通过县民政局审核。",
]

ATTACKS += [
    # --- round 2 extras: combinations, descriptions, other alphabets ---
    ("id-partial-last6", "身份证后六位250027，兰山区户籍，需要助学金。"),
    ("id-fullwidth-lookalike", "证件：３７l３Ｏ２２Ｏ１４Ｏ９２５ＯＯ２７，需要冬衣。"),
    ("id-english-oh", "ID three-seven-one-three-oh-two, two-oh-one-four-oh-nine-two-five, oh-oh-two-seven."),
    ("id-upper-zwj", "证件叁柒壹叁零贰\u200d贰零壹肆零玖贰伍\u200d零零贰柒。"),
    ("id-url-path", "档案链接 child.example.org/371302201409250027 需要帮扶。"),
    ("phone-english-oh", "Grandma's mobile: one-three-eight, oh-five-three-nine, one-two-three-four."),
    ("phone-half-words-half-digits", "手机 138 zero five three nine 1234，父亲。"),
    ("phone-upper-yao", "电话幺叁捌零伍叁玖幺贰叁肆"),
    ("phone-sum", "电话是13805390000与1234之和，请联系父亲。"),
    ("phone-linebreak-words", "父亲手机138 0539\n（工作日）1234"),
    ("phone-pairs", "电话：1 38 05 39 12 34（两位一组）"),
    ("phone-words-zwj", "电话一\u200d三\u200d八\u200d零五三九一二三四"),
    ("phone-fullwidth-lookalike", "电话：１３８Ｏ５３９l２３４"),
    ("name-regional-indicators", "🇽🇮🇦🇴 🇾🇦🇳 needs a winter coat."),
    ("name-enclosed-latin", "Ⓧⓘⓐⓞ Ⓨⓐⓝ 同学需要书包。"),
    ("name-small-caps", "ᴢʜᴀɴɢ ᴡᴇɪ 同学需要书包。"),
    ("name-cyrillic-lookalike", "Хiао Yаn needs a schoolbag."),
    ("name-greek-lookalike", "Ζhang Wei (Greek Z) needs glasses."),
    ("name-pinyin-sentence", "Ta jiao Xiao Yan, jin nian shi er sui, xu yao zhu xue jin."),
    ("name-bopomofo", "ㄒㄧㄠ ㄧㄢ 同学需要书包。"),
    ("name-radical-description", "孩子姓草字头的萧，名是女字旁加一个焉的嫣。"),
    ("name-traditional-zwj", "蕭\u200d嫣同學需要書包。"),
    ("name-fullwidth-hyphen", "Ｘｉａｏ－Ｙａｎ 需要冬衣。"),
    ("name-wade-giles-umlaut", "Ou-yang Ming-hsüan needs a wheelchair."),
    ("name-english-possessive", "Xiao Yan's father died last year; she needs tutoring."),
    ("name-guardian-pinyin-initials", "Her guardian is Zhou Q., grandfather."),
    ("name-acrostic", "萧瑟秋风今又是，\n嫣红一片映山川。\n孩子需要冬衣。"),
    ("name-homophone", "肖燕同学（化名谐音）需要书包。"),
    ("name-homophone-b", "小燕子萧同学需要冬衣。"),
    ("name-surname-plus-nickname", "萧家小嫣需要冬衣。"),
    ("name-nickname-diminutive", "嫣嫣今年十二岁，需要冬衣。"),
    ("name-guardian-split-words", "爷爷是萧建国（村里人都认识），孩子需要照顾。"),
    ("village-pinyin-sentence", "Ta zhu zai Tu Su Cun, xu yao dong yi."),
    ("village-initials", "TSC村一名女孩需要冬衣。"),
    ("village-bopomofo", "ㄊㄨˊ ㄙㄨ 村的孩子需要冬衣。"),
    ("village-described-neighbour", "孩子在东石埠的西边那个村，需要帮扶。"),
    ("village-hyphen-pinyin", "Tu-su village, girl of 12, needs a coat."),
    ("birth-month-day-with-age", "孩子今年9月25日满12周岁，需要冬衣。"),
    ("birth-upcoming", "孩子下个生日是2026年9月25日，届时满12岁。"),
    ("birth-english-abbrev", "DOB 25-Sep-2014, needs winter clothes."),
    ("birth-english-us-numeric", "DOB: 09/25/2014"),
    ("email-instruction", "邮箱 xiaojg#163.com（#换成@）"),
    ("email-chinese-zai", "邮箱 xiaojg 在 163 点 com"),
    ("email-spaced-words", "mail xiaojg (at) 163 (dot) com"),
    ("wechat-spaced", "微 信 号：xjg1980"),
    ("wechat-pinyin", "weixin: xjg1980"),
    ("wechat-heart", "V❤：xjg1980 联系家长"),
    ("wechat-satellite", "卫星号xjg1980（懂的都懂）"),
    ("qq-spaced", "Q Q：3456789012"),
    ("qq-words-upper", "扣扣号叁肆伍陆柒捌玖零壹贰，家长。"),
    ("plate-described", "父亲的车是临沂牌照Q，号码12345。"),
    ("plate-english", "Father's car plate: Lu Q 12345."),
    ("house-traditional", "住址：村中三十八號。"),
    ("house-household-index", "孩子家是村里第38户，需要冬衣。"),
    ("house-doorplate", "门牌：38，需要修缮。"),
]

ORDINARY += [
    "2024年全市累计发放生活费4696300元，本需求为其中一例的补充。",
    "淄博市为215名儿童发放助学金1075000元，本县参照执行。",
    "全区发放奖学金219150元，惠及136名儿童。",
    "临民发〔2024〕12号文件规定，孤儿基本生活费每月1500元。",
    "按照兰政办发〔2023〕38号文件，该儿童符合保障条件。",
    "孩子在临沂市人民医院住院，需要资助医疗费用约3万元。",
    "每周强化一次阅读训练，需要志愿者陪读。",
    "培养孩子的浩然正气和一诺千金的诚信品格，需要德育读物。",
    "识时务者为俊杰——孩子喜欢读成语故事，需要成语词典。",
    "孩子说话细声细气，性格安静，可以先从绘画入手建立信任。",
    "孩子喜欢海洋生物，希望参观临沂市科技馆。",
    "孩子需要学习用品，可以通过儿童主任转交。",
    "政务服务便民热线12345，儿童福利咨询12349，均可受理求助。",
    "遇到侵害未成年人情况，请拨打110报警或12355求助。",
    "孩子每天7:30到校，17:00放学。",
    "需要资金共计3,000元，已筹1,200元。",
    "2024年9月1日开学，需在8月25日前完成采购。",
    "孩子在2024-2025学年第一学期被评为进步之星。",
    "需要志愿者于2024年10月1日至10月7日国庆假期陪伴。",
    "助学金标准：小学每生每年1000元，初中每生每年1250元。",
    "孩子参加了3297人次的走访活动中的两次。",
    "临沂市兰山区义堂镇，女孩，10—12岁年龄段，教育类需求。",
    "孩子需要的药品为布地奈德混悬液，每盒约90元。",
    "孩子12岁，体重32kg，需要营养奶粉。",
    "需要一台打印机，用于打印学习资料，约800元。",
    "孩子在镇中心小学六年级二班，班主任反映其需要心理辅导。",
    "孩子需要矫形鞋两双，每双约600元，每6个月更换一次。",
]

ATTACKS += [
    # --- round 2, third pass: variants, other scripts, numbers with units ---
    ("id-fullwidth-last", "身份证37130220120608001３，需要书包。"),
    ("id-number-with-units", "证件号前六位三十七万一千三百零二，后面是二零一四零九二五零零二七。"),
    ("phone-number-with-units", "手机号：一百三十八、零五三九、一千二百三十四。"),
    ("phone-pinyin-english-mix", "dianhua yao san ba zero five three nine 1234"),
    ("phone-pinyin-tones", "电话 yāo sān bā líng wǔ sān jiǔ yāo èr sān sì"),
    ("phone-intro-described", "手机号码：1 3 8 后面接临沂区号0539，再接1234。"),
    ("name-variant-surname", "肖嫣同学需要书包。"),
    ("name-variant-surname-b", "袁琦琦同学需要营养餐。"),
    ("name-brackets", "萧【嫣】同学需要冬衣。"),
    ("name-leet-pinyin", "X1ao Yan needs a schoolbag."),
    ("name-russian", "Сяо Янь, 12 лет, нужна зимняя одежда."),
    ("name-katakana", "シャオ・イェンさんは冬服が必要です。"),
    ("name-hangul", "샤오옌 학생은 겨울옷이 필요합니다."),
    ("name-combining-pinyin", "Xi\u0332ao Ya\u0332n needs a coat."),
    ("name-title-english", "Mr. Xiao Jianguo, the girl's father, is ill."),
    ("village-spaced", "屠 苏 村的孩子需要冬衣。"),
    ("village-tone-initials", "TS村一名女孩需要冬衣。"),
    ("house-yard", "家住村里38号院，需要修缮。"),
    ("plate-upper", "车牌鲁Q壹贰叁肆伍，父亲接送。"),
    ("plate-dash-lookalike", "车牌鲁Q-l2345"),
    ("email-emoji-at", "邮箱 xiaojg📧163.com"),
]

ORDINARY += [
    "2024年是新中国建国75周年，学校组织孩子参观纪念馆。",
    "八一建军节，志愿者带孩子参观军营。",
    "国庆节期间，孩子希望参加义堂镇儿童之家的活动。",
    "学习高尔基的《海燕》后，孩子写了一篇读后感。",
    "孩子性格敏感，需要耐心陪伴。",
    "初中新生军训需要一套迷彩服。",
    "孩子意志强大，康复训练坚持得很好。",
    "孩子坚强乐观，学习刻苦。",
    "冬天红梅花开时，学校组织写生活动，孩子需要画具。",
    "志愿者两人一组入户走访，每次不少于1小时。",
    "孩子参加了学校第一组的朗读比赛。",
    "Please contact the child director through the bureau's official Weixin account.",
    "小明有5个苹果——孩子做这类应用题有困难，需要数学辅导。",
    "请于9月25日前完成认领。",
    "6月1日儿童节，需要为孩子准备节日礼物。",
    "六一儿童节前需要完成交付。",
    "3月8日妇女节，孩子想给奶奶准备礼物。",
    "12月24日前需要送达冬衣。",
    "9月1日开学，需要提前准备书包。",
    "10月10日前请上传交付照片。",
    "2月14日前完成寒假辅导。",
    "7月7日至8月31日暑假期间需要托管。",
    "孩子的父亲于2021年去世，母亲于2022年改嫁。",
    "孩子家距离镇中心小学2.5公里，需要一辆自行车。",
    "全市8家社会组织参与，371名孤困儿童获得结对关爱。",
]

ATTACKS += [
    # --- round 2, fourth pass: invisible and markup separators, reassembly, other notations ---
    ("name-markdown", "**萧**嫣同学需要冬衣。"),
    ("name-html-tags", "<b>萧</b><i>嫣</i>同学需要冬衣。"),
    ("name-soft-hyphen", "萧\u00ad嫣同学需要冬衣。"),
    ("name-hangul-filler", "萧\u3164嫣同学需要冬衣。"),
    ("name-braille-blank", "萧\u2800嫣同学需要冬衣。"),
    ("name-variation-selector", "萧\ufe0f嫣同学需要冬衣。"),
    ("name-mongolian-separator", "萧\u180e嫣同学需要冬衣。"),
    ("name-unicode-escape", "孩子姓名 \\u8427\\u5ae3，需要冬衣。"),
    ("name-html-entity-hex", "孩子姓名&#x8427;&#x5AE3;，需要冬衣。"),
    ("name-pinyin-resegmented", "Xia oyan needs winter clothes."),
    ("name-pinyin-mixed-case-tones", "XiāO YĀN 需要冬衣。"),
    ("name-slash", "萧/嫣同学需要冬衣。"),
    ("phone-nbsp", "电话138\u00a00539\u00a01234，父亲。"),
    ("phone-thin-space", "电话138\u20090539\u20091234，父亲。"),
    ("phone-figure-space", "电话138\u20070539\u20071234，父亲。"),
    ("phone-ling-mix", "电话138〇539一234，父亲。"),
    ("phone-amounts-reassembled", "预算：书包138元，校服0539元，冬衣1234元（三项金额连起来就是父亲手机）。"),
    ("id-yao-dong", "证件号三七幺三洞二二洞幺四洞九二五洞洞二七。"),
    ("birth-lunar", "孩子农历二〇一四年九月初二出生。"),
    ("birth-day-of-year", "孩子出生于2014年第268天。"),
    ("birth-iso-time", "出生时间2014-09-25T08:00。"),
    ("birth-english-words", "She was born on the twenty-fifth of September, two thousand fourteen."),
    ("birth-short-chinese", "生日：九·二五，2014年生。"),
    ("email-ideographic-dot", "邮箱 xiaojg@163。com"),
    ("qq-fullwidth", "ＱＱ：３４５６７８９０１２"),
    ("plate-circled", "车牌鲁Q·①②③④⑤"),
    ("plate-province-english", "Shandong plate Q-12345, father drives her."),
    ("village-homophone", "图苏村一名女孩需要冬衣。"),
]

ORDINARY += [
    "孩子穿36号鞋，需要一双运动鞋。",
    "校服尺码160号，需要两套。",
    "需要5号电池一盒，用于助听器。",
    "需要2B铅笔10支、A4纸一包。",
    "孩子想学钢琴，已考过2级。",
    "孩子在班里考了第3名，希望获得奖励图书。",
    "孩子就读于兰山区第一实验小学三年级二班。",
    "“兰山e起助”平台已为孩子生成二维码，扫码即可签到走访。",
    "按照“一对一”结对方式，需要一名爱心人士长期帮扶。",
    "孩子患有1型糖尿病，需要胰岛素和血糖试纸，每月约600元。",
    "孩子患有唐氏综合征，需要特殊教育康复课程。",
    "孩子诊断为ADHD（注意缺陷多动障碍），需要行为训练。",
    "孩子需要一台iPad用于网课，可接受二手。",
    "家中没有Wi-Fi，需要资助一年的4G流量费约360元。",
    "全区15个镇街、500余户家庭已完成走访。",
    "培训覆盖率达100%，本需求由儿童主任核实。",
    "孩子的课程：语文、数学、英语、道德与法治、科学。",
    "孩子身高1.4米，体重30公斤，营养状况一般。",
    "孩子9岁5个月，读三年级。",
    "2025.1.15前交付即可。",
    "8:30-11:30在义堂镇儿童之家开展活动。",
    "孩子考试成绩提高了15.5分。",
    "孩子性格开朗，笑起来嫣然可爱，喜欢唱歌。",
    "孩子在海洋馆研学活动中表现积极。",
    "孩子说话声音很轻，性格安静。",
    "春天到了，校园里花香芬芳，孩子想参加植树活动。",
    "孩子光明磊落，乐于助人，被评为班干部。",
    "孩子看着晚霞画了一幅画，获得镇里绘画比赛二等奖。",
    "破旧立新，帮助孩子养成按时作息的好习惯。",
    "孩子崇拜伟大的科学家，想要一套科普丛书。",
    "Volunteers are needed on Saturdays from 9 to 11 am at the children's home in Yitang town.",
    "The boy is 11 years old, in grade 5, and needs a bicycle to ride 3 km to school.",
    "Budget: 2,000 yuan for a hearing aid; 500 yuan already raised.",
    "Ta xuyao yi tai diannao, yusuan 3000 yuan.",
    "孩子喜欢足球，曾参加兰山区小学生足球联赛。",
    "孩子所在的临沂市兰山区义堂镇中心小学有图书室。",
    "孩子每天步行40分钟上学，需要一辆儿童自行车。",
    "孩子需要一张上下铺床，长2米、宽1.2米。",
    "孩子家里有一台老式电视，需要一台书桌放在窗前。",
    "2023年6月，3名儿童随祖父母将户籍迁来义堂镇。",
    "7月份起为孩子发放事实无人抚养儿童基本生活费。",
    "截至2024年底，全县共有孤儿12名、事实无人抚养儿童86名。",
    "孩子属于红黄蓝绿四级风险中的黄色等级。",
    "孩子参加“童行未莱”关爱活动三次。",
    "孩子需要每周一次、每次45分钟的言语康复训练。",
]

ATTACKS += [
    # --- round 2, fifth pass: two evasions at once on names and villages ---
    ("name-traditional-pinyin", "蕭Yan同學需要冬衣。"),
    ("name-fullwidth-zwj-pinyin", "Ｘｉａｏ\u200dＹａｎ needs a coat."),
    ("name-initial-traditional", "X.嫣同學需要書包。"),
    ("name-nbsp", "萧\u00a0嫣同学需要冬衣。"),
    ("name-pinyin-linebreak-hyphen", "The girl, Xiao-\nyan, needs a coat."),
    ("name-wade-giles-cyrillic-o", "Hsiaо Yen needs a coat."),
    ("name-guardian-title", "萧建国老人腿脚不便，孙女需要照顾。"),
    ("name-guardian-pinyin-caps-reversed", "JIANGUO XIAO is her grandfather."),
    ("name-child-pinyin-given-only", "Yan, 12, from the Xiao family, needs a coat."),
    ("surname-age-town", "义堂镇一名萧姓12岁女孩，父亲病故，需要冬衣。"),
    ("village-fullwidth-pinyin", "Ｔｕｓｕ村的孩子需要冬衣。"),
    ("village-traditional-zwj", "屠\u200d蘇村的孩子需要冬衣。"),
    ("village-pinyin-cyrillic", "Тusu village girl needs a coat."),
    ("village-neighbour-traditional-split", "東石（村委會旁）埠村男孩需要輔導。"),
    ("id-region-words-plus-birth", "兰山区户籍（371302），2014年9月25日生，证件尾号0027。"),
]

ORDINARY += [
    "孩子的班主任姓王，建议志愿者先与学校沟通。",
    "由志愿者李老师每周辅导一次数学。",
    "孩子喜欢读《小王子》和《海底两万里》。",
    "孩子有一个哥哥，在县城读高中。",
    "请社会组织认领后与儿童主任对接，不直接接触家庭。",
    "交付时请拍摄物资照片，不拍孩子正脸。",
    "孩子需要一套初中数学辅导书（人教版七年级上册）。",
    "孩子需要一副羽毛球拍和一筒球。",
    "孩子视力下降，需要到临沂市眼科医院复查，路费约100元。",
    "孩子需要助学金1500元，用于2025年春季学期。",
    "孩子今年十岁，生日在秋天，希望收到一本百科全书。",
    "孩子的爷爷今年72岁，奶奶68岁，均患慢性病。",
    "孩子与弟弟两人共用一张书桌，需要再添置一张。",
    "兰山区民政局联系电话请见局官网，勿在需求中留个人电话。",
    "本需求经义堂镇人民政府审核，于2024年11月发布。",
    "孩子希望在寒假期间学习游泳，需要10节课。",
    "孩子需要冬季棉被一床、电热毯一条。",
    "孩子需要一个新书包，旧书包已经破损。",
    "捐赠物资请寄送到义堂镇儿童之家，由儿童主任转交。",
    "孩子需要康复训练的交通补助，每次往返约30元，每月8次。",
]

# Cases the check gets wrong today (text -> why). A fix removes the entry; strict xfail says when.
MISSED = {
    '孩子姓萧，单名一个嫣字，需要学习用品。':
        'red team: out of reach, name-described is not refused',
    "The girl's family name is Xiao and her given name is Yan.":
        'red team: out of reach, name-english-sentence is not refused',
    '萧&#23315;同学需要文具。':
        'red team: name-html-entity is not refused',
    '从镇政府往北第三条胡同左手第二家就是孩子家。':
        'red team: out of reach, house-directions is not refused',
    '孩子的生日是国庆节前五天，2014年出生。':
        'red team: out of reach, birth-described is not refused',
    '孩子出生于2014年秋分后第二天。':
        'red team: out of reach, birth-age-exact is not refused',
    '绿色软件搜 xjg1980 加好友':
        'red team: out of reach, wechat-green-bubble is not refused',
    '企鹅号 3456789012 联系家长':
        'red team: qq-penguin is not refused',
    '孩子姓草字头的萧，名是女字旁加一个焉的嫣。':
        'red team: out of reach, name-radical-description is not refused',
    '萧瑟秋风今又是，\n嫣红一片映山川。\n孩子需要冬衣。':
        'red team: out of reach, name-acrostic is not refused',
    '肖燕同学（化名谐音）需要书包。':
        'red team: out of reach, name-homophone is not refused',
    '小燕子萧同学需要冬衣。':
        'red team: out of reach, name-homophone-b is not refused',
    '萧家小嫣需要冬衣。':
        'red team: name-surname-plus-nickname is not refused',
    '嫣嫣今年十二岁，需要冬衣。':
        'red team: name-nickname-diminutive is not refused',
    '袁琦琦同学需要营养餐。':
        'red team: name-variant-surname-b is not refused',
    'Сяо Янь, 12 лет, нужна зимняя одежда.':
        'red team: name-russian is not refused',
    'シャオ・イェンさんは冬服が必要です。':
        'red team: out of reach, name-katakana is not refused',
    '샤오옌 학생은 겨울옷이 필요합니다.':
        'red team: out of reach, name-hangul is not refused',
    '预算：书包138元，校服0539元，冬衣1234元（三项金额连起来就是父亲手机）。':
        'red team: out of reach, phone-amounts-reassembled is not refused',
    '孩子出生于2014年第268天。':
        'red team: out of reach, birth-day-of-year is not refused',
    '图苏村一名女孩需要冬衣。':
        'red team: out of reach, village-homophone is not refused',
    'Yan, 12, from the Xiao family, needs a coat.':
        'red team: name-child-pinyin-given-only is not refused',
    '义堂镇一名萧姓12岁女孩，父亲病故，需要冬衣。':
        'red team: out of reach, surname-age-town is not refused',
}

FALSE_ALARMS = {
    '需要志愿者于2024年10月1日至10月7日国庆假期陪伴。':
        'red team: false alarm on 国庆 (name)',
    '2024年是新中国建国75周年，学校组织孩子参观纪念馆。':
        'red team: false alarm on 建国 (name)',
    '小明有5个苹果——孩子做这类应用题有困难，需要数学辅导。':
        'red team: false alarm on 小明 (name)',
}


def _check(text):
    return find_pii(text, names=NAMES, places=PLACES, birth_dates=BIRTH_DATES, public_places=PUBLIC_PLACES)


def _params(cases, wrong):
    return [pytest.param(text, id=f"{label}-{i}",
                         marks=[pytest.mark.xfail(strict=True, reason=wrong[text])] if text in wrong else [])
            for i, (label, text) in enumerate(cases)]


def test_the_context_id_number_has_a_valid_check_digit():
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    assert "10X98765432"[sum(int(c) * w for c, w in zip(ID[:17], weights, strict=True)) % 11] == ID[17]
    assert ID[6:14] == CHILDREN["萧嫣"].strftime("%Y%m%d")


def test_the_plain_secrets_are_refused():
    for secret in (ID, MOBILE, LANDLINE, "萧嫣", "屠苏村", "2014年9月25日"):
        assert _check(f"孩子需要冬衣。{secret}"), secret


@pytest.mark.parametrize("text", _params(ATTACKS, MISSED))
def test_attack_summary_is_refused(text):
    assert _check(text), text


@pytest.mark.parametrize("text", _params([("ordinary", t) for t in ORDINARY], FALSE_ALARMS))
def test_ordinary_summary_is_published(text):
    hits = _check(text)
    assert hits == [], [(text[h.start:h.end], h.kind) for h in hits]
