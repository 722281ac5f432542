"""A resident coming home, in Chromium: the authority uploads a list with their number and sends it (the page
follows the background run); the returnee opens the texted link on their phone and registers without signing
in; on arrival they sign up with that number, the check-in form fills in the arrival from the registration,
and the check-in they send is the one the registration links to (the colour rules read its arrival: 黄码)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.infra import clock
from app.models import Checkin, ReturnRegistration, User
from app.services.enrolment import make_staff
from tests.e2e.browser import ID_NUMBERS, declare, sign_up, sms_code

pytestmark = pytest.mark.e2e

ADMIN_PHONE, RETURNEE_PHONE = "13900000051", "13800000052"
BEIJING = "110105"  # 北京市朝阳区


def watch_errors(page, errors: list):
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return page


def texted_link(page, server, phone: str) -> str:
    """The link in the newest text to `phone`, read from the development outbox page."""
    html = page.request.get(f"{server.url}/dev/outbox").text()
    body = re.search(rf"<td>{phone}</td>\s*<td class=\"sms-body\">([^<]*)</td>", html)
    assert body, f"no SMS to {phone} in the outbox"
    return re.search(r"http://\S+/return/invited/[\w.\-]+", body.group(1)).group()


def test_an_invited_returnee_registers_from_the_link_and_later_checks_in_against_it(page, new_context, live_server):
    errors = []

    # The admin uploads the list, sees the preview, and sends it; the page follows the run to the end.
    admin = page
    admin.goto(f"{live_server.url}/auth/sign-in")
    admin.fill("input[name=phone]", ADMIN_PHONE)
    admin.locator("main button[type=submit]").click()
    admin.wait_for_url("**/auth/verify")
    admin.fill("input[name=code]", sms_code(admin, live_server, ADMIN_PHONE))
    admin.locator("main button[type=submit]").click()
    admin.wait_for_url("**/profile")
    with live_server.app.app_context():
        make_staff(db.session.scalar(select(User).filter_by(phone=ADMIN_PHONE)), "admin", "管理员")
    admin.goto(f"{live_server.url}/authority/")
    admin.get_by_role("link", name="返琼人员：邀请名单").click()
    admin.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "返琼名单.csv",
                "mimeType": "text/csv",
                "buffer": f"手机号,姓名\n{RETURNEE_PHONE},李返乡\n1234,坏号\n".encode(),
            }
        ],
    )
    admin.get_by_role("button", name="上传并检查").click()
    admin.wait_for_url("**/return/uploads/*")
    expect(admin.locator("[data-valid]")).to_have_text("1")
    expect(admin.locator("[data-rejected-rows]")).to_contain_text("1234 不是大陆手机号")
    expect(admin.locator("[data-first-rows]")).to_contain_text("138****0052")
    admin.get_by_role("button", name="向 1 人发送短信").click()
    expect(admin.locator("[data-upload-status]")).to_have_text("已发送")
    expect(admin.locator("[data-sent]")).to_have_text("1")

    # The returnee opens the link on their phone (not signed in) and registers the journey.
    returnee = watch_errors(new_context().new_page(), errors)
    returnee.goto(texted_link(returnee, live_server, RETURNEE_PHONE))
    expect(returnee.locator("main")).to_contain_text("138****0052")
    expect(returnee.locator("input[name=name]")).to_have_value("李返乡")
    with live_server.app.app_context():
        today = clock.local_today()
    returnee.fill("input[name=planned_day]", (today + timedelta(days=1)).isoformat())
    returnee.select_option("select[name=from_district]", BEIJING)
    returnee.select_option("select[name=destination]", "460105")
    returnee.select_option("select[name=transport]", "plane")
    returnee.fill("input[name=trip_number]", "HU7181")
    returnee.check("input[name=health][value=healthy]")
    returnee.check("input[name=promise]")
    returnee.get_by_role("button", name="提交返琼登记").click()
    expect(returnee.locator("[data-registered] h1")).to_have_text("您的返琼登记已提交")
    expect(returnee.locator("[data-registered]")).to_contain_text("北京市朝阳区")

    # They arrive a day early: they sign up with the number, and the check-in form fills in the arrival.
    sign_up(returnee, live_server, RETURNEE_PHONE, name="李返乡", id_number=ID_NUMBERS[1], district="460105")
    expect(returnee.locator("input[name=arrived]")).to_be_checked()
    expect(returnee.locator("select[name=arrival_from]")).to_have_value(BEIJING)
    expect(returnee.locator("input[name=arrival_day]")).to_have_value(today.isoformat())
    expect(returnee.locator("select[name=arrival_transport]")).to_have_value("plane")
    expect(returnee.locator("[data-arrival-note]")).to_contain_text("已根据您的返琼登记")
    declare(returnee, temperature="36.5", district="460105")
    expect(returnee.locator("[data-colour-word]")).to_contain_text("黄码")  # arrived from another province

    with live_server.app.app_context():
        registration = db.session.scalar(select(ReturnRegistration))
        checkin = db.session.scalar(select(Checkin))
        person = db.session.scalar(select(User).filter_by(phone=RETURNEE_PHONE))
        assert (registration.status, registration.checkin_id, registration.user_id) == (
            "arrived",
            checkin.id,
            person.id,
        )
        assert (checkin.arrival_from, checkin.arrival_day, checkin.arrival_transport) == (BEIJING, today, "plane")
    assert errors == [], f"uncaught script errors: {errors}"
