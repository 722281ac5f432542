"""Pure rules of the enterprise area: the unified social credit code (GB 32100-2015), survey problems, who may
work today, CSV cells."""

import pytest

from app.domain.enterprises import (
    CREDIT_ALPHABET,
    InvalidCreditCode,
    check_credit_code,
    check_problems,
    credit_check_character,
    csv_cell,
    instruction,
    is_individual_business,
    may_work,
    org_code_check_character,
)

# Codes published on business licences and in public registers.
PUBLISHED = [
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
    "91110108551385082Q",  # 小米科技有限责任公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "91310115591693856A",
    "91310110666007217T",
    "91230184MA1BUFLT44",  # issued after 2015: MA… organisation codes
    "91440101MA5CJQ4N59",
    "91350213678251743X",
    "123502001549897397",  # 1 2: a public institution (事业单位)
    "92371000MA3MXH0E3W",  # 9 2: an individual business (个体工商户)
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_accepted(code):
    assert check_credit_code(code) == code


def test_typed_forms_are_normalised():
    assert check_credit_code(" 9144 0300 7152 6726xg ") == "9144030071526726XG"
    assert check_credit_code("91110000-802100433-b") == "91110000802100433B"


@pytest.mark.parametrize("code", PUBLISHED)
def test_changing_any_one_character_is_caught(code):
    """The check character catches every single-character typing mistake."""
    for position in range(18):
        for char in CREDIT_ALPHABET:
            if char == code[position]:
                continue
            typo = code[:position] + char + code[position + 1 :]
            with pytest.raises(InvalidCreditCode):
                check_credit_code(typo)


def test_swapping_neighbours_is_caught():
    code = "91110108551385082Q"
    for position in range(16):
        if code[position] != code[position + 1]:
            swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
            with pytest.raises(InvalidCreditCode):
                check_credit_code(swapped)


@pytest.mark.parametrize(
    "text, reason, params",
    [
        ("", "length", {"n": 0}),
        ("9144030071526726X", "length", {"n": 17}),
        ("9144030071526726XGG", "length", {"n": 19}),
        ("9144030071526726IG", "character", {"char": "I", "position": 17}),
        ("91440300715267O6XG", "character", {"char": "O", "position": 15}),
        ("9144030071526726X！", "character", {"char": "！", "position": 18}),
        ("914403007152672S6X", "character", {"char": "S", "position": 16}),
        ("944403007152672600", "authority", {"prefix": "94"}),
        ("B14403007152672600", "authority", {"prefix": "B1"}),
        ("91A40300715267260X", "area", {"area": "A40300"}),
        ("91990300715267260X", "area", {"area": "990300"}),
        ("914403007152672700", "org_code", {}),
        ("9144030071526726XA", "check", {}),
    ],
)
def test_each_mistake_is_named(text, reason, params):
    with pytest.raises(InvalidCreditCode) as raised:
        check_credit_code(text)
    assert raised.value.reason == reason
    assert raised.value.params == params


def test_an_early_pilot_code_off_the_standard_is_refused():
    """A few codes issued before the standard (Xiamen's pilot) do not satisfy its check; they are refused."""
    with pytest.raises(InvalidCreditCode) as raised:
        check_credit_code("91350211M00013FA1N")
    assert raised.value.reason == "check"


def test_check_characters_follow_the_standards_arithmetic():
    # GB 32100: 31 - (Σ value × 3^(i-1) mod 31) mod 31, written in the 31-character alphabet.
    assert credit_check_character("9144030071526726X") == "G"
    assert credit_check_character("00000000000000000") == "0"  # 31 mod 31
    # GB 11714: 11 - (Σ value × weight mod 11); 10 is X, 11 is 0.
    assert org_code_check_character("71526726") == "X"
    assert org_code_check_character("19220382") == "1"
    assert org_code_check_character("00000000") == "0"


def test_individual_businesses_start_with_92():
    assert is_individual_business("92371000MA3MXH0E3W")
    assert not is_individual_business("91110108551385082Q")


def test_only_green_may_work():
    assert may_work("green")
    assert not may_work("yellow")
    assert not may_work("red")
    assert not may_work(None)
    assert [instruction(c) for c in ("green", "yellow", "red", None, "blue")] == [
        "work",
        "yellow",
        "red",
        "no_code",
        "no_code",
    ]


def test_problems_come_back_in_the_surveys_order_once_each():
    assert check_problems(["policy", "staff", "staff"]) == ("staff", "policy")
    assert check_problems([]) == ()
    with pytest.raises(ValueError):
        check_problems(["staff", "weather"])


@pytest.mark.parametrize(
    "value, cell",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86 138", "'+86 138"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("张*明", "张*明"),
        ("a=b", "a=b"),
        (None, ""),
        (12, "12"),
    ],
)
def test_formula_looking_cells_are_neutralised(value, cell):
    assert csv_cell(value) == cell
