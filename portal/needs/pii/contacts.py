"""Ways to reach a family without going through the child director: e-mail addresses, messaging
accounts and car plates.

- E-mail: a user name, "@" or a word for it ("(at)", "_at_", "艾特", "小老鼠", "圈a", " at "), a
  domain and any top-level domain (".vip" as well as ".com"; the English " at " and "#" only with a
  usual top-level domain or a known provider, so "tutor at home.He" stays English).
- Messaging accounts: an account within a few characters after any word for an app or an account,
  the word folded like the rest of the text (QQ, Q, 扣扣, 球球, 企鹅, 微信, 威信, 薇信, V信, v❤, 微❤,
  加v, VX, WX, 绿泡泡, 卫星, WeChat, 抖音, dy, 快手, ks, 微博, 小红书, 账号, 用户名, 邮箱…), with a remark in
  parentheses or a few words between ("微信（备注“助学”）：…", "加我微信吧，…", "微信搜一搜：…"). An
  account is 5 or more digits (not an amount or a count: "微信捐款10000元") or a WeChat-shaped id
  (a letter then 5 to 29 letters, digits, "_", "-" or "."; all letters only after ":", "是" or
  "号"). "wxid_…", QQ chat links ("uin=…") and profile links of Weibo, Douyin, Kuaishou,
  Xiaohongshu and Qzone count anywhere.
- Car plates: the province as its one-character abbreviation, its name or its name in pinyin,
  before the plate or after it in brackets ("山东Q A1234", "Lu Q A1234", "QA1234（鲁）"), the
  letters and digits with any separators or none ("鲁 Q A 1 2 3 4", "鲁Q•A1234", "鲁Q，号码A1234"),
  digits also in Chinese numerals ("鲁QA一二三四").

Letters or digits written one by one with a space between them ("h o p e 2 0 1 4 @ 1 6 3 . c o m",
"q q：", "V X：") are joined before matching.
"""

from __future__ import annotations

import re

EMAIL = "email"
SOCIAL = "social"
PLATE = "plate"

_SYMBOL_AT = r"(?:@|\(at\)|\[at\]|\{at\}|_at_|-at-|艾特|圈a|小老鼠|📧|✉️?|📨|📩)"
_WORD_AT = r"(?: at |#| ?在 ?)"
_DOT = r"(?:\.|\(dot\)|\[dot\]|\{dot\}|_dot_|-dot-| dot |点|。)"
# A known mail provider lets the TLD be left out ("xiaoyan at qq").
_PROVIDERS = r"(?:qq|163|126|139|189|sina|sohu|gmail|foxmail|yeah|hotmail|outlook|aliyun|yahoo|icloud|live|21cn|tom)"
_USUAL_TLDS = r"(?:com|cn|net|org|edu|gov|info|top|xyz|me|io|hk|tw|co|cc|vip)"
_LOCAL = r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}?"
_EMAIL = re.compile(
    rf"{_LOCAL} ?{_SYMBOL_AT} ?(?:[A-Za-z0-9\-]+(?: ?{_DOT} ?[A-Za-z0-9\-]+)* ?{_DOT} ?[A-Za-z]{{2,12}}|{_PROVIDERS})"
    rf"(?![A-Za-z])",
    re.IGNORECASE,
)
_EMAIL_WORDS = re.compile(
    rf"{_LOCAL} ?{_WORD_AT} ?(?:{_PROVIDERS}(?: ?{_DOT} ?[A-Za-z]{{2,6}})*|[A-Za-z0-9\-]+(?: ?{_DOT} ?[A-Za-z0-9\-]+)* ?"
    rf"{_DOT} ?{_USUAL_TLDS})(?![A-Za-z])",
    re.IGNORECASE,
)

# Words for a messaging app or an account. Latin ones stand as words of their own.
_APP_WORDS = (
    "微信", "薇信", "威信", "维信", "徽信", "微xin", "v信", "v❤", "微❤", "绿泡泡", "卫星", "扣扣", "球球", "企鹅",
    "抖音", "快手", "微博", "小红书", "账号", "帐号", "用户名", "邮箱",
    # emoji that stand for an app or for mail: green heart (WeChat), penguin (QQ), speech balloon, mail
    "💚", "🐧", "💬", "📧", "✉", "📨", "📩",
)
_LATIN_APP_WORDS = ("weixin", "wechat", "vx", "wx", "qq", "weibo", "douyin", "tiktok", "kuaishou", "telegram",
                    "whatsapp", "dy", "ks", "id")
