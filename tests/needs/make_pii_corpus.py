"""Writes ``pii_corpus.jsonl``: the context (a town's children, guardians, villages and dates of birth,
made from a fixed seed) and the cases (summaries to block, by class of evasion, and ordinary ones).
Kept to show how the corpus was made and to extend it: new cases go at the end, so the earlier ones
and the context stay as they are.

    .venv/bin/python tests/needs/make_pii_corpus.py
"""

import json
import random
from datetime import date, timedelta
from pathlib import Path

import opencc
from pypinyin import Style, pinyin

rng = random.Random(18)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = ("子涵浩然欣怡梓轩雨桐宇航思远佳怡俊杰紫萱一诺明轩诗琪晨曦若汐博文嘉怡天佑梦琪皓轩语嫣泽宇可馨"
         "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英秀兰玉华建国志红春梅海燕鹏辉立新婷雪飞琳")
RELATIONS = ["祖父", "祖母", "外祖母", "母亲", "父亲"]
FIXED = ["萧嫣", "于佑", "贾琪", "袁琪琪", "张小明", "李可", "李娜", "马克", "王芳", "欧阳娜娜", "司马相如",
         "胡曼", "林丹", "何平", "曾雨桐", "单于明", "吕欣怡", "买买提·艾力", "诸葛晨曦", "陈一诺", "阎宇航"]

GIVEN2 = ("子涵 浩然 欣怡 梓轩 雨桐 宇航 思远 佳怡 俊杰 紫萱 一诺 明轩 诗琪 晨曦 若汐 博文 嘉怡 天佑 梦琪 皓轩 语嫣 泽宇 可馨 "
          "秀英 桂英 秀兰 玉兰 建国 志强 海燕 春梅 晓东 晓燕 丽华 国强 文杰 俊豪 雨萱 子轩 梓涵 欣妍 浩宇 思彤 雅琪 "
          "宇轩 一鸣 子墨 梓萌 若曦 芷若 家豪 嘉豪 佳琪 雨欣 昊天 明哲 思琪 可欣 心怡 婉清 佳宁 俊熙 梓睿 景行 "
          "文博 雅静 慧敏 立新 红霞 秀梅 振华 德胜 永强 淑珍 玉梅 桂兰 建华 卫东 晓丽 春燕 金凤 玉珍 凤英 长林").split()
GIVEN1 = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚鹏辉婷雪飞琳浩宇轩欣怡峰波斌颖慧")


def name():
    return rng.choice(SURNAMES) + (rng.choice(GIVEN2) if rng.random() < 0.7 else rng.choice(GIVEN1))

children = []
while len(children) < 240:
    n = name()
    born = date(2026, 11, 26) - timedelta(days=rng.randint(365, 17 * 365))
    children.append((n, born))
children[:8] = [("萧嫣", date(2014, 9, 25)), ("贾琪", date(2012, 3, 8)), ("袁琪琪", date(2013, 6, 1)),
                ("张小明", date(2015, 11, 30)), ("曾雨桐", date(2011, 1, 17)), ("吕欣怡", date(2016, 7, 9)),
                ("诸葛晨曦", date(2010, 12, 12)), ("陈一诺", date(2018, 4, 22))]
guardians = [name() for _ in range(240)]
guardians[:13] = ["于佑", "李可", "李娜", "马克", "王芳", "欧阳娜娜", "司马相如", "胡曼", "林丹", "何平", "单于明",
                  "买买提·艾力", "阎宇航"]
names = sorted(set(n for n, _ in children) | set(guardians))
PLACES = ["屠苏村村民委员会", "义顺村村民委员会", "东关村", "西关村", "南庄村", "北岭村", "王家庄村", "李家屯村",
          "前河村", "后河村", "新兴村", "红旗村", "和平社区居委会", "朱陈村", "大岭村", "石埠村", "沙沟村",
          "小皇山村", "演武村", "李村"]
context = {"context": "yitang", "public_places": ["义堂镇", "兰山区", "临沂市", "山东省"], "names": names, "places": PLACES,
           "birth_dates": sorted({b.isoformat() for _, b in children})}

cases = []
def add(text, expect, cls):
    cases.append({"text": text, "context": "yitang", "expect": expect, "class": cls})

def py(n, style=Style.NORMAL):
    return [p[0] for p in pinyin(n, style=style)]

# ---------------------------------------------------------------- blocked: the attack as reported
for t in ["义堂镇儿童 Xiao Yan（萧）需要课业辅导，祖父 Yu You 照顾。", "身份证3713O22O15O221OOO3", "监护人电话l37O8593715",
          "证件号前17位37130220100114000", "家住七十七号，需要修缮屋顶。", "孩子住八十一号，家中困难。", "一名儿童賈琪需要学费帮助，家中困难。",
          "义堂镇一名儿童与同村的袁琪琪一起上学，需要自行车。", "萧x嫣需要辅导。", "来自屠蘇村的孩子需要冬衣。", "Tusu村一名孩子需要书包。",
          "身份证前六位371302，后面是20140925，最后四位1234", "电话٠١٣٧٣٩٧٥٤٩٤٤", "电话1373975494四", "电话137加39754944",
          "孩子2014年9月25日出生，需要辅导。", "联系邮箱 xiaoyan2014@qq.com"]:
    add(t, "block", "reported")

# ---------------------------------------------------------------- blocked: names in pinyin
targets = [n for n in names if "·" not in n]
rng.shuffle(targets)
forms = []
for i, n in enumerate(targets[:60]):
    sur = 2 if n[:2] in ("欧阳", "司马", "诸葛", "单于") else 1
    s, g = py(n[:sur]), py(n[sur:])

    def cap(parts):
        return "".join(p.capitalize() if k == 0 else p for k, p in enumerate(parts))

    style = i % 10
    if style == 0:
        txt = f"{cap(s)} {cap(g)} needs help with maths."
    elif style == 1:
        txt = f"孩子叫{cap(g)} {cap(s)}，需要辅导。"
    elif style == 2:
        txt = f"义堂镇一名儿童（{(''.join(s) + ''.join(g)).upper()}）需要书包。"
    elif style == 3:
        tones = [p[0] for p in pinyin(n, style=Style.TONE)]
        txt = f"监护人{' '.join(tones)}外出务工。"
    elif style == 4:
        t3 = [p[0] for p in pinyin(n, style=Style.TONE3)]
        txt = f"孩子名字是{''.join(t3)}，需要冬衣。"
    elif style == 5:
        txt = f"{n[:sur]}{cap(g)}同学需要一辆自行车。"
    elif style == 6:
        txt = f"{cap(s)}{n[sur:]}需要心理辅导。" if len(n) - sur >= 1 else f"{cap(s)} {cap(g)}"
    elif style == 7:
        txt = f"Please help {cap(s)}-{cap(g)} with English."
    elif style == 8:
        wg = [p[0] for p in pinyin(n, style=Style.WADEGILES)]
        txt = f"受助儿童 {' '.join(w.capitalize() for w in wg)}。"
    else:
        txt = f"{'.'.join(p.capitalize() for p in s + g)} 今年10岁。"
    add(txt, "block", "pinyin_name")
