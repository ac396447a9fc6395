"""Ways to reach a family without going through the child director: e-mail addresses (also written
"at"/"dot", "艾特"/"点"), WeChat and QQ accounts after the word that names them ("微信", "VX",
"威信", "QQ", "扣扣"…), and car plates ("鲁Q·12345")."""

from __future__ import annotations

import re

EMAIL = "email"
SOCIAL = "social"
PLATE = "plate"

_AT = r"(?:@|\(at\)|\[at\]|\{at\}| at |艾特|圈a|#)"
_DOT = r"(?:\.|\(dot\)|\[dot\]| dot |点|。)"
# A known mail provider lets the TLD be left out ("xiaoyan at qq").
_PROVIDERS = r"(?:qq|163|126|139|189|sina|sohu|gmail|foxmail|yeah|hotmail|outlook|aliyun|yahoo|icloud|live|21cn|tom)"
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{{0,63}} ?{_AT} ?"
    rf"(?:{_PROVIDERS}(?: ?{_DOT} ?[A-Za-z]{{2,6}})*|[A-Za-z0-9\-]+(?: ?{_DOT} ?[A-Za-z0-9\-]+)* ?{_DOT} ?"
    rf"(?:com|cn|net|org|edu|gov|info|top|xyz|me|io|hk|tw|co|cc))(?![A-Za-z])",
    re.IGNORECASE,
)
_SOCIAL_WORDS = (
    r"(?:微信|薇信|威信|维信|徽信|微xin|wei ?xin|v ?信|vx|wx|wechat|QQ|扣扣|企鹅|抖音|快手|微博|小红书|weibo|douyin|tiktok|"
    r"telegram|whatsapp)"
)
# The word, perhaps "号" and punctuation, then an account: 5 or more letters, digits, _ and -.
_SOCIAL = re.compile(
    rf"(?<![A-Za-z]){_SOCIAL_WORDS}(?P<said>号码|号|账号|帐号|id)?(?P<between>[\s:：,，是为=＝\-]{{0,4}})"
    rf"(?P<account>[A-Za-z0-9][A-Za-z0-9_\-]{{4,29}})(?![A-Za-z0-9_])",
    re.IGNORECASE,
)
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼港澳使领学警"
_PLATE = re.compile(rf"[{_PROVINCES[:31]}] ?[A-HJ-NP-Za-hj-np-z] ?[·・.\-]? ?[A-HJ-NP-Za-hj-np-z0-9]{{5,6}}(?![A-Za-z0-9])")


def contacts(norm: str):
    """(start, end, kind) of every e-mail address, messaging account and car plate."""
    for m in _EMAIL.finditer(norm):
        yield m.start(), m.end(), EMAIL
    for m in _SOCIAL.finditer(norm):
        account, between = m.group("account"), m.group("between")
        if m.group(0)[0].isascii() and not m.group("said") and not between and account[0].isalpha():
            continue  # "wxyz…": one word, not a word and an account
        # "微信 12345", "VX: xiaoyan_2014", "微信号xiaoyanmama"; not "WeChat groups".
        if any(not c.isalpha() for c in account) or m.group("said") or set(between) & set(":：是为=＝"):
            yield m.start("account"), m.end("account"), SOCIAL
    for m in _PLATE.finditer(norm):
        if sum(c.isdigit() for c in m.group()) >= 3:
            yield m.start(), m.end(), PLATE
