"""Public information (/info and /api/info): open to everyone, in Chinese and English, with the risk areas, the
colour rules worded from the rule set's data (a new rule shows without a code change), what each kind of
checkpoint checks, the hotlines and the ways to report and appeal; the JSON with an ETag."""

import json
import re
from datetime import timedelta

import pytest

from app.domain.colours import DEFAULT_RULES
from app.infra import clock
from app.services.colours import rule_set
from tests.helpers import sign_in, staff_client
from tests.test_policies import form


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def admin(app):
    return staff_client(app, "admin", "13700000000")


def test_anyone_reads_the_information_in_chinese_by_default(app, client):
    response = client.get("/info")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    page = text_of(response)
    rules = rule_set()
    assert "防疫信息查询" in page and f"规则版本 {rules.version}" in page
    for rule in rules.rules:
        if rule.enabled and "{" not in rule.text["zh"]:
            assert rule.text["zh"] in page, rule.id
        if rule.enabled and "{" not in rule.guidance["zh"]:
            assert rule.guidance["zh"] in page, rule.id
    assert "打卡体温达到37.3℃或以上" in page  # placeholders filled from the data
    assert "14天内到访过中高风险地区" in page
    assert "申诉核实成立、数据更正" in page  # an override's categories, listed
    assert "黄码：各项原因均不再适用后，连续 7 天健康打卡且无异常，即转为绿码" in page
    assert "红码：各项原因均不再适用后，连续 14 天" in page
    assert "打卡时计入的症状： 发热、寒战、干咳" in page and "头痛" not in page  # only those that count
    assert "目前没有中高风险地区" in page
    assert "12345" in page and 'href="tel:12345"' in response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert 'href="/reports/clue"' in html and 'href="/appeals"' in html
    assert "医院 绿码: 通行; 黄码: 禁止通行; 红码: 禁止通行; 未核验: 人工核验; 无有效码: 禁止通行" in page


def test_the_information_in_english(app, client):
    page = text_of(client.get("/info?lang=en"))
    rules = rule_set()
    assert "Epidemic information" in page and f"Rule set version {rules.version}" in page
    assert "Temperature of 37.3 °C or higher at check-in" in page
    assert "Visit the nearest fever clinic" in page
    assert "黄码 Yellow code: once none of its reasons applies any more, 7 consecutive daily check-ins" in page
    assert "There are no medium- or high-risk areas at present." in page
    assert "Government service hotline" in page
    assert "Hospital 绿码 Green code: pass; 黄码 Yellow code: no entry" in page


def test_risk_areas_in_force_and_announced_show_with_level_and_dates(app, client, admin):
    today = clock.local_today()
    admin.post("/authority/risk-areas", data={"district": "460105", "level": "high", "start": today})
    later = today + timedelta(days=3)
    admin.post(
        "/authority/risk-areas",
        data={"district": "460100", "level": "medium", "start": later, "end": later + timedelta(days=7)},
    )
    admin.post(
        "/authority/risk-areas",
        data={
            "district": "460106",
            "level": "medium",
            "start": today - timedelta(days=9),
            "end": today - timedelta(days=2),
        },
    )  # over: not shown
    page = text_of(client.get("/info"))
    assert f"海南省海口市秀英区 高风险 {today.isoformat()} 另行通知前持续有效" in page
    assert f"海南省海口市 中风险 (已公布，尚未生效) {later} {later + timedelta(days=7)}" in page
    assert "龙华区" not in page
    english = text_of(client.get("/info?lang=en"))
    assert "High risk" in english and "(announced)" in english


def test_a_new_rule_in_the_rule_set_appears_without_a_code_change(app, client, tmp_path):
    data = json.loads(DEFAULT_RULES.read_text(encoding="utf-8"))
    data["version"] = "2026.12-test"
    data["rules"].append(
        {
            "id": "care.fever_clinic_visit",
            "kind": "declared_contact",
            "colour": "yellow",
            "enabled": True,
            "params": {"days": 3},
            "text": {"zh": "{days}天内到过发热门诊就诊", "en": "Seen at a fever clinic in the last {days} days"},
            "guidance": {"zh": "请居家观察并按医嘱复查", "en": "Stay home and follow the clinic's advice"},
        }
    )
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    app.config["RULES_FILE"] = str(path)
    page = text_of(client.get("/info"))
    assert "规则版本 2026.12-test" in page and "3天内到过发热门诊就诊" in page and "请居家观察并按医嘱复查" in page
    body = client.get("/api/info").get_json()
    [rule] = [rule for rule in body["colour_rules"]["rules"] if rule["id"] == "care.fever_clinic_visit"]
    assert rule["text"] == {"zh": "3天内到过发热门诊就诊", "en": "Seen at a fever clinic in the last 3 days"}
    assert rule["colour_name"] == {"zh": "黄码", "en": "黄码 Yellow code"}