for n in [t for t in targets if len(t) == 3 and t[:2] not in ("欧阳", "司马", "诸葛", "单于")][:8]:
    s, g = py(n[0]), py(n[1:])
    add(f"{s[0].capitalize()} {''.join(x[0].upper() for x in g)} 需要学习用品。", "block", "pinyin_initials")
    add(f"Please contact {s[0].capitalize()} {g[0].capitalize()} {g[1][0].upper()}. for details", "block", "pinyin_initials")
for n in [t for t in targets if len(t) == 3 and t[:2] not in ("欧阳", "司马", "诸葛", "单于")][8:14]:
    add(f"孩子 {''.join(p[0] for p in py(n)).upper()} 需要辅导。", "block", "pinyin_initials")
for n in [t for t in targets if len(t) == 2][:6]:
    bo = [p[0] for p in pinyin(n, style=Style.BOPOMOFO)]
    add(f"受助儿童：{' '.join(bo)}", "block", "zhuyin_name")
# given names alone (2 syllables)
for n in [t for t in targets if len(t) == 3 and t[:2] not in ("欧阳", "司马", "诸葛", "单于")][14:22]:
    g = py(n[1:])
    add(f"小朋友{g[0].capitalize()}{g[1]}喜欢画画，需要颜料。", "block", "pinyin_given")

# ---------------------------------------------------------------- blocked: names in characters, disguised
others = [n for n in names if "·" not in n and n not in FIXED]
rng.shuffle(others)

t2 = opencc.OpenCC("s2t")
for n in others[:12]:
    add(f"义堂镇一名孩子{t2.convert(n)}需要课外辅导。", "block", "traditional_name")
for k, n in enumerate(others[12:24]):
    junk = ["x", "1", "a", "·", "★", "_", "z", "0", "/", "😀", "b", "ⅱ"][k]
    add(f"同村的{junk.join(n)}一起参加活动。", "block", "junk_in_name")
for n in others[24:36]:
    add(f"申请人的邻居{n}家的孩子也需要帮助。", "block", "neighbour_name")
for n in others[36:42]:
    add(f"监护人{n[0]} {n[1:]}身体不好。", "block", "spaced_name")
add("外公 Ma Ke 在外务工，孩子需要陪伴。", "block", "pinyin_name")
add("孩子的母亲 Li Na 常年生病。", "block", "pinyin_name")
add("Yu You 是孩子的爷爷。", "block", "pinyin_name")
add("孩子 Xiāo Yān 需要辅导。", "block", "pinyin_name")
add("孩子 ㄒㄧㄠ ㄧㄢ 需要辅导。", "block", "zhuyin_name")
add("孩子 Hsiao Yen 需要辅导。", "block", "wade_giles_name")
add("孩子 Хiао Yаn 需要辅导。", "block", "cyrillic_lookalike_name")
add("孩子萧Yan需要辅导。", "block", "mixed_script_name")
add("孩子Xiao嫣需要辅导。", "block", "mixed_script_name")
add("孩子叫Lü Xinyi。", "block", "pinyin_name")
add("孩子叫Lyu Xinyi。", "block", "pinyin_name")
add("孩子叫Lv Xinyi。", "block", "pinyin_name")
add("Zeng Yutong needs a tutor.", "block", "pinyin_name")
add("Ceng Yutong needs a tutor.", "block", "pinyin_heteronym")
add("Chanyu Ming 是监护人。", "block", "pinyin_heteronym")
add("Zhuge Chenxi 喜欢读书。", "block", "pinyin_name")
add("孩子叫 Chenxi Zhuge。", "block", "pinyin_name")
add("孩子叫ZhangXiaoMing。", "block", "pinyin_name")
add("孩子叫 zhang-xiao-ming。", "block", "pinyin_name")
add("孩子叫 z h a n g x i a o m i n g。", "block", "pinyin_name")
add("孩子叫 Xiaoming Zhang。", "block", "pinyin_name")
add("孩子叫 ZXM。", "block", "pinyin_initials")
add("孩子叫 Z.X.M.", "block", "pinyin_initials")
add("孩子 Zhang X. M. 需要辅导", "block", "pinyin_initials")
add("孩子叫 Jia Qi，需要学费。", "block", "pinyin_name")
add("同村的 Yuan Qiqi 也一起。", "block", "pinyin_name")
add("母亲 Wang Fang 在外打工。", "block", "pinyin_name")
add("Fang Wang is her mother.", "block", "pinyin_name")
add("爷爷叫 Ouyang Nana 的邻居。", "block", "pinyin_name")
add("监护人 Sima Xiangru。", "block", "pinyin_name")
add("孩子和 Hu Man 住在一起。", "block", "pinyin_name")
add("Lin Dan 是孩子的舅舅。", "block", "pinyin_name")
add("买买提艾力是孩子的父亲。", "block", "minority_name")
add("父亲艾力在外务工。", "block", "minority_name")
add("孩子叫萧 嫣。", "block", "spaced_name")
add("孩子叫萧\u200b嫣。", "block", "invisible_in_name")
add("孩子叫蕭嫣。", "block", "traditional_name")
add("孩子叫賈 琪。", "block", "traditional_name")
add("孩子叫袁琪琪。", "block", "neighbour_name")
add("姐姐曾雨桐读初中。", "block", "neighbour_name")
add("雨桐读初中。", "block", "given_name")
add("一诺今年上三年级。", "block", "given_name")

