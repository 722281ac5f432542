"""The warden's gate scanner in Chromium: a real (fake-device) camera reading QR codes, offline verification
with the cached trust bundle, records queued on the device and stored once when the signal comes back.

Camera: each QR is turned into a looping y4m video (tests/e2e/scanner.py: camera_video); Chromium reads one video per launch, so the
camera journey relaunches a persistent profile (same IndexedDB, service worker and cookies) once per code.
"""

import json
import re
import time
import uuid
from dataclasses import dataclass, field

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect
from sqlalchemy import select

from app.dev.demo import declare
from app.domain import codes
from app.domain.scanning import TrustedKey, jti_hash, judge
from app.extensions import db
from app.infra import clock, keys
from app.models import CodeRevocation, IssuedCode, Scan, User
from app.services.codes import code_snapshot, current_self_code
from app.services.enrolment import enrol_warden
from tests.e2e.browser import DEVICE_DATABASE, stored
from tests.e2e.scanner import (
    GATE,
    WARDEN_PHONE,
    camera_video,
    close_result,
    result_of,
    sign_in_warden,
    wait_for_scanner_ready,
)

pytestmark = pytest.mark.e2e

RESIDENTS = [  # colour, phone, name, ID number, what they declare
    ("green", "13800000011", "王小明", "460105199003071239", {"temperature": 36.5}),
    ("yellow", "13800000012", "李秀英", "460106198511124562", {"temperature": 37.8, "symptoms": ["dry_cough"]}),
    ("red", "13800000013", "张建国", "460107197205207898", {"temperature": 36.6}),
    ("revoked", "13800000014", "李小红", "460108199508082469", {"temperature": 36.5}),
]
PENDING = ".scan-outbox [data-pending-count]"  # the panel on the page (the result screen repeats it)


@dataclass
class Gate:
    """A warden at a checkpoint and the codes people will show there."""

    warden_id: int
    checkpoint_id: int
    qr: dict = field(default_factory=dict)  # colour (or "forged", "revoked") -> QR text
    jti: dict = field(default_factory=dict)
    person: dict = field(default_factory=dict)  # colour -> user id
    id_numbers: dict = field(default_factory=dict)


def forge(qr_text: str) -> str:
    """A valid-looking code: same header (kid) and claims, signed by a key the issuer never had."""
    token = codes.token_from_qr(qr_text)
    header = codes.header_of(token)
    payload = json.loads(codes.b64url_decode(token.split(".")[1]))
    impostor = codes.SigningKey(kid=header["kid"], private_key=ec.generate_private_key(ec.SECP256R1()))
    return codes.qr_text(codes.sign(payload, impostor))


@pytest.fixture
def gate(live_server) -> Gate:
    """Residents of every colour (through the same services as real users), one revoked code, a warden."""
    with live_server.app.app_context():
        keys.ensure_key()
        now = clock.now_utc()
        made = Gate(0, 0)
        for colour, phone, name, id_number, answers in RESIDENTS:
            user = User(phone=phone, role="resident", created_at=now)
            db.session.add(user)
            db.session.flush()
            declare(user, name, id_number, answers, now, close_contact=colour == "red", source="e2e")
            jti = current_self_code(db.session.get(User, user.id))
            made.qr[colour] = codes.qr_text(code_snapshot(user.id).token)
            made.jti[colour], made.person[colour], made.id_numbers[colour] = jti, user.id, id_number
        revoked = db.session.get(IssuedCode, made.jti["revoked"])
        db.session.add(CodeRevocation(jti=revoked.jti, expires_at=revoked.expires_at, revoked_at=now, reason="e2e"))
        made.qr["forged"] = forge(made.qr["green"])
        warden = User(phone=WARDEN_PHONE, role="resident", created_at=now)
        db.session.add(warden)
        db.session.commit()
        enrol_warden(warden, "赵值守", checkpoint=GATE)
        made.warden_id, made.checkpoint_id = warden.id, warden.checkpoint_id
        return made


