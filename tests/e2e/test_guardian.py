"""Guardians in Chromium: a child's code and proxy check-in, switching codes offline, a paper code at the gate.

The paper code is printed as the page renders it (an element screenshot of `.paper-qr`), filmed by the warden
scanner's fake camera (the helpers of test_scanner.py), and refused once a reprint revoked it.
"""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.domain import codes
from app.domain.scanning import jti_hash
from app.extensions import db
from app.infra import clock
from app.models import Binding, Checkin, IssuedCode, User
from app.services import relatives
from app.services.enrolment import enrol_warden
from tests.e2e.browser import ID_NUMBERS, declare, fill_checkin, sign_up, stored, wait_for_offline_ready
from tests.e2e.scanner import (
    GATE,
    WARDEN_PHONE,
    close_result,
    looping_video,
    result_of,
    sign_in_warden,
    wait_for_scanner_ready,
)

pytestmark = pytest.mark.e2e


def with_check_digit(first17: str) -> str:
    """A resident ID number: 17 digits and the ISO 7064 MOD 11-2 check character."""
    weights, chars = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], "10X98765432"
    return first17 + chars[sum(int(digit) * weight for digit, weight in zip(first17, weights)) % 11]


CHILD_ID = with_check_digit("46010520150601135")  # born 2015-06-01: a child, bound on the guardian's word
ELDER_ID = with_check_digit("46010619500202123")  # born 1950: an adult, no phone -> a community worker approves

CODE = "[data-health-code][data-state=code]"


def bind_relative(page, server, relationship: str, name: str, id_number: str) -> int:
    """Fill /relatives/new (no phone) and return the relative's person id from the relatives page."""
    page.goto(f"{server.url}/relatives/new")
    page.select_option("select[name=relationship]", relationship)
    page.fill("input[name=name]", name)
    page.select_option("select[name=doc_kind]", "resident_id")
    page.fill("input[name=doc_number]", id_number)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/relatives/")
    masked = name[0] + "*" + name[-1]
    return int(page.locator("article.relative", has_text=masked).get_attribute("data-person-id"))


def check_in_for(page, server, person_id: int) -> None:
    """From the relatives page: "check in for them", answer, and land on their code."""
    page.goto(f"{server.url}/relatives/")
    page.locator(f"article.relative[data-person-id='{person_id}'] a[href='/checkin?for={person_id}']").click()
    page.wait_for_url(f"**/checkin?for={person_id}")
    fill_checkin(page)
    page.wait_for_url(f"**/code?for={person_id}")
    expect(page.locator(CODE)).to_have_attribute("data-person", str(person_id))


def expect_code_of(page, masked_name: str, person: str, badge: bool) -> None:
    """The code on screen is `masked_name`'s (green), marked as shown by a guardian unless it is the resident's."""
    code = page.locator(CODE)
    expect(code).to_have_attribute("data-person", person)
    expect(page.locator("[data-colour-word]")).to_contain_text("绿码")
    expect(page.locator("[data-masked-name]")).to_have_text(masked_name)
    proxy = page.locator("[data-proxy-mark]")
    if person == "self":
        expect(proxy).to_be_hidden()
    else:
        expect(proxy).to_be_visible()
        expect(proxy).to_have_text("监护人代为出示")
    expect(page.locator(f"[data-person-switcher] button[data-person='{person}']")).to_have_attribute(
        "aria-pressed", "true"
    )
    badge_line = page.locator("[data-offline-badge]")
    if badge:
        expect(badge_line).to_be_visible()
        expect(badge_line).to_contain_text(re.compile(r"\d{2}:\d{2}"))
    else:
        expect(badge_line).to_be_hidden()
    assert page.locator("canvas[data-qr]").evaluate("canvas => canvas.width") > 100