# ---------------------------------------------------------------- blocked: villages
for v, pyv in [("屠苏", "Tusu"), ("义顺", "Yishun"), ("东关", "Dongguan"), ("南庄", "Nanzhuang"), ("王家庄", "Wangjiazhuang"),
               ("李家屯", "Lijiatun"), ("小皇山", "Xiaohuangshan"), ("演武", "Yanwu"), ("朱陈", "Zhuchen"), ("沙沟", "Shagou")]:
    add(f"来自{pyv}村的孩子需要冬衣。", "block", "pinyin_village")
    add(f"孩子家在{t2.convert(v)}村。", "block", "traditional_village")
add("孩子住在 Tusu Cun。", "block", "pinyin_village")
add("孩子住在 tusu village。", "block", "pinyin_village")
add("孩子住在TS村。", "block", "village_initials")
add("孩子住在 Li Cun。", "block", "pinyin_village")
add("孩子住在 Hongqi 村。", "block", "pinyin_village")
add("孩子住在屠-苏村。", "block", "junk_in_village")
add("孩子住在屠x苏。", "block", "junk_in_village")
add("和平社区的孩子需要陪伴。", "block", "village")
add("家住后河，离学校远。", "block", "village")

# ---------------------------------------------------------------- blocked: identity numbers
ids = ["371302201409250021", "37130220120308004X", "371302201306010013", "371302201511300027"]
for i in ids:
    add(f"身份证{i}", "block", "id")
    add(f"身份证{i[:17]}", "block", "id_17")
    add(f"证件号码前16位{i[:16]}", "block", "id_16")
    add(f"证件号{i[:14]}", "block", "id_14")
    add(f"身份证{i.replace('0', 'O').replace('1', 'l')}", "block", "id_lookalike")
    add(f"身份证{i[:6]}，出生{i[6:14]}，顺序码{i[14:]}", "block", "id_split")
    add(f"证件号开头是{i[:6]}，接着是{i[6:10]}和{i[10:14]}，最后{i[14:]}", "block", "id_split")
    add(f"身份证{''.join('٠١٢٣٤٥٦٧٨٩'[int(c)] if c.isdigit() else c for c in i)}", "block", "id_arabic_indic")
    add(f"身份证{''.join('零一二三四五六七八九'[int(c)] if c.isdigit() else c for c in i)}", "block", "id_numerals")
    add(f"身份证{i[:9]}号{i[9:]}", "block", "id_junk")
add("身份证3713022014０9250021", "block", "id_fullwidth")
add("身份证 ३७१३०२२०१४०९२५००२१", "block", "id_devanagari")
add("身份证 ①③⑦①③⓪②⓪①④⓪⑨②⑤⓪⓪②①", "block", "id_circled")

# ---------------------------------------------------------------- blocked: phones
phones = ["13739754944", "15805391234", "18653912345", "13305390000"]
for p in phones:
    add(f"电话{p[:3]}加{p[3:]}", "block", "phone_junk")
    add(f"手机{p[:-1]}{'零一二三四五六七八九'[int(p[-1])]}", "block", "phone_numeral")
    add(f"电话{p.replace('1', 'l').replace('0', 'O')}", "block", "phone_lookalike")
    add(f"电话{' '.join(['zero','one','two','three','four','five','six','seven','eight','nine'][int(c)] for c in p)}", "block", "phone_words")
    add(f"电话{' '.join(['ling','yao','er','san','si','wu','liu','qi','ba','jiu'][int(c)] for c in p)}", "block", "phone_pinyin_words")
    add(f"联系电话前三位{p[:3]}，中间{p[3:7]}，后四位{p[7:]}", "block", "phone_split")
    add(f"电话{''.join('٠١٢٣٤٥٦٧٨٩'[int(c)] for c in p)}", "block", "phone_arabic_indic")
    add(f"奶奶手机{p[:3]}-{p[3:7]}-{p[7:]}", "block", "phone")
add("电话137 x 3975 x 4944", "block", "phone_junk")
add("电话一三七三九七五四九四四", "block", "phone_numerals")
add("电话壹叁柒叁玖柒伍肆玖肆肆", "block", "phone_numerals")
add("座机0539-8123456", "block", "landline")
add("vx 13812345678", "block", "phone")

# ---------------------------------------------------------------- blocked: birth dates
bds = [b for _, b in children[:8]] + [b for _, b in children[20:26]]
for k, b in enumerate(bds):
    form = k % 6
    if form == 0:
        t = f"孩子{b.year}年{b.month}月{b.day}日出生，需要辅导。"
    elif form == 1:
        t = f"生日{b.year}-{b.month:02d}-{b.day:02d}，需要书包。"
    elif form == 2:
        t = f"出生日期：{b:%Y.%m.%d}"
    elif form == 3:
        t = f"孩子生于{b:%Y/%m/%d}。"
    elif form == 4:
        t = f"{b:%Y%m%d}出生的孩子需要冬衣。"
    else:
        t = f"孩子{str(b.year)[2:]}年{b.month}月{b.day}日生，需要陪伴。"
    add(t, "block", "birth_date")
add("孩子二〇一四年九月二十五日出生。", "block", "birth_date_numerals")
add("孩子生日是9月25日。", "block", "birth_date")
add("孩子是2014年9月25日的生日。", "block", "birth_date")

# ---------------------------------------------------------------- blocked: contacts, plates, addresses
for t in ["邮箱 xiaoyan2014@qq.com", "邮箱：xiao.yan@163.com", "邮箱 xiaoyan at qq dot com", "邮箱 xiaoyan(at)gmail(dot)com",
          "邮箱xiaoyan＠１６３．ｃｏｍ", "邮箱 xiaoyan艾特qq点com", "发邮件到 yu_you@sina.cn", "邮箱 jiaqi#126.com",
          "微信：xiaoyan_mama", "微信号 xiaoyan2014", "vx: jiaqi0308", "VX xiaoyan88", "加薇信 yuyou1960", "威信 yuyou_1960",
          "QQ 12345678", "QQ号：987654321", "扣扣 876543210", "wechat: yuan_qiqi", "抖音号 xiaoyan2014",
          "车牌鲁Q·12345", "车牌号鲁QD12345", "家里的车是魯Q 8K88A", "鲁Q-A1234的车主",
          "家住七十七号", "家住一百零三号院", "住三号楼二单元", "住五〇一室", "门牌号是88", "门牌七十七",
          "住幸福路七号", "住在人民路18号", "住12号", "住3组", "住在第三村民小组", "住五组"]:
    add(t, "block", "contact_or_address")