class NoSignal:
    """The gate's side of "no signal": while on, the scan endpoint answers 503 (records must stay queued).

    Chromium applies `offline` to a service worker only once it is attached, so a worker started by a
    relaunch can send its start-up sync before the emulation reaches it; a real phone without signal could not.
    """

    def __init__(self, app):
        self.on = False
        inner = app.wsgi_app

        def gate(environ, start_response):
            if self.on and environ.get("PATH_INFO") == "/api/scans/batch":
                start_response("503 Service Unavailable", [("Content-Type", "application/json")])
                return [b'{"error": "no_signal", "message": "no signal"}']
            return inner(environ, start_response)

        app.wsgi_app = gate


def record(page, direction="in", reason="", temperature="", plate=""):
    """Fill the record form on the result screen and wait for "recorded"."""
    screen = page.locator("[data-scan-result]")
    screen.locator(f"input[name=direction][value={direction}]").check()
    if reason:
        screen.locator("input[name=reason]").fill(reason)
    if temperature:
        screen.locator("input[name=temperature]").fill(temperature)
    if plate:
        screen.locator("input[name=plate]").fill(plate)
    screen.locator("[data-record]").click()
    expect(screen).to_have_attribute("data-state", "recorded")
    expect(screen.locator("[data-record-status]")).to_be_visible()


def scans_of(server) -> list[Scan]:
    with server.app.app_context():
        rows = db.session.scalars(select(Scan).order_by(Scan.scanned_at)).all()
        db.session.expunge_all()
        return rows


def test_camera_scans_offline_are_recorded_and_stored_once_when_back_online(phone, live_server, gate, tmp_path):
    videos = {name: camera_video(tmp_path, name, gate.qr[name]) for name in ("green", "red", "forged")}

    # Online once: signed in, the trust bundle fetched and verified, the scanner page kept for offline use.
    page = phone.launch(videos["green"])
    sign_in_warden(page, live_server)
    wait_for_scanner_ready(page)
    assert len(stored(page, "trust")) == 2  # the bundle and the clock offset

    # No signal: the page opens from the worker's cache, the camera reads the green code -> 通行.
    no_signal = NoSignal(live_server.app)
    no_signal.on = True
    phone.context.set_offline(True)
    page.reload()
    screen = result_of(page)
    expect(screen).to_have_attribute("data-result", "pass")
    expect(screen.locator("[data-result-verdict]")).to_have_text("通行")
    expect(screen.locator("[data-result-colour]")).to_have_text("绿码")
    expect(screen.locator("[data-result-name]")).to_have_text("王*明")
    expect(screen.locator("input[name=refused]")).not_to_be_checked()
    record(page, direction="in", reason="回家", temperature="36.6", plate="琼A12345")
    expect(page.locator(PENDING)).to_have_text("1")

    # Another person, still offline (a new launch films a new code): red -> 禁止通行.
    page = phone.launch(videos["red"], offline=True)
    page.goto(f"{live_server.url}/warden/scan")
    screen = result_of(page)
    expect(screen).to_have_attribute("data-result", "deny")
    expect(screen).to_have_attribute("data-reason", "red")
    expect(screen.locator("[data-result-verdict]")).to_have_text("禁止通行")
    expect(screen.locator("[data-result-colour]")).to_have_text("红码")
    expect(page.locator("[data-trust-age]")).to_have_attribute("data-level", "fresh")
    refused = screen.locator("input[name=refused]")
    expect(refused).to_be_checked()
    expect(refused).to_be_disabled()  # 禁止通行: never recorded as going through
    record(page, direction="out")
    expect(page.locator(PENDING)).to_have_text("2")

    # A forged code (right kid, wrong key): 禁止通行, invalid; not recorded. The queue survived two restarts.
    page = phone.launch(videos["forged"], offline=True)
    page.goto(f"{live_server.url}/warden/scan")
    screen = result_of(page)
    expect(screen).to_have_attribute("data-result", "deny")
    expect(screen).to_have_attribute("data-reason", "invalid")
    expect(screen.locator("[data-result-verdict]")).to_have_text("禁止通行")
    expect(screen.locator("[data-result-colour]")).to_be_hidden()
    close_result(page)
    expect(page.locator(PENDING)).to_have_text("2")
    queued = stored(page, "scan_outbox")
    assert len(queued) == 2
    assert scans_of(live_server) == []

    # Signal again: the queue is sent, each record stored exactly once.
    no_signal.on = False
    phone.context.set_offline(False)
    expect(page.locator(PENDING)).to_have_text("0", timeout=20_000)
    page.wait_for_timeout(500)  # a second sender (worker or page) must not store anything twice
    assert stored(page, "scan_outbox") == [] and stored(page, "scan_rejected") == []
    rows = scans_of(live_server)
    assert sorted(row.uuid for row in rows) == sorted(entry["uuid"] for entry in queued)
    green, red = sorted(rows, key=lambda row: row.offline_colour != "green")
    assert (green.kind, green.direction, green.reason, green.temperature, green.plate) == (
        "code",
        "in",
        "回家",
        36.6,
        "琼A12345",
    )
    assert (green.offline_result, green.offline_reason, green.offline_colour) == ("pass", "ok", "green")
    assert (green.server_result, green.server_reason, green.jti, green.person_id) == (
        "pass",
        "ok",
        gate.jti["green"],
        gate.person["green"],
    )
    assert (red.direction, red.temperature, red.plate, red.reason) == ("out", None, None, "")
    assert (green.outcome, red.outcome) == ("passed", "refused")
    assert sorted(entry["record"]["outcome"] for entry in queued) == ["passed", "refused"]
    assert (red.offline_result, red.offline_reason, red.offline_colour) == ("deny", "red", "red")
    assert (red.server_result, red.person_id) == ("deny", gate.person["red"])
    for row in rows:
        assert (row.checkpoint_id, row.warden_id, row.disagreement) == (gate.checkpoint_id, gate.warden_id, False)
        assert row.bundle_iat is not None


