"""Checkpoint policies: the pure rules (which policy holds, a scan judged under it), the authority's page in both
languages with bad input of every kind, the policy in the trust bundle, and synced scans judged again under the
policy that held when they were made."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.domain import codes, policies
from app.domain.colours import RiskAreaFact
from app.domain.policies import DEFAULT, Policy, PolicyInvalid, Step, decide, in_force, parse_steps
from app.extensions import db
from app.infra import clock
from app.models import AuditEntry, CheckpointPolicy, RiskArea, Scan
from app.services import policies as policy_service
from tests.helpers import ID_NUMBERS, checkin_record, staff_client
from tests.test_scans import GATE, make_resident, make_warden, post_scans, scan_record

HOSPITAL = {**GATE, "name": "海口市人民医院门诊入口", "kind": "hospital"}
DAY = date(2026, 12, 4)


def steps(**actions) -> dict:
    """Every status's step: the default unless named, e.g. yellow=("channel", "发热门诊")."""
    found = {status: {"action": action, "text": ""} for status, action in policies.DEFAULT_ACTIONS.items()}
    for status, value in actions.items():
        action, text = value if isinstance(value, tuple) else (value, "")
        found[status] = {"action": action, "text": text}
    return found


def policy(policy_id, kind=None, area=None, valid_from=0, checking=True, retired=False, **actions) -> Policy:
    return Policy(policy_id, kind, area, valid_from, checking, parse_steps(steps(**actions)), retired)


# --- the pure rules ---------------------------------------------------------------------------------


def test_without_policies_gates_do_what_they_always_did():
    judged = {
        ("pass", "ok"): ("pass", "pass"),
        ("deny", "yellow"): ("deny", "deny"),
        ("deny", "red"): ("deny", "deny"),
        ("unverified", "id_only"): ("unverified", "check"),
        ("unverified", "ok"): ("unverified", "check"),  # a stale trust list
        ("deny", "no_code"): ("deny", "deny"),
        ("deny", "expired"): ("deny", "deny"),
        ("deny", "invalid"): ("deny", "deny"),
    }
    for (result, reason), expected in judged.items():
        decision = decide(result, reason, DEFAULT)
        assert (decision.result, decision.action, decision.policy_id) == (*expected, None), reason


def test_each_status_gets_its_action_and_forged_codes_are_always_refused():
    hospital = policy(
        7,
        "hospital",
        yellow=("channel", "发热门诊"),
        red=("channel", ""),
        no_code=("note", "人工登记"),
        unverified="deny",
    )
    assert decide("deny", "yellow", hospital) == policies.Decision("channel", "channel", "发热门诊", 7)
    assert decide("deny", "red", hospital).result == "channel"
    assert decide("deny", "unknown_person", hospital) == policies.Decision("pass", "note", "人工登记", 7)
    assert decide("deny", "revoked", hospital).action == "note"  # a withdrawn code is no valid code
    assert decide("unverified", "id_only", hospital).result == "deny"
    for reason in ("invalid", "unknown_issuer"):
        assert decide("deny", reason, hospital) == policies.Decision("deny", "deny", "", 7)
    off = policy(8, area="460105", checking=False)
    assert decide("deny", "red", off) == policies.Decision("unchecked", "off", "", 8)


def test_the_narrowest_scope_wins_and_versions_hold_from_their_moment():
    everywhere = policy(1, yellow="note")
    hospitals = policy(2, "hospital", yellow="channel")
    haikou = policy(3, area="460100", green="note")
    xiuying_hospitals = policy(4, "hospital", "460105", valid_from=100, red="channel")
    versions = [everywhere, hospitals, haikou, xiuying_hospitals]

    def held(kind, district, at=50):
        return in_force(versions, kind, district, at, DAY, []).id

    assert held("mall", "460200") == 1
    assert held("hospital", "460200") == 2
    assert held("hospital", "460105") == 3  # a named area is narrower than a named kind
    assert held("hospital", "460105", at=100) == 4  # the county version begins at its moment
    assert held("mall", "460105", at=100) == 3
    retired = policy(5, area="460100", valid_from=200, retired=True)
    assert in_force([*versions, retired], "mall", "460105", 300, DAY, []).id == 1
    newer = policy(6, yellow="deny", valid_from=10)
    assert in_force([everywhere, newer], "mall", "460200", 5, DAY, []).id == 1
    assert in_force([everywhere, newer], "mall", "460200", 10, DAY, []).id == 6
    assert in_force([], "mall", "460200", 10, DAY, []) is DEFAULT