def test_what_each_kind_of_checkpoint_checks_follows_the_policies(app, client, admin):
    admin.post("/authority/policies", data=form(yellow=("channel", "发热门诊"), no_code=("channel", "")))
    admin.post("/authority/policies", data=form(kind="work_site", unverified="deny"))
    admin.post("/authority/policies", data=form(kind="", area="460100", checking="off"))
    admin.post("/authority/risk-areas", data={"district": "460105", "level": "medium", "start": clock.local_today()})
    page = text_of(client.get("/info"))
    assert "医院 绿码: 通行; 黄码: 引导至发热门诊; 红码: 禁止通行; 未核验: 人工核验; 无有效码: 引导至绿色通道" in page
    assert "工地/厂区 绿码: 通行; 黄码: 禁止通行; 红码: 禁止通行; 未核验: 禁止通行" in page
    assert "海口市 · 全部卡口 : 不查验健康码（低风险地区）。" in page
    assert "以下风险地区内恢复查验健康码：海南省海口市秀英区" in page
    english = text_of(client.get("/info?lang=en"))
    assert "Hospital 绿码 Green code: pass; 黄码 Yellow code: send to 发热门诊" in english
    body = client.get("/api/info").get_json()
    [area] = body["checkpoints"]["areas"]
    assert area["area"] == "460100" and area["policy"]["checking"] is False
    assert [item["district"] for item in area["checked_in_risk_areas"]] == ["460105"]
    hospital = next(entry for entry in body["checkpoints"]["kinds"] if entry["kind"] == "hospital")
    assert hospital["policy"]["steps"]["yellow"] == {"action": "channel", "text": "发热门诊"}
    assert hospital["summary"]["en"].startswith("绿码 Green code: pass; 黄码 Yellow code: send to 发热门诊")


@pytest.mark.parametrize(
    "settings",
    [
        {
            "INFO_HOTLINES": [
                {"number": "0898-12320", "zh": "卫生健康热线", "en": "Health hotline"},
                {"number": "not a number", "zh": "坏热线", "en": "Broken"},
                {"number": "12345"},
                "nonsense",
            ]
        }
    ],
)
def test_hotlines_come_from_the_settings_and_a_malformed_one_is_left_out(app, client):
    response = client.get("/info")
    page = text_of(response)
    assert response.status_code == 200
    assert "0898-12320 · 卫生健康热线" in page and 'href="tel:089812320"' in response.get_data(as_text=True)
    assert "坏热线" not in page and "12345" not in page
    assert client.get("/api/info").get_json()["hotlines"] == [
        {"number": "0898-12320", "name": {"zh": "卫生健康热线", "en": "Health hotline"}}
    ]


def test_the_page_holds_nothing_of_a_signed_in_user(app):
    resident = app.test_client()
    sign_in(resident, "13800000001")
    html = resident.get("/info").get_data(as_text=True)
    assert "13800000001" not in html and "138****0001" not in html
    assert "data-sign-out" not in html and "csrf_token" not in html  # the shared copy kept offline
    assert 'data-role="' not in html


def test_the_json_has_both_languages_an_etag_and_answers_304_when_unchanged(app, client, admin):
    response = client.get("/api/info")
    body = response.get_json()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert body["colour_rules"]["version"] == rule_set().version
    assert set(body["colour_rules"]["rules"][0]["text"]) == {"zh", "en"}
    assert body["links"]["clue_report"].endswith("/reports/clue") and body["links"]["appeal"].endswith("/appeals")
    assert [item["colour"] for item in body["colour_rules"]["back_to_green"]] == ["yellow", "red"]
    assert body["hotlines"][0]["number"] == "12345"
    assert {entry["kind"] for entry in body["checkpoints"]["kinds"]} >= {"hospital", "work_site", "mall"}
    again = client.get("/api/info", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get("/api/info", headers={"If-None-Match": '"stale", garbage,,'}).status_code == 200
    # The same answer whatever language the caller prefers (one document for other systems).
    assert client.get("/api/info?lang=en").get_json()["version"] == body["version"]
    admin.post("/authority/risk-areas", data={"district": "460105", "level": "high", "start": clock.local_today()})
    changed = client.get("/api/info", headers={"If-None-Match": response.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["version"] != body["version"]
    [area] = changed.get_json()["risk_areas"]
    assert area["district"] == "460105" and area["level_name"] == {"zh": "高风险", "en": "High risk"}
    assert area["end"] is None and area["in_force"] is True


@pytest.mark.parametrize("path", ["/info?lang=xx", "/info?lang=", "/api/info?lang=%00", "/info/?x=1"])
def test_odd_requests_are_never_a_server_error(client, path):
    assert client.get(path).status_code < 500


def test_posting_to_the_information_is_not_allowed(client):
    assert client.post("/info").status_code == 405
    assert client.post("/api/info").status_code == 405
