"""Masked forms of personal data for codes, scanners and lists (information minimisation)."""

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f·•]+")  # ideographs and the name dot
_SEPARATORS = re.compile(r"[\s\-()]")


def mask_name(name: str) -> str:
    """'张三'→'张*', '张小明'→'张*明', '欧阳小明'→'欧**明'; Latin names keep each word's first letter."""
    name = " ".join(name.split())
    if not name:
        return ""
    compact = name.replace(" ", "")
    if _CJK.fullmatch(compact):
        if len(compact) == 1:
            return "*"
        if len(compact) == 2:
            return compact[0] + "*"
        return compact[0] + "*" * (len(compact) - 2) + compact[-1]
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split(" "))


def mask_phone(phone: str) -> str:
    """'13812345678'→'138****5678': first 3 and last 4 digits kept; short numbers fully masked."""
    phone = _SEPARATORS.sub("", phone)
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(number: str) -> str:
    """First 3 and last 2 characters kept ("110*************2X"), so the birth date never shows."""
    number = number.strip().upper()
    if len(number) < 6:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]
