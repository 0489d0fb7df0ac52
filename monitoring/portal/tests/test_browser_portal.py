"""Issue 19 §1 in Chromium against `make run` and its demo data: the home page shows each market's
latest announcements (one market at a time, as tabs that need no script) and today's openings; a
search by market and publication dates finds the demo's awarded lot and its URL, shared, gives the
same result; at a phone's width (390 px) the home page, the search and a lot's page do not scroll
sideways."""
import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from trading.workdays import CHINA

pytestmark = pytest.mark.browser
AWARDED = "CG2026-015"
PHONE = {"width": 390, "height": 844}


def _lots(page) -> list[str]:
    return page.eval_on_selector_all("[data-lot]", "items => items.map(item => item.dataset.lot)")


def test_the_home_page_shows_each_market_s_announcements_and_today_s_openings(embedded_platform, browser):
    url, _ = embedded_platform
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(url + "/")
    panels = page.locator("[data-testid=market]")
    expect(panels.first).to_be_visible()
    assert page.locator("[data-testid=market]:visible").count() == 1  # the first market, until a tab is chosen
    tabs = page.locator("[data-testid=market-tab]")
    assert tabs.count() == panels.count() == 5
    with_announcements = 0
    for n in range(tabs.count()):
        tab = tabs.nth(n)
        tab.click()
        panel = page.locator(tab.get_attribute("href"))
        expect(panel).to_be_visible()
        assert page.locator("[data-testid=market]:visible").count() == 1
        assert panel.locator("h3").first.inner_text() == tab.inner_text()
        expect(panel.locator("[data-testid=figures]")).to_be_visible()
        if panel.locator("[data-announcement] a").count():
            with_announcements += 1
            link = panel.locator("[data-announcement] a").first
            assert re.search(r"/lots/\d+/#announcement-\d+$", link.get_attribute("href"))
    assert with_announcements >= 3  # the demo announces lots of several markets

    openings = page.locator("[data-testid=openings]")
    expect(openings).to_be_visible()
    expect(openings.locator("h3").first).to_contain_text(datetime.now(CHINA).strftime("%Y-%m-%d"))
    expect(openings.locator("[data-testid=today-sessions]")).to_be_visible()
    for link in openings.locator("[data-testid=watch-link]").all():
        assert re.fullmatch(r"/lots/\d+/opening/|/auctions/\d+/", link.get_attribute("href"))
    assert page.locator("link[rel=alternate][type='application/rss+xml']").count() >= 1
    context.close()


def test_a_search_by_market_and_dates_finds_the_awarded_lot_and_its_url_can_be_shared(embedded_platform, browser):
    url, _ = embedded_platform
    today = datetime.now(CHINA).date()
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(url + "/lots/")
    page.select_option("#id_market", "procurement")
    page.fill("#id_published_from", (today - timedelta(days=120)).isoformat())
    page.fill("#id_published_to", today.isoformat())
    with page.expect_navigation():
        page.click("[data-testid=search]")
    assert "market=procurement" in page.url and f"published_to={today.isoformat()}" in page.url
    found = _lots(page)
    assert page.locator("[data-lot]", has_text=AWARDED).count() == 1
    assert page.locator("[data-lot]", has_text="TD2026").count() == 0  # land lots are another market's
    expect(page.locator("#id_published_to")).to_have_value(today.isoformat())

    # Someone given the link sees the same lots.
    shared = browser.new_context(locale="en-US").new_page()
    shared.goto(page.url)
    assert _lots(shared) == found
    expect(shared.locator("#id_market")).to_have_value("procurement")
    shared.context.close()

    # Nothing is published after today.
    page.fill("#id_published_from", (today + timedelta(days=1)).isoformat())
    page.fill("#id_published_to", "")
    with page.expect_navigation():
        page.click("[data-testid=search]")
    assert _lots(page) == []
    context.close()


def test_at_a_phone_s_width_nothing_scrolls_sideways(embedded_platform, browser):
    url, _ = embedded_platform
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    search = f"/lots/?q={AWARDED}&market=procurement&published_from=2020-01-01"
    page.goto(url + search)
    lot_page = page.locator("[data-lot] a").first.get_attribute("href")
    for path in ["/", search, lot_page, "/announcements/"]:
        page.goto(url + path, wait_until="networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide at {PHONE['width']} px"
    context.close()
