"""Elder-friendly pages: usable at 200 % zoom on a phone, every field labelled, colour never alone."""

import pytest

from tests.e2e.browser import declare, sign_up

# A 390 px wide phone at 200 % zoom lays pages out in 195 CSS pixels.
ZOOMED = {"width": 195, "height": 422}

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && el.offsetParent !== null)
    .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.name || el.id || el.outerHTML.slice(0, 80))"""

OVERFLOW = """() => {
    const page = document.scrollingElement;
    const wide = [...document.querySelectorAll('main *')].filter((el) => el.getBoundingClientRect().right > page.clientWidth + 1)
        .map((el) => el.tagName + '.' + el.className);
    return {scroll: page.scrollWidth - page.clientWidth, wide: wide.slice(0, 5)};
}"""


@pytest.mark.e2e
def test_resident_pages_work_at_200_percent_zoom_with_labels(page, live_server):
    sign_up(page, live_server, "13900000031")
    declare(page)
    page.set_viewport_size(ZOOMED)
    for path in ("/code", "/checkin", "/profile", "/relatives/", "/relatives/new"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(UNLABELLED) == [], path
        overflow = page.evaluate(OVERFLOW)
        assert overflow["scroll"] <= 1, (path, overflow)
    page.goto(live_server.url + "/code")
    page.locator("[data-health-code][data-state=code]").wait_for()
    assert "绿码" in page.inner_text("main")


@pytest.mark.e2e
def test_large_text_mode_is_remembered_across_pages(page, live_server):
    page.goto(live_server.url + "/auth/sign-in")
    base = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.click("[data-large-text]")
    assert page.get_attribute("[data-large-text]", "aria-pressed") == "true"
    page.goto(live_server.url + "/offline")
    larger = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert larger >= base * 1.3
    assert page.evaluate(UNLABELLED) == []