def test_typed_code_and_id_number_work_offline(page, context, live_server, gate):
    sign_in_warden(page, live_server)
    wait_for_scanner_ready(page)

    context.set_offline(True)
    page.reload()  # no camera in this browser: the page says so and opens the typed entry
    expect(page.locator("[data-scanner]")).to_have_attribute("data-camera", re.compile("unavailable|denied"))
    expect(page.locator("[data-manual-code]")).to_have_attribute("open", "")

    def type_code(text):
        page.fill("textarea[name=qr_text]", text)
        page.locator("form[data-code-form] button[type=submit]").click()
        return result_of(page)

    screen = type_code(gate.qr["yellow"])
    expect(screen).to_have_attribute("data-reason", "yellow")
    expect(screen.locator("[data-result-verdict]")).to_have_text("禁止通行")
    expect(screen.locator("[data-result-colour]")).to_have_text("黄码")
    screen.locator("input[name=temperature]").fill("37.9")
    page.wait_for_timeout(9_000)  # longer than the screen stays on its own: filling the form holds it
    expect(screen).to_be_visible()
    record(page)
    close_result(page)
    expect(page.locator(PENDING)).to_have_text("1")

    screen = type_code(gate.qr["revoked"])
    expect(screen).to_have_attribute("data-reason", "revoked")
    expect(screen.locator("[data-result-verdict]")).to_have_text("禁止通行")
    close_result(page)

    screen = type_code("https://example.com/not-a-health-code")
    expect(screen).to_have_attribute("data-reason", "invalid")
    expect(page.locator("[data-scan-result]")).to_be_hidden(timeout=12_000)  # closes itself, nothing typed

    # A person without a phone: offline, only the ID number is queued; the server judges it on sync.
    page.locator("[data-manual-id] summary").click()
    page.fill("input[name=id_number]", gate.id_numbers["green"])
    page.locator("form[data-id-form] button[type=submit]").click()
    screen = result_of(page)
    expect(screen).to_have_attribute("data-result", "unverified")
    expect(screen).to_have_attribute("data-reason", "id_only")
    expect(page.locator("input[name=id_number]")).to_have_value("")
    record(page)
    close_result(page)
    expect(page.locator(PENDING)).to_have_text("2")
    assert gate.id_numbers["green"] not in page.content()

    context.set_offline(False)
    expect(page.locator(PENDING)).to_have_text("0", timeout=20_000)
    rows = {row.kind: row for row in scans_of(live_server)}
    assert set(rows) == {"code", "id_only"}
    assert (rows["code"].server_reason, rows["code"].temperature, rows["code"].person_id) == (
        "yellow",
        37.9,
        gate.person["yellow"],
    )
    assert (rows["id_only"].offline_result, rows["id_only"].offline_reason) == ("unverified", "id_only")
    assert (rows["id_only"].server_result, rows["id_only"].person_id) == ("pass", gate.person["green"])
    # Synced and online: the warden may follow up on the person's trail.
    expect(page.locator("[data-recent-list] li[data-state=sent]")).to_have_count(2)
    trail = page.locator("[data-recent-list] a[data-trail-link]").first
    expect(trail).to_have_attribute("href", re.compile(r"^/warden/trail/[0-9a-f-]{36}$"))
    trail.click()
    page.wait_for_url("**/warden/trail/*")
    expect(page.locator("main")).to_contain_text(re.compile("行程|trail", re.I))


