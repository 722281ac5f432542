"""The country's places: GB/T 2260 administrative divisions, from app/data/places.csv.

The file (made by scripts/districts.py) holds every province, prefecture-level city and county-level
division with its parent and short names; full names are built from the chain ("浙江省" + "杭州市" +
"西湖区", "Xihu, Hangzhou, Zhejiang"). A *district* is a place with nothing under it: a county-level
division, or a city without counties (东莞市) or a province-level place without them (香港特别行政区).
Risk areas and staff scopes may be any place; a city or province covers every district whose code starts
with its prefix.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data" / "places.csv"


@dataclass(frozen=True)
class District:
    """One place with its full names, its short names and the place above it ('' for a province)."""

    code: str
    zh: str
    en: str
    parent: str = ""
    short_zh: str = ""
    short_en: str = ""
    leaf: bool = True

    def name(self, lang: str) -> str:
        """The full name in the user's language."""
        return self.zh if lang == "zh" else self.en

    def short(self, lang: str) -> str:
        """The name without the places above it ('西湖区', 'Xihu')."""
        return self.short_zh if lang == "zh" else self.short_en


@cache
def all_places() -> dict[str, District]:
    """Every place by code, in code order (each province, then what it holds)."""
    with _DATA.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    parents = {row["parent"] for row in rows}
    places: dict[str, District] = {}
    for row in rows:  # a parent comes before its children (codes ascend within a province)
        above = places.get(row["parent"])
        places[row["code"]] = District(
            code=row["code"],
            zh=(above.zh if above else "") + row["zh"],
            en=row["en"] + (", " + above.en if above else ""),
            parent=row["parent"],
            short_zh=row["zh"],
            short_en=row["en"],
            leaf=row["code"] not in parents,
        )
    return places


@cache
def all_districts() -> dict[str, District]:
    """Every district (a place with nothing under it) by code: where a person lives or has been."""
    return {code: place for code, place in all_places().items() if place.leaf}


def all_areas() -> dict[str, District]:
    """Provinces, cities and districts: every area a risk area or a staff scope may cover."""
    return all_places()


def is_area(code: str) -> bool:
    """True for a known province, city or county code."""
    return code in all_places()


def is_known(code: str) -> bool:
    """True for a known district (county-level, or a place without counties)."""
    return code in all_districts()


def is_province(prefix: str) -> bool:
    """True when two digits are a known province-level code ('33', '81')."""
    return len(prefix) == 2 and prefix + "0000" in all_places()


def level_of(code: str) -> str:
    """'province', 'city' or 'county' by the code, as GB/T 2260 reads it (东莞 441900 is a city)."""
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


def prefix_of(area: str) -> str:
    """The code prefix an area covers: '330100' (a city) → '3301', '330000' (a province) → '33'."""
    prefix = area
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def within(district: str, area: str) -> bool:
    """A county code lies in an area code; '330100' (a city) or '330000' (a province) covers its counties."""
    return district.startswith(prefix_of(area))


def area_choices(lang: str) -> list[tuple[str, str]]:
    """(code, name) pairs of provinces, cities and counties, each province followed by what it holds."""
    return [(place.code, place.name(lang)) for place in all_places().values()]


def name_of(code: str, lang: str) -> str:
    """The area's name, or the bare code when unknown."""
    place = all_places().get(code)
    return place.name(lang) if place else code


def choices(lang: str) -> list[tuple[str, str]]:
    """(code, name) pairs of every district: thousands, so pages list local_choices() and load the rest."""
    return [(place.code, place.name(lang)) for place in all_districts().values()]


def local_choices(lang: str, local_area: str, *, areas: bool = False, selected: str = "") -> list[tuple[str, str]]:
    """(code, name) pairs of the districts (with `areas`, also the provinces and cities) within the local
    area, in code order, plus `selected` when it is a place of that kind elsewhere: what a page lists
    before its place picker loads the whole country."""
    pool = all_places() if areas else all_districts()
    codes = [code for code in pool if within(code, local_area)]
    if selected in pool and selected not in codes:
        codes = sorted([*codes, selected])
    return [(code, pool[code].name(lang)) for code in codes]
