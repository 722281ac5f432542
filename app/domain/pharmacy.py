"""Fever-drug registration (购药登记): the shipped list of common fever and cough medicines
(app/data/fever_drugs.csv, Chinese and English names), quantities, and the mobile number of the actual
patient in a proxy purchase (代购). Pure: no Flask, no database."""

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data" / "fever_drugs.csv"

QUANTITY = (1, 99)  # packs of one drug in one sale
MAX_DRUG_ROWS = 20
MAX_DRUG_NAME = 64
MOBILE = re.compile(r"1[3-9]\d{9}")
_PHONE_SEPARATORS = re.compile(r"[\s\-]")


@dataclass(frozen=True)
class Drug:
    """One medicine of the shipped list."""

    code: str
    zh: str
    en: str

    def name(self, lang: str) -> str:
        """The name in the user's language."""
        return self.zh if lang == "zh" else self.en


@cache
def fever_drugs() -> dict[str, Drug]:
    """The shipped list by code, in file order."""
    with _DATA.open(encoding="utf-8") as f:
        return {row["code"]: Drug(row["code"], row["zh"], row["en"]) for row in csv.DictReader(f)}


@cache
def _by_name() -> dict[str, str]:
    names = {}
    for drug in fever_drugs().values():
        names[drug.zh.casefold()] = drug.code
        names[drug.en.casefold()] = drug.code
    return names


def listed_code(name: str) -> str | None:
    """The code of a listed medicine named `name` in either language (case and spacing ignored), else None."""
    return _by_name().get(" ".join(name.split()).casefold())


def drug_name(code: str | None, typed: str, lang: str) -> str:
    """What to show for a sold drug: a listed one in the viewer's language, a typed one as typed."""
    drug = fever_drugs().get(code) if code else None
    return drug.name(lang) if drug else typed


def normal_mobile(text: str) -> str | None:
    """A mainland mobile number (spaces and hyphens dropped), else None."""
    number = _PHONE_SEPARATORS.sub("", text)
    return number if MOBILE.fullmatch(number) else None
