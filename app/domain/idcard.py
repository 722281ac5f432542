"""Identity document numbers: the GB 11643-1999 resident ID and the other documents a profile may use."""

import re
from dataclasses import dataclass
from datetime import date
from operator import mul

from app.domain import districts

DOCUMENT_KINDS = ("resident_id", "passport", "hk_macao_permit", "taiwan_permit")

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH = date(1900, 1, 1)
# Only the province is checked: numbers keep the county code of where they were first issued, and many
# of those counties have since been renamed, merged or abolished. 83 begins the residence permits of
# Taiwan residents (81 and 82, Hong Kong's and Macao's, are places in the list).
_PERMIT_REGIONS = ("83",)
_OTHER_DOCUMENTS = {
    "passport": re.compile(r"[A-Z0-9]{5,17}"),
    "hk_macao_permit": re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?"),
    "taiwan_permit": re.compile(r"[0-9]{8}|[A-Z0-9]{10}"),
}


class InvalidIdNumber(ValueError):
    """A document number was rejected; `code` is 'length', 'format', 'region', 'birth_date' or
    'check_digit'."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ResidentId:
    """A valid resident ID number and what it encodes."""

    number: str
    birth_date: date
    sex: str
    division_code: str


_DIGIT_OFFSET = ord("0") * sum(_WEIGHTS)


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits (ASCII digits assumed)."""
    return _CHECK_CHARS[(sum(map(mul, first17.encode("ascii"), _WEIGHTS)) - _DIGIT_OFFSET) % 11]


def validate_resident_id(number: str, today: date) -> ResidentId:
    """Check an 18-character resident ID (format, a province of the list, real birth date not in the
    future, check digit)."""
    number = number.strip().upper()
    if len(number) != 18:
        raise InvalidIdNumber("length")
    if not _RESIDENT_ID.fullmatch(number):
        raise InvalidIdNumber("format")
    if not (districts.is_province(number[:2]) or number[:2] in _PERMIT_REGIONS):
        raise InvalidIdNumber("region")
    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("birth_date") from None
    if not _EARLIEST_BIRTH <= birth_date <= today:
        raise InvalidIdNumber("birth_date")
    if check_character(number[:17]) != number[17]:
        raise InvalidIdNumber("check_digit")
    return ResidentId(
        number=number,
        birth_date=birth_date,
        sex="M" if int(number[16]) % 2 else "F",
        division_code=number[:6],
    )


def age_on(birth_date: date, today: date) -> int:
    """Age in whole years on `today` (a 29 February birthday counts from 1 March in other years)."""
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def validate_other_document(kind: str, number: str) -> str:
    """Normalise (strip, uppercase) a passport or permit number and check its shape."""
    if kind not in _OTHER_DOCUMENTS:
        raise ValueError(f"not an other-document kind: {kind!r}")
    number = number.strip().upper()
    if not _OTHER_DOCUMENTS[kind].fullmatch(number):
        raise InvalidIdNumber("format")
    return number