# --- the verification modules on their own, against the server's judge ----------------------------------

VERIFY_IN_PAGE = """async ({bundle, issuer, codes, now}) => {
    const { verifyBundle, bundleAge } = await import('/static/js/trust-bundle.js');
    const { verifyCode } = await import('/static/js/code-verify.js');
    const trust = await verifyBundle(bundle, issuer);
    const verdicts = {};
    for (const [name, text] of Object.entries(codes)) verdicts[name] = await verifyCode(text, trust, now);
    return { verdicts, age: bundleAge(trust, now * 1000).level };
}"""

BUNDLE_REJECTION = """async ({bundle, issuer}) => {
    const { verifyBundle } = await import('/static/js/trust-bundle.js');
    try { await verifyBundle(bundle, issuer); return 'accepted'; } catch (error) { return error.reason || String(error); }
}"""


def _key():
    return codes.signing_key(ec.generate_private_key(ec.SECP256R1()))


def _code(key, iss, colour="green", exp_in=3600, now=None, jti=None):
    now = now or int(time.time())
    claims = codes.code_claims(
        iss=iss,
        jti=jti or codes.b64url(uuid.uuid4().bytes),
        colour=colour,
        masked_name="张*明",
        kind="self",
        iat=now - 60,
        exp=now + exp_in,
    )
    return codes.qr_text(codes.sign(claims, key))


def _bundle(signer, iss, keyring, revoked=(), iat=None):
    iat = iat or int(time.time())
    payload = {
        "iss": iss,
        "iat": iat,
        "valid_until": iat + 72 * 3600,
        "keys": [{**codes.public_jwk(key.private_key.public_key()), "iss": key_iss} for key, key_iss in keyring],
        "revoked": [jti_hash(jti) for jti in revoked],
        "rules_version": "t",
        "risk_areas_version": "t",
    }
    return codes.sign(payload, signer, typ="ymt-bundle+jwt")


