"""Wardens: enrolment, the trust bundle, queued scans re-judged on the server, trails and audit, role checks."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from app.domain import codes
from app.domain.scanning import jti_hash
from app.extensions import db
from app.infra import clock
from app.models import AuditEntry, Checkpoint, Scan, User
from app.services.enrolment import enrol_warden, enrolment_token
from tests.helpers import ID_NUMBERS, checkin_record, fill_profile, sign_in

GATE = {"name": "长滨路社区卡口", "kind": "community_gate", "address": "海口市秀英区长滨路8号", "district": "460105"}


def new_client(app, phone):
    client = app.test_client()
    sign_in(client, phone)
    return client


def make_warden(app, phone="13900000099", checkpoint=GATE):
    client = new_client(app, phone)
    user = db.session.scalar(select(User).where(User.phone == phone))
    enrol_warden(user, "赵值守", checkpoint=dict(checkpoint))
    return client


def make_resident(app, phone, id_number, **checkin):
    client = new_client(app, phone)
    fill_profile(client, doc_number=id_number)
    client.post("/api/checkins/batch", json={"records": [checkin_record(**checkin)]})
    return client, client.get("/api/code").get_json()


def scan_record(qr_text=None, id_number=None, offline=("pass", "ok", "green"), **fields):
    record = {
        "uuid": str(uuid.uuid4()),
        "scanned_at": datetime.now(UTC).isoformat(),
        "qr_text": qr_text,
        "id_number": id_number,
        "direction": "in",
        "reason": "回家",
        "temperature": 36.4,
        "plate": "琼A12345",
        "offline": {"result": offline[0], "reason": offline[1], "colour": offline[2], "bundle_iat": None},
    }
    record.update(fields)
    return record


def post_scans(client, *records):
    return client.post("/api/scans/batch", json={"records": list(records)})


@pytest.fixture
def warden(app):
    return make_warden(app)


@pytest.fixture
def green(app):
    return make_resident(app, "13900000001", ID_NUMBERS[0])[1]


# --- trust bundle ---------------------------------------------------------------------------------


def test_trust_bundle_is_signed_and_lists_keys_and_revocations(app, client):
    resident, first = make_resident(app, "13900000001", ID_NUMBERS[0])
    resident.post("/api/checkins/batch", json={"records": [checkin_record(temperature=38.0)]})  # revokes
    body = client.get("/api/trust-bundle").get_json()
    assert abs(body["server_time"] - clock.epoch(clock.now_utc())) < 5
    header = jwt.get_unverified_header(body["bundle"])
    assert header["typ"] == "ymt-bundle+jwt"
    jwks = client.get("/.well-known/jwks.json").get_json()["keys"]
    key = jwt.PyJWK.from_dict(next(k for k in jwks if k["kid"] == header["kid"])).key
    payload = jwt.decode(body["bundle"], key, algorithms=["ES256"])
    assert payload["iss"] == app.config["CODE_ISSUER"]
    assert payload["valid_until"] - payload["iat"] == 72 * 3600
    assert {k["kid"] for k in payload["keys"]} == {k["kid"] for k in jwks}
    assert all(k["iss"] == app.config["CODE_ISSUER"] for k in payload["keys"])
    assert payload["revoked"] == [jti_hash(first["jti"])]
    assert payload["rules_version"] and payload["risk_areas_version"]


@pytest.mark.parametrize(
    "settings",
    [
        {
            "TRUSTED_ISSUERS": [
                {"iss": "guangdong", "keys": [codes.public_jwk(ec.generate_private_key(ec.SECP256R1()).public_key())]}
            ]
        }
    ],
)
def test_trust_bundle_carries_other_regions_keys(client):
    bundle = client.get("/api/trust-bundle").get_json()["bundle"]
    payload = json.loads(codes.b64url_decode(bundle.split(".")[1]))
    assert "guangdong" in {k["iss"] for k in payload["keys"]}


# --- batch sync -----------------------------------------------------------------------------------


def test_a_scan_is_stored_once_with_both_verdicts_and_the_person_linked(app, warden, green):
    record = scan_record(green["qr_text"])
    [answer] = post_scans(warden, record).get_json()["results"]
    assert answer == {
        "uuid": record["uuid"],
        "status": "stored",
        "disagreement": False,
        "server": {"result": "pass", "reason": "ok", "colour": "green"},
    }
    [again] = post_scans(warden, record).get_json()["results"]
    assert again["status"] == "duplicate"
    [conflict] = post_scans(warden, {**record, "direction": "out"}).get_json()["results"]
    assert conflict["status"] == "conflict"
    scan = db.session.scalar(select(Scan))
    assert db.session.scalar(select(func.count()).select_from(Scan)) == 1
    person = db.session.scalar(select(User).where(User.phone == "13900000001"))
    assert (scan.person_id, scan.jti, scan.direction, scan.plate, scan.temperature) == (
        person.id,
        green["jti"],
        "in",
        "琼A12345",
        36.4,
    )
    assert scan.checkpoint_id == db.session.scalar(select(Checkpoint.id))
    assert scan.received_at >= scan.scanned_at - timedelta(seconds=1)


def test_a_bad_record_does_not_block_the_good_ones(warden, green):
    good = scan_record(green["qr_text"])
    results = post_scans(
        warden, scan_record(green["qr_text"], direction="sideways", temperature=99), good, scan_record(), 42
    ).get_json()["results"]
    assert [r["status"] for r in results] == ["invalid", "stored", "invalid", "invalid"]
    assert set(results[0]["errors"]) == {"direction", "temperature"}
    assert "qr_text" in results[2]["errors"]


def forge(qr_text, **claims):
    """The same code with changed claims, re-signed by a key nobody trusts but keeping the kid."""
    token = codes.token_from_qr(qr_text)
    header = codes.header_of(token)
    payload = {**json.loads(codes.b64url_decode(token.split(".")[1])), **claims}
    stranger = codes.SigningKey(kid=header["kid"], private_key=ec.generate_private_key(ec.SECP256R1()))
    return codes.qr_text(codes.sign(payload, stranger))


def tamper(qr_text):
    header, payload, signature = codes.token_from_qr(qr_text).split(".")
    claims = json.loads(codes.b64url_decode(payload))
    claims["col"] = "green" if claims["col"] != "green" else "red"
    return codes.qr_text(".".join([header, codes.b64url(json.dumps(claims).encode()), signature]))


def test_forged_tampered_unknown_and_garbage_codes_are_denied(app, warden, green):
    other = codes.signing_key(ec.generate_private_key(ec.SECP256R1()))
    unknown = codes.qr_text(
        codes.sign({**json.loads(codes.b64url_decode(codes.token_from_qr(green["qr_text"]).split(".")[1]))}, other)
    )
    cases = {
        "forged": forge(green["qr_text"], col="green"),
        "tampered": tamper(green["qr_text"]),
        "unknown": unknown,
        "garbage": "YMT1:not-a-token",
        "foreign": "https://example.org/code/1",
    }
    records = [scan_record(text) for text in cases.values()]
    results = post_scans(warden, *records).get_json()["results"]
    reasons = {name: r["server"]["reason"] for name, r in zip(cases, results)}
    assert reasons == {
        "forged": "invalid",
        "tampered": "invalid",
        "unknown": "unknown_issuer",
        "garbage": "invalid",
        "foreign": "invalid",
    }
    assert all(r["server"]["result"] == "deny" and r["disagreement"] for r in results)  # device said pass


def test_expired_code_is_denied_as_of_the_scan_time(app, warden, green, monkeypatch):
    later = clock.now_utc() + timedelta(days=3)
    monkeypatch.setattr(clock, "now_utc", lambda: later)
    record = scan_record(
        green["qr_text"], scanned_at=later.isoformat() + "+00:00", offline=("deny", "expired", "green")
    )
    [answer] = post_scans(warden, record).get_json()["results"]
    assert answer["server"]["reason"] == "expired" and answer["disagreement"] is False


def test_a_code_revoked_after_the_scan_is_flagged_as_a_disagreement(app, warden):
    resident, code = make_resident(app, "13900000001", ID_NUMBERS[0])
    record = scan_record(code["qr_text"])  # judged green and valid at the gate, offline
    resident.post("/api/checkins/batch", json={"records": [checkin_record(temperature=38.4)]})
    [answer] = post_scans(warden, record).get_json()["results"]
    assert answer["server"] == {"result": "deny", "reason": "revoked", "colour": "green"}
    assert answer["disagreement"] is True
    assert db.session.scalar(select(Scan.disagreement)) is True


def test_red_code_is_denied_with_its_colour(app, warden):
    _, red = make_resident(app, "13900000003", ID_NUMBERS[3], contact_with_cases=True)
    assert red["colour"] == "yellow"
    [answer] = post_scans(warden, scan_record(red["qr_text"], offline=("deny", "yellow", "yellow"))).get_json()[
        "results"
    ]
    assert answer["server"] == {"result": "deny", "reason": "yellow", "colour": "yellow"}
    assert answer["disagreement"] is False


def test_a_refused_pass_is_stored_and_shown_as_refused_never_as_an_entry(app, warden):
    _, yellow = make_resident(app, "13900000003", ID_NUMBERS[3], contact_with_cases=True)
    denied = {"offline": ("deny", "yellow", "yellow")}
    # A record queued by a device from before the outcome was sent: the form's default direction, no outcome.
    old_device = scan_record(yellow["qr_text"], **denied)
    claims_passed = scan_record(yellow["qr_text"], outcome="passed", **denied)  # a 禁止通行 is never a pass
    results = post_scans(warden, old_device, claims_passed).get_json()["results"]
    assert [result["status"] for result in results] == ["stored", "stored"]
    assert db.session.scalars(select(Scan.outcome)).all() == ["refused", "refused"]
    assert [result["status"] for result in post_scans(warden, old_device).get_json()["results"]] == ["duplicate"]

    records = warden.get("/warden/records").get_data(as_text=True)
    assert records.count("进 · 未放行") == 2 and "进 · 放行" not in records
    trail = warden.post(f"/warden/trail/{old_device['uuid']}", data={"why": "risk_area"}).get_data(as_text=True)
    assert trail.count("(进 · 未放行)") == 2 and "(进 · 放行)" not in trail


def test_a_warden_may_refuse_a_person_the_code_lets_through(app, warden, green):
    refused, passed = scan_record(green["qr_text"], outcome="refused"), scan_record(green["qr_text"])
    bad = scan_record(green["qr_text"], outcome="maybe")
    results = post_scans(warden, refused, passed, bad).get_json()["results"]
    assert [result["status"] for result in results] == ["stored", "stored", "invalid"]
    assert set(results[2]["errors"]) == {"outcome"}
    outcomes = dict(db.session.execute(select(Scan.uuid, Scan.outcome)).all())
    assert outcomes == {refused["uuid"]: "refused", passed["uuid"]: "passed"}
    page = warden.get("/warden/records?lang=en").get_data(as_text=True)
    assert "In · Refused" in page and "In · Passed" in page


def test_id_only_scans_are_checked_on_sync(app, warden, green):
    [known, unknown] = post_scans(
        warden,
        scan_record(id_number=ID_NUMBERS[0], offline=("unverified", "id_only", None)),
        scan_record(id_number=ID_NUMBERS[2], offline=("unverified", "id_only", None)),
    ).get_json()["results"]
    assert known["server"] == {"result": "pass", "reason": "ok", "colour": "green"}
    assert unknown["server"]["reason"] == "unknown_person"
    scan = db.session.scalar(select(Scan).where(Scan.uuid == known["uuid"]))
    assert scan.kind == "id_only" and scan.person_id is not None
    assert ID_NUMBERS[0] not in json.dumps([str(v) for v in vars(scan).values()])  # only linked, not kept


def test_id_lookup_online_is_audited_and_shows_no_identifiers(app, warden, green):
    response = warden.post("/api/scans/id-lookup", json={"id_number": ID_NUMBERS[0]})
    assert response.get_json() == {"result": "pass", "reason": "ok", "colour": "green", "masked_name": "张*明"}
    entry = db.session.scalar(select(AuditEntry))
    assert entry.action == "id_lookup" and entry.subject_id is not None
    bad = warden.post("/api/scans/id-lookup", json={"id_number": "123"})
    assert bad.status_code == 422 and "身份证" in bad.get_json()["message"]


@pytest.mark.parametrize("body", ["nope", "{}", '{"records": {}}'])
def test_garbage_json_is_a_400(warden, body):
    response = warden.post("/api/scans/batch", data=body, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "bad_batch"


# --- roles ----------------------------------------------------------------------------------------


def test_a_resident_cannot_post_scans_or_look_up_ids(app, green):
    resident = app.test_client()
    sign_in(resident, "13900000001")
    assert post_scans(resident, scan_record(green["qr_text"])).status_code == 403
    assert resident.post("/api/scans/id-lookup", json={"id_number": ID_NUMBERS[0]}).status_code == 403
    assert resident.get("/warden/scan").status_code == 403
    assert resident.get("/warden/records").status_code == 403


def test_anonymous_callers_cannot_post_scans(client):
    assert post_scans(client, scan_record("YMT1:x")).status_code == 401
    assert client.get("/warden/records").status_code == 302


def test_a_warden_sees_only_their_checkpoints_records_and_trails(app, warden, green):
    other = make_warden(app, "13900000098", {**GATE, "name": "滨海大道高速出口", "kind": "highway_exit"})
    record = scan_record(green["qr_text"])
    post_scans(other, record)
    assert "张*明" in other.get("/warden/records").get_data(as_text=True)
    page = warden.get("/warden/records").get_data(as_text=True)
    assert "张*明" not in page and "暂无记录" in page
    assert warden.get(f"/warden/trail/{record['uuid']}").status_code == 404
    assert warden.post(f"/warden/scans/{record['uuid']}/block", data={"reason": "x"}).status_code == 404
    assert ID_NUMBERS[0] not in other.get("/warden/records").get_data(as_text=True)


def test_wardens_cannot_use_resident_pages(warden):
    assert warden.get("/code").status_code == 403
    assert warden.get("/api/code").status_code == 403


# --- trail, audit, block ----------------------------------------------------------------------------


def test_opening_a_trail_asks_why_writes_the_audit_log_and_offers_block_for_a_risk_trail(app, warden):
    resident, code = make_resident(app, "13900000001", ID_NUMBERS[0])
    second_gate = make_warden(app, "13900000098", {**GATE, "name": "美兰机场出口", "district": "460108"})
    post_scans(second_gate, scan_record(code["qr_text"]))
    app.test_cli_runner().invoke(
        args=["import", "risk-areas", _csv(app, f"district,level,start\n460108,high,{clock.local_today()}\n")]
    )
    record = scan_record(code["qr_text"])
    post_scans(warden, record)
    form = warden.get(f"/warden/trail/{record['uuid']}")
    assert form.status_code == 200 and db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    page = warden.post(f"/warden/trail/{record['uuid']}", data={"why": "risk_area"}).get_data(as_text=True)
    assert "美兰机场出口" in page and "长滨路社区卡口" in page and "高风险地区" in page
    entry = db.session.scalar(select(AuditEntry))
    assert entry.action == "trail" and entry.why and entry.details["scan_uuid"] == record["uuid"]
    assert "拦截并上报" in page
    response = warden.post(f"/warden/scans/{record['uuid']}/block", data={"reason": "14天内到过高风险地区"})
    assert response.status_code == 302
    scan = db.session.scalar(select(Scan).where(Scan.uuid == record["uuid"]))
    assert scan.blocked_at is not None and scan.block_reason == "14天内到过高风险地区"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 2


def test_trails_open_only_right_after_the_scan(app, warden, green, monkeypatch):
    record = scan_record(green["qr_text"])
    post_scans(warden, record)
    later = clock.now_utc() + timedelta(minutes=31)
    monkeypatch.setattr(clock, "now_utc", lambda: later)
    assert warden.get(f"/warden/trail/{record['uuid']}").status_code == 404


def _csv(app, text):
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as file:
        file.write(text)
    return file.name


# --- enrolment ----------------------------------------------------------------------------------------


def test_enrolment_link_signs_in_then_enrols_a_warden_with_a_new_checkpoint(app, client):
    link = f"/staff/enrol/{enrolment_token('warden')}"
    response = client.get(link)
    assert response.headers["Location"] == "/auth/sign-in"
    sign_in_response = sign_in(client, "13900000077")
    assert sign_in_response.headers["Location"] == link
    response = client.post(
        link,
        data={
            "name": "钱值守",
            "checkpoint_name": "三亚湾路口",
            "kind": "highway_exit",
            "address": "三亚市天涯区三亚湾路",
            "district": "460204",
        },
    )
    assert response.headers["Location"] == "/warden/scan"
    user = db.session.scalar(select(User).where(User.phone == "13900000077"))
    assert user.role == "warden" and user.checkpoint.name == "三亚湾路口" and user.checkpoint.district == "460204"


def test_enrolment_link_can_name_an_existing_checkpoint(app, warden):
    checkpoint_id = db.session.scalar(select(Checkpoint.id))
    client = new_client(app, "13900000076")
    client.post(f"/staff/enrol/{enrolment_token('warden', checkpoint_id)}", data={"name": "孙值守"})
    assert db.session.scalar(select(User.checkpoint_id).where(User.phone == "13900000076")) == checkpoint_id


def test_new_checkpoint_needs_its_details(app):
    client = new_client(app, "13900000075")
    page = client.post(
        f"/staff/enrol/{enrolment_token('warden')}",
        data={"name": "周值守", "checkpoint_name": "", "kind": "mall", "address": "", "district": ""},
    )
    assert page.status_code == 422 and "请填写" in page.get_data(as_text=True)


def test_forged_and_expired_links_are_refused(app, client, monkeypatch):
    assert client.get("/staff/enrol/not-a-token").status_code == 400
    token = enrolment_token("warden")
    import itsdangerous.timed

    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: __import__("time").time_ns() / 1e9 + 73 * 3600)
    page = client.get(f"/staff/enrol/{token}")
    assert page.status_code == 400 and "已过期" in page.get_data(as_text=True)
