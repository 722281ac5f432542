"""Resident ID (GB 11643-1999) and other document validation."""

from datetime import date

import pytest

from app.domain.idcard import (
    DOCUMENT_KINDS,
    InvalidIdNumber,
    ResidentId,
    age_on,
    validate_other_document,
    validate_resident_id,
)

TODAY = date(2026, 11, 20)


def mod11_2(first17: str) -> str:
    """Check character the long way round (ISO 7064 weights are 2^(17-i) mod 11), independent of the module."""
    total = sum(int(digit) * (2 ** (17 - i) % 11) for i, digit in enumerate(first17))
    return "10X98765432"[total % 11]


def with_check(first17: str) -> str:
    """A full 18-character number."""
    return first17 + mod11_2(first17)


def error_code(number: str) -> str:
    """The InvalidIdNumber code raised for `number`."""
    with pytest.raises(InvalidIdNumber) as caught:
        validate_resident_id(number, TODAY)
    return caught.value.code


def test_published_example_with_x_check_digit():
    assert validate_resident_id("11010519491231002X", TODAY) == ResidentId(
        number="11010519491231002X", birth_date=date(1949, 12, 31), sex="F", division_code="110105"
    )


def test_lowercase_x_and_surrounding_space_are_accepted():
    assert validate_resident_id(" 11010519491231002x ", TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    "first17, birth, sex",
    [
        ("46010819900307123", date(1990, 3, 7), "M"),
        ("33010620000229004", date(2000, 2, 29), "F"),
        ("44030520261120001", date(2026, 11, 20), "M"),
        ("11010119000101002", date(1900, 1, 1), "F"),
    ],
)
def test_valid_numbers(first17, birth, sex):
    resident = validate_resident_id(with_check(first17), TODAY)
    assert (resident.birth_date, resident.sex, resident.division_code) == (birth, sex, first17[:6])


def test_wrong_check_digit():
    number = with_check("46010819900307123")
    wrong = "0" if number[-1] != "0" else "1"
    assert error_code(number[:-1] + wrong) == "check_digit"
    assert error_code("110105194912310021") == "check_digit"


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900000", "20251131", "19000229"])
def test_impossible_birth_date(birth):
    assert error_code(with_check("460108" + birth + "123")) == "birth_date"


def test_future_birth_date():
    assert error_code(with_check("46010820261121123")) == "birth_date"


def test_birth_before_1900_is_rejected_even_with_a_good_check_digit():
    assert mod11_2("44052418800101001") == "4"
    assert error_code("440524188001010014") == "birth_date"


@pytest.mark.parametrize("number", ["", "11010519491231002", "11010519491231002XX", "110105491231002"])
def test_wrong_length(number):
    assert error_code(number) == "length"


@pytest.mark.parametrize(
    "number", ["1101051949123100AX", "X10105194912310020", "11010519491231002Y", "１１0105194912310020"]
)
def test_letters_and_other_characters(number):
    assert error_code(number) == "format"


def test_invalid_id_number_is_a_value_error_with_a_code():
    error = InvalidIdNumber("format")
    assert isinstance(error, ValueError) and error.code == "format"


@pytest.mark.parametrize(
    "birth, today, age",
    [
        (date(1990, 3, 7), date(2026, 3, 6), 35),
        (date(1990, 3, 7), date(2026, 3, 7), 36),
        (date(2000, 2, 29), date(2026, 2, 28), 25),
        (date(2000, 2, 29), date(2026, 3, 1), 26),
        (date(2026, 11, 20), date(2026, 11, 20), 0),
    ],
)
def test_age_on(birth, today, age):
    assert age_on(birth, today) == age


def test_document_kinds():
    assert DOCUMENT_KINDS == ("resident_id", "passport", "hk_macao_permit", "taiwan_permit")


@pytest.mark.parametrize(
    "kind, number, normalised",
    [
        ("passport", " e12345678 ", "E12345678"),
        ("passport", "AB123", "AB123"),
        ("passport", "X" * 17, "X" * 17),
        ("hk_macao_permit", "h12345678", "H12345678"),
        ("hk_macao_permit", "M1234567890", "M1234567890"),
        ("taiwan_permit", "12345678", "12345678"),
        ("taiwan_permit", "1234567890", "1234567890"),
        ("taiwan_permit", "12345678b1", "12345678B1"),
    ],
)
def test_other_documents_accepted(kind, number, normalised):
    assert validate_other_document(kind, number) == normalised


@pytest.mark.parametrize(
    "kind, number",
    [
        ("passport", "AB12"),
        ("passport", "X" * 18),
        ("passport", "E1234-5678"),
        ("hk_macao_permit", "K12345678"),
        ("hk_macao_permit", "H123456789"),
        ("hk_macao_permit", "H1234567"),
        ("taiwan_permit", "1234567"),
        ("taiwan_permit", "123456789"),
        ("taiwan_permit", ""),
    ],
)
def test_other_documents_rejected(kind, number):
    with pytest.raises(InvalidIdNumber) as caught:
        validate_other_document(kind, number)
    assert caught.value.code == "format"


def test_unknown_document_kind_is_a_programming_error():
    with pytest.raises(ValueError) as caught:
        validate_other_document("resident_id", "11010519491231002X")
    assert not isinstance(caught.value, InvalidIdNumber)
