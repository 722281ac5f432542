"""Masking of names, phone numbers and ID numbers."""

import pytest

from app.domain.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    "name, masked",
    [
        ("张三", "张*"),
        ("张小明", "张*明"),
        ("欧阳小明", "欧**明"),
        ("王", "*"),
        ("  张小明 ", "张*明"),
        ("张 三", "张*"),
        ("阿卜杜·热合曼", "阿*****曼"),
        ("John Smith", "J*** S****"),
        ("  john   smith ", "j*** s****"),
        ("Madonna", "M******"),
        ("Li Na", "L* N*"),
        ("Иван Петров", "И*** П*****"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    "phone, masked",
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+8613812345678", "+86*******5678"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    "number, masked",
    [
        ("11010519491231002X", "110*************2X"),
        ("11010519491231002x", "110*************2X"),
        ("E12345678", "E12****78"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_mask_id_number(number, masked):
    assert mask_id_number(number) == masked


def test_masked_id_never_shows_the_birth_date():
    assert "19491231" not in mask_id_number("11010519491231002X")