def test_offline_verification_matches_the_server(page, live_server):
    home, other, stranger = _key(), _key(), _key()
    now = int(time.time())
    keyring = [(home, "hainan"), (other, "guangdong")]
    samples = {
        "green": _code(home, "hainan"),
        "yellow": _code(home, "hainan", "yellow"),
        "red": _code(home, "hainan", "red"),
        "other_region": _code(other, "guangdong"),
        "wrong_issuer_for_key": _code(other, "hainan"),
        "unknown_key": _code(stranger, "hainan"),
        "forged": forge(_code(home, "hainan")),
        "expired": _code(home, "hainan", exp_in=-5),
        "revoked": _code(home, "hainan", jti="revoked-jti-0001"),
        "tampered": _code(home, "hainan", "red")[:-70] + _code(home, "hainan")[-70:],
        "not_ours": "https://example.com/qr",
        "garbage": "YMT1:a.b.c",
    }
    bundle = _bundle(home, "hainan", keyring, revoked=["revoked-jti-0001"])
    page.goto(f"{live_server.url}/offline")

    found = page.evaluate(VERIFY_IN_PAGE, {"bundle": bundle, "issuer": "hainan", "codes": samples, "now": now})
    trusted = {
        codes.public_jwk(key.private_key.public_key())["kid"]: TrustedKey(iss, key.private_key.public_key())
        for key, iss in keyring
    }
    for name, text in samples.items():
        server = judge(text, trusted, {jti_hash("revoked-jti-0001")}, now)
        assert (found["verdicts"][name]["result"], found["verdicts"][name]["reason"]) == (
            server.result,
            server.reason,
        ), name
    assert found["age"] == "fresh"
    assert found["verdicts"]["green"]["masked_name"] == "张*明"
    assert found["verdicts"]["revoked"]["colour"] == "green"

    # The same codes with a bundle 80 hours old: a pass cannot be vouched for, a forgery is still refused.
    old = _bundle(home, "hainan", keyring, iat=now - 80 * 3600)
    found = page.evaluate(VERIFY_IN_PAGE, {"bundle": old, "issuer": "hainan", "codes": samples, "now": now})
    assert found["age"] == "stale"
    assert found["verdicts"]["green"]["result"] == "unverified"
    assert found["verdicts"]["unknown_key"]["result"] == "unverified"
    assert (found["verdicts"]["forged"]["result"], found["verdicts"]["red"]["result"]) == ("deny", "deny")
    aging = _bundle(home, "hainan", keyring, iat=now - 30 * 3600)
    found = page.evaluate(VERIFY_IN_PAGE, {"bundle": aging, "issuer": "hainan", "codes": samples, "now": now})
    assert (found["age"], found["verdicts"]["green"]["result"]) == ("aging", "pass")

    # The device clock: earlier than the bundle, set back since the last refresh, or more than 5 minutes off.
    problems = page.evaluate(
        """async (now) => {
        const { clockProblems } = await import('/static/js/trust-bundle.js');
        const trust = { iat: now / 1000 };
        const kinds = (clock, at) => clockProblems(trust, clock, at).map((problem) => problem.kind);
        return [kinds({ offset_ms: 1000, measured_at: now }, now + 60_000), kinds({ offset_ms: 1000, measured_at: now }, now - 60_000),
                kinds({ offset_ms: 6 * 60_000, measured_at: now }, now + 60_000), kinds({ offset_ms: 0, measured_at: now + 3600_000 }, now + 60_000)];
    }""",
        now * 1000,
    )
    assert problems == [[], ["before_bundle"], ["offset"], ["went_back"]]

    # Bundles that must never be used.
    def reject(jws, issuer="hainan"):
        return page.evaluate(BUNDLE_REJECTION, {"bundle": jws, "issuer": issuer})

    assert reject(bundle) == "accepted"
    assert reject(bundle, issuer="guangdong") == "issuer"
    assert reject(_bundle(stranger, "hainan", keyring)) == "signer"  # signed by a key it does not list
    assert reject(_bundle(other, "hainan", keyring)) == "signer"  # a listed key of another issuer
    header, payload, signature = bundle.split(".")
    widened = codes.b64url(json.dumps({**json.loads(codes.b64url_decode(payload)), "revoked": []}).encode())
    assert reject(f"{header}.{widened}.{signature}") == "signature"
    assert reject("not a bundle") == "malformed"


