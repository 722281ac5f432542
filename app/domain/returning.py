"""Pure rules for residents coming home: mobile numbers as lists write them, trip numbers, the plan's dates."""

import re
from datetime import date, timedelta

MOBILE = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-()\u3000]")
# Flight numbers: a two-character airline code and up to four digits (HU7181, 3U8888); trains: an optional
# letter of the train's class and up to five digits (G1234, K1156, 1461); ships and the rest: any short code.
TRIP_PATTERNS = {
    "plane": re.compile(r"[A-Z0-9]{2}\d{1,4}[A-Z]?"),
    "train": re.compile(r"[GDCZTKSYL]?\d{1,5}"),
}
OTHER_TRIP = re.compile(r"[A-Z0-9\-]{1,12}")
TRIP_REQUIRED = ("plane", "train")
NAME = re.compile(r"[\u3400-\u9fffA-Za-z·.\- ]{2,30}")


def mobile_number(text: str) -> str | None:
    """A mainland mobile number as 11 digits, from the ways lists write it ('138 1234 5678', '+86-138…',
    '8613812345678'); None when it is not one."""
    if len(text) == 11 and text.isascii() and text.isdigit():  # the usual case, without a regular expression
        return text if text[0] == "1" and text[1] in "3456789" else None
    digits = _SEPARATORS.sub("", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if MOBILE.fullmatch(digits) else None


def trip_number(transport: str, text: str | None) -> str | None:
    """The flight, train or ship number in its usual form (capitals, no spaces), None when left empty;
    ValueError when it cannot be one, or is missing for a plane or a train."""
    number = re.sub(r"\s", "", text or "").upper()
    if not number:
        if transport in TRIP_REQUIRED:
            raise ValueError("missing")
        return None
    pattern = TRIP_PATTERNS.get(transport, OTHER_TRIP)
    if len(number) > 12 or not pattern.fullmatch(number):
        raise ValueError("malformed")
    return number


def plan_days(today: date, max_days: int) -> tuple[date, date]:
    """The first and last day a return may be planned for."""
    return today, today + timedelta(days=max_days)


def arrival_day(planned: date, today: date, window_days: int = 14) -> date | None:
    """The arrival date a check-in today declares for a return planned on `planned`: that day once it has
    come, today for an early arrival; None once it lies further back than the window the rules read."""
    day = min(planned, today)
    return day if day > today - timedelta(days=window_days) else None
