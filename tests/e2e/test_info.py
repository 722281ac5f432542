"""The public information page in Chromium: opened once online, it is readable offline from the copy the service
worker kept, with that copy's age shown."""

from datetime import timedelta

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from app.extensions import db
from app.infra import clock
from app.models import User
from app.services.enrolment import make_staff
from app.services.risk_areas import add_risk_area

pytestmark = pytest.mark.e2e

KEPT = "caches.open('onecode-public').then((cache) => cache.match('/info')).then(Boolean)"


def test_info_opened_once_online_is_readable_offline_with_its_age(page, context, live_server):
    with live_server.app.app_context():
        admin = User(phone="13700000000", role="resident", created_at=clock.now_utc())
        db.session.add(admin)
        db.session.commit()
        make_staff(admin, "admin", "王工作", None, None)
        add_risk_area("460105", "high", clock.local_today(), None, admin.id)

    # Once online, signed out: the page, and the worker keeps a copy (the first visit is not its own).
    page.goto(f"{live_server.url}/info")
    expect(page.locator("[data-info-age]")).to_contain_text("刚刚")
    expect(page.locator("[data-info-offline]")).to_be_hidden()
    expect(page.locator("[data-info]")).to_have_attribute("data-kept", "true")
    expect(page.locator("[data-info-kept]")).to_be_visible()
    page.wait_for_function(KEPT)
    try:
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=5_000)
    except PlaywrightTimeoutError:  # the first load raced the worker's activation (clients.claim() missed it)
        page.reload()
        page.wait_for_function("navigator.serviceWorker.controller !== null")

    # Two hours later, no signal: the saved copy opens, says it is offline and how old it is.
    later = clock.epoch(clock.now_utc() + timedelta(hours=2, minutes=5))
    page.clock.install(time=later)
    context.set_offline(True)
    page.reload()
    offline = page.locator("[data-info-offline]")
    expect(offline).to_be_visible()
    expect(offline).to_contain_text("离线")
    expect(offline).to_contain_text("2 小时前")
    expect(page.locator("[data-info-age]")).to_contain_text("2 小时前")
    expect(page.locator("[data-risk-area='460105']")).to_contain_text("高风险")
    expect(page.locator("[data-colour-rules] li").first).to_be_visible()
    expect(page.locator("[data-hotlines]")).to_contain_text("12345")

    # Signal again: the page is fetched fresh and the notice goes away.
    context.set_offline(False)
    expect(offline).to_be_hidden()


def test_info_reads_on_a_phone_at_200_percent_zoom_in_both_languages(page, live_server):
    from tests.e2e.test_accessibility import OVERFLOW, ZOOMED

    page.set_viewport_size(ZOOMED)
    for query, title in (("", "防疫信息查询"), ("?lang=en", "Epidemic information")):
        page.goto(f"{live_server.url}/info{query}")
        page.wait_for_load_state("networkidle")
        expect(page.locator("h1")).to_contain_text(title)
        overflow = page.evaluate(OVERFLOW)
        assert overflow["scroll"] <= 1, (query, overflow)
