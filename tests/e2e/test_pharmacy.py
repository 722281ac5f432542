"""A pharmacy in Chromium: the pharmacist scans a resident's code with the fake camera and registers a purchase for
someone else with two drug rows; the district's handler receives the home-check link by text and opens it."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.infra import clock
from app.models import DrugSale, Report, SmsMessage, User
from app.services.enrolment import make_staff
from tests.e2e.browser import sms_code
from tests.e2e.desk import RESIDENT, make_care_staff, make_resident, person_card, sign_in_staff
from tests.e2e.scanner import camera_video

pytestmark = pytest.mark.e2e

PHARMACIST, HANDLER = "13900000041", "13900000042"


def make_handler(app, phone=HANDLER, district="460105"):
    with app.app_context():
        user = User(phone=phone, role="resident", created_at=clock.now_utc())
        db.session.add(user)
        db.session.commit()
        make_staff(user, "handler", "陈网格", district)


def home_check_link(page, server, phone) -> str:
    """The link in the newest home-check text to `phone`, read from the development outbox page."""
    html = page.request.get(f"{server.url}/dev/outbox").text()
    bodies = re.findall(rf"<td>{phone}</td>\s*<td class=\"sms-body\">([^<]*)</td>", html)
    links = [re.search(r"http://\S+/reports/handle/\S+", body) for body in bodies]
    links = [link.group() for link in links if link]
    assert links, f"no home-check text to {phone} in the outbox"
    return links[0]


def test_a_pharmacist_registers_a_proxy_purchase_and_the_handler_opens_the_home_check(
    phone, page, live_server, tmp_path
):
    person_id, qr_text = make_resident(live_server.app)
    make_care_staff(live_server.app, "pharmacist", PHARMACIST, name="周药师")
    make_handler(live_server.app)
    desk = phone.launch(camera_video(tmp_path, "buyer", qr_text))
    sign_in_staff(desk, live_server, PHARMACIST, "pharmacist")

    card = person_card(desk)
    expect(card.locator("[data-person-name]")).to_have_text(RESIDENT["name"])
    expect(card.locator("[data-person-colour]")).to_have_text("绿码")
    form = desk.locator("form[data-care-form=drug_sale]")
    expect(form).to_be_visible()
    expect(form.locator("[name=address]")).to_have_value("海南省海口市滨海大道 1 号")  # prefilled, editable
    expect(form.locator("[name=district]")).to_have_value("460105")
    form.locator("[name=address]").fill("海南省海口市滨海大道 1 号 3 栋 201")

    rows = form.locator("[data-care-rows=drugs] [data-care-row]")
    rows.nth(0).locator("[name=name]").fill("布洛芬缓释胶囊")
    rows.nth(0).locator("[name=quantity]").fill("2")
    form.locator("[data-care-add-row=drugs]").click()
    form.locator("[data-care-add-row=drugs]").click()
    expect(rows).to_have_count(3)
    rows.nth(2).locator("[data-care-remove-row]").click()  # one row too many: removed again
    expect(rows).to_have_count(2)
    rows.nth(1).locator("[name=name]").fill("止咳糖浆")
    form.locator("[name=temperature]").fill("37.6")
    form.locator("[name=fever_contact]").check()

    phone_field = form.locator("[name=patient_phone]")
    expect(phone_field).to_be_hidden()
    form.locator("[name=proxy]").check()
    expect(phone_field).to_be_visible()
    form.locator("button[type=submit]").click()  # the patient's number is required for a proxy purchase
    expect(form.locator(".error[data-field-error]")).to_contain_text("代购药品时，请填写实际患者的手机号码。")
    phone_field.fill("13912345678")
    form.locator("button[type=submit]").click()
    expect(desk.locator("[data-saved]")).to_be_visible()
    expect(form).to_be_hidden()
    expect(desk.locator("[data-outbox=care] [data-pending-count]")).to_have_text("0", timeout=15_000)

    with live_server.app.app_context():
        sale = db.session.scalar(select(DrugSale))
        assert sale is not None and sale.person_id == person_id
        assert (sale.proxy, sale.patient_phone, sale.fever_contact, sale.temperature) == (
            True,
            "13912345678",
            True,
            37.6,
        )
        assert sale.address == "海南省海口市滨海大道 1 号 3 栋 201"
        assert [(item.name, item.quantity) for item in sale.items] == [("布洛芬缓释胶囊", 2), ("止咳糖浆", 1)]
        assert db.session.scalar(select(Report.state).where(Report.drug_sale_id == sale.id)) == "notified"
        assert db.session.scalar(select(SmsMessage.id).where(SmsMessage.phone == HANDLER)) is not None

    link = home_check_link(page, live_server, HANDLER)
    page.goto(link)
    page.wait_for_url("**/auth/sign-in")
    page.fill("input[name=phone]", HANDLER)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/auth/verify")
    page.fill("input[name=code]", sms_code(page, live_server, HANDLER))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/reports/\d+$"))
    check = page.locator("[data-home-check]")
    expect(check.locator("[data-buyer-name]")).to_have_text(RESIDENT["name"])
    expect(check.locator("[data-buyer-phone]")).to_have_text(RESIDENT["phone"])
    expect(page.locator("main")).to_contain_text("布洛芬缓释胶囊 × 2")
    expect(page.locator("main")).to_contain_text("止咳糖浆 × 1")
    expect(page.locator("[data-patient-phone]")).to_have_text("13912345678")
    expect(page.locator("h1")).to_contain_text("购药人员上门核查")

    page.locator("input[name=state][value=resolved]").check()
    page.fill("textarea[name=note]", "已上门，体温正常，已联系患者")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("已处理")

    desk.goto(f"{live_server.url}/pharmacy/sales")
    expect(desk.locator(".sale-item")).to_have_count(1)
    expect(desk.locator(".sale-item")).to_contain_text("王*明")
    expect(desk.locator(".sale-item")).to_contain_text("代购")
    expect(desk.locator(".sale-item")).to_contain_text("已处理")