def test_checking_off_never_holds_inside_a_risk_area():
    low_risk = policy(1, area="460100", checking=False)
    hospitals = policy(2, "hospital", yellow="channel")
    versions = [low_risk, hospitals]
    area = RiskAreaFact("460105", "medium", DAY, DAY + timedelta(days=2))
    assert not in_force(versions, "mall", "460106", 0, DAY, [area]).checking
    assert in_force(versions, "mall", "460105", 0, DAY, [area]) is DEFAULT
    assert in_force(versions, "hospital", "460105", 0, DAY, [area]).id == 2
    assert not in_force(versions, "mall", "460105", 0, DAY + timedelta(days=3), [area]).checking


@pytest.mark.parametrize(
    ("raw", "field", "code"),
    [
        ("nope", "steps", "malformed"),
        ({**steps(), "yellow": {"action": "explode"}}, "yellow", "unknown_action"),
        ({**steps(), "green": {"action": "check"}}, "green", "unknown_action"),  # only for unverified codes
        ({**steps(), "red": {"action": "note", "text": "x" * 41}}, "red", "text_too_long"),
        ({**steps(), "red": {"action": "note", "text": 5}}, "red", "malformed"),
        ({**steps(), "red": {"action": "note", "text": "a\x00b"}}, "red", "malformed"),
        ({key: value for key, value in steps().items() if key != "no_code"}, "no_code", "unknown_action"),
    ],
)
def test_malformed_steps_are_refused(raw, field, code):
    with pytest.raises(PolicyInvalid) as raised:
        parse_steps(raw)
    assert (raised.value.field, raised.value.code) == (field, code)


def test_a_policy_survives_its_dict_form_and_a_text_is_kept_only_where_shown():
    kept = policy(3, "hospital", "460105", 1234, yellow=("channel", "发热门诊"))
    assert policies.from_dict(json.loads(json.dumps(policies.to_dict(kept)))) == kept
    assert parse_steps(steps(green=("pass", "ignored")))["green"] == Step("pass", "")
    for broken in ({**policies.to_dict(kept), "area": "999999"}, {**policies.to_dict(kept), "valid_from": "soon"}):
        with pytest.raises(PolicyInvalid):
            policies.from_dict(broken)


# --- the authority's page ---------------------------------------------------------------------------


@pytest.fixture
def admin(app):
    return staff_client(app, "admin", "13700000000")


def form(kind="hospital", area="", checking="on", start="", **actions) -> dict:
    data = {"kind": kind, "area": area, "checking": checking, "start": start}
    for status, step in steps(**actions).items():
        data[f"{status}_action"], data[f"{status}_text"] = step["action"], step["text"]
    return data


def test_an_admin_sets_a_hospital_policy_and_sees_it_in_force(app, admin):
    page = admin.post("/authority/policies", data=form(yellow=("channel", "发热门诊")), follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "医院 · 全部地区" in text and "黄码: 引导至发热门诊" in text
    row = db.session.scalar(select(CheckpointPolicy))
    assert (row.kind, row.area, row.checking, row.steps["yellow"]) == (
        "hospital",
        None,
        True,
        {"action": "channel", "text": "发热门诊"},
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "checkpoint_policy_set"))
    assert entry.details["policy_id"] == row.id and entry.details["kind"] == "hospital"
    english = admin.get("/authority/policies?lang=en").get_data(as_text=True)
    assert "Hospital · everywhere" in english and "send to 发热门诊" in english