def test_guardian_checks_in_for_a_child_and_switches_codes_offline(page, context, live_server):
    sign_up(page, live_server, "13800000021", name="张小明")
    declare(page)
    child = bind_relative(page, live_server, "child", "张小宝", CHILD_ID)  # under 14: active at once

    page.goto(f"{live_server.url}/checkin?for={child}")
    expect(page.locator("[data-checkin-for]")).to_be_visible()
    expect(page.locator("[data-checkin-for]")).to_contain_text("张*宝")
    expect(page.locator("[data-checkin-for]")).to_contain_text("子女")
    check_in_for(page, live_server, child)
    expect_code_of(page, "张*宝", str(child), badge=False)
    switcher = page.locator("[data-person-switcher]")
    expect(switcher).to_be_visible()
    expect(switcher.locator("button")).to_have_count(2)
    expect(switcher.locator(f"button[data-person='{child}']")).to_contain_text("张*宝")
    expect(switcher.locator(f"button[data-person='{child}']")).to_contain_text("子女")
    expect(page.locator("[data-checkin-link]")).to_have_attribute("href", f"/checkin?for={child}")

    with live_server.app.app_context():  # a proxy check-in: the child's record, submitted by the guardian
        [row] = db.session.scalars(select(Checkin).where(Checkin.user_id == child)).all()
        assert db.session.get(User, row.submitted_by_id).name == "张小明"
    saved = {entry["code"]["kind"]: entry for entry in stored(page, "codes")}
    assert set(saved) == {"self", "dependant"} and saved["dependant"]["code"]["masked_name"] == "张*宝"
    [people] = stored(page, "people")
    assert [(person["masked_name"], person["relationship"]) for person in people["people"]] == [
        ("张*明", "self"),
        ("张*宝", "child"),
    ]

    # No signal: the page opens from the worker's cache on the child's code; one tap switches, each has its badge.
    wait_for_offline_ready(page)
    context.set_offline(True)
    page.reload()
    expect_code_of(page, "张*宝", str(child), badge=True)
    page.locator("[data-person-switcher] button[data-person='self']").click()
    expect(page).to_have_url(re.compile(r"/code$"))
    expect_code_of(page, "张*明", "self", badge=True)
    expect(page.locator("[data-checkin-link]")).to_have_attribute("href", "/checkin")
    page.locator(f"[data-person-switcher] button[data-person='{child}']").click()
    expect(page).to_have_url(re.compile(rf"/code\?for={child}$"))
    expect_code_of(page, "张*宝", str(child), badge=True)
    page.go_back()  # the browser's back button follows the switches
    expect_code_of(page, "张*明", "self", badge=True)

    page.goto(f"{live_server.url}/code")  # the resident's own page opens offline too, with the switcher
    expect_code_of(page, "张*明", "self", badge=True)
    expect(page.locator("[data-person-switcher] button")).to_have_count(2)


def test_a_bad_answer_never_replaces_a_relatives_saved_code(page, live_server):
    sign_up(page, live_server, "13800000023", name="张小明")
    declare(page)
    child = bind_relative(page, live_server, "child", "张小宝", CHILD_ID)
    check_in_for(page, live_server, child)
    [good] = [entry for entry in stored(page, "codes") if entry["code"]["kind"] == "dependant"]

    relatives_code = lambda url: url.endswith(f"/api/code?for={child}")  # noqa: E731
    page.route(relatives_code, lambda route: route.fulfill(status=500, json={"error": "x", "message": "服务器忙"}))
    page.reload()
    expect_code_of(page, "张*宝", str(child), badge=True)  # the saved copy, marked "not updated"
    expect(page.locator("[data-offline-badge]")).to_have_attribute("data-kind", "stale")
    # the same code is kept (when it was last confirmed by the server may have moved on before the reload)
    assert [entry["code"] for entry in stored(page, "codes") if entry["code"]["kind"] == "dependant"] == [good["code"]]
    page.unroute(relatives_code)

    # Sign-out removes every saved code and the people list.
    page.locator("form[data-sign-out] button").click()
    page.wait_for_url("**/auth/sign-in")
    assert stored(page, "codes") == [] and stored(page, "people") == []


def paper_video(directory: Path, image: Path) -> Path:
    """A looping fake-camera video of a screenshot (kept square, on white, as a phone would film it)."""
    return looping_video(image, directory / f"{image.stem}.y4m", "scale=440:440:force_original_aspect_ratio=decrease")


def paper_codes_of(server, person_id: int) -> list[IssuedCode]:
    with server.app.app_context():
        rows = db.session.scalars(
            select(IssuedCode)
            .where(IssuedCode.user_id == person_id, IssuedCode.kind == "paper")
            .order_by(IssuedCode.issued_at, IssuedCode.revoked_at.is_(None))
        ).all()
        db.session.expunge_all()
        return rows


def make_paper_code(page, server, person_id: int) -> str:
    """Press the button on the paper page; returns the QR's SVG as drawn on the new page."""
    page.goto(f"{server.url}/relatives/people/{person_id}/paper")
    before = page.locator(".paper-qr").inner_html() if page.locator(".paper-qr").count() else None
    page.locator("main form.no-print button[type=submit]").click()
    page.wait_for_url(f"**/relatives/people/{person_id}/paper")
    expect(page.locator(".paper-qr svg")).to_be_visible()
    after = page.locator(".paper-qr").inner_html()
    assert after != before
    return after