# ---------------------------------------------------------------- pass: ordinary summaries
towns = ["义堂镇", "兰山区", "临沂市", "城关镇", "义堂镇中心小学", "兰山区实验小学"]
grades = ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "初一", "初二", "初三", "高一", "高二"]
needs = ["数学辅导", "英语辅导", "一台旧电脑", "冬季棉衣", "一辆自行车", "书桌和台灯", "心理疏导", "助学金", "眼镜", "运动鞋",
         "绘画用品", "课外书", "学费资助", "助听器", "校服", "被褥", "轮椅", "医疗费用"]
tags = ["留守", "困境", "孤儿", "事实无人抚养", "低保家庭", "残疾", "流动"]
for k in range(150):
    town, grade, need, tag = rng.choice(towns), rng.choice(grades), rng.choice(needs), rng.choice(tags)
    age = rng.randint(6, 17)
    amount = rng.choice([300, 500, 800, 1000, 1500, 2000, 3000, 4500, 5000, 8000, 10000, 12000])
    form = k % 10
    if form == 0:
        t = f"{town}一名{age}岁{tag}儿童，{grade}，需要{need}。"
    elif form == 1:
        t = f"{town}一名{grade}学生需要{need}，预算{amount}元。"
    elif form == 2:
        t = f"{town}一名{age}岁女孩，{grade}，希望每周末有志愿者提供{need}，每次2小时。"
    elif form == 3:
        t = f"孩子{age}岁，读{grade}，家庭困难，需要资助{amount}元，用于{rng.randint(2025, 2027)}年{rng.randint(1, 12)}月开学。"
    elif form == 4:
        t = f"{town}{rng.randint(5, 40)}名{tag}儿童需要一次暑期活动，时间为7月{rng.randint(1, 15)}日至7月{rng.randint(16, 30)}日。"
    elif form == 5:
        t = f"身高{rng.randint(110, 175)}厘米，体重{rng.randint(20, 60)}公斤，需要{need}，{rng.randint(30, 42)}码鞋一双。"
    elif form == 6:
        t = f"{town}一名{age}岁男孩，{grade}，{rng.choice(['数学', '语文', '英语'])}成绩第{rng.randint(1, 40)}名，需要{need}。"
    elif form == 7:
        t = f"已筹集{rng.randint(10, 90)}%，目标{amount:,}元，{rng.randint(2025, 2026)}-{rng.randint(2026, 2027)}学年使用。"
    elif form == 8:
        t = f"{town}{tag}儿童，{age}岁，每月需要{amount}元生活费，共{rng.randint(3, 12)}个月。"
    else:
        t = f"{town}一名{tag}儿童，{grade}，第{rng.randint(1, 8)}单元没学懂，希望在{rng.randint(3, 6)}月前补上。"
    add(t, "pass", "ordinary")

for t in ["三年级", "12岁", "3000元", "2024年9月开学", "义堂镇", "兰山区", "临沂市兰山区义堂镇", "Yitang Town, Lanshan District",
          "Linyi City", "义堂镇一名10岁男孩需要辅导。", "需要资助3,000元，已筹集¥2,000，2026.9.1开学。", "资助期2026.09.01-2027.06.30。",
          "孩子十一岁，读五六年级，家里三四口人。", "二〇二六年九月一日开学，需要练习本。", "一室一厅的房子漏雨，需要维修。", "家里有两栋旧房子。",
          "孩子9月1号开学，需要校服两套，穿160号，另需36号鞋一双。", "中央一号文件提到农村儿童关爱。", "地铁3号线附近的科技馆。",
          "每月五号发放生活费。", "每月15日发放，共12个月。", "九月十一号报到。", "身高1.45米，体重35.5公斤。",
          "成绩：语文92.5，数学88.5，英语90。", "2023年起由民政部门保障。", "2019年1月1日起纳入保障。",
          "希望为全镇30名留守儿童举办读书会，分成三组。", "需要ISO9001认证的助听器。", "需要一台能用PPT和Word的电脑。",
          "孩子喜欢DIY手工和APP编程。", "需要WIFI路由器一台。", "孩子喜欢看NBA和CBA。", "MP3播放器一个，用于听英语。",
          "The child likes reading and needs a bike.", "She would like to make new friends.", "He needs a tutor for maths and English.",
          "Please donate a panda toy and some books.", "The family lives in China and needs more help.",
          "The child is a huge fan of football; she made a team.", "Time to change: one more chance for a better future.",
          "Open to any volunteer who can share an hour a week.", "A woman volunteer is preferred, the mother is away.",
          "The human body, nature and data: science books wanted.", "Anna and Lisa volunteered last year.",
          "Her dream: to dance on a stage one day.", "He is late for school because the bus is far.",
          "jiayou! 孩子需要鼓励。", "nihao，孩子想学英语。", "孩子会说 xiexie 和 zaijian。", "孩子的英文名是 Tom。",
          "Xuexi hen nuli, xiwang you ren bangzhu.", "Laoshi shuo ta hen congming.", "pengyou henduo.",
          "需要 Xinhua zidian 一本。", "wo ai zhongguo", "Hello Kitty书包一个。", "需要 iPhone 充电器。",
          "孩子喜欢看《西游记》和《三国演义》。", "喜欢画画，需要24色水彩笔。", "需要A4纸一包，B超检查一次。",
          "孩子在A组，需要辅导。", "某镇XX村的孩子需要帮助。", "张某某的孩子需要帮助。", "孩子姓张。",
          "小明和小红是课本上的人物。", "明天开始上课，需要文具。", "希望春节前送到。", "天气冷，需要羽绒服。",
          "需要QQ音乐会员？不需要，需要课外书。", "家长可通过微信群联系儿童主任。", "微信支付或支付宝均可。",
          "需要一部老人机，方便联系儿童主任。", "孩子喜欢画画，梦想是当宇航员。", "希望有志愿者陪伴读书、做手工。",
          "孩子的生日会在12月，需要蛋糕。", "孩子出生于2014年，今年12岁。", "2014年出生的孩子需要疫苗接种陪同。",
          "上课时间每周六上午9:00-11:00。", "电话联系儿童主任即可。", "联系方式请咨询镇民政办。",
          "鲁迅的书两本。", "需要一本《鲁滨逊漂流记》。", "需要苏教版数学练习册。", "京剧体验活动一次。",
          "车费每月200元，需要资助。", "需要一把椅子和一张桌子，总价约600元。", "参加2026年全国青少年科技创新大赛。",
          "孩子的门牌已经褪色了，需要新的。", "需要一个ID卡套。", "需要一本QQ空间使用手册? 不，需要一本字典。",
          "编号A1、A2、A3的三箱物资。", "共3箱，每箱12瓶。", "5G手机一部，用于上网课。", "需要1G流量包。",
          "孩子喜欢吃中国菜，比如饺子。", "孩子学会了 ni hao 和 xie xie。",
          "孩子的偶像是 Lang Lang。", "孩子很喜欢 Kung Fu Panda。",
          "需要 Lego 积木一套。", "需要 Uno 卡牌。", "需要 Mahjong？不，需要象棋。",
          "需要一台二手 Lenovo 电脑。", "捐赠 Huawei 平板一台。", "需要 Xiaomi 手环。", "孩子参加 Tai Chi 兴趣班。",
          "Anime and manga books wanted.", "Women and men volunteers are welcome.", "Hangman game and sudoku books.",
          "需要 Mandarin 绘本。", "The data show more help is needed.", "Agenda: visit, tutor, report.",
          "Please make sure the bike has lights.", "The rule is one tutor per child.", "We need a date for the visit.",
          "希望 Linyi 的志愿者参与。", "兰山区民政局 Lanshan Civil Affairs Bureau。", "地点：义堂镇政府 Yitang Town Government。",
          "活动在 Linyi Science Museum 举行。", "Yitang zhen de haizi xuyao bangzhu.", "Lanshan qu 的孩子。"]:
    add(t, "pass", "ordinary")