def test_a_bad_answer_never_replaces_the_saved_bundle(page, live_server, gate):
    sign_in_warden(page, live_server)
    wait_for_scanner_ready(page)
    [good] = [entry for entry in stored(page, "trust") if "jws" in entry]
    refresh = "async () => (await import('/static/js/trust-bundle.js')).refreshTrust('onecode-dev')"

    page.route("**/api/trust-bundle", lambda route: route.fulfill(status=500, json={"error": "x", "message": "x"}))
    assert page.evaluate(refresh)["status"] == "error"
    page.unroute("**/api/trust-bundle")
    header, payload, signature = good["jws"].split(".")
    tampered = codes.b64url(json.dumps({**json.loads(codes.b64url_decode(payload)), "revoked": []}).encode())
    page.route(
        "**/api/trust-bundle",
        lambda route: route.fulfill(
            json={"bundle": f"{header}.{tampered}.{signature}", "server_time": int(time.time())}
        ),
    )
    assert page.evaluate(refresh)["status"] == "rejected"
    page.unroute("**/api/trust-bundle")

    assert [entry for entry in stored(page, "trust") if "jws" in entry] == [good]
    page.reload()
    expect(page.locator("[data-trust-age]")).to_have_attribute("data-level", "fresh")


UPGRADE_FROM_VERSION_1 = """async () => {
    // A phone that last ran the app before the scanner: database version 1 with a check-in still queued.
    const request = indexedDB.open('onecode', 1);
    request.onupgradeneeded = () => {
        const database = request.result;
        database.createObjectStore('codes');
        database.createObjectStore('outbox', { keyPath: 'uuid' });
        database.createObjectStore('rejected', { keyPath: 'uuid' });
        database.createObjectStore('prefs');
        request.transaction.objectStore('outbox').put({ uuid: 'u-1', record: { uuid: 'u-1' }, queued_at: 1 });
        request.transaction.objectStore('prefs').put('460105', 'district');
    };
    await new Promise((resolve, reject) => { request.onsuccess = resolve; request.onerror = reject; });
    request.result.close();

    const { db } = await import('/static/js/device.js');
    const scans = db.outbox('scan');
    await scans.queue({ uuid: 's-1' }, 2);
    const database = await new Promise((resolve) => { const again = indexedDB.open('onecode'); again.onsuccess = () => resolve(again.result); });
    const answer = {
        version: database.version, stores: [...database.objectStoreNames].sort(),
        checkins: (await db.outboxEntries()).map((entry) => entry.uuid), district: await db.pref('district'),
        scans: await scans.count(), trust: await db.trustBundle(),
    };
    database.close();
    return answer;
}"""


def test_database_upgrade_keeps_what_version_1_held(page, live_server):
    page.goto(f"{live_server.url}/manifest.webmanifest")  # same origin, no app script, no service worker
    found = page.evaluate(UPGRADE_FROM_VERSION_1)
    assert found == {
        **DEVICE_DATABASE,
        "checkins": ["u-1"],
        "district": "460105",
        "scans": 1,
        "trust": None,
    }


# --- checkpoint policies, followed offline from the trust bundle ----------------------------------------


def _policy(live_server, gate, kind, area, checking=True, **actions):
    """Set a policy through the service, as the authority's page does; returns its id."""
    from app.domain.policies import DEFAULT_ACTIONS
    from app.models import Checkpoint
    from app.services.enrolment import make_staff
    from app.services.policies import set_policy

    with live_server.app.app_context():
        if kind:
            db.session.get(Checkpoint, gate.checkpoint_id).kind = kind
            db.session.commit()
        admin = db.session.scalar(select(User).where(User.phone == "13700000000"))
        if admin is None:
            admin = User(phone="13700000000", role="resident", created_at=clock.now_utc())
            db.session.add(admin)
            db.session.commit()
            make_staff(admin, "admin", "王工作", None, None)
        steps = {status: {"action": action, "text": ""} for status, action in DEFAULT_ACTIONS.items()}
        for status, (action, text) in actions.items():
            steps[status] = {"action": action, "text": text}
        return set_policy(kind, area, checking, steps, None, admin.id).id