def test_a_low_risk_area_and_a_later_start_and_ending_a_policy(app, admin):
    tomorrow = (clock.local_today() + timedelta(days=1)).isoformat()
    admin.post("/authority/policies", data=form(kind="", area="460105", checking="off"))
    admin.post("/authority/policies", data=form(kind="work_site", start=tomorrow, unverified="deny"))
    page = admin.get("/authority/policies").get_data(as_text=True)
    assert "不查验健康码" in page  # in force, and the work sites' version is scheduled
    current, scheduled, history = policy_service.policy_lists()
    assert [p.area for p in current] == ["460105"] and [p.kind for p in scheduled] == ["work_site"]
    assert scheduled[0].valid_from == clock.epoch(clock.local_midnight_utc(clock.local_today() + timedelta(days=1)))
    low_risk = current[0]
    response = admin.post(f"/authority/policies/{low_risk.id}/end", follow_redirects=True)
    assert "默认" in response.get_data(as_text=True) or "更大范围" in response.get_data(as_text=True)
    current, _scheduled, history = policy_service.policy_lists()
    assert current == [] and [row.policy.retired for row in history] == [True, False]  # begun versions only
    again = admin.post(f"/authority/policies/{low_risk.id}/end", follow_redirects=True).get_data(as_text=True)
    assert "没有单独的查验策略" in again
    unknown = admin.post("/authority/policies/999999/end", follow_redirects=True)
    assert unknown.status_code == 200 and "没有单独的查验策略" in unknown.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field", "zh", "en"),
    [
        (form(kind="spaceship"), "kind", "请选择卡口类型", "Please choose a kind of checkpoint"),
        (form(area="999999"), "area", "请选择地区", "Please choose an area"),
        (form(yellow="explode"), "yellow_action", "请选择扫码后显示", "Please choose what the scanner shows"),
        (form(green="check"), "green_action", "请选择扫码后显示", "Please choose what the scanner shows"),
        (form(yellow=("channel", "发" * 41)), "yellow_text", "最多 40 个字", "At most 40 characters"),
        (form(kind="", checking="off"), "checking", "低风险", "low-risk"),
        (form(start="2020-01-01"), "start", "不能早于今天", "cannot begin before today"),
        (form(start="not a day"), "start", "2026-11-22", "2026-11-22"),
    ],
)
def test_bad_policy_input_is_refused_beside_the_field_in_both_languages(app, admin, data, field, zh, en):
    page = admin.post("/authority/policies", data=data)
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert zh in text and "请更正下方标出的项目" in text
    assert f'id="{field}-error"' in text or (field == "checking" and 'role="alert"' in text)
    english = admin.post("/authority/policies?lang=en", data=data).get_data(as_text=True)
    assert en in english
    assert db.session.scalar(select(func.count()).select_from(CheckpointPolicy)) == 0


def test_only_admins_set_policies(app):
    reviewer = staff_client(app, "reviewer", "13700000001")
    assert reviewer.get("/authority/policies").status_code == 403
    assert reviewer.post("/authority/policies", data=form()).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(CheckpointPolicy)) == 0


# --- the trust bundle ---------------------------------------------------------------------------------


def bundle_payload(client) -> dict:
    bundle = client.get("/api/trust-bundle").get_json()["bundle"]
    return json.loads(codes.b64url_decode(bundle.split(".")[1]))


