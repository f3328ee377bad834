"""The demo federation: congresses (tenants) and the judicial organs each supervises.

Plain data, no Flask and no database. Three scales:

- ``city``: Zhejiang province → Hangzhou → its 13 districts and counties → a few real
  streets, towns and townships under each (the federation the demo is shown with);
- ``province``: the above plus Zhejiang's other ten cities and their ~77 districts and
  counties, with real administrative division codes, without townships;
- ``national``: 31 real provinces over synthetic cities, ≈2,800 counties and ≈38,000
  townships, for benchmarks only.

Every tree is ordered parents before children, so a loader can insert it in one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

SCALES = ("city", "province", "national")

# Organ kinds by level: the township level has the courts' tribunals, police stations and
# justice offices; there is no township procuratorate.
UPPER_KINDS = ("court", "procuratorate", "public_security", "justice_bureau")
TOWNSHIP_KINDS = ("tribunal", "police_station", "justice_office")


@dataclass(frozen=True, slots=True)
class OrganSeed:
    kind: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class TenantSeed:
    code: str
    name_zh: str
    name_en: str
    level: str
    parent_code: str | None
    organs: tuple[OrganSeed, ...]


# --- names -----------------------------------------------------------------------------

# The suffix of a division's name decides its English type and how its police are named.
DIVISION_TYPES_EN = {
    "区": "District",
    "县": "County",
    "市": "City",
    "畲族自治县": "She Autonomous County",
    "街道": "Subdistrict",
    "镇": "Town",
    "乡": "Township",
    "畲族乡": "She Ethnic Township",
}


def _province_organs(name_zh: str, short_en: str) -> tuple[OrganSeed, ...]:
    """Organs of a provincial-level congress.

    A municipality (直辖市) has a public security *bureau* and a justice *bureau*; a
    province or autonomous region has departments (公安厅, 司法厅).
    """
    municipal = name_zh.endswith("市")
    adjective = "Municipal" if municipal else "Provincial"
    police_zh, justice_zh = ("公安局", "司法局") if municipal else ("公安厅", "司法厅")
    police_en = "Public Security Bureau" if municipal else "Public Security Department"
    justice_en = "Bureau of Justice" if municipal else "Department of Justice"
    return (
        OrganSeed("court", f"{name_zh}高级人民法院", f"{short_en} High People's Court"),
        OrganSeed(
            "procuratorate",
            f"{name_zh}人民检察院",
            f"{short_en} {adjective} People's Procuratorate",
        ),
        OrganSeed(
            "public_security", f"{name_zh}{police_zh}", f"{short_en} {adjective} {police_en}"
        ),
        OrganSeed(
            "justice_bureau", f"{name_zh}{justice_zh}", f"{short_en} {adjective} {justice_en}"
        ),
    )


def _city_organs(name_zh: str, short_en: str) -> tuple[OrganSeed, ...]:
    return (
        OrganSeed("court", f"{name_zh}中级人民法院", f"{short_en} Intermediate People's Court"),
        OrganSeed(
            "procuratorate", f"{name_zh}人民检察院", f"{short_en} Municipal People's Procuratorate"
        ),
        OrganSeed(
            "public_security", f"{name_zh}公安局", f"{short_en} Municipal Public Security Bureau"
        ),
        OrganSeed("justice_bureau", f"{name_zh}司法局", f"{short_en} Municipal Bureau of Justice"),
    )


def _district_organs(
    name_zh: str, name_en: str, city_zh: str, city_en: str
) -> tuple[OrganSeed, ...]:
    """Organs of a district, county or county-level city.

    A city district's police are a branch of the city bureau (杭州市公安局西湖区分局);
    a county or county-level city has its own bureau (桐庐县公安局).
    """
    if name_zh.endswith("区"):
        police = OrganSeed(
            "public_security",
            f"{city_zh}公安局{name_zh}分局",
            f"{name_en} Branch, {city_en} Municipal Public Security Bureau",
        )
    else:
        police = OrganSeed(
            "public_security", f"{name_zh}公安局", f"{name_en} Public Security Bureau"
        )
    return (
        OrganSeed("court", f"{name_zh}人民法院", f"{name_en} People's Court"),
        OrganSeed("procuratorate", f"{name_zh}人民检察院", f"{name_en} People's Procuratorate"),
        police,
        OrganSeed("justice_bureau", f"{name_zh}司法局", f"{name_en} Bureau of Justice"),
    )


def _township_organs(
    short_zh: str, short_en: str, district_zh: str, district_en: str
) -> tuple[OrganSeed, ...]:
    """Organs of a street, town or township, named by its short name (北山 for 北山街道)."""
    return (
        OrganSeed(
            "tribunal",
            f"{district_zh}人民法院{short_zh}法庭",
            f"{short_en} Tribunal, {district_en} People's Court",
        ),
        OrganSeed("police_station", f"{short_zh}派出所", f"{short_en} Police Station"),
        OrganSeed("justice_office", f"{short_zh}司法所", f"{short_en} Justice Office"),
    )


# --- real Zhejiang data ----------------------------------------------------------------

PROVINCE = ("330000", "浙江省", "Zhejiang Province", "Zhejiang")

# (code, short Chinese name, short English name) of Zhejiang's 11 cities.
ZHEJIANG_CITIES = (
    ("330100", "杭州", "Hangzhou"),
    ("330200", "宁波", "Ningbo"),
    ("330300", "温州", "Wenzhou"),
    ("330400", "嘉兴", "Jiaxing"),
    ("330500", "湖州", "Huzhou"),
    ("330600", "绍兴", "Shaoxing"),
    ("330700", "金华", "Jinhua"),
    ("330800", "衢州", "Quzhou"),
    ("330900", "舟山", "Zhoushan"),
    ("331000", "台州", "Taizhou"),
    ("331100", "丽水", "Lishui"),
)

# (code, short Chinese name, suffix, short English name), as divided since 2021.
ZHEJIANG_DISTRICTS = {
    "330100": (
        ("330102", "上城", "区", "Shangcheng"),
        ("330105", "拱墅", "区", "Gongshu"),
        ("330106", "西湖", "区", "Xihu"),
        ("330108", "滨江", "区", "Binjiang"),
        ("330109", "萧山", "区", "Xiaoshan"),
        ("330110", "余杭", "区", "Yuhang"),
        ("330111", "富阳", "区", "Fuyang"),
        ("330112", "临安", "区", "Lin'an"),
        ("330113", "临平", "区", "Linping"),
        ("330114", "钱塘", "区", "Qiantang"),
        ("330122", "桐庐", "县", "Tonglu"),
        ("330127", "淳安", "县", "Chun'an"),
        ("330182", "建德", "市", "Jiande"),
    ),
    "330200": (
        ("330203", "海曙", "区", "Haishu"),
        ("330205", "江北", "区", "Jiangbei"),
        ("330206", "北仑", "区", "Beilun"),
        ("330211", "镇海", "区", "Zhenhai"),
        ("330212", "鄞州", "区", "Yinzhou"),
        ("330213", "奉化", "区", "Fenghua"),
        ("330225", "象山", "县", "Xiangshan"),
        ("330226", "宁海", "县", "Ninghai"),
        ("330281", "余姚", "市", "Yuyao"),
        ("330282", "慈溪", "市", "Cixi"),
    ),
    "330300": (
        ("330302", "鹿城", "区", "Lucheng"),
        ("330303", "龙湾", "区", "Longwan"),
        ("330304", "瓯海", "区", "Ouhai"),
        ("330305", "洞头", "区", "Dongtou"),
        ("330324", "永嘉", "县", "Yongjia"),
        ("330326", "平阳", "县", "Pingyang"),
        ("330327", "苍南", "县", "Cangnan"),
        ("330328", "文成", "县", "Wencheng"),
        ("330329", "泰顺", "县", "Taishun"),
        ("330381", "瑞安", "市", "Rui'an"),
        ("330382", "乐清", "市", "Yueqing"),
        ("330383", "龙港", "市", "Longgang"),
    ),
    "330400": (
        ("330402", "南湖", "区", "Nanhu"),
        ("330411", "秀洲", "区", "Xiuzhou"),
        ("330421", "嘉善", "县", "Jiashan"),
        ("330424", "海盐", "县", "Haiyan"),
        ("330481", "海宁", "市", "Haining"),
        ("330482", "平湖", "市", "Pinghu"),
        ("330483", "桐乡", "市", "Tongxiang"),
    ),
    "330500": (
        ("330502", "吴兴", "区", "Wuxing"),
        ("330503", "南浔", "区", "Nanxun"),
        ("330521", "德清", "县", "Deqing"),
        ("330522", "长兴", "县", "Changxing"),
        ("330523", "安吉", "县", "Anji"),
    ),
    "330600": (
        ("330602", "越城", "区", "Yuecheng"),
        ("330603", "柯桥", "区", "Keqiao"),
        ("330604", "上虞", "区", "Shangyu"),
        ("330624", "新昌", "县", "Xinchang"),
        ("330681", "诸暨", "市", "Zhuji"),
        ("330683", "嵊州", "市", "Shengzhou"),
    ),
    "330700": (
        ("330702", "婺城", "区", "Wucheng"),
        ("330703", "金东", "区", "Jindong"),
        ("330723", "武义", "县", "Wuyi"),
        ("330726", "浦江", "县", "Pujiang"),
        ("330727", "磐安", "县", "Pan'an"),
        ("330781", "兰溪", "市", "Lanxi"),
        ("330782", "义乌", "市", "Yiwu"),
        ("330783", "东阳", "市", "Dongyang"),
        ("330784", "永康", "市", "Yongkang"),
    ),
    "330800": (
        ("330802", "柯城", "区", "Kecheng"),
        ("330803", "衢江", "区", "Qujiang"),
        ("330822", "常山", "县", "Changshan"),
        ("330824", "开化", "县", "Kaihua"),
        ("330825", "龙游", "县", "Longyou"),
        ("330881", "江山", "市", "Jiangshan"),
    ),
    "330900": (
        ("330902", "定海", "区", "Dinghai"),
        ("330903", "普陀", "区", "Putuo"),
        ("330921", "岱山", "县", "Daishan"),
        ("330922", "嵊泗", "县", "Shengsi"),
    ),
    "331000": (
        ("331002", "椒江", "区", "Jiaojiang"),
        ("331003", "黄岩", "区", "Huangyan"),
        ("331004", "路桥", "区", "Luqiao"),
        ("331022", "三门", "县", "Sanmen"),
        ("331023", "天台", "县", "Tiantai"),
        ("331024", "仙居", "县", "Xianju"),
        ("331081", "温岭", "市", "Wenling"),
        ("331082", "临海", "市", "Linhai"),
        ("331083", "玉环", "市", "Yuhuan"),
    ),
    "331100": (
        ("331102", "莲都", "区", "Liandu"),
        ("331121", "青田", "县", "Qingtian"),
        ("331122", "缙云", "县", "Jinyun"),
        ("331123", "遂昌", "县", "Suichang"),
        ("331124", "松阳", "县", "Songyang"),
        ("331125", "云和", "县", "Yunhe"),
        ("331126", "庆元", "县", "Qingyuan"),
        ("331127", "景宁", "畲族自治县", "Jingning"),
        ("331181", "龙泉", "市", "Longquan"),
    ),
}

# A few real streets (街道), towns (镇) and townships (乡) of each Hangzhou district:
# (short Chinese name, suffix, short English name). Their demo codes are the district
# code followed by 001, 002, ... in this order.
HANGZHOU_TOWNSHIPS = {
    "330102": (
        ("湖滨", "街道", "Hubin"),
        ("清波", "街道", "Qingbo"),
        ("小营", "街道", "Xiaoying"),
        ("四季青", "街道", "Sijiqing"),
    ),
    "330105": (
        ("米市巷", "街道", "Mishixiang"),
        ("湖墅", "街道", "Hushu"),
        ("小河", "街道", "Xiaohe"),
        ("祥符", "街道", "Xiangfu"),
    ),
    "330106": (
        ("北山", "街道", "Beishan"),
        ("西溪", "街道", "Xixi"),
        ("灵隐", "街道", "Lingyin"),
        ("转塘", "街道", "Zhuantang"),
    ),
    "330108": (
        ("西兴", "街道", "Xixing"),
        ("长河", "街道", "Changhe"),
        ("浦沿", "街道", "Puyan"),
    ),
    "330109": (
        ("城厢", "街道", "Chengxiang"),
        ("北干", "街道", "Beigan"),
        ("瓜沥", "镇", "Guali"),
        ("河上", "镇", "Heshang"),
    ),
    "330110": (
        ("五常", "街道", "Wuchang"),
        ("仓前", "街道", "Cangqian"),
        ("良渚", "街道", "Liangzhu"),
        ("径山", "镇", "Jingshan"),
    ),
    "330111": (
        ("富春", "街道", "Fuchun"),
        ("东洲", "街道", "Dongzhou"),
        ("新登", "镇", "Xindeng"),
        ("场口", "镇", "Changkou"),
    ),
    "330112": (
        ("锦城", "街道", "Jincheng"),
        ("青山湖", "街道", "Qingshanhu"),
        ("於潜", "镇", "Yuqian"),
        ("天目山", "镇", "Tianmushan"),
    ),
    "330113": (
        ("临平", "街道", "Linping"),
        ("南苑", "街道", "Nanyuan"),
        ("崇贤", "街道", "Chongxian"),
        ("塘栖", "镇", "Tangqi"),
    ),
    "330114": (
        ("下沙", "街道", "Xiasha"),
        ("白杨", "街道", "Baiyang"),
        ("义蓬", "街道", "Yipeng"),
    ),
    "330122": (
        ("城南", "街道", "Chengnan"),
        ("富春江", "镇", "Fuchunjiang"),
        ("分水", "镇", "Fenshui"),
        ("莪山", "畲族乡", "Eshan"),
    ),
    "330127": (
        ("千岛湖", "镇", "Qiandaohu"),
        ("威坪", "镇", "Weiping"),
        ("汾口", "镇", "Fenkou"),
        ("姜家", "镇", "Jiangjia"),
    ),
    "330182": (
        ("新安江", "街道", "Xin'anjiang"),
        ("洋溪", "街道", "Yangxi"),
        ("梅城", "镇", "Meicheng"),
        ("大同", "镇", "Datong"),
    ),
}


def _province_seed(code: str, name_zh: str, name_en: str, short_en: str) -> TenantSeed:
    return TenantSeed(code, name_zh, name_en, "province", None, _province_organs(name_zh, short_en))


def _city_seed(code: str, short_zh: str, short_en: str, parent: str) -> TenantSeed:
    name_zh = f"{short_zh}市"
    organs = _city_organs(name_zh, short_en)
    return TenantSeed(code, name_zh, f"{short_en} City", "city", parent, organs)


def _district_seed(entry: tuple[str, str, str, str], city: TenantSeed) -> TenantSeed:
    code, short_zh, suffix, short_en = entry
    name_zh = f"{short_zh}{suffix}"
    name_en = f"{short_en} {DIVISION_TYPES_EN[suffix]}"
    city_en = city.name_en.removesuffix(" City")
    organs = _district_organs(name_zh, name_en, city.name_zh, city_en)
    return TenantSeed(code, name_zh, name_en, "district", city.code, organs)


def _township_seed(code: str, entry: tuple[str, str, str], district: TenantSeed) -> TenantSeed:
    short_zh, suffix, short_en = entry
    name_en = f"{short_en} {DIVISION_TYPES_EN[suffix]}"
    organs = _township_organs(short_zh, short_en, district.name_zh, district.name_en)
    return TenantSeed(code, f"{short_zh}{suffix}", name_en, "township", district.code, organs)


def _zhejiang(
    with_cities: tuple[str, ...], townships_of: Callable[[TenantSeed], Iterator[TenantSeed]]
) -> Iterator[TenantSeed]:
    """Zhejiang, the given cities with all their districts, and under each district the
    townships that ``townships_of`` yields for it."""
    yield _province_seed(*PROVINCE)
    for city_code, short_zh, short_en in ZHEJIANG_CITIES:
        if city_code not in with_cities:
            continue
        city = _city_seed(city_code, short_zh, short_en, PROVINCE[0])
        yield city
        for entry in ZHEJIANG_DISTRICTS[city_code]:
            district = _district_seed(entry, city)
            yield district
            yield from townships_of(district)


def _hangzhou_townships(district: TenantSeed) -> Iterator[TenantSeed]:
    for number, entry in enumerate(HANGZHOU_TOWNSHIPS.get(district.code, ()), start=1):
        yield _township_seed(f"{district.code}{number:03d}", entry, district)


def _hangzhou_townships_only(district: TenantSeed) -> Iterator[TenantSeed]:
    # The province scale keeps townships for Hangzhou only, to stay small.
    return _hangzhou_townships(district) if district.parent_code == "330100" else iter(())


# --- the synthetic national tree --------------------------------------------------------

# (code, name, English short name, synthetic cities, counties): real names and codes; the
# counts are close to the real ones so that the whole adds up to about 2,800 counties.
PROVINCES = (
    ("110000", "北京市", "Beijing", 1, 16),
    ("120000", "天津市", "Tianjin", 1, 16),
    ("130000", "河北省", "Hebei", 11, 167),
    ("140000", "山西省", "Shanxi", 11, 117),
    ("150000", "内蒙古自治区", "Inner Mongolia", 12, 103),
    ("210000", "辽宁省", "Liaoning", 14, 100),
    ("220000", "吉林省", "Jilin", 9, 60),
    ("230000", "黑龙江省", "Heilongjiang", 13, 121),
    ("310000", "上海市", "Shanghai", 1, 16),
    ("320000", "江苏省", "Jiangsu", 13, 95),
    ("330000", "浙江省", "Zhejiang", 11, 90),
    ("340000", "安徽省", "Anhui", 16, 104),
    ("350000", "福建省", "Fujian", 9, 84),
    ("360000", "江西省", "Jiangxi", 11, 100),
    ("370000", "山东省", "Shandong", 16, 136),
    ("410000", "河南省", "Henan", 17, 157),
    ("420000", "湖北省", "Hubei", 13, 103),
    ("430000", "湖南省", "Hunan", 14, 122),
    ("440000", "广东省", "Guangdong", 21, 122),
    ("450000", "广西壮族自治区", "Guangxi", 14, 111),
    ("460000", "海南省", "Hainan", 4, 25),
    ("500000", "重庆市", "Chongqing", 2, 38),
    ("510000", "四川省", "Sichuan", 21, 183),
    ("520000", "贵州省", "Guizhou", 9, 88),
    ("530000", "云南省", "Yunnan", 16, 129),
    ("540000", "西藏自治区", "Tibet", 7, 74),
    ("610000", "陕西省", "Shaanxi", 10, 107),
    ("620000", "甘肃省", "Gansu", 14, 86),
    ("630000", "青海省", "Qinghai", 8, 44),
    ("640000", "宁夏回族自治区", "Ningxia", 5, 22),
    ("650000", "新疆维吾尔自治区", "Xinjiang", 14, 107),
)


def _province_name_en(name_zh: str, short_en: str) -> str:
    if name_zh.endswith("自治区"):
        return f"{short_en} Autonomous Region"
    return short_en if name_zh.endswith("市") else f"{short_en} Province"


def townships_per_county(county_code: str) -> int:
    """10 to 16 townships, 13 on average, fixed by the code so every run agrees."""
    return 10 + int(county_code) % 7


def _synthetic_townships(district: TenantSeed, first: int = 1) -> Iterator[TenantSeed]:
    for number in range(first, townships_per_county(district.code) + 1):
        entry = (f"第{number}", "乡", f"No. {number}")
        yield _township_seed(f"{district.code}{number:03d}", entry, district)


def _filled_townships(district: TenantSeed) -> Iterator[TenantSeed]:
    """Real townships first where we know them (Hangzhou), synthetic ones after."""
    real = list(_hangzhou_townships(district))
    yield from real
    yield from _synthetic_townships(district, first=len(real) + 1)


def _synthetic_counties(city: TenantSeed, count: int) -> Iterator[TenantSeed]:
    for number in range(1, count + 1):
        entry = (f"{city.code[:4]}{number:02d}", f"第{number}", "县", f"No. {number}")
        district = _district_seed(entry, city)
        yield district
        yield from _synthetic_townships(district)


def _synthetic_province(code: str, name_zh: str, short_en: str, cities: int, counties: int):
    yield _province_seed(code, name_zh, _province_name_en(name_zh, short_en), short_en)
    for number in range(1, cities + 1):
        city = _city_seed(f"{code[:2]}{number:02d}00", f"第{number}", f"No. {number}", code)
        yield city
        # Spread the counties evenly, the first cities taking the remainder.
        share = counties // cities + (1 if number <= counties % cities else 0)
        yield from _synthetic_counties(city, share)


def iter_tree(scale: str = "city") -> Iterator[TenantSeed]:
    """The demo tree, lazily, parents before children (see the module docstring)."""
    if scale == "city":
        yield from _zhejiang(("330100",), _hangzhou_townships)
    elif scale == "province":
        all_cities = tuple(code for code, _, _ in ZHEJIANG_CITIES)
        yield from _zhejiang(all_cities, _hangzhou_townships_only)
    elif scale == "national":
        yield from _national()
    else:
        raise ValueError(f"unknown scale {scale!r}; expected one of {SCALES}")


def _national() -> Iterator[TenantSeed]:
    """Real provinces; Zhejiang with its real cities and districts, the rest synthetic.
    Every county gets townships, so the whole is of national size."""
    all_cities = tuple(code for code, _, _ in ZHEJIANG_CITIES)
    for code, name_zh, short_en, cities, counties in PROVINCES:
        if code == PROVINCE[0]:
            yield from _zhejiang(all_cities, _filled_townships)
        else:
            yield from _synthetic_province(code, name_zh, short_en, cities, counties)


def demo_tree(scale: str = "city") -> list[TenantSeed]:
    """The demo tree as a list, parents before children."""
    return list(iter_tree(scale))
