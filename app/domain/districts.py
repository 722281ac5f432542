"""Administrative divisions (GB/T 2260 codes) the demo knows, from app/data/districts.csv."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data" / "districts.csv"
_AREAS = Path(__file__).resolve().parent.parent / "data" / "areas.csv"  # provinces and cities above them


@dataclass(frozen=True)
class District:
    """One county-level division with its names."""

    code: str
    zh: str
    en: str

    def name(self, lang: str) -> str:
        """The name in the user's language."""
        return self.zh if lang == "zh" else self.en


def _load(path: Path) -> dict[str, District]:
    with path.open(encoding="utf-8") as f:
        return {row["code"]: District(row["code"], row["zh"], row["en"]) for row in csv.DictReader(f)}


@cache
def all_districts() -> dict[str, District]:
    """Every known county-level district by code, in file order."""
    return _load(_DATA)


@cache
def all_areas() -> dict[str, District]:
    """Provinces and cities, then counties: every area a risk area or a staff scope may cover."""
    return {**_load(_AREAS), **all_districts()}


def is_area(code: str) -> bool:
    """True for a known province, city or county code."""
    return code in all_areas()


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
    return [(d.code, d.name(lang)) for d in sorted(all_areas().values(), key=lambda d: d.code)]


def is_known(code: str) -> bool:
    """True for a code in the data file."""
    return code in all_districts()


def name_of(code: str, lang: str) -> str:
    """The area's name, or the bare code when unknown."""
    district = all_areas().get(code)
    return district.name(lang) if district else code


def choices(lang: str) -> list[tuple[str, str]]:
    """(code, name) pairs for a select list."""
    return [(d.code, d.name(lang)) for d in all_districts().values()]