# ---------------------------------------------------------------- later classes (appended: earlier cases unchanged)
for t, cls in [("孩子 X1ao Y4n 需要辅导。", "leet_name"), ("孩子 XIA0 YAN 需要辅导。", "leet_name"), ("监护人 L1 Ke。", "leet_name"),
               ("孩子 Xi-ao Yan 需要辅导。", "broken_syllable"), ("孩子 Zhang Xiao Mi-ng 需要辅导。", "broken_syllable"),
               ("孩子叫弓长小明。", "split_surname"), ("监护人木子可身体不好。", "split_surname"), ("孩子叫耳东一诺。", "split_surname"),
               ("电话幺三拐三勾拐五四勾四四", "phone_radio_numerals"), ("电话幺五八洞五三勾幺两三四", "phone_radio_numerals"),
               ("家住柒拾柒号。", "address_financial_numerals"), ("住叁号楼贰单元。", "address_financial_numerals"),
               ("孩子2014年九月廿五日出生。", "birth_date_mixed"), ("孩子生日25/9/2014。", "birth_date_day_first"),
               ("小红书 xiaoyan2014", "contact_or_address"), ("车牌鲁 Q12345", "contact_or_address"),
               ("电话139*0539*1234", "phone_junk"), ("电话1️⃣3️⃣7️⃣3️⃣9️⃣7️⃣5️⃣4️⃣9️⃣4️⃣4️⃣", "phone_keycap"),
               ("孩子 𝐗𝐢𝐚𝐨 𝐘𝐚𝐧 需要辅导。", "math_letters_name"), ("孩子 ⓧⓘⓐⓞ ⓨⓐⓝ 需要辅导。", "circled_letters_name"),
               ("身份证37130220140925****", "id_masked"), ("孩子 x i a o y a n", "spelled_name")]:
    add(t, "block", cls)
for t in ["iPhone15 充电器，A4纸，5G手机，3D打印。", "山洞里有三个拐角，勾股定理要复习。", "孩子喜欢玩 Minecraft 和 Roblox。",
          "需要 Python 编程入门书。", "需要 Scratch 3.0 的教程。", "孩子的目标是考上 985 大学。", "需要 B2 级别英语教材。",
          "孩子喜欢 K-pop 和 BTS。", "每周三下午4点到6点辅导。", "孩子每天骑车 5km 上学。", "需要 U 盘 32GB 一个。",
          "孩子喜欢 Harry Potter。", "孩子会弹 Do Re Mi。", "孩子身高 1m45。", "需要 Wi-Fi 和 4G 流量。"]:
    add(t, "pass", "ordinary")

# ---------------------------------------------------------------- round 2: classes the red team got through
def id_with_check(body17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights, strict=True)) % 11]


ID2 = id_with_check("37132919770611052")  # a guardian born 1977-06-11
PHONE2 = "15866123478"
ROUND2_BLOCK = [
    # separators between every digit, odd groupings, long dash runs, thousands commas, parentheses
    ("联系人：" + "·".join(PHONE2), "phone_every_digit"), ("找外婆 " + "、".join(PHONE2), "phone_every_digit"),
    ("外婆 1/58/66/12/34/78", "phone_odd_groups"), ("外婆158.6612-3478", "phone_mixed_separators"),
    ("外婆158——6612——3478", "phone_dash_runs"), ("外婆15,866,123,478", "phone_thousands"),
    ("外婆" + "".join(f"[{d}]" for d in PHONE2), "phone_bracketed_digits"),
    # reversed, with or without a right-to-left override
    ("外婆号码反着写" + PHONE2[::-1], "phone_reversed"), ("外婆电话\u202e" + PHONE2[::-1] + "\u202c", "phone_rlo"),
    ("身份证倒序" + ID2[::-1], "id_reversed"),
    # parts far apart behind words that say which part
    ("外婆电话前三位158，她每天务农，中间是6612，很辛苦，尾号3478", "phone_labelled_parts"),
    ("外婆手机158661234，末尾再加上78", "phone_labelled_parts"),
    (f"外婆身份证前六位{ID2[:6]}，家有3口人，中间八位{ID2[6:14]}，后四位{ID2[14:]}", "id_labelled_parts"),
    # digits in words and in other symbols
    ("外婆 yao wu ba liu liu yao liang san si guai ba", "phone_spoken_pinyin"),
    ("grandma one five eight six six one two three four seven eight", "phone_english_words"),
    ("外婆 " + "".join("⓪➊➋➌➍➎➏➐➑➒"[int(d)] for d in PHONE2), "phone_dingbat_digits"),
    ("外婆 " + "".join("〇〡〢〣〤〥〦〧〨〩"[int(d)] for d in PHONE2), "phone_suzhou_digits"),
    # an identity number hidden inside a longer run or behind a letter
    (f"学生证号S{ID2}", "id_letter_prefix"), (f"残疾证{ID2}21", "id_extra_digits"), (f"编号99{ID2}", "id_extra_digits"),
]
for t, cls in ROUND2_BLOCK:
    add(t, "block", cls)
