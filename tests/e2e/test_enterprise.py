"""Enterprises back at work in Chromium, three phones: the head of an enterprise registers it and files its
resumption declaration; the authority approves it; an employee registers by the join link; the roster shows
them allowed to work while green and not allowed once a fever check-in turns them yellow.
"""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.infra import clock
from app.models import User
from app.services.enrolment import make_staff
from tests.e2e.browser import declare, sign_up
from tests.e2e.test_accessibility import OVERFLOW, UNLABELLED, ZOOMED
from tests.e2e.test_authority import sign_in, watch_errors
from tests.helpers import ID_NUMBERS

pytestmark = pytest.mark.e2e

HEAD_PHONE, EMPLOYEE_PHONE, ADMIN_PHONE = "13800000051", "13800000052", "13900000053"
CREDIT_CODE = "91460100MA5T2A3BXF"  # well formed: its check characters match (GB 32100, GB 11714)
NAME = "海口椰风食品有限公司"


def test_a_declared_and_approved_enterprise_sees_its_employee_allowed_only_while_green(page, new_context, live_server):
    errors = []

    # The head: a resident signs up, then registers the enterprise and files its declaration.
    head = page
    sign_up(head, live_server, HEAD_PHONE, name="张小明", id_number=ID_NUMBERS[0])
    head.locator("nav.tabs a", has_text="企业").click()
    head.wait_for_url("**/enterprise/")
    head.locator("main a", has_text="登记企业").click()
    head.wait_for_url("**/enterprise/new")
    head.fill("input[name=name]", NAME)
    head.fill("input[name=credit_code]", "91460100MA5T2A3BX0")  # a typing mistake first
    head.select_option("select[name=scale]", "small")
    head.select_option("select[name=industry]", "C")
    head.select_option("select[name=district]", "460105")
    head.fill("input[name=address]", "海口市秀英区长滨路8号")
    head.fill("input[name=employees]", "25")
    expect(head.locator("input[name=contact_name]")).to_have_value("张小明")
    head.fill("textarea[name=measures]", "入口测温、佩戴口罩、每日消毒、错峰就餐")
    head.check("input[name=promise]")
    head.locator("main form button[type=submit]").click()
    expect(head.locator("#credit_code-error")).to_contain_text("最后一位校验码与前面各位不符")
    expect(head.locator("[data-error-summary]")).to_contain_text("统一社会信用代码")
    head.fill("input[name=credit_code]", CREDIT_CODE.lower())
    head.check("input[name=promise]")
    head.locator("main form button[type=submit]").click()
    head.wait_for_url("**/enterprise/1")
    expect(head.locator("[data-status]").first).to_have_text("待审核")
    expect(head.locator("[data-join-link]")).to_have_count(0)

    # The authority: an admin approves the declaration.
    admin = watch_errors(new_context().new_page(), errors)
    sign_in(admin, live_server, ADMIN_PHONE, lands_on="/profile")  # a new number starts as a resident
    with live_server.app.app_context():
        make_staff(db.session.scalar(db.select(User).filter_by(phone=ADMIN_PHONE)), "admin", "管理员")
    admin.goto(f"{live_server.url}/authority/")
    admin.locator("nav.tabs a", has_text="企业").click()
    admin.wait_for_url("**/enterprise/review/")
    admin.locator("[data-declarations] a", has_text=NAME).click()
    expect(admin.locator("main")).to_contain_text(CREDIT_CODE)
    admin.check("input[name=decision][value=approved]")
    admin.locator("main form button[type=submit]").click()
    admin.wait_for_url("**/enterprise/review/")
    expect(admin.locator(".flash-info")).to_contain_text(NAME)

    # The head now has a join link and a QR code to print.
    head.reload()
    expect(head.locator("[data-status]").first).to_have_text("已批准")
    join_link = head.locator("[data-join-link]").get_attribute("href")
    assert "/enterprise/join/" in join_link
    head.locator("main a", has_text="打印二维码").click()
    expect(head.locator("[data-join-qr] svg")).to_be_visible()

    # The employee: signs up, checks in (绿码), opens the link and registers, returning from Hangzhou.
    employee = watch_errors(new_context().new_page(), errors)
    sign_up(employee, live_server, EMPLOYEE_PHONE, name="李小红", id_number=ID_NUMBERS[1])
    declare(employee, temperature="36.5")
    expect(employee.locator("[data-colour-word]")).to_contain_text("绿码")
    employee.goto(join_link)
    expect(employee.locator("main h1")).to_have_text("员工返岗登记")
    expect(employee.locator("main")).to_contain_text(NAME)
    employee.select_option("select[name=returned_from]", "330106")
    with live_server.app.app_context():
        today = clock.local_today().isoformat()
    employee.fill("input[name=returned_on]", today)
    employee.fill("input[name=department]", "生产车间")
    employee.locator("main form button[type=submit]").click()
    employee.wait_for_url("**/enterprise/")
    expect(employee.locator(".flash-info")).to_contain_text(NAME)

    # The roster: green, so allowed to work today, with a masked name.
    head.goto(f"{live_server.url}/enterprise/1/roster")
    row = head.locator("[data-roster] li[data-employee]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("李*红")
    expect(row).not_to_contain_text("李小红")
    expect(row.locator("[data-colour]")).to_have_text("绿码")
    expect(row).to_have_attribute("data-may-work", "yes")
    expect(row.locator("[data-may-work-word]")).to_have_text("是：今日可以上岗")

    # A fever check-in turns the employee yellow ...
    employee.goto(f"{live_server.url}/checkin")
    declare(employee, temperature="38.6")
    expect(employee.locator("[data-colour-word]")).to_contain_text("黄码")

    # ... and the roster says they may not work, and what they must do, without the reason.
    head.reload()
    expect(row.locator("[data-colour]")).to_have_text("黄码")
    expect(row).to_have_attribute("data-may-work", "no")
    expect(row.locator("[data-may-work-word]")).to_have_text("否：今日不可上岗")
    expect(row.locator("[data-instruction]")).to_contain_text("转为绿码后再返岗")
    expect(row).not_to_contain_text("体温")
    expect(head.locator("main [data-roster-counts]")).to_contain_text("1 名员工中 0 人可以上岗")

    # Every page of the head and of the employee works on a phone at 200 % zoom, every field labelled.
    for phone, paths in (
        (head, ("/enterprise/", "/enterprise/new", "/enterprise/1", "/enterprise/1/roster", "/enterprise/1/survey")),
        (employee, ("/enterprise/", join_link)),
    ):
        phone.set_viewport_size(ZOOMED)
        for path in paths:
            phone.goto(path if path.startswith("http") else live_server.url + path)
            assert phone.evaluate(UNLABELLED) == [], path
            overflow = phone.evaluate(OVERFLOW)
            assert overflow["scroll"] <= 1, (path, overflow)

    assert errors == [], f"uncaught script errors: {errors}"
