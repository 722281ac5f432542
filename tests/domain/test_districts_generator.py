"""scripts/districts.py on a tiny stand-in of the package: what it keeps, drops and names."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("districts_script", ROOT / "scripts" / "districts.py")
generator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generator)

ROMAN = {"东城": "Dongcheng", "石家庄": "Shijiazhuang", "长安": "Chang'an", "东莞": "Dongguan", "白沙": "Baisha"}
ROMAN |= {"新华": "Xinhua", "新华区": "Xinhua", "桥西": "Qiaoxi", "城": "Cheng", "海口": "Haikou", "秀英": "Xiuying"}


def romanise(bare: str) -> str:
    return ROMAN[bare]


def write_package(root: Path) -> Path:
    dist = root / "dist"
    dist.mkdir(parents=True)
    (root / "package.json").write_text(json.dumps({"version": generator.PACKAGE_VERSION}))
    (dist / "provinces.csv").write_text('code,name\n11,"北京市"\n13,"河北省"\n44,"广东省"\n46,"海南省"\n')
    (dist / "cities.csv").write_text(
        'code,name,provinceCode\n1101,"市辖区",11\n1301,"石家庄市",13\n4419,"东莞市",44\n4601,"海口市",46\n'
        '4690,"省直辖县级行政区划",46\n'
    )
    (dist / "areas.csv").write_text(
        "code,name,cityCode,provinceCode\n"
        '110101,"东城区",1101,11\n130102,"长安区",1301,13\n130105,"新华区",1301,13\n130104,"桥西区",1301,13\n'
        '130171,"石家庄高新技术产业开发区",1301,13\n130199,"新华县",1301,13\n441900,"东莞市",4419,44\n'
        '460105,"秀英区",4601,46\n469025,"白沙黎族自治县",4690,46\n469099,"城区",4690,46\n'
    )
    return root


@pytest.fixture
def rows(tmp_path):
    names = tmp_path / "names_en.csv"
    names.write_text('code,zh,en\n460105,海南省海口市秀英区,"Xiuying, Haikou, Hainan"\n', encoding="utf-8")
    built = generator.build(write_package(tmp_path / "package"), names, romanise)
    return {row["code"]: row for row in built}


def test_keeps_gb2260_levels_and_drops_placeholders_and_statistical_zones(rows):
    assert "110100" not in rows and rows["110101"]["parent"] == "110000"  # no 市辖区
    assert "469000" not in rows and rows["469025"]["parent"] == "460000"  # no 省直辖县级行政区划
    assert "130171" not in rows  # a development zone of the statistics
    assert rows["441900"]["parent"] == "440000"
    assert not any(row["parent"] == "441900" for row in rows.values())  # its placeholder county is gone
    assert {"710000", "810000", "820000"} <= set(rows)
    assert list(rows) == sorted(rows)


def test_english_names(rows):
    assert rows["130000"]["en"] == "Hebei" and rows["810000"]["en"] == "Hong Kong"
    assert rows["130102"]["en"] == "Chang'an"
    assert rows["469025"]["en"] == "Baisha"  # 黎族自治县 dropped
    assert rows["469099"]["en"] == "Cheng District"  # one syllable: the kind is said
    assert (rows["130105"]["en"], rows["130199"]["en"]) == ("Xinhua District", "Xinhua County")  # siblings told apart
    assert rows["460105"]["en"] == "Xiuying"  # the hand-made name


def test_a_hand_made_name_for_a_place_the_package_lacks_stops_the_run(tmp_path):
    names = tmp_path / "names_en.csv"
    names.write_text("code,zh,en\n330103,浙江省杭州市下城区,Xiacheng\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="330103"):
        generator.build(write_package(tmp_path / "package"), names, romanise)


def test_writes_the_csv_and_the_pickers_json(rows, tmp_path):
    generator.write(list(rows.values()), tmp_path, tmp_path / "static")
    assert (
        (tmp_path / "places.csv").read_text(encoding="utf-8").startswith("code,parent,zh,en\n110000,,北京市,Beijing\n")
    )
    data = json.loads((tmp_path / "static" / "places.zh.json").read_text(encoding="utf-8"))
    assert ["110101", "110000", "东城区"] in data["places"]
    english = json.loads((tmp_path / "static" / "places.en.json").read_text(encoding="utf-8"))
    assert ["110101", "110000", "Dongcheng"] in english["places"]
