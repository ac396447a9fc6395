"""Addresses below the town: house, building, unit, room, floor, row, door, village-group and
production-team numbers in any numerals and forms ("3号楼2单元501室", "5-2-501", "楼号：3",
"房间号五〇一", "住五零一房", "3#楼1201", "B座1201", "3楼东户", "第三排第五户", "往东第3家",
"住二队", "No. 128", "Room 501", "#128"), and the names of the child's village and its neighbours
(also without a 东/西/前/后… prefix before 村 or 社区: "石埠村" for 东石埠村)."""

from __future__ import annotations

import re

from portal.needs.pii.text import compact

_CJK = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_CN_NUM = "[一二三四五六七八九十百零〇两壹贰叁肆伍陆柒捌玖拾佰]"
_CN_GROUP_NUM = "[一二三四五六七八九十]"
# A road or lane name before a house number ("幸福路18号"), not starting with a word of the sentence.
_ROAD = rf"(?:(?![在住于是的到从向和与及了位处距离]){_CJK}){{1,4}}?(?:大街|大道|胡同|路|街|巷|弄|里)"
# What follows a number with 号 when it is not a house: dates ("9月1号"), sizes ("36号鞋", "穿160号"),
# lines ("3号线"), documents ("一号文件"), players, seats and battery sizes ("5号电池").
_NOT_HOUSE_AFTER = "(?:[鞋码线衣裤文球选位床车]|电池|干电池|字体|针)"

ADDRESS_PATTERNS = [
    re.compile(p)
    for p in (
        rf"(?<![0-9]){_ROAD}(?:[0-9]+|{_CN_NUM}+)号(?:楼|院)?",
        # "12号", "3号楼" — but not dates ("9月1号"), sizes ("36号鞋", "穿160号") or lines ("3号线").
        rf"(?<![0-9月码穿第])[0-9]+号(?:楼|院)?(?!{_NOT_HOUSE_AFTER})",
        # "七十七号", "八十一号院", "三号楼" — but not "九月一号", "第三号", "一号文件", "几号".
        rf"(?<![月码穿第几一二三四五六七八九十百零〇两壹贰叁肆伍陆柒捌玖拾佰]){_CN_NUM}+号(?:楼|院)?(?!{_NOT_HOUSE_AFTER})",
        rf"(?<!{_CN_NUM}){_CN_NUM}+号(?:楼|院)",
        r"门牌(?:号|号码)?(?:是|为|:)? ?[0-9一二三四五六七八九十百零〇]+",
        r"(?<![0-9])[0-9]+(?:栋|幢|弄|巷|室)",
        # "五〇一室", "三零二室" — not "一室一厅", "两室".
        rf"(?<!{_CN_NUM}){_CN_NUM}{{3,}}室",
        # "2单元", "三单元" — but not a textbook's "第2单元".
        r"(?<![0-9第])[0-9]+单元",
        rf"(?<![第]){_CN_NUM}+单元",
        # Village groups ("5组", "三组", "3村民小组") — but not "分成三组" or "三组织", nor groups of
        # people or of a contest ("两人一组", "每组", "第一组").
        r"(?<![0-9分成为])[0-9]+村民小组",
        rf"(?<![一二三四五六七八九十分成为]){_CN_GROUP_NUM}+村民小组",
        r"(?<![0-9分成为第人每])[0-9]+组(?![织成合建装员])",
        rf"(?<![一二三四五六七八九十分成为第人每]){_CN_GROUP_NUM}+组(?![织成合建装员])",
        # Production teams, the old name of village groups ("二队", "3生产队"): 队 alone only after
        # 住/在/家/村/属 ("住二队"), not "分成两队" or "篮球队".
        rf"(?:[0-9]+|{_CN_GROUP_NUM}+)生产队",
        rf"(?<=[住在家村属])(?:[0-9]+|{_CN_GROUP_NUM}+)队(?![员伍长列形友])",
        # Building-unit-room ("5-2-501"), not a date ("5-2-2014").
        r"(?<![0-9.\-/])[0-9]{1,3}-[0-9]{1,2}-(?!(?:19|20)[0-9]{2}(?![0-9]))[0-9]{3,4}(?![0-9\-./])",
        # A label, then the number ("楼号：3", "单元：2", "室：501", "房间号五〇一", "房号 302").
        rf"(?:楼号|栋号|楼栋号|房间号|房号|门牌号码|门牌号)(?: ?[：:是为] ?| )?(?:[0-9]+|{_CN_NUM}+)",
        rf"(?:单元号?|室号?|房间|楼栋|户号)(?: ?[：:是为] ?)(?:[0-9]+|{_CN_NUM}+)",
        # A room in numerals before 房 ("五零一房", "501房"), not "一房一厅" or "房子".
        rf"(?:(?<![0-9])[0-9]{{3,4}}|(?<!{_CN_NUM}){_CN_NUM}{{3,}})(?:房(?![子屋租产贷价间东])|室)",
        # "#128", "3#楼1201"; a tower and flat ("B座1201", "3座502").
        r"(?<![A-Za-z0-9&])# ?[0-9]{1,5}(?![0-9.])",
        r"(?<![0-9])[0-9]{1,3}#(?:楼|栋|幢)?[0-9]*",
        r"(?<![A-Za-z0-9])(?:[A-Za-z]|[0-9]{1,2})座 ?[0-9]{2,5}(?![0-9])",
        # A floor and a door ("3楼东户", "五楼2号", "2楼西边门").
        rf"(?:[0-9]+|{_CN_NUM}+)楼(?:[东西南北中]边?[户门]|(?:[0-9]{{1,2}}|{_CN_NUM}{{1,2}})[户号室])",
        # Row and door in a village ("第三排第五户", "5排3号"), a house counted from a landmark
        # ("往东第3家", "村东头第五户").
        rf"第?(?:[0-9]+|{_CN_NUM}+)排第?(?:[0-9]+|{_CN_NUM}+)(?:户|家|号|个门)",
        # The household's place in the village's count ("村里第38户"), not its registration (户籍, 户口).
        rf"第(?:[0-9]+|{_CN_NUM}+)户(?![籍口主型])",
        rf"(?:[往向朝从][东西南北左右]|[东西南北]头|[东西南北]边)(?:数|走)?第(?:[0-9]+|{_CN_NUM}+)(?:户|家|个门|个院)",
        # The English way: "No. 128", "Room 501", "Apt 3B" — not a school's "No. 3 Middle School".
        r"(?<![A-Za-z])(?:[Nn]o|NO|[Nn]r)\. ?[0-9]{1,5}(?![0-9])(?! ?(?:[Mm]iddle|[Pp]rimary|[Hh]igh|[Ss]enior|[Jj]unior|"
        r"[Pp]eople|[Hh]ospital|[Ss]chool|[Kk]indergarten|[Vv]ocational))",
        r"(?<![A-Za-z])(?:[Rr]oom|ROOM|[Rr]m|[Aa]pt|[Ff]lat|[Hh]ouse [Nn]o)\.? ?#? ?[0-9]{1,5}[A-Za-z]?(?![0-9])",
    )
]


