"""The resident's code end to end in Chromium: sign-up, declaration, colours, offline code, offline queue, sign-out."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import declare, fill_checkin, sign_up, stored, wait_for_offline_ready

pytestmark = pytest.mark.e2e

DECODE_QR = """async (canvas) => {
    await import('/static/vendor/jsQR.js');  // UMD: defines self.jsQR
    const image = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const found = self.jsQR(image.data, image.width, image.height);
    return found && found.data;
}"""

EXPIRE_SAVED_CODE = """async () => {
    const database = await new Promise((resolve, reject) => {
        const request = indexedDB.open('onecode');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
    const store = database.transaction('codes', 'readwrite').objectStore('codes');
    const entry = await new Promise((resolve) => { store.get('self').onsuccess = (event) => resolve(event.target.result); });
    entry.code.expires_at = Math.floor(Date.now() / 1000) - 60;
    await new Promise((resolve) => { store.put(entry, 'self').onsuccess = resolve; });
    database.close();
}"""


def test_new_user_declares_and_sees_a_green_code(page, live_server):
    sign_up(page, live_server, "13800000001", name="张小明")
    declare(page, temperature="36.5")

    expect(page.locator("[data-colour-word]")).to_contain_text("绿码")
    expect(page.locator("[data-masked-name]")).to_have_text("张*明")
    [saved] = stored(page, "codes")
    assert page.locator("canvas[data-qr]").evaluate(DECODE_QR) == saved["code"]["qr_text"]
    assert saved["code"]["qr_text"].startswith("YMT1:")
    clock = page.locator("[data-clock]")
    expect(clock).to_have_text(re.compile(r"^\d{2}:\d{2}:\d{2}$"))
    first = clock.text_content()
    page.wait_for_timeout(1200)
    assert clock.text_content() != first, "the clock must tick (a live screen, not a screenshot)"
    expect(page.locator("[data-pending-count]")).to_have_text("0")


def test_fever_gives_a_yellow_code_with_the_reason_and_a_date(page, live_server):
    sign_up(page, live_server, "13800000002", id_number="460106198511124562")
    declare(page, temperature="37.8")

    expect(page.locator("[data-colour-word]")).to_contain_text("黄码")
    expect(page.locator("[data-reason-list]")).to_contain_text(re.compile(r"发热|37\.3"))
    expect(page.locator("[data-recovery]")).to_be_visible()
    expect(page.locator("[data-recovery]")).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}"))


def test_code_shows_offline_with_a_saved_at_badge(page, context, live_server):
    sign_up(page, live_server, "13800000003", name="李小红", id_number="460108199508082469")
    declare(page)
    expect(page.locator("[data-colour-word]")).to_contain_text("绿码")
    wait_for_offline_ready(page)

    context.set_offline(True)
    page.reload()

    expect(page.locator("[data-colour-word]")).to_contain_text("绿码")
    expect(page.locator("[data-masked-name]")).to_have_text("李*红")
    badge = page.locator("[data-offline-badge]")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text(re.compile(r"\d{2}:\d{2}"))
    assert page.locator("canvas[data-qr]").evaluate("canvas => canvas.width") > 100
    expect(page.locator("[data-expired]")).to_be_hidden()

    page.evaluate(EXPIRE_SAVED_CODE)  # as if the phone stayed offline past the code's expiry
    page.reload()
    expect(page.locator("[data-expired]")).to_be_visible()
    expect(page.locator("[data-colour-word]")).to_contain_text("绿码")


def test_offline_checkin_is_queued_survives_a_reload_and_is_stored_once(page, context, live_server):
    sign_up(page, live_server, "13800000004")
    declare(page)
    page.goto(f"{live_server.url}/checkin")
    wait_for_offline_ready(page)

    context.set_offline(True)
    fill_checkin(page, temperature="36.6")
    expect(page.locator("[data-submit-status]")).to_be_visible()
    expect(page.locator("[data-pending-count]")).to_have_text("1")
    [queued] = stored(page, "outbox")
    uuid = queued["uuid"]

    page.reload()
    expect(page.locator("[data-pending-count]")).to_have_text("1")
    assert [entry["uuid"] for entry in stored(page, "outbox")] == [uuid]

    context.set_offline(False)
    expect(page.locator("[data-pending-count]")).to_have_text("0", timeout=20_000)
    page.wait_for_timeout(500)  # let any second sender (worker or page) finish: it must not store it twice
    assert live_server.checkins_with_uuid(uuid) == 1
    assert live_server.checkin_count() == 2  # the declaration and this one
    assert stored(page, "rejected") == []


def test_sign_out_removes_the_personal_data_on_the_device(page, context, live_server):
    sign_up(page, live_server, "13800000005")
    declare(page)
    wait_for_offline_ready(page)
    assert len(stored(page, "codes")) == 1

    page.locator("form[data-sign-out] button").click()
    page.wait_for_url("**/auth/sign-in")
    assert stored(page, "codes") == []
    assert stored(page, "outbox") == []

    context.set_offline(True)
    page.goto(f"{live_server.url}/code")
    expect(page.locator("main")).to_be_visible()
    assert page.locator("[data-masked-name]:has-text('*')").count() == 0
    assert "张*明" not in page.content()
    assert page.locator("[data-health-code][data-state=code]").count() == 0
    # The offline page the worker shows was cached while signed in: it must show nothing of that session.
    for path in ("/code", "/profile", "/warden/records"):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_have_text("当前处于离线状态")
        assert page.locator("nav.tabs").count() == 0
        assert page.locator("form[data-sign-out], form[data-sign-out-everywhere]").count() == 0


def test_signing_out_everywhere_asks_first_then_ends_the_session(page, context, live_server):
    sign_up(page, live_server, "13800000009")
    declare(page)
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.locator("form[data-sign-out-everywhere] button").click()
    expect(page.locator("form[data-sign-out-everywhere] button")).to_be_visible()
    assert questions and "所有" in questions[0] and "/code" in page.url  # dismissed: still signed in
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[data-sign-out-everywhere] button").click()
    page.wait_for_url("**/auth/sign-in")
    expect(page.locator(".flash")).to_contain_text("所有设备")
    assert stored(page, "codes") == []
    assert page.request.get(f"{live_server.url}/api/code").status == 401


def test_english_code_page_keeps_the_chinese_colour_word(page, live_server):
    sign_up(page, live_server, "13800000006", lang="en")
    declare(page)
    page.goto(f"{live_server.url}/code?lang=en")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[data-colour-word]")).to_contain_text("绿码")
    expect(page.locator("[data-colour-word]")).to_contain_text("Green code")
    expect(page.locator(".code-times")).to_contain_text("Valid until")
    expect(page.locator("[data-outbox]")).to_contain_text("Sync now")

    page.locator("[data-large-text]").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
    expect(page.locator("[data-large-text]")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))


def test_a_rejected_checkin_shows_the_server_message_by_the_field(page, live_server):
    sign_up(page, live_server, "13800000007")
    page.locator("[data-add-visit]").click()
    page.select_option("select[name=visit_district]", "460106")
    page.locator("input[name=visit_day]").evaluate("input => { input.min = ''; input.value = '2020-01-01'; }")
    fill_checkin(page)

    visits_error = page.locator("[data-error-for=visits]")
    expect(visits_error).to_be_visible()
    expect(visits_error).not_to_be_empty()
    expect(page.locator("[data-rejected-list] li")).to_have_count(1)
    expect(page.locator("[data-pending-count]")).to_have_text("0")
    assert live_server.checkin_count() == 0
    assert page.url.endswith("/checkin")
