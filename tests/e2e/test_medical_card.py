"""The code as the medical card in Chromium: a resident's 就医码, drawn on their phone, is filmed by a clinic's camera;
the clinic registers a visit with it and the visit appears in the resident's list. The card rotates, needs the
network and is never kept on the phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sms_code
from tests.e2e.desk import RESIDENT, make_care_staff, make_resident, person_card, sign_in_staff
from tests.e2e.scanner import looping_video

pytestmark = pytest.mark.e2e

DOCTOR = "13900000041"
DECODE_QR = """async (canvas) => {
    await import('/static/vendor/jsQR.js');  // UMD: defines self.jsQR
    const image = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const found = self.jsQR(image.data, image.width, image.height);
    return found && found.data;
}"""


def sign_in_resident(page, server, phone=RESIDENT["phone"]):
    page.goto(f"{server.url}/auth/sign-in")
    page.fill("input[name=phone]", phone)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/auth/verify")
    page.fill("input[name=code]", sms_code(page, server, phone))
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/code")


def open_medical_card(page, server):
    page.locator("nav.tabs").get_by_role("link", name="就医码").click()
    page.wait_for_url("**/medical-card")
    card = page.locator("[data-medical-card]")
    expect(card).to_have_attribute("data-state", "card")
    return card


def drawn_after(page, card, before):
    """The QR text on screen once it is no longer `before` (the page draws each new card as it arrives)."""
    for _ in range(100):
        if card.get_attribute("data-state") == "card":
            text = card.locator("canvas[data-qr]").evaluate(DECODE_QR)
            if text and text != before:
                return text
        page.wait_for_timeout(100)
    raise AssertionError("no new medical card was drawn")


def test_a_clinic_scans_the_medical_card_and_the_visit_appears_in_the_residents_list(
    page, phone, live_server, tmp_path
):
    make_resident(live_server.app)
    make_care_staff(live_server.app, "clinician", DOCTOR)

    # The resident opens the 就医码: a QR that names nobody, valid for a couple of minutes.
    sign_in_resident(page, live_server)
    card = open_medical_card(page, live_server)
    expect(card.locator("[data-masked-name]")).to_have_text("王*明")
    expect(card.locator("[data-valid]")).to_contain_text(re.compile(r"还有 [12]:\d{2} 有效"))
    canvas = card.locator("canvas[data-qr]")
    shown = canvas.evaluate(DECODE_QR)
    assert re.fullmatch(r"YMTM1:[A-Za-z0-9_-]{43}", shown) and RESIDENT["id_number"] not in shown
    screenshot = tmp_path / "medical-card.png"
    canvas.screenshot(path=str(screenshot))

    # The clinic's camera films the resident's screen and the desk shows who it is.
    desk = phone.launch(looping_video(screenshot, tmp_path / "medical-card.y4m", "scale=440:440"))
    sign_in_staff(desk, live_server, DOCTOR, "clinician")
    person = person_card(desk)
    expect(person.locator("[data-person-name]")).to_have_text(RESIDENT["name"])
    expect(person.locator("[data-person-id-number]")).to_have_text(RESIDENT["id_number"])
    expect(person.locator("[data-person-via]")).to_have_text("就医码")

    # A visit by the medical card: no hospital card needed.
    form = desk.locator('form[data-care-form="medical_visit"]')
    expect(form).to_be_visible()
    form.locator("button[type=submit]").click()  # nothing chosen yet: the form says what is missing
    expect(form.locator(".error[data-field-error]").first).to_contain_text("请选择科室")
    form.locator("select[name=department]").select_option("internal_medicine")
    form.locator("textarea[name=reason]").fill("咳嗽一周，复诊")
    form.locator("button[type=submit]").click()
    expect(desk.locator("[data-saved]")).to_have_text("已保存并发送。")
    expect(desk.locator("[data-outbox=care] [data-pending-count]")).to_have_text("0")

    # The visit is in the resident's list, with the clinic's name: one person, one code, everywhere.
    page.locator(".card-links").get_by_role("link", name="就诊记录").click()
    page.wait_for_url("**/visits")
    visits = page.locator("main")
    expect(visits).to_contain_text("海口市人民医院发热门诊")
    expect(visits).to_contain_text("内科")
    expect(visits).to_contain_text("咳嗽一周，复诊")

    # And the clinic sees it among its own visits.
    desk.goto(f"{live_server.url}/desk/visits")
    expect(desk.locator("main table")).to_contain_text("咳嗽一周，复诊")
    expect(desk.locator("main table")).to_contain_text(RESIDENT["name"])


def test_the_medical_card_rotates_and_is_never_shown_offline(page, context, live_server):
    make_resident(live_server.app)
    sign_in_resident(page, live_server)
    card = open_medical_card(page, live_server)
    first = card.locator("canvas[data-qr]").evaluate(DECODE_QR)

    # Renewed while shown (here the page's own timer is fired early: the wait is not the point).
    with page.expect_response("**/api/medical-card") as answer:
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
    assert answer.value.status == 200
    second = drawn_after(page, card, first)
    assert second.startswith("YMTM1:")

    # Offline: no QR at all, and the page says the card needs the network.
    context.set_offline(True)
    expect(card.locator("[data-network-note]")).to_be_visible()
    expect(card.locator("[data-network-note]")).to_contain_text("需要联网")
    expect(card.locator("canvas[data-qr]")).to_be_hidden()
    assert (
        page.evaluate(
            """async () => {
            const names = (await caches.keys());
            for (const name of names) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) if (['/medical-card', '/api/medical-card'].includes(new URL(request.url).pathname)) return true;
            }
            return false;
        }"""
        )
        is False
    )  # neither the page nor its QR is kept for offline use

    # Offline the retry button explains again; back online, a fresh card comes by itself.
    card.locator("[data-retry]").click()
    expect(card.locator("[data-network-note]")).to_contain_text("需要联网")
    context.set_offline(False)
    expect(card).to_have_attribute("data-state", "card")
    assert drawn_after(page, card, second) != first