_CUE = re.compile(
    "(?:" + "|".join(re.escape(w) for w in _APP_WORDS)
    + r"|加v(?![A-Za-z])|(?<![A-Za-z])(?:" + "|".join(_LATIN_APP_WORDS) + r"|q(?= ?号| ?[:：]))(?![A-Za-z]))"
    r"(?P<said> ?(?:号码|号|账号|帐号|id|ID))?",
    re.IGNORECASE,
)
# Between the word and the account: a remark in brackets, then a few characters that are not the
# account ("：", "吧，", "搜一搜：", "号是").
_BETWEEN = re.compile(r"(?:[(（【\[][^)）】\]\n]{0,15}[)）】\]])?[^A-Za-z0-9\n]{0,6}")
_DIGITS_ACCOUNT = re.compile(r"[0-9]{2,}(?: ?[0-9]+)*")
_ID_ACCOUNT = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)*")
_NOT_AN_ACCOUNT_AFTER = re.compile(r" ?(?:元|块|万|亿|人|次|个|名|户|%|岁|年|月|日|分|米|斤|公里|粉丝|赞|播放|条|位)")
_LATIN_AFTER = re.compile(r"[A-Za-z]")  # digits run on into a word ("12345abc"): not an account
_SAID = re.compile(r"[:：是为=＝号搜]")
# Anywhere: a bare WeChat id, a QQ chat link, a profile link of a social app.
_ANYWHERE = re.compile(
    r"(?<![A-Za-z0-9])wxid_[A-Za-z0-9_\-]{4,}|(?<=uin=)[0-9]{5,}"
    r"|(?:weibo\.(?:com|cn)|douyin\.com|kuaishou\.com|xiaohongshu\.com|qzone\.qq\.com|user\.qzone\.qq\.com)"
    r"/(?:u/|n/|user/|profile/)?[A-Za-z0-9_\-]{5,}",
    re.IGNORECASE,
)


def _accounts(norm: str):
    for cue in _CUE.finditer(norm):
        between = _BETWEEN.match(norm, cue.end())
        at = between.end()
        gap = norm[cue.start() : at]
        if m := _DIGITS_ACCOUNT.match(norm, at):
            digits = re.sub(r"[^0-9]", "", m.group())
            if len(digits) >= 5 and not _NOT_AN_ACCOUNT_AFTER.match(norm, m.end()) and not _LATIN_AFTER.match(norm, m.end()):
                yield m.start(), m.end(), SOCIAL
            continue
        m = _ID_ACCOUNT.match(norm, at)
        if m is None or not 6 <= len(m.group()) <= 30:
            continue
        if cue.group()[-1:].isascii() and cue.group()[-1:].isalpha() and at == cue.end():
            continue  # "wxyz…": one word, not a word and an account
        # "微信 hope_2014", "VX: xiaoyan", "微信号xiaoyanmama"; not "WeChat groups".
        if any(not c.isalpha() for c in m.group()) or cue.group("said") or _SAID.search(gap[len(cue.group()) :]):
            yield m.start(), m.end(), SOCIAL
    for m in _ANYWHERE.finditer(norm):
        yield m.start(), m.end(), SOCIAL


