"""Clinic and pharmacy desks in Chromium: the fake camera reads a resident's code and the desk shows who they
are; a card reader types an ID number; identification needs the network; a warden sees colour and masked name only."""

import pytest
from playwright.sync_api import expect

from tests.e2e.desk import RESIDENT, identify_by_id_number, make_care_staff, make_resident, person_card, sign_in_staff
from tests.e2e.scanner import camera_video, result_of, sign_in_warden, wait_for_scanner_ready

pytestmark = pytest.mark.e2e

DOCTOR = "13900000031"


def test_a_clinician_identifies_a_resident_by_the_camera_and_by_id_number(phone, live_server, tmp_path):
    _, qr_text = make_resident(live_server.app, temperature=37.9, symptoms=["fever"])
    make_care_staff(live_server.app, "clinician", DOCTOR)
    page = phone.launch(camera_video(tmp_path, "resident", qr_text))
    sign_in_staff(page, live_server, DOCTOR, "clinician")

    card = person_card(page)
    expect(card.locator("[data-person-name]")).to_have_text(RESIDENT["name"])
    expect(card.locator("[data-person-id-number]")).to_have_text(RESIDENT["id_number"])
    expect(card.locator("[data-person-phone]")).to_have_text(RESIDENT["phone"])
    expect(card.locator("[data-person-colour]")).to_have_text("黄码")
    expect(card).to_have_attribute("data-colour", "yellow")
    expect(card.locator("[data-person-via]")).to_have_text("本人手机")
    expect(card.locator("[data-person-reasons] li").first).not_to_be_empty()
    expect(page.locator("[data-identify]")).to_be_hidden()

    card.locator("[data-next-person]").click()
    expect(card).to_be_hidden()
    expect(page.locator("#desk-id-number")).to_be_focused()  # ready for the card reader
    card = identify_by_id_number(page, RESIDENT["id_number"].lower() + " ")
    expect(card.locator("[data-person-via]")).to_have_text("身份证号码")
    expect(card.locator("[data-person-name]")).to_have_text(RESIDENT["name"])


def test_identifying_needs_the_network_and_bad_numbers_are_explained(page, context, live_server):
    make_resident(live_server.app)
    make_care_staff(live_server.app, "pharmacist", DOCTOR, name="黄店员")
    sign_in_staff(page, live_server, DOCTOR, "pharmacist")
    error = page.locator("[data-identify-error]")
    page.locator("#desk-id-number").fill("460105199003071238")
    page.locator("#desk-id-number").press("Enter")
    expect(error).to_contain_text("有效的 18 位居民身份证号码")
    page.locator("#desk-id-number").fill("11010519491231002X")
    page.locator("#desk-id-number").press("Enter")
    expect(error).to_contain_text("没有以此身份证号码登记")
    context.set_offline(True)
    page.locator("#desk-id-number").fill(RESIDENT["id_number"])
    page.locator("#desk-id-number").press("Enter")
    expect(error).to_contain_text("身份核验只能在线进行")
    expect(page.locator("[data-person]")).to_be_hidden()
    context.set_offline(False)
    page.locator("#desk-id-number").press("Enter")
    expect(person_card(page).locator("[data-person-name]")).to_have_text(RESIDENT["name"])


def test_a_warden_sees_only_colour_and_a_masked_name_for_the_same_code(phone, live_server, tmp_path):
    from app.services.enrolment import enrol_warden
    from tests.e2e.scanner import GATE, WARDEN_PHONE

    _, qr_text = make_resident(live_server.app)
    with live_server.app.app_context():
        from app.extensions import db
        from app.infra import clock
        from app.models import User

        warden = User(phone=WARDEN_PHONE, role="resident", created_at=clock.now_utc())
        db.session.add(warden)
        db.session.commit()
        enrol_warden(warden, "赵值守", checkpoint=dict(GATE))
    page = phone.launch(camera_video(tmp_path, "resident", qr_text))
    sign_in_warden(page, live_server)
    wait_for_scanner_ready(page)
    screen = result_of(page)
    expect(screen).to_contain_text("王*明")
    expect(screen).to_contain_text("绿码")
    text = screen.inner_text()
    assert RESIDENT["name"] not in text and RESIDENT["id_number"] not in text and RESIDENT["phone"] not in text


def test_a_visit_registered_without_signal_survives_a_reload_and_is_stored_once_when_back_online(
    page, context, live_server
):
    """Weak signal: once a person is identified, the registration is saved on the device first, kept across a
    reload of the (cached) desk page while offline, and sent once when the connection comes back."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import FeverVisit, User

    person_id, _ = make_resident(live_server.app)
    make_care_staff(live_server.app, "clinician", DOCTOR)
    sign_in_staff(page, live_server, DOCTOR, "clinician")
    page.wait_for_function("caches.open('onecode-pages').then((cache) => cache.match('/clinic/')).then(Boolean)")
    identify_by_id_number(page, RESIDENT["id_number"])
    # The worker controls the page and holds the desk page (it rewrites that copy after each visit online).
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function("caches.open('onecode-pages').then((cache) => cache.match('/clinic/')).then(Boolean)")

    context.set_offline(True)
    form = page.locator('form[data-care-form="fever_visit"]')
    form.locator("input[name=temperature]").fill("38.5")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-saved]")).to_have_text("已保存在本机，有网络时自动发送。")
    pending = page.locator('[data-outbox="care"] [data-pending-count]')
    expect(pending).to_have_text("1")

    page.reload()  # the desk page comes from the device's cache, with the record still queued
    expect(page.locator("[data-care-desk]")).to_have_attribute("data-ready", "true")
    expect(pending).to_have_text("1")
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FeverVisit)) == 0

    context.set_offline(False)
    expect(pending).to_have_text("0", timeout=15_000)
    page.locator("[data-sync-now]").click()  # a second send changes nothing
    expect(page.locator('[data-outbox="care"] [data-sync-status]')).to_contain_text("已全部发送")
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FeverVisit)) == 1
        assert db.session.get(User, person_id).colour == "yellow"