ROUND2_PASS = [
    "需要12、13、14号三天的志愿者。", "服务时间2024.09.01-2025.01.15。", "三期资助：3000/3000/4000元。",
    "全国心理援助热线400-161-9995，青少年服务台12355。", "费用合计1,580,000元的项目已结束。",
    "课程编号1-2-3-4-5，共五节。", "比分 13:15、15:13、15:9。", "需要第1、3、5、7周的辅导。",
]
for t in ROUND2_PASS:
    add(t, "pass", "ordinary")

# dates of birth of the village's children (贾琪 2012-03-08, 袁琪琪 2013-06-01) in every form
for t, cls in [("孩子贰零壹贰年叁月捌日生。", "birth_financial_numerals"), ("孩子3月8日生于2012年。", "birth_year_apart"),
               ("2013年出生的孩子，6月1号是她生日", "birth_year_apart"), ("Born on 1st June 2013, she needs books.", "birth_english_month"),
               ("DOB: June 1, 2013", "birth_english_month"), ("孩子生于2012年Ⅲ月8日。", "birth_roman_month"),
               ("出生日期 2013 06 01", "birth_spaced"), ("一三年六月一日生的孩子", "birth_two_digit_year"),
               ("DOB 6/1/13", "birth_two_digit_year"), ("农历2012年二月十六出生", "birth_lunar"), ("壬辰年二月十六生", "birth_lunar"),
               ("农历癸巳年四月廿三生的女孩", "birth_lunar"), ("孩子的生日啊，在每年的3月8日", "birthday_far_word")]:
    add(t, "block", cls)
for t in ["农历八月十五中秋节需要月饼和水果。", "九月初二开学，需要书包。", "生日会在9月举行，需要蛋糕。",
          "每年3月5日学雷锋日组织志愿活动。", "孩子6月1日儿童节想去科技馆。", "Sept. 2025 开学，需要校服。",
          "June 1 is Children's Day; she wants a book.", "丁老师每周二辅导，甲班乙班各一次。"]:
    add(t, "pass", "ordinary")

# contacts: any word for an app or account, remarks between, e-mail words and any TLD, spelled-out letters
for t, cls in [("微   信（白天不在线）：grandma_lin88", "social_any_cue"), ("有事加我威信哈，lin_1977", "social_any_cue"),
               ("扣 扣 号 1 2 3 4 5 6 7 8", "social_spelled"), ("w x：lin_1977", "social_spelled"),
               ("企鹅：87654321", "social_any_cue"), ("快手号 ks_linlin", "social_any_cue"), ("ks：linlin_77", "social_any_cue"),
               ("小红书搜一搜：linlin.1977", "social_any_cue"), ("wxid_abc123xyz", "social_bare_wxid"),
               ("https://wpa.qq.com/msgrd?v=3&uin=87654321", "social_qq_link"),
               ("邮箱 linlin1977@yitang.love", "email_any_tld"), ("邮箱 linlin1977(at)sina(dot)cn", "email_words"),
               ("邮箱 linlin1977 小老鼠 126 点 com", "email_words"), ("邮箱 l i n l i n @ 1 2 6 . c o m", "email_spelled"),
               ("车牌 鲁 Q · B 6 7 8 9", "plate_separators"), ("车牌山东QB6789", "plate_province_name"),
               ("plate: Shandong Q B6789", "plate_province_pinyin"), ("车牌QB6789（鲁）", "plate_province_after"),
               ("车是鲁Q，后面是B六七八九", "plate_numerals")]:
    add(t, "block", cls)
for t in ["通过微信捐款10000元的爱心人士请留言。", "WeChat groups help parents share news.", "QQ群里通知了开学时间。",
          "孩子喜欢Q版卡通人物。", "The tutor works at home.He comes twice a week.", "需要鲁迅的书和《山东民间故事》。",
          "微信公众号文章阅读量3000次。", "需要 A4 纸和 B5 笔记本各10本。", "抖音上看到的科普视频很受欢迎。",
          "山东Q版漫画展门票。", "请用单位账号登录系统提交材料。"]:
    add(t, "pass", "ordinary")

# addresses in every form, and a village without its direction prefix (小皇山村 → 皇山村)
for t, cls in [("住7-3-402", "address_triple"), ("楼号：7，单元：3，室：402", "address_labels"), ("房号四〇二", "address_room_numerals"),
               ("家住四零二房", "address_room_numerals"), ("住7#楼402", "address_hash"), ("门口写着#56", "address_hash"),
               ("住C座1803", "address_tower"), ("住5楼西户", "address_floor_door"), ("村里第二排第七户就是她家", "address_row_door"),
               ("从村委会往西第4家", "address_landmark_count"), ("家在三生产队", "address_production_team"), ("住四队", "address_production_team"),
               ("Room 402, Building 7", "address_english"), ("lives at No. 56", "address_english"), ("家住皇山村", "village_without_prefix")]:
    add(t, "block", cls)
for t in ["孩子上课坐在第三排，看不清黑板，需要配眼镜。", "比赛分成两队，需要两套球衣。", "孩子参加了学校篮球队。",
          "家里只有一房一厅，需要一张上下床。", "房子漏雨，需要维修。", "English Unit 5 needs a workbook.",
          "She studies at Linyi No. 3 Middle School.", "#助学行动# 需要文具。", "转诊到第3家医院复查。",
          "在二楼活动室开展辅导。", "需要5-2班的课程表。", "讲座1场，需要志愿者2名。", "皇山一带的山路不好走，需要雨靴。",
          "一队志愿者和二队志愿者轮流上门。"]:
    add(t, "pass", "ordinary")