def test_a_hospital_scanner_sends_a_yellow_code_to_the_fever_clinic_offline(page, context, live_server, gate):
    policy_id = _policy(live_server, gate, "hospital", None, yellow=("channel", "发热门诊"))
    sign_in_warden(page, live_server)
    wait_for_scanner_ready(page)
    banner = page.locator("[data-policy]")
    expect(banner).to_have_attribute("data-policy", str(policy_id))
    expect(banner).to_contain_text("黄码: 引导至发热门诊")

    context.set_offline(True)
    page.reload()  # from the worker's cache; the policy comes from the saved trust bundle
    expect(page.locator("[data-scanner]")).to_have_attribute("data-state", "ready")
    expect(banner).to_contain_text("黄码: 引导至发热门诊")

    def type_code(text):
        page.fill("textarea[name=qr_text]", text)
        page.locator("form[data-code-form] button[type=submit]").click()
        return result_of(page)

    screen = type_code(gate.qr["yellow"])
    expect(screen).to_have_attribute("data-result", "channel")
    expect(screen).to_have_attribute("data-action", "channel")
    expect(screen.locator("[data-result-verdict]")).to_have_text("请引导至：发热门诊")
    expect(screen.locator("[data-result-colour]")).to_have_text("黄码")
    refused = screen.locator("input[name=refused]")
    expect(refused).not_to_be_checked()
    expect(refused).to_be_enabled()  # not 禁止通行: the warden records what happened
    record(page)
    close_result(page)

    screen = type_code(gate.qr["red"])  # the hospital's policy still denies red
    expect(screen).to_have_attribute("data-result", "deny")
    expect(screen.locator("[data-result-verdict]")).to_have_text("禁止通行")
    expect(screen.locator("input[name=refused]")).to_be_disabled()
    record(page)
    close_result(page)
    expect(page.locator(PENDING)).to_have_text("2")

    context.set_offline(False)
    expect(page.locator(PENDING)).to_have_text("0", timeout=20_000)
    rows = {row.offline_colour: row for row in scans_of(live_server)}
    yellow, red = rows["yellow"], rows["red"]
    assert (yellow.offline_result, yellow.offline_action, yellow.server_result, yellow.server_action) == (
        "channel",
        "channel",
        "channel",
        "channel",
    )
    assert (yellow.policy_id, yellow.outcome, yellow.disagreement) == (policy_id, "passed", False)
    assert (red.server_result, red.outcome, red.disagreement) == ("deny", "refused", False)
    expect(page.locator("[data-recent-list] li[data-state=sent]")).to_have_count(2)
    expect(page.locator("[data-recent-list] .error")).to_have_count(0)  # no disagreement shown


def test_in_a_low_risk_area_the_scanner_says_plainly_that_codes_are_not_checked(page, context, live_server, gate):
    policy_id = _policy(live_server, gate, None, "460100", checking=False)
    sign_in_warden(page, live_server)
    wait_for_scanner_ready(page)
    banner = page.locator("[data-policy]")
    expect(banner).to_have_attribute("data-checking", "false")
    expect(banner).to_have_text("本卡口位于低风险地区：此处不查验健康码。")

    context.set_offline(True)
    page.reload()
    page.fill("textarea[name=qr_text]", gate.qr["red"])
    page.locator("form[data-code-form] button[type=submit]").click()
    screen = result_of(page)
    expect(screen).to_have_attribute("data-result", "unchecked")
    expect(screen.locator("[data-result-verdict]")).to_have_text("无需查验")
    expect(screen.locator("[data-result-reason]")).to_have_text("本卡口位于低风险地区：此处不查验健康码。")
    expect(screen.locator("[data-result-colour]")).to_be_hidden()  # no judging: no colour on screen
    record(page)
    context.set_offline(False)
    expect(page.locator(PENDING)).to_have_text("0", timeout=20_000)
    [row] = scans_of(live_server)
    assert (row.offline_result, row.server_result, row.policy_id, row.disagreement) == (
        "unchecked",
        "unchecked",
        policy_id,
        False,
    )