def test_the_trust_bundle_carries_the_policies_and_risk_areas(app, client, admin):
    assert bundle_payload(client)["policies"] == []
    admin.post("/authority/policies", data=form(yellow=("channel", "发热门诊")))
    admin.post("/authority/policies", data=form(kind="", area="460106", checking="off"))
    tomorrow = clock.local_today() + timedelta(days=1)
    admin.post("/authority/policies", data=form(kind="work_site", start=tomorrow.isoformat(), unverified="deny"))
    far = clock.local_today() + timedelta(days=5)  # later than the bundle is relied on
    admin.post("/authority/policies", data=form(kind="mall", start=far.isoformat()))
    admin.post("/authority/risk-areas", data={"district": "460106", "level": "medium", "start": clock.local_today()})
    payload = bundle_payload(client)
    carried = {(item["kind"], item["area"]): item for item in payload["policies"]}
    assert set(carried) == {("hospital", None), (None, "460106"), ("work_site", None)}
    assert carried[("hospital", None)]["steps"]["yellow"] == {"action": "channel", "text": "发热门诊"}
    assert carried[(None, "460106")]["checking"] is False
    assert carried[("work_site", None)]["valid_from"] > payload["iat"]
    for item in payload["policies"]:
        policies.from_dict(item)  # what the scanner parses
    assert payload["risk_areas"] == [
        {"district": "460106", "level": "medium", "start": clock.local_today().isoformat(), "end": None}
    ]
    # An ended scope's own policy leaves the bundle.
    admin.post(f"/authority/policies/{carried[('hospital', None)]['id']}/end")
    assert ("hospital", None) not in {(item["kind"], item["area"]) for item in bundle_payload(client)["policies"]}


# --- synced scans, judged under the policy of their moment -----------------------------------------------


def offline(result, reason, colour, action=None, policy_id=None):
    found = {"result": result, "reason": reason, "colour": colour, "bundle_iat": None}
    if action:
        found.update(action=action, policy=policy_id)
    return found


def test_a_hospital_sends_yellow_to_the_fever_clinic_and_the_server_agrees(app, admin):
    admin.post("/authority/policies", data=form(yellow=("channel", "发热门诊")))
    hospital_policy = db.session.scalar(select(CheckpointPolicy.id))
    warden = make_warden(app, "13900000099", HOSPITAL)
    _, yellow = make_resident(app, "13900000003", ID_NUMBERS[3], contact_with_cases=True)
    _, green = make_resident(app, "13900000001", ID_NUMBERS[0])
    channel = scan_record(yellow["qr_text"], offline=("channel", "yellow", "yellow"))
    channel["offline"] = offline("channel", "yellow", "yellow", "channel", hospital_policy)
    passed = scan_record(green["qr_text"])
    results = post_scans(warden, channel, passed).get_json()["results"]
    assert results[0]["server"] == {"result": "channel", "reason": "yellow", "colour": "yellow"}
    assert [result["disagreement"] for result in results] == [False, False]
    rows = {row.uuid: row for row in db.session.scalars(select(Scan))}
    sent = rows[channel["uuid"]]
    assert (sent.offline_action, sent.server_action, sent.policy_id, sent.outcome) == (
        "channel",
        "channel",
        hospital_policy,
        "passed",
    )
    assert (rows[passed["uuid"]].server_action, rows[passed["uuid"]].policy_id) == ("pass", hospital_policy)
    # A gate elsewhere (another kind) still denies the same code.
    gate = make_warden(app, "13900000098", GATE)
    [answer] = post_scans(gate, scan_record(yellow["qr_text"], offline=("deny", "yellow", "yellow"))).get_json()[
        "results"
    ]
    assert answer["server"]["result"] == "deny" and answer["disagreement"] is False