# names with initials for the surname or the given name, names behind a right-to-left override
for t, cls in [("孩子J琪需要学费。", "name_initial_surname"), ("监护人欧阳NN身体不好。", "name_given_initials"),
               ("guardian: Ouyang N., 45", "name_given_initials"), ("guardian Sima XR", "name_given_initials"),
               ("孩子ZG晨曦需要辅导。", "name_initial_surname"), ("孩子\u202e琪贾\u202c需要学费。", "name_rlo"),
               ("孩子\u202e明小张\u202c需要辅导。", "name_rlo"), ("孩子萧Y需要学费。", "name_given_initials")]:
    add(t, "block", cls)
for t in ["孩子需要做B超检查，费用300元。", "需要拍X光片复查。", "需要T恤两件和K歌比赛的服装。", "孩子梦想成为宇航员。",
          "培养一诺千金的品格。", "建军节参观军营。", "需要A4纸和U盘。", "Check the Unit A. list before you go."]:
    add(t, "pass", "ordinary")

# encoded text, profile links, a mailbox given as provider and user name
for t, cls in [("孩子%E8%B4%BE%E7%90%AA需要学费", "name_percent_encoded"), ("孩子&#36158;&#29738;需要学费", "name_html_entities"),
               ("电话&#49;&#53;&#56;66123478", "phone_html_entities"), ("主页 https://weibo.com/u/7788990011", "social_profile_link"),
               ("https://www.douyin.com/user/linlin1977", "social_profile_link"), ("126邮箱，用户名linlin1977", "email_provider_user")]:
    add(t, "block", cls)
for t in ["资助比例50%，剩余50%需社会资助。", "需要A&B两类物资。", "微博上有很多科普文章。", "邮箱报名即可，无需到场。"]:
    add(t, "pass", "ordinary")

# ---------------------------------------------------------------- round 3: what the second red team got through
# a given name alone that the sentence's words cut across, or that is a title in 《》; groups of people;
# battery sizes; an app named in English — and the names themselves, written as words of their own
for t in ["孩子意志强大，坚持康复训练。", "每周强化一次阅读训练。", "冬天红梅花开时组织写生。", "学习课文《晨曦》后写读后感。",
          "志愿者两人一组入户走访。", "孩子参加了第一组的朗读比赛。", "每组三人，需要三套工具。", "需要5号电池和7号电池各一盒。",
          "Follow the bureau's official Weixin account for news.", "Apply through Alipay or Taobao."]:
    add(t, "pass", "ordinary")
for t, cls in [("晨曦同学需要辅导。", "name_given_alone"), ("孩子叫晨曦，需要学费。", "name_given_alone"),
               ("孩子萧嫣意志坚强。", "name_full"), ("住第五村民小组", "address_village_group")]:
    add(t, "block", cls)

# number words among digits, tone-marked pinyin digits, Roman numerals as digits, more look-alike letters
EN = "zero one two three four five six seven eight nine".split()
PY_TONES = "líng yāo èr sān sì wǔ liù qī bā jiǔ".split()
ROMAN = "0 I II III IV V VI VII VIII IX".split()
for t, cls in [("外婆手机 " + PHONE2[:3] + " " + " ".join(EN[int(d)] for d in PHONE2[3:7]) + " " + PHONE2[7:], "phone_words_among_digits"),
               ("监护人证件 " + ID2[:6] + " " + " ".join(EN[int(d)] for d in ID2[6:14]) + " " + ID2[14:], "id_words_among_digits"),
               ("外婆电话 " + " ".join(PY_TONES[int(d)] for d in PHONE2), "phone_pinyin_tones"),
               ("外婆电话 " + " ".join(ROMAN[int(d)] for d in PHONE2), "phone_roman_digits"),
               ("外婆电话 " + PHONE2.replace("8", "B").replace("6", "G").replace("3", "E"), "phone_lookalike_letters")]:
    add(t, "block", cls)
for t in ["I think one or two volunteers are enough.", "Grade III, Unit IV, Lesson V of the textbook.",
          "Chapter I to VII, 3 lessons a week.", "yi er san si wu, a counting song for 5 kids.",
          "The boy is 11, one of three children, and needs 2 coats.", "需要E3系列教材和B5笔记本。"]:
    add(t, "pass", "ordinary")

# numbers read out with units, digits counted out, parts after a word for the number, part of an id
CN = "零一二三四五六七八九"
for t, cls in [("外婆手机：一百五十八、六十六、一十二、三十四、七十八", "phone_numbers_with_units"),
               ("外婆电话：" + "，".join("一个" + d for d in PHONE2[:3]) + "，然后是" + PHONE2[3:7] + "，最后" + PHONE2[7:], "phone_counted_digits"),
               ("外婆手机 " + " ".join(PHONE2[:3]) + " 后面接" + PHONE2[3:7] + "，再接" + PHONE2[7:], "phone_parts_after_cue"),
               ("证件号：三十七万一千三百二十九，" + "".join(CN[int(d)] for d in ID2[6:]), "id_numbers_with_units"),
               ("外婆证件前六位" + ID2[:6] + "。1977年生。后八位是" + ID2[10:], "id_parts_across_sentences"),
               ("外婆身份证后六位" + ID2[-6:], "id_partial_after_cue"), ("证件号末四位" + ID2[-4:], "id_partial_after_cue")]:
    add(t, "block", cls)
for t in ["身份证复印件2份，户口本1份。", "证件照4张，2024年办理。", "需要两百三十元购买文具，一千二百元学费。",
          "电话回访一次，每周一、三、五下午三点到五点上门。", "联系方式见儿童主任，每月2次，每次1小时。",
          "三十七名儿童、十三个村、二十个家庭参与。", "身份证2024年到期，需要补办。"]:
    add(t, "pass", "ordinary")

# dates of birth with separators between numerals, in pinyin, English words, D-Mon-YYYY, timestamps,
# month·day with the year apart, a known birthday with the age the child turns on it (贾琪, 2012-03-08)
for t, cls in [("生于二〇一二.三.八。", "birth_numerals_dots"), ("chusheng: er ling yi er nian san yue ba ri", "birth_pinyin"),
               ("Born on the eighth of March, two thousand twelve.", "birth_english_words"),
               ("DOB 08-Mar-2012, needs a coat.", "birth_english_dmy"), ("出生时间2012-03-08T06:30。", "birth_timestamp"),
               ("生日：三·八，2012年生。", "birth_month_dot_day"),
               ("孩子今年3月8日满" + str(2026 - 2012) + "周岁。", "birth_age_on_birthday")]:
    add(t, "block", cls)