POLICY_IN_PAGE = """async ({bundle, issuer, cases}) => {
    const { verifyBundle } = await import('/static/js/trust-bundle.js');
    const { policyInForce, underPolicy } = await import('/static/js/checkpoint-policy.js');
    const trust = await verifyBundle(bundle, issuer);
    return cases.map(({ kind, district, at, result, reason }) => {
        const decided = underPolicy({ result, reason }, policyInForce(trust, { kind, district }, at));
        return [decided.result, decided.action, decided.text, decided.policy];
    });
}"""


def test_the_scanner_picks_and_applies_policies_as_the_server_does(page, live_server):
    from app.domain import policies

    home = _key()
    now = int(time.time())
    with live_server.app.app_context():
        today = clock.local_today()

    def version(policy_id, kind, area, valid_from, checking=True, retired=False, **actions):
        steps = {status: {"action": action, "text": ""} for status, action in policies.DEFAULT_ACTIONS.items()}
        steps.update({status: {"action": a, "text": t} for status, (a, t) in actions.items()})
        return policies.Policy(policy_id, kind, area, valid_from, checking, policies.parse_steps(steps), retired)

    versions = [
        version(1, None, None, now - 100, yellow=("note", "戴口罩")),
        version(2, "hospital", None, now - 100, yellow=("channel", "发热门诊"), no_code=("channel", "")),
        version(3, None, "460100", now - 100, checking=False),
        version(4, "work_site", "460105", now - 100, unverified=("deny", "")),
        version(5, None, "460100", now + 3600, retired=True),
        version(6, "hospital", None, now + 7200, yellow=("deny", "")),
    ]
    risk = [{"district": "460106", "level": "medium", "start": today.isoformat(), "end": None}]
    payload = {
        "iss": "hainan",
        "iat": now,
        "valid_until": now + 72 * 3600,
        "keys": [{**codes.public_jwk(home.private_key.public_key()), "iss": "hainan"}],
        "revoked": [],
        "rules_version": "t",
        "risk_areas_version": "t",
        "policies": [policies.to_dict(v) for v in versions],
        "risk_areas": risk,
    }
    bundle = codes.sign(payload, home, typ="ymt-bundle+jwt")
    cases = [
        {"kind": kind, "district": district, "at": at, "result": result, "reason": reason}
        for kind in ("hospital", "work_site", "mall")
        for district in ("460105", "460106", "460200")
        for at in (now, now + 3700, now + 7300)
        for result, reason in (
            ("pass", "ok"),
            ("deny", "yellow"),
            ("deny", "red"),
            ("unverified", "id_only"),
            ("deny", "unknown_person"),
            ("deny", "invalid"),
        )
    ]
    page.goto(f"{live_server.url}/offline")
    found = page.evaluate(POLICY_IN_PAGE, {"bundle": bundle, "issuer": "hainan", "cases": cases})
    from app.domain.colours import RiskAreaFact

    areas = [RiskAreaFact("460106", "medium", today)]
    for case, device in zip(cases, found):
        held = policies.in_force(versions, case["kind"], case["district"], case["at"], today, areas)
        server = policies.decide(case["result"], case["reason"], held)
        assert device == [server.result, server.action, server.text, server.policy_id], case
    assert {tuple(item[:2]) for item in found} >= {("channel", "channel"), ("unchecked", "off"), ("pass", "note")}

    # A bundle whose policies are malformed is not used at all.
    broken = codes.sign({**payload, "policies": [{"id": "x"}]}, home, typ="ymt-bundle+jwt")
    assert page.evaluate(BUNDLE_REJECTION, {"bundle": broken, "issuer": "hainan"}) == "malformed"
