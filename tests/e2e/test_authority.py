"""The authority's journey in Chromium: an admin declares a high-risk area; a resident who checked in there
turns 黄码 with that reason, and the green code they showed before is refused by a scanner whose trust bundle
was refreshed (the code was revoked when the colour changed).

Three people, three browser contexts (three phones): the resident, the warden at the gate, the admin.
"""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.infra import clock
from app.models import User
from app.services.enrolment import enrol_warden, make_staff
from tests.e2e.browser import declare, sign_up, sms_code, stored
from tests.e2e.scanner import (
    close_result,
    result_of,
    sign_in_warden,
    wait_for_scanner_ready,
)
from tests.e2e.test_resident_code import DECODE_QR

pytestmark = pytest.mark.e2e

RESIDENT_PHONE, WARDEN_PHONE, ADMIN_PHONE = "13800000031", "13900000032", "13900000033"
GATE = {
    "name": "秀英区长滨路卡口",
    "kind": "community_gate",
    "address": "海南省海口市秀英区长滨路 8 号",
    "district": "460105",
}
AREA_REASON = "最近打卡所在地区为中高风险地区"  # rule area.current in app/domain/rules/default.json


def watch_errors(page, errors: list):
    """Collect uncaught script errors of a page in another context (conftest watches only `page`)."""
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return page


def sign_in(page, server, phone: str, lands_on: str) -> None:
    """Sign in by SMS code read from the development outbox."""
    page.goto(f"{server.url}/auth/sign-in")
    page.fill("input[name=phone]", phone)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/auth/verify")
    page.fill("input[name=code]", sms_code(page, server, phone))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**{lands_on}")


def type_code(scanner, text: str):
    """The warden pastes the code text into the typed entry (this browser has no camera) and checks it."""
    scanner.fill("textarea[name=qr_text]", text)
    scanner.locator("form[data-code-form] button[type=submit]").click()
    return result_of(scanner)


def test_high_risk_area_turns_a_visitor_yellow_and_revokes_their_green_code(page, new_context, live_server):
    errors = []

    # The resident: signs up, declares a check-in in 秀英区 with a normal temperature, gets 绿码.
    resident = page
    sign_up(resident, live_server, RESIDENT_PHONE, name="王小明", district="460105")
    declare(resident, temperature="36.5", district="460105")
    expect(resident.locator("[data-colour-word]")).to_contain_text("绿码")
    green_qr = resident.locator("canvas[data-qr]").evaluate(DECODE_QR)  # what a camera reads off the screen
    [saved] = stored(resident, "codes")
    assert green_qr == saved["code"]["qr_text"] and green_qr.startswith("YMT1:")

    # The warden at the gate: the green code passes.
    with live_server.app.app_context():
        warden = User(phone=WARDEN_PHONE, role="resident", created_at=clock.now_utc())
        db.session.add(warden)
        db.session.commit()
        enrol_warden(warden, "赵值守", checkpoint=GATE)
    scanner = watch_errors(new_context().new_page(), errors)
    sign_in_warden(scanner, live_server, WARDEN_PHONE)
    wait_for_scanner_ready(scanner)
    expect(scanner.locator("[data-manual-code]")).to_have_attribute("open", "")  # no camera here
    screen = type_code(scanner, green_qr)
    expect(screen).to_have_attribute("data-result", "pass")
    expect(screen.locator("[data-result-colour]")).to_have_text("绿码")
    expect(screen.locator("[data-result-verdict]")).to_have_text("通行")
    expect(screen.locator("[data-result-name]")).to_have_text("王*明")
    close_result(scanner)

    # The admin declares 秀英区 a high-risk area from today.
    admin = watch_errors(new_context().new_page(), errors)
    sign_in(admin, live_server, ADMIN_PHONE, lands_on="/profile")  # a new number starts as a resident
    with live_server.app.app_context():
        make_staff(db.session.scalar(db.select(User).filter_by(phone=ADMIN_PHONE)), "admin", "管理员")
        today = clock.local_today().isoformat()
    admin.goto(f"{live_server.url}/authority/risk-areas")
    admin.select_option("select[name=district]", "460105")
    admin.select_option("select[name=level]", "high")
    admin.fill("input[name=start]", today)
    admin.locator("main form button[type=submit]", has_text="发布风险地区").click()
    admin.wait_for_url("**/authority/risk-areas")
    expect(admin.locator(".flash-info")).to_have_text("海南省海口市秀英区 已列为高风险地区，1 人的健康码颜色发生变化。")
    area_row = admin.locator("tr[data-risk-area='460105']")
    expect(area_row).to_have_count(1)
    expect(area_row).to_contain_text("高风险")

    # The resident opens the code again (online): 黄码, and the reason is the risk area.
    resident.reload()
    expect(resident.locator("[data-health-code]")).to_have_attribute("data-colour", "yellow")
    expect(resident.locator("[data-colour-word]")).to_contain_text("黄码")
    expect(resident.locator("[data-reason-list]")).to_contain_text(AREA_REASON)
    assert resident.locator("canvas[data-qr]").evaluate(DECODE_QR) != green_qr

    # The warden's scanner refreshes its trust bundle (opening the page online); the old green code is refused.
    scanner.reload()
    expect(scanner.locator("[data-scanner]")).to_have_attribute("data-state", "ready")
    expect(scanner.locator("[data-scanner]")).to_have_attribute("data-trust", "fresh")
    screen = type_code(scanner, green_qr)
    expect(screen).to_have_attribute("data-result", "deny")
    expect(screen).to_have_attribute("data-reason", "revoked")
    expect(screen.locator("[data-result-verdict]")).to_have_text("禁止通行")
    expect(screen.locator("[data-result-reason]")).to_have_text("此码已被签发机构撤销。")
    close_result(scanner)

    assert errors == [], f"uncaught script errors: {errors}"