for t in ["孩子3月8日参加妇女节活动，给奶奶送花。", "每套3.8元，共需20套。", "孩子出生体重3.8公斤，现体弱多病。",
          "On the eighth of March the school holds a party.", "In two thousand twelve the village school was rebuilt.",
          "孩子今年满14周岁，读初二。", "活动时间：三·八妇女节。"]:
    add(t, "pass", "ordinary")

# names with an iteration mark, in regional-indicator letters, with an English possessive, as Unicode escapes
RI = {c: chr(0x1F1E6 + ord(c) - ord("a")) for c in "abcdefghijklmnopqrstuvwxyz"}
for t, cls in [("孩子袁琪々需要学费。", "name_iteration_mark"), ("".join(RI.get(c, c) for c in "jia qi") + " needs a coat.", "name_regional_indicators"),
               ("Jia Qi's grandmother is ill.", "name_english_possessive"), ("孩子 \\u8d3e\\u742a 需要学费。", "name_unicode_escape"),
               ("孩子 U+8D3E U+742A 需要学费。", "name_unicode_escape")]:
    add(t, "block", cls)
for t in ["The children's home needs 20 chairs.", "The girl's mother works in Linyi.", "写作文用了“人人”“家家”这样的叠词。",
          "代码里写 \\n 表示换行，孩子在学编程。", "国旗🇨🇳 和气球，布置教室用。"]:
    add(t, "pass", "ordinary")

# names in reverse order and with the other usual form of the surname; a village's prefix moved before 村
for t, cls in [("孩子琪贾需要学费。", "name_reversed"), ("肖嫣同学需要学费。", "name_surname_variant"),
               ("孩子於佑需要冬衣。", "name_surname_variant"), ("皇山小村一名男孩需要冬衣。", "village_prefix_moved")]:
    add(t, "block", cls)
for t in ["孩子坚强勇敢，保佑于是成了口头禅。", "肖像画课程需要画具。", "关东地区的冬天很冷，需要棉衣。", "芬芳王国是孩子最爱的绘本。"]:
    add(t, "pass", "ordinary")

# a remark in brackets inside a name or a village, surname and given name told apart, a village's
# initials with 村's, a household's place in the village's count
for t, cls in [("贾（化名不用）琪同学需要学费。", "name_bracket_remark"), ("屠（镇西）苏村一女孩需助学。", "village_bracket_remark"),
               ("该生姓贾\n名琪，需要学费。", "name_surname_given_apart"), ("孩子姓袁，名琪琪。", "name_surname_given_apart"),
               ("TSC村一名女孩需要冬衣。", "village_initials_with_cun"), ("孩子家是村里第38户。", "address_household_index")]:
    add(t, "block", cls)
for t in ["孩子（10岁）需要冬衣。", "姓名已隐去，需要学费。", "孩子户籍在义堂镇，第一户口簿已遗失需补办。", "需要TSC考试的复习资料。",
          "王老师（班主任）建议每周辅导两次。"]:
    add(t, "pass", "ordinary")

# contacts after emoji cues, 在 for @ and 点 for dot, plates in financial numerals or look-alike letters,
# a plate after a word for it with the province left out or given in English
for t, cls in [("💚 linlin1977 可联系", "social_emoji_cue"), ("🐧 3456789012", "social_emoji_cue"),
               ("邮箱 linlin 在 126 点 com", "email_zai_dian"), ("邮箱 linlin📧126.com", "email_emoji_at"),
               ("车牌鲁Q壹贰叁肆伍", "plate_financial_numerals"), ("车牌鲁Q l2E4S", "plate_lookalike_letters"),
               ("外婆的车是临沂牌照Q，号码12345。", "plate_after_word"), ("Shandong plate Q-12345, grandpa drives.", "plate_after_word")]:
    add(t, "block", cls)
for t in ["孩子💚画画，需要画具。", "孩子在 school 表现很好，需要一本英语词典。", "车牌照明灯坏了不影响，需要的是自行车。",
          "The plate is broken, we need 3 new plates and 12 bowls.", "孩子在126中学读初一。"]:
    add(t, "pass", "ordinary")

# nicknames of a one-character given name (doubled, after the family's name); an account right before
# Chinese text; given names that are common words naming an occasion
for t, cls in [("佑佑今年十一岁，需要冬衣。", "name_nickname_doubled"), ("于家小佑需要冬衣。", "name_nickname_family"),
               ("企鹅号3456789012联系家长", "social_account_before_text")]:
    add(t, "block", cls)
for t in ["国庆假期需要志愿者陪伴。", "新中国建国75周年，组织孩子参观纪念馆。", "孩子喜欢喝可可，需要营养补助。",
          "国庆节前后需要完成交付。", "建国以来第一次修缮村小学。"]:
    add(t, "pass", "ordinary")

# a one-character given name in pinyin with the surname said to be the family's
for t, cls in [("Qi, 14, from the Jia family, needs a coat.", "name_given_with_family"),
               ("You is the youngest of the Yu family and needs books.", "name_given_with_family")]:
    add(t, "block", cls)
for t in ["The Wang family next door lends the boy books.", "A family of five; the girl needs a desk.",
          "Jia Ding Village families received 20 coats."]:
    add(t, "pass", "ordinary")

with open(Path(__file__).with_name("pii_corpus.jsonl"), "w") as f:
    f.write("# Summaries the public-summary check is judged on: what must be blocked and ordinary text that must pass.\n")
    f.write("# The first line after these comments is the context (the names of every child and guardian of a town's villages,\n")
    f.write("# the villages, the children's dates of birth); each case names its context, its expected verdict and its class.\n")
    f.write(json.dumps(context, ensure_ascii=False) + "\n")
    for c in cases:
        f.write(json.dumps(c, ensure_ascii=False) + "\n")
print(len(cases), sum(c["expect"] == "block" for c in cases), sum(c["expect"] == "pass" for c in cases), len(names))
