"""Enterprises back at work: the unified social credit code (GB 32100-2015), the lists a declaration and the
resumption survey choose from, who may work today, and CSV cells a spreadsheet will not run as formulas."""

import re

# --- the unified social credit code (统一社会信用代码), GB 32100-2015 ------------------------------------------

CREDIT_CODE_LENGTH = 18
# The 31 characters a code may hold: digits and capital letters without I, O, S, V and Z.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weights of positions 1 to 17 (3^(i-1) mod 31), as the standard tabulates them.
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Position 1, the registration authority, and position 2, the kinds of body it registers (Table 1 of the
# standard and its later additions).
REGISTRATION_KINDS = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": "19",  # 外交: 外国常驻新闻机构, 其他
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化: 外国在华文化中心, 其他
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游: 外国旅游部门常驻代表机构, 港澳台地区旅游部门常驻内地（大陆）代表机构, 其他
    "7": "129",  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",  # 工会: 基层工会, 其他
    "9": "123",  # 工商 (市场监管): 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": "1239",  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",  # 其他
}
INDIVIDUAL_BUSINESS_PREFIX = "92"  # 工商 + 个体工商户
# Positions 3-8: the registering authority's GB/T 2260 area; its first two digits are a province
# (or 10, the national authorities).
PROVINCES = frozenset(
    [
        "10",
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)
# Positions 9-17: the body's organisation code (GB 11714-1997), whose last character is its own check.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_SEPARATORS = re.compile(r"[\s\-－—]+")


class InvalidCreditCode(ValueError):
    """A text that is not a unified social credit code; `reason` says what is wrong, `params` where."""

    def __init__(self, reason: str, **params):
        super().__init__(reason)
        self.reason, self.params = reason, params


def normalise_credit_code(text: str) -> str:
    """Upper case, without the spaces and dashes people type between groups."""
    return _SEPARATORS.sub("", text or "").upper()


def credit_check_character(first17: str) -> str:
    """The 18th character for the first 17: 31 minus the weighted sum mod 31, written in the alphabet."""
    total = sum(CREDIT_ALPHABET.index(char) * weight for char, weight in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def org_code_check_character(first8: str) -> str:
    """GB 11714's check for an organisation code's first 8 characters: 11 minus the weighted sum mod 11
    (10 is written X, 11 is written 0); letters count as 10 (A) to 35 (Z)."""
    total = sum(_org_value(char) * weight for char, weight in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _org_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def check_credit_code(text: str) -> str:
    """The code, normalised, if it is a well-formed unified social credit code; else InvalidCreditCode naming
    the first thing wrong: `length` (n), `character` (char, position), `authority` (prefix), `area`,
    `org_code`, `check` (the 18th character does not match: a typing mistake somewhere)."""
    code = normalise_credit_code(text)
    if len(code) != CREDIT_CODE_LENGTH:
        raise InvalidCreditCode("length", n=len(code))
    for position, char in enumerate(code, start=1):
        if char not in CREDIT_ALPHABET:
            raise InvalidCreditCode("character", char=char, position=position)
    if code[1] not in REGISTRATION_KINDS.get(code[0], ""):
        raise InvalidCreditCode("authority", prefix=code[:2])
    if not code[2:8].isdigit() or code[2:4] not in PROVINCES:
        raise InvalidCreditCode("area", area=code[2:8])
    org_code = code[8:17]
    if org_code_check_character(org_code[:8]) != org_code[8]:
        raise InvalidCreditCode("org_code")
    if credit_check_character(code[:17]) != code[17]:
        raise InvalidCreditCode("check")
    return code


def is_individual_business(code: str) -> bool:
    """A code registered by the market regulator for an individual business (个体工商户)."""
    return code.startswith(INDIVIDUAL_BUSINESS_PREFIX)


# --- what a declaration chooses from ---------------------------------------------------------------------------

# The sections of GB/T 4754-2017 (国民经济行业分类), by their letter.
INDUSTRIES = tuple("ABCDEFGHIJKLMNOPQRST")
# Size: the statistics bureau's 大型/中型/小型/微型, and individual businesses.
SCALES = ("large", "medium", "small", "micro", "individual")
SME_SCALES = ("small", "micro", "individual")  # who answers the resumption survey
EMPLOYEES_MAX = 1_000_000
# A declaration's life: filed (waiting for the district), returned with reasons (the enterprise fixes and
# files again), approved (the join link works).
STATUSES = ("submitted", "returned", "approved")

# --- the resumption survey (复工情况调查) -----------------------------------------------------------------------

SURVEY_PROBLEMS = ("staff", "raw_materials", "funds", "orders", "logistics", "prevention_supplies", "policy")
SURVEY_TEXT_MAX = 1000


def check_problems(problems) -> tuple[str, ...]:
    """The problems chosen, in the survey's order, each once; ValueError for one the survey does not list."""
    chosen = set(problems)
    unknown = chosen - set(SURVEY_PROBLEMS)
    if unknown:
        raise ValueError(f"unknown problems: {sorted(map(str, unknown))}")
    return tuple(problem for problem in SURVEY_PROBLEMS if problem in chosen)


# --- who may work today -----------------------------------------------------------------------------------------


def may_work(colour: str | None) -> bool:
    """Green only: a yellow or red code, or none at all, keeps an employee away from work today."""
    return colour == "green"


def instruction(colour: str | None) -> str:
    """Which generic instruction the roster shows for an employee's colour (never their reasons):
    `work`, `yellow`, `red` or `no_code`."""
    if colour == "green":
        return "work"
    if colour in ("yellow", "red"):
        return colour
    return "no_code"


# --- CSV ------------------------------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """Text for a CSV cell that a spreadsheet shows as text: one that would start a formula gets a ' first."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