def test_a_control_list_upload_is_previewed_then_applied_with_progress(page, live_server, tmp_path):
    import uuid

    from app.services.checkins import store_checkins
    from app.services.profiles import save_profile

    listed = "460106198511124562"
    with live_server.app.app_context():
        person = User(phone="13800000041", role="resident", created_at=clock.now_utc())
        db.session.add(person)
        db.session.flush()
        save_profile(
            person,
            name="李秀英",
            address="海口市滨海大道 1 号",
            district="460106",
            doc_kind="resident_id",
            doc_number=listed,
        )
        store_checkins(
            person,
            person,
            [
                {
                    "uuid": str(uuid.uuid4()),
                    "checked_at": clock.now_utc().isoformat() + "Z",
                    "district": "460106",
                    "temperature": 36.5,
                    "symptoms": [],
                    "visits": [],
                    "contact_with_cases": False,
                }
            ],
        )
        today = clock.local_today().isoformat()
    sign_in(page, live_server, ADMIN_PHONE, lands_on="/profile")
    with live_server.app.app_context():
        make_staff(db.session.scalar(db.select(User).filter_by(phone=ADMIN_PHONE)), "admin", "管理员")
    control = tmp_path / "名单.csv"
    control.write_text(f"doc_number,status,start\n{listed},密接,{today}\n12345,确诊,{today}\n", encoding="gbk")

    page.goto(f"{live_server.url}/authority/control-list")
    page.set_input_files("input[type=file]", str(control))
    page.locator("form[data-busy-form] button[type=submit]").click()
    # The preview: nothing applied yet, the bad row explained.
    expect(page.locator("[data-valid]")).to_have_text("1")
    expect(page.locator("[data-rejected-rows]")).to_contain_text("证件号码无效")
    expect(page.locator("[data-matched]")).to_have_text("1")
    with live_server.app.app_context():
        assert db.session.scalar(db.select(User.colour).filter_by(phone="13800000041")) == "green"

    # Applying streams progress, then the page shows what changed.
    with page.expect_response("**/apply") as applied:
        page.locator("[data-apply-upload] button[type=submit]").click()
    # the script asked for progress lines (the form without a script would get a redirect)
    assert applied.value.headers["content-type"] == "application/x-ndjson"
    expect(page.locator("[data-recoloured]")).to_have_text("1", timeout=15_000)
    expect(page.locator("main")).to_contain_text("已应用")
    with live_server.app.app_context():
        assert db.session.scalar(db.select(User.colour).filter_by(phone="13800000041")) == "red"
