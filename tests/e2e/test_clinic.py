"""The fever clinic in Chromium: a clinician scans a resident's code with the fake camera and registers a
fever-clinic visit at 38.5 °C; the resident's own code page then shows 黄码 with the clinic's reason."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.browser import sms_code
from tests.e2e.desk import RESIDENT, make_care_staff, make_resident, person_card, sign_in_staff
from tests.e2e.scanner import camera_video

pytestmark = pytest.mark.e2e

DOCTOR = "13900000041"


def sign_in_resident(page, server, phone):
    """Sign in by SMS code; a resident with a profile starts on their code."""
    page.goto(f"{server.url}/auth/sign-in")
    page.fill("input[name=phone]", phone)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/auth/verify")
    page.fill("input[name=code]", sms_code(page, server, phone))
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/code")


def test_a_fever_clinic_visit_turns_the_resident_s_code_yellow_with_the_clinic_reason(
    phone, page, live_server, tmp_path
):
    person_id, qr_text = make_resident(live_server.app)
    make_care_staff(live_server.app, "clinician", DOCTOR)
    desk = phone.launch(camera_video(tmp_path, "resident", qr_text))
    sign_in_staff(desk, live_server, DOCTOR, "clinician")

    card = person_card(desk)  # the fake camera shows the resident's code
    expect(card.locator("[data-person-name]")).to_have_text(RESIDENT["name"])
    expect(card.locator("[data-person-colour]")).to_have_text("绿码")
    form = desk.locator('form[data-care-form="fever_visit"]')
    expect(form).to_be_visible()
    expect(form.locator("input[name=address]")).to_have_value("海南省海口市滨海大道 1 号")  # from the card
    expect(form.locator("select[name=district]")).to_have_value("460105")
    expect(form.locator("input[name=guardian_name]")).to_be_hidden()  # an adult: no guardian

    form.locator("button[type=submit]").click()  # nothing measured yet: the device refuses, nothing is saved
    expect(form.locator("[data-field-error]").first).to_contain_text("请填写 34.0 至 43.0 °C 之间的体温")
    form.locator("input[name=temperature]").fill("38.5")
    form.locator("input[name=symptoms][value=fever]").check()
    form.locator("input[name=symptoms][value=dry_cough]").check()
    form.locator("button[type=submit]").click()
    expect(desk.locator("[data-saved]")).to_have_text("已保存并发送。", timeout=15_000)
    expect(desk.locator('[data-outbox="care"] [data-pending-count]')).to_have_text("0")

    with live_server.app.app_context():
        from app.extensions import db
        from app.models import FeverVisit

        visit = db.session.scalars(select(FeverVisit)).one()
        assert (visit.person_id, visit.temperature, visit.symptoms) == (person_id, 38.5, ["dry_cough", "fever"])

    sign_in_resident(page, live_server, RESIDENT["phone"])
    page.locator("[data-health-code][data-state=code]").wait_for()
    expect(page.locator("[data-colour-word]")).to_contain_text("黄码")
    expect(page.locator("[data-reason-list]")).to_contain_text("7天内曾到发热门诊就诊")
    expect(page.locator("[data-reason-list]")).to_contain_text("遵医嘱居家观察")
    expect(page.locator("[data-recovery]")).to_contain_text("-")  # the date it can turn green


def test_a_clinician_opens_an_observation_follows_it_daily_and_closes_it(page, live_server):
    from tests.e2e.desk import identify_by_id_number
    from tests.e2e.test_accessibility import OVERFLOW, UNLABELLED

    make_resident(live_server.app)
    make_care_staff(live_server.app, "clinician", DOCTOR)
    sign_in_staff(page, live_server, DOCTOR, "clinician")
    identify_by_id_number(page, RESIDENT["id_number"])
    form = page.locator('form[data-care-form="observation"]')
    expect(form.locator("input[name=address]")).to_have_value("海南省海口市滨海大道 1 号")
    assert page.evaluate(UNLABELLED) == []
    form.locator("select[name=case_type]").select_option("fever_screening")
    form.locator("select[name=dry_cough]").select_option("yes")
    form.locator("input[name=temperature]").fill("37.9")
    form.locator("input[name=case_number]").fill("HK-0001")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-saved]")).to_have_text("已保存并发送。", timeout=15_000)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/clinic/observations")
    expect(page.locator("table.observations")).to_contain_text(RESIDENT["name"])
    expect(page.locator("table.observations")).to_contain_text("第 1 天")
    assert page.evaluate(OVERFLOW)["scroll"] <= 1
    page.locator("table.observations a", has_text=RESIDENT["name"]).click()
    expect(page.locator("h1")).to_have_text(f"医学观察：{RESIDENT['name']}")
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate(OVERFLOW)["scroll"] <= 1

    page.locator("input[name=temperature]").fill("37.2")
    page.locator("input[name=dry_cough][value=no]").check()
    page.get_by_role("button", name="保存今日记录").click()
    expect(page.locator(".flash")).to_have_text("今日记录已保存。")
    expect(page.locator("table.entries")).to_contain_text("37.2")

    page.locator("select[name=outcome]").select_option("released")
    page.get_by_role("button", name="结束医学观察").click()
    expect(page.locator(".flash")).to_have_text("医学观察已结束。")
    expect(page.locator("[data-observation-status]")).to_contain_text("解除医学观察")