# Car plates. Provinces by abbreviation, name and pinyin (the abbreviation's reading and the name's).
_PROVINCES = {
    "京": ("北京", "jing", "beijing"), "津": ("天津", "jin", "tianjin"), "沪": ("上海", "hu", "shanghai"),
    "渝": ("重庆", "yu", "chongqing"), "冀": ("河北", "ji", "hebei"), "豫": ("河南", "yu", "henan"),
    "云": ("云南", "yun", "yunnan"), "辽": ("辽宁", "liao", "liaoning"), "黑": ("黑龙江", "hei", "heilongjiang"),
    "湘": ("湖南", "xiang", "hunan"), "皖": ("安徽", "wan", "anhui"), "鲁": ("山东", "lu", "shandong"),
    "新": ("新疆", "xin", "xinjiang"), "苏": ("江苏", "su", "jiangsu"), "浙": ("浙江", "zhe", "zhejiang"),
    "赣": ("江西", "gan", "jiangxi"), "鄂": ("湖北", "e", "hubei"), "桂": ("广西", "gui", "guangxi"),
    "甘": ("甘肃", "gan", "gansu"), "晋": ("山西", "jin", "shanxi"), "蒙": ("内蒙古", "meng", "neimenggu"),
    "陕": ("陕西", "shan", "shaanxi"), "吉": ("吉林", "ji", "jilin"), "闽": ("福建", "min", "fujian"),
    "贵": ("贵州", "gui", "guizhou"), "粤": ("广东", "yue", "guangdong"), "青": ("青海", "qing", "qinghai"),
    "藏": ("西藏", "zang", "xizang"), "川": ("四川", "chuan", "sichuan"), "宁": ("宁夏", "ning", "ningxia"),
    "琼": ("海南", "qiong", "hainan"),
}
_PROVINCE_NAMES = sorted({n for names in _PROVINCES.values() for n in names[:1]}, key=len, reverse=True)
_PROVINCE_PINYIN = sorted({p for names in _PROVINCES.values() for p in names[1:]} - {"e"}, key=len, reverse=True)
_PROVINCE = (
    "(?:[" + "".join(_PROVINCES) + "]|" + "|".join(_PROVINCE_NAMES)
    + "|(?<![A-Za-z])(?i:" + "|".join(_PROVINCE_PINYIN) + ")(?![a-z]))"
)
_PLATE_SEP = r"(?:[ ·・.\-•∙⋅/,，:：]|号码|号|是){0,4}"
# Plates have no I or O; written, they are a 1 and a 0 in disguise.
_PLATE_CHAR = "[A-Za-z0-9零〇○一二三四五六七八九壹贰叁肆伍陆柒捌玖]"
# Between the letter of the city and the rest, also a few words ("鲁Q，后面是B6789").
_PLATE_GAP = r"(?:[ ·・.\-•∙⋅/,，:：]|[^\sA-Za-z0-9零〇○一二三四五六七八九壹贰叁肆伍陆柒捌玖\n]){0,5}"
_PLATE_BODY = rf"[A-HJ-NP-Za-hj-np-z]{_PLATE_GAP}(?:{_PLATE_CHAR}[ ·・.\-•∙⋅]{{0,2}}){{4,5}}{_PLATE_CHAR}"
_PLATE = re.compile(rf"{_PROVINCE} ?{_PLATE_SEP}(?P<body>{_PLATE_BODY})(?![A-Za-z0-9])")
_PLATE_PROVINCE_AFTER = re.compile(rf"(?<![A-Za-z0-9])(?P<body>{_PLATE_BODY}) ?[(（【\[] ?{_PROVINCE} ?[)）】\]]")
# The plate after a word for it, the province left out or given as a city ("临沂牌照Q，号码12345",
# "Shandong plate Q-12345").
_PLATE_AFTER_WORD = re.compile(rf"(?:车牌|牌照|号牌|(?<![A-Za-z])(?i:plate|licen[cs]e)(?![A-Za-z]))(?:号码|号)?[^A-Za-z0-9\n]{{0,3}}"
                               rf"(?P<body>{_PLATE_BODY})(?![A-Za-z0-9])")
_PLATE_DIGITS = frozenset("0123456789零〇○一二三四五六七八九壹贰叁肆伍陆柒捌玖")
# Letters drawn like digits, which a plate's digits may be written as ("l2E4S").
_PLATE_LOOKALIKES = frozenset("lIOoESBZG")


def _plates(norm: str):
    for pattern in (_PLATE, _PLATE_PROVINCE_AFTER, _PLATE_AFTER_WORD):
        position = 0
        # After a match that is no plate ("licence plate Q…" read from "licence"), the search goes on
        # one character later.
        while (m := pattern.search(norm, position)) is not None:
            body = re.sub(r"[^A-Za-z0-9零〇○一二三四五六七八九壹贰叁肆伍陆柒捌玖]", "", m.group("body"))
            digits = sum(c in _PLATE_DIGITS for c in body)
            lookalikes = sum(c in _PLATE_LOOKALIKES for c in body[1:])
            if 6 <= len(body) <= 7 and (digits >= 3 or digits >= 1 and digits + lookalikes >= 4):
                yield m.start() if pattern is not _PLATE_AFTER_WORD else m.start("body"), m.end(), PLATE
                position = m.end()
            else:
                position = m.start() + 1


# Single letters or digits each followed by a space: "h o p e 2 0 1 4", "q q", "V X".
_SPELLED = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9@.](?: [A-Za-z0-9@.](?![A-Za-z0-9]))+")


def _joined_letters(norm: str) -> tuple[str, list[int]] | None:
    if not _SPELLED.search(norm):
        return None
    out: list[str] = []
    positions: list[int] = []
    last = 0
    for m in _SPELLED.finditer(norm):
        out.append(norm[last : m.start()])
        positions += range(last, m.start())
        for k in range(m.start(), m.end()):
            if norm[k] != " ":
                out.append(norm[k])
                positions.append(k)
        last = m.end()
    out.append(norm[last:])
    positions += range(last, len(norm))
    return "".join(out), positions


def _contacts(norm: str):
    for pattern in (_EMAIL, _EMAIL_WORDS):
        for m in pattern.finditer(norm):
            yield m.start(), m.end(), EMAIL
    yield from _accounts(norm)
    yield from _plates(norm)


def contacts(norm: str):
    """(start, end, kind) of every e-mail address, messaging account and car plate."""
    yield from _contacts(norm)
    joined = _joined_letters(norm)
    if joined is not None:
        text, positions = joined
        for start, end, kind in _contacts(text):
            yield positions[start], positions[end - 1] + 1, kind
