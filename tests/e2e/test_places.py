"""Place fields in Chromium on a 360 px phone: the whole country in a few taps, by province → city → county or
by name, in Chinese and English, online and (after one visit) offline; an admin declares a whole city."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.infra import clock
from app.models import Checkin, RiskArea, User
from app.services.enrolment import make_staff
from tests.e2e.browser import sign_up, wait_for_offline_ready
from tests.e2e.test_authority import sign_in

pytestmark = pytest.mark.e2e

PHONE_SCREEN = {"width": 360, "height": 640}


class Taps:
    """Clicks as a person taps, counted."""

    def __init__(self):
        self.count = 0

    def __call__(self, locator):
        expect(locator).to_be_visible()
        box = locator.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_SCREEN["width"] + 0.5, "a tap target off the screen"
        locator.click()
        self.count += 1


def picker(page, field):
    """The button that opens the place picker of `field` (a select) and the dialog it opens."""
    opener = field.locator("xpath=following::button[contains(@class, 'place-open')][1]")
    return opener, page.locator("dialog.place-dialog[open]")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_xihu_in_four_taps_then_by_name_offline(page, context, live_server):
    page.set_viewport_size(PHONE_SCREEN)
    sign_up(page, live_server, "13800000041")
    district = page.locator("select[name=district]")
    assert district.locator("option").count() < 40, "the page lists the local area only; the rest loads lazily"

    taps = Taps()
    opener, dialog = picker(page, district)
    taps(opener)
    expect(dialog).to_be_visible()
    assert fits_the_screen(page)
    taps(dialog.get_by_role("button", name="浙江省", exact=True))
    taps(dialog.get_by_role("button", name="杭州市", exact=True))
    expect(dialog.locator(".place-path")).to_contain_text("中国 › 浙江省 › 杭州市")
    taps(dialog.get_by_role("button", name="西湖区", exact=True))

    assert taps.count == 4
    expect(dialog).to_have_count(0)
    expect(district).to_have_value("330106")
    expect(district.locator("option:checked")).to_have_text("浙江省杭州市西湖区")

    page.fill("input[name=temperature]", "36.5")
    page.check("input[name=contact_with_cases][value=no]")
    page.locator("form[data-checkin-form] button[type=submit]").click()
    page.wait_for_url("**/code")
    with live_server.app.app_context():
        assert db.session.scalars(select(Checkin.district)).all() == ["330106"]

    # The next check-in remembers 西湖区 although the page lists only Hainan's places.
    page.goto(f"{live_server.url}/checkin")
    expect(page.locator("select[name=district]")).to_have_value("330106")
    wait_for_offline_ready(page)

    context.set_offline(True)
    page.reload()
    page.locator("[data-add-visit]").click()
    visit = page.locator("select[name=visit_district]")
    opener, dialog = picker(page, visit)
    taps = Taps()
    taps(opener)
    dialog.get_by_label("按名称搜索").fill("西湖")
    results = dialog.locator(".place-list button")
    expect(results.filter(has_text="浙江省杭州市西湖区")).to_have_count(1)
    expect(results.filter(has_text="江西省南昌市西湖区")).to_have_count(1)
    taps(results.filter(has_text="浙江省杭州市西湖区"))
    assert taps.count == 2
    expect(visit).to_have_value("330106")

    taps(opener)
    dialog.get_by_label("按名称搜索").fill("没有这个地方")
    expect(dialog.locator(".place-status")).to_contain_text("没有找到")
    expect(results).to_have_count(0)
    dialog.get_by_role("button", name="关闭").click()
    expect(visit).to_have_value("330106")


def test_english_search_and_the_cascade_for_places_without_cities(page, live_server):
    page.set_viewport_size(PHONE_SCREEN)
    sign_up(page, live_server, "13800000042", lang="en")
    district = page.locator("select[name=district]")
    opener, dialog = picker(page, district)
    opener.click()
    dialog.get_by_label("Search by name").fill("hangzhou xihu")
    result = dialog.locator(".place-list button", has_text="Xihu, Hangzhou, Zhejiang")
    expect(result).to_have_count(1)
    result.click()
    expect(district).to_have_value("330106")

    # Beijing's districts hang straight under Beijing; Dongguan has no counties: it is a place itself.
    opener.click()
    dialog.get_by_role("button", name="Beijing", exact=True).click()
    dialog.get_by_role("button", name="Chaoyang", exact=True).click()
    expect(district).to_have_value("110105")
    opener.click()
    dialog.get_by_role("button", name="Guangdong", exact=True).click()
    dialog.get_by_role("button", name="Dongguan", exact=True).click()
    expect(district).to_have_value("441900")
    expect(district.locator("option:checked")).to_have_text("Dongguan, Guangdong")
    assert fits_the_screen(page)


def test_an_admin_declares_a_whole_city_a_risk_area(page, live_server):
    page.set_viewport_size(PHONE_SCREEN)
    sign_in(page, live_server, "13900000043", lands_on="/profile")
    with live_server.app.app_context():
        make_staff(db.session.scalar(db.select(User).filter_by(phone="13900000043")), "admin", "管理员")
        today = clock.local_today().isoformat()
    page.goto(f"{live_server.url}/authority/risk-areas")
    area = page.locator("select[name=district]")
    opener, dialog = picker(page, area)
    opener.click()
    dialog.get_by_role("button", name="浙江省", exact=True).click()
    dialog.get_by_role("button", name="杭州市", exact=True).click()
    dialog.get_by_role("button", name="整个杭州市").click()
    expect(area).to_have_value("330100")
    page.select_option("select[name=level]", "medium")
    page.fill("input[name=start]", today)
    page.locator("main form button[type=submit]", has_text="发布风险地区").click()
    page.wait_for_url("**/authority/risk-areas")
    expect(page.locator("tr[data-risk-area='330100']")).to_contain_text("浙江省杭州市")
    with live_server.app.app_context():
        assert db.session.scalars(select(RiskArea.district)).all() == ["330100"]