# A number after a list of numbers joined by 、/和/至/到/~ is one day of a list of days ("12、13、14号").
_LIST_BEFORE = re.compile(rf"(?:[0-9]+|{_CN_NUM}+)号? ?(?:、|和|及|与|至|到|~|～) ?$")


def addresses(norm: str):
    """(start, end) of every house, building, unit, room, row, door and village-group number."""
    for pattern in ADDRESS_PATTERNS:
        for m in pattern.finditer(norm):
            if norm[m.end() - 1] == "号" and _LIST_BEFORE.search(norm[max(0, m.start() - 8) : m.start()]):
                continue
            yield m.start(), m.end()


# Suffixes of village-level names that may be left out in a text ("张家庄村" written "张家庄").
VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "社区", "嘎查", "村")
# A village name followed by one of these is the name of a town ("李村" vs "李村镇"); shortened, also
# of a county or city ("城关社区" vs "城关镇", "城关区").
_TOWN_SUFFIXES = ("镇", "乡", "街道")
_HIGHER_SUFFIXES = (*_TOWN_SUFFIXES, "县", "区", "市")
_NOT_HIGHER = ("区域", "市场")


def names_a_higher_level(norm: str, end: int, shortened: bool) -> bool:
    rest = norm[end:]
    return rest.startswith(_HIGHER_SUFFIXES if shortened else _TOWN_SUFFIXES) and not rest.startswith(_NOT_HIGHER)


_DIRECTION_PREFIXES = frozenset("东西前后南北大小上下")


def place_variants(place: str) -> list[tuple[str, bool]]:
    """(string, shortened) pairs a village name is searched for: the full name and the name without
    its 村/社区/村民委员会/… suffixes, as long as 2 or more characters remain."""
    full = compact(place)
    if len(full) < 2:
        return []
    variants = [(full, False)]
    stem = full
    while suffix := next((s for s in VILLAGE_SUFFIXES if stem.endswith(s)), None):
        # "屠苏村村民委员会" → "屠苏村" → "屠苏"; "城关社区居委会" → "城关社区" → "城关"
        stem = stem[: -len(suffix)]
        if len(stem) < 2:
            break
        variants.append((stem, True))
    # "东石埠村" is also written "石埠村": without its 东/西/前/后/南/北/大/小/上/下, when 2 or more
    # characters remain and 村 or 社区 follows them (the remainder alone is often an ordinary word).
    stem = variants[-1][0]
    if stem[:1] in _DIRECTION_PREFIXES and len(stem) >= 3:
        for suffix in ("村", "社区"):
            variants.append((stem[1:] + suffix, False))
            variants.append((stem[1:] + stem[0] + suffix, False))  # the prefix moved: "石埠东村"
    return variants


def village_stem(place: str) -> str:
    """The name without its suffixes, however short ("李村" → "李")."""
    stem = compact(place)
    while suffix := next((s for s in VILLAGE_SUFFIXES if stem.endswith(s) and len(stem) > len(s)), None):
        stem = stem[: -len(suffix)]
    return stem
