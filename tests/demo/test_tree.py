"""The demo federation's tenant tree: real codes, order, organs by level."""

from __future__ import annotations

import pytest

from app.demo.tree import TOWNSHIP_KINDS, UPPER_KINDS, demo_tree, iter_tree

HANGZHOU_DISTRICTS = {
    "330102": "上城区",
    "330105": "拱墅区",
    "330106": "西湖区",
    "330108": "滨江区",
    "330109": "萧山区",
    "330110": "余杭区",
    "330111": "富阳区",
    "330112": "临安区",
    "330113": "临平区",
    "330114": "钱塘区",
    "330122": "桐庐县",
    "330127": "淳安县",
    "330182": "建德市",
}


@pytest.fixture(scope="module")
def city():
    return demo_tree("city")


@pytest.fixture(scope="module")
def province():
    return demo_tree("province")


def by_code(tree):
    return {t.code: t for t in tree}


def organ(tenant, kind):
    return next(o for o in tenant.organs if o.kind == kind)


def assert_parents_first(tree):
    seen: set[str] = set()
    for tenant in tree:
        assert tenant.parent_code is None or tenant.parent_code in seen, tenant.code
        seen.add(tenant.code)


def assert_well_formed(tree):
    """Unique codes, one root, parents first, children's codes under their parent's."""
    codes = [t.code for t in tree]
    assert len(codes) == len(set(codes))
    assert_parents_first(tree)
    tenants = by_code(tree)
    for t in tree:
        if t.level == "township":
            assert len(t.code) == 9 and t.code.startswith(t.parent_code)
            assert tenants[t.parent_code].level == "district"
        if t.level == "district":
            assert len(t.code) == 6 and t.code[:4] == t.parent_code[:4]


def test_city_scale_is_zhejiang_hangzhou_and_its_thirteen_districts(city):
    assert [(t.code, t.level) for t in city[:2]] == [("330000", "province"), ("330100", "city")]
    assert city[0].parent_code is None and city[0].name_zh == "浙江省"
    assert city[1].name_zh == "杭州市"
    districts = {t.code: t.name_zh for t in city if t.level == "district"}
    assert districts == HANGZHOU_DISTRICTS
    assert all(t.parent_code == "330100" for t in city if t.level == "district")


def test_city_scale_is_well_formed(city):
    assert_well_formed(city)


def test_every_district_has_two_to_four_townships(city):
    for code in HANGZHOU_DISTRICTS:
        townships = [t for t in city if t.parent_code == code]
        assert 2 <= len(townships) <= 4, code
        assert all(t.level == "township" for t in townships)
        assert all(t.code.startswith(code) for t in townships)


def test_real_township_names(city):
    tenants = by_code(city)
    assert tenants["330106001"].name_zh == "北山街道"
    assert tenants["330106001"].name_en == "Beishan Subdistrict"
    assert tenants["330109003"].name_zh == "瓜沥镇"


def test_organ_kinds_by_level(city):
    for tenant in city:
        kinds = tuple(o.kind for o in tenant.organs)
        assert kinds == (TOWNSHIP_KINDS if tenant.level == "township" else UPPER_KINDS)
        assert all(o.name_zh and o.name_en for o in tenant.organs)


def test_organ_names_follow_real_practice(city):
    tenants = by_code(city)
    expected = {
        "330000": "浙江省高级人民法院 浙江省人民检察院 浙江省公安厅 浙江省司法厅",
        "330100": "杭州市中级人民法院 杭州市人民检察院 杭州市公安局 杭州市司法局",
        "330106": "西湖区人民法院 西湖区人民检察院 杭州市公安局西湖区分局 西湖区司法局",
        "330106001": "西湖区人民法院北山法庭 北山派出所 北山司法所",
    }
    for code, names in expected.items():
        assert [o.name_zh for o in tenants[code].organs] == names.split(), code
    assert organ(tenants["330122"], "public_security").name_zh == "桐庐县公安局"
    assert organ(tenants["330182"], "court").name_zh == "建德市人民法院"
    assert organ(tenants["330106"], "court").name_en == "Xihu District People's Court"


def test_province_scale_has_all_eleven_cities(province):
    assert_well_formed(province)
    cities = [t for t in province if t.level == "city"]
    assert len(cities) == 11
    assert {c.code for c in cities} == {f"33{n:02d}00" for n in range(1, 12)}
    assert sum(t.level == "district" for t in province) >= 85
    tenants = by_code(province)
    assert tenants["330282"].name_zh == "慈溪市"
    assert tenants["331127"].name_zh == "景宁畲族自治县"


def test_province_scale_keeps_townships_for_hangzhou_only(province):
    tenants = by_code(province)
    township_cities = {
        tenants[t.parent_code].parent_code for t in province if t.level == "township"
    }
    assert township_cities == {"330100"}


def test_tree_is_a_fresh_list_each_time():
    assert demo_tree("city") == demo_tree("city")
    assert demo_tree("city") is not demo_tree("city")


def test_unknown_scale_is_refused():
    with pytest.raises(ValueError, match="scale"):
        demo_tree("planet")


def test_national_scale_has_the_size_of_the_country():
    tree = list(iter_tree("national"))
    assert_well_formed(tree)
    levels = [t.level for t in tree]
    assert levels.count("province") == 31
    assert levels.count("district") >= 2500
    assert 30_000 <= levels.count("township") <= 45_000
    tenants = by_code(tree)
    assert tenants["110000"].name_zh == "北京市"
    assert organ(tenants["110000"], "public_security").name_zh == "北京市公安局"
    # Zhejiang stays real inside the national tree, Hangzhou's streets included.
    assert tenants["330106"].name_zh == "西湖区"
    assert tenants["330106001"].name_zh == "北山街道"