def test_a_synced_scan_is_judged_under_the_policy_that_held_when_it_was_made(app, admin, monkeypatch):
    real_now = clock.now_utc()
    warden = make_warden(app, "13900000099", HOSPITAL)
    _, yellow = make_resident(app, "13900000003", ID_NUMBERS[3], contact_with_cases=True)
    monkeypatch.setattr(clock, "now_utc", lambda: real_now - timedelta(hours=3))
    admin.post("/authority/policies", data=form(yellow=("channel", "发热门诊")))
    monkeypatch.setattr(clock, "now_utc", lambda: real_now - timedelta(hours=1))
    admin.post("/authority/policies", data=form(yellow="deny"))  # a stricter version an hour ago
    monkeypatch.setattr(clock, "now_utc", lambda: real_now)
    first, second = db.session.scalars(select(CheckpointPolicy.id).order_by(CheckpointPolicy.id)).all()

    earlier = scan_record(yellow["qr_text"], scanned_at=(real_now - timedelta(hours=2)).isoformat() + "+00:00")
    earlier["offline"] = offline("channel", "yellow", "yellow", "channel", first)
    # A device whose trust list predates the stricter version still sent to the fever clinic: flagged.
    later = scan_record(yellow["qr_text"])
    later["offline"] = offline("channel", "yellow", "yellow", "channel", first)
    results = post_scans(warden, earlier, later).get_json()["results"]
    assert [(r["server"]["result"], r["disagreement"]) for r in results] == [("channel", False), ("deny", True)]
    rows = {row.uuid: row for row in db.session.scalars(select(Scan))}
    assert (rows[earlier["uuid"]].policy_id, rows[later["uuid"]].policy_id) == (first, second)
    assert rows[later["uuid"]].outcome == "passed"  # the device did not say 禁止通行; the flag is for follow-up


def test_in_a_low_risk_area_the_server_too_says_unchecked_until_a_risk_area_is_declared(app, admin):
    admin.post("/authority/policies", data=form(kind="", area="460100", checking="off"))
    warden = make_warden(app)
    _, red = make_resident(app, "13900000003", ID_NUMBERS[3], contact_with_cases=True)
    unchecked = scan_record(red["qr_text"])
    unchecked["offline"] = offline(
        "unchecked", "yellow", "yellow", "off", db.session.scalar(select(CheckpointPolicy.id))
    )
    [answer] = post_scans(warden, unchecked).get_json()["results"]
    assert answer["server"]["result"] == "unchecked" and answer["disagreement"] is False
    admin.post("/authority/risk-areas", data={"district": "460105", "level": "medium", "start": clock.local_today()})
    again = scan_record(red["qr_text"])
    again["offline"] = offline("unchecked", "yellow", "yellow", "off", None)
    [answer] = post_scans(warden, again).get_json()["results"]
    assert answer["server"]["result"] == "deny" and answer["disagreement"] is True
    assert db.session.scalar(select(Scan.server_action).where(Scan.uuid == again["uuid"])) == "deny"
    assert db.session.scalar(select(func.count()).select_from(RiskArea)) == 1


def test_bad_policy_fields_in_a_scan_make_only_that_record_invalid(app):
    warden = make_warden(app)
    _, green = make_resident(app, "13900000001", ID_NUMBERS[0])
    bad_action = scan_record(green["qr_text"])
    bad_action["offline"] = {**bad_action["offline"], "action": "launch"}
    bad_policy = scan_record(green["qr_text"])
    bad_policy["offline"] = {**bad_policy["offline"], "action": "pass", "policy": "seven"}
    huge_policy = scan_record(green["qr_text"])
    huge_policy["offline"] = {**huge_policy["offline"], "action": "pass", "policy": 2**70}
    good = scan_record(green["qr_text"])
    good["offline"] = {**good["offline"], "action": "pass", "policy": None}
    results = post_scans(warden, bad_action, bad_policy, huge_policy, good).get_json()["results"]
    assert [r["status"] for r in results] == ["invalid", "invalid", "invalid", "stored"]
    assert all(set(r["errors"]) == {"offline"} and "核验结果" in r["errors"]["offline"] for r in results[:3])
    # The same record sent again by a device from before policies keeps its fingerprint: a duplicate.
    plain = scan_record(green["qr_text"])
    post_scans(warden, plain)
    assert post_scans(warden, plain).get_json()["results"][0]["status"] == "duplicate"


def test_checkins_still_change_colours_a_policy_only_changes_what_gates_show(app, admin):
    """A policy is about gates: a resident's colour and code are untouched by it."""
    admin.post("/authority/policies", data=form(kind="", area="460105", checking="off"))
    resident, code = make_resident(app, "13900000001", ID_NUMBERS[0])
    resident.post("/api/checkins/batch", json={"records": [checkin_record(temperature=38.2)]})
    assert resident.get("/api/code").get_json()["colour"] == "yellow"