def test_paper_code_passes_the_gate_and_a_reprint_revokes_it(page, live_server, phone, tmp_path):
    sign_up(page, live_server, "13800000022", name="王建华", id_number=ID_NUMBERS[1])
    declare(page)
    elder = bind_relative(page, live_server, "parent", "王秀兰", ELDER_ID)  # no phone: waits for approval
    expect(page.locator(f"article.relative[data-person-id='{elder}'] a[href^='/checkin']")).to_have_count(0)
    with live_server.app.app_context():
        binding = db.session.scalar(select(Binding).where(Binding.dependant_id == elder))
        relatives.approve(binding.id, "网格员 陈")
        warden = User(phone=WARDEN_PHONE, role="resident", created_at=clock.now_utc())
        db.session.add(warden)
        db.session.commit()
        enrol_warden(warden, "赵值守", checkpoint=GATE)
    check_in_for(page, live_server, elder)
    expect_code_of(page, "王*兰", str(elder), badge=False)

    # The guardian prints a paper code; the printed QR is what the page draws.
    make_paper_code(page, live_server, elder)
    expect(page.locator(".paper-name")).to_have_text("王*兰")
    expect(page.locator(".paper-colour")).to_contain_text("绿码")
    [old] = paper_codes_of(live_server, elder)
    old_paper = tmp_path / "paper-old.png"
    page.locator(".paper-qr").screenshot(path=str(old_paper))
    video = paper_video(tmp_path, old_paper)

    # At the gate: the warden's camera reads the paper -> 通行.
    gate = phone.launch(video)
    sign_in_warden(gate, live_server)
    wait_for_scanner_ready(gate)
    gate.reload()
    screen = result_of(gate)
    expect(screen).to_have_attribute("data-result", "pass")
    expect(screen.locator("[data-result-verdict]")).to_have_text("通行")
    expect(screen.locator("[data-result-colour]")).to_have_text("绿码")
    expect(screen.locator("[data-result-name]")).to_have_text("王*兰")
    close_result(gate)

    # A reprint makes the old paper invalid.
    make_paper_code(page, live_server, elder)
    first, second = paper_codes_of(live_server, elder)
    assert first.jti == old.jti and first.revoked_at is not None and second.revoked_at is None

    # Online, the scanner refreshes its trust bundle (now listing the revocation); the old paper -> 禁止通行.
    gate.reload()
    wait_for_scanner_ready(gate)
    [bundle] = [entry for entry in stored(gate, "trust") if "jws" in entry]
    assert jti_hash(old.jti) in json.loads(codes.b64url_decode(bundle["jws"].split(".")[1]))["revoked"]
    gate.reload()  # the camera films the old paper again, judged with the refreshed bundle
    screen = result_of(gate)
    expect(screen).to_have_attribute("data-result", "deny")
    expect(screen).to_have_attribute("data-reason", "revoked")
    expect(screen.locator("[data-result-verdict]")).to_have_text("禁止通行")


UPGRADE_FROM_VERSION_2 = """async () => {
    // A phone that last ran the app before guardians: database version 2 with the resident's own code saved.
    const request = indexedDB.open('onecode', 2);
    request.onupgradeneeded = () => {
        const database = request.result;
        for (const name of ['codes', 'prefs', 'trust']) database.createObjectStore(name);
        for (const name of ['outbox', 'rejected', 'scan_outbox', 'scan_rejected']) database.createObjectStore(name, { keyPath: 'uuid' });
        request.transaction.objectStore('codes').put({ code: { jti: 'j-1', kind: 'self' }, saved_at: 1, checked_at: 2 }, 'self');
    };
    await new Promise((resolve, reject) => { request.onsuccess = resolve; request.onerror = reject; });
    request.result.close();

    const { db } = await import('/static/js/device.js');
    const own = await db.savedCode();
    await db.saveCode({ jti: 'j-2', kind: 'dependant' }, 3, 7);
    await db.savePeople([{ id: 1, masked_name: '张*明', relationship: 'self' }, { id: 7, masked_name: '张*宝', relationship: 'child' }], 4);
    const both = [(await db.savedCode()).code.jti, (await db.savedCode(7)).code.jti];
    await db.savePeople([{ id: 1, masked_name: '张*明', relationship: 'self' }], 5);  // the binding ended
    const afterEnd = [(await db.savedCode()) && 'self', await db.savedCode(7)];
    const database = await new Promise((resolve) => { const again = indexedDB.open('onecode'); again.onsuccess = () => resolve(again.result); });
    const answer = { version: database.version, stores: [...database.objectStoreNames].sort(), own, both, afterEnd,
                     people: (await db.savedPeople()).people.length };
    database.close();
    await db.clearPersonalData();
    answer.cleared = [await db.savedCode(), await db.savedPeople()];
    return answer;
}"""


def test_database_upgrade_keeps_the_saved_own_code(page, live_server):
    page.goto(f"{live_server.url}/manifest.webmanifest")  # same origin, no app script, no service worker
    found = page.evaluate(UPGRADE_FROM_VERSION_2)
    assert found == {
        "version": 4,
        "stores": [
            "care_outbox",
            "care_rejected",
            "codes",
            "outbox",
            "people",
            "prefs",
            "rejected",
            "scan_outbox",
            "scan_rejected",
            "trust",
        ],
        "own": {"code": {"jti": "j-1", "kind": "self"}, "saved_at": 1, "checked_at": 2},
        "both": ["j-1", "j-2"],
        "afterEnd": ["self", None],
        "people": 1,
        "cleared": [None, None],
    }
