"""Administrative divisions (GB/T 2260 codes) the demo knows, from app/data/districts.csv."""
import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data" / "districts.csv"


@dataclass(frozen=True)
class District:
    """One county-level division with its names."""

    code: str
    zh: str
    en: str

    def name(self, lang: str) -> str:
        """The name in the user's language."""
        return self.zh if lang == "zh" else self.en


@cache
def all_districts() -> dict[str, District]:
    """Every known district by code, in file order."""
    with _DATA.open(encoding="utf-8") as f:
        return {row["code"]: District(row["code"], row["zh"], row["en"]) for row in csv.DictReader(f)}


def is_known(code: str) -> bool:
    """True for a code in the data file."""
    return code in all_districts()


def name_of(code: str, lang: str) -> str:
    """The district's name, or the bare code when unknown."""
    district = all_districts().get(code)
    return district.name(lang) if district else code


def choices(lang: str) -> list[tuple[str, str]]:
    """(code, name) pairs for a select list."""
    return [(d.code, d.name(lang)) for d in all_districts().values()]
