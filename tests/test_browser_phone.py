"""At a phone's width (390 × 844) the public pages fit the screen: nothing scrolls sideways, the
header's links fold into a menu that opens and closes, and forms stack. Against `make run` with its
demo data, in Chinese and English."""
import re

import pytest
from playwright.sync_api import expect

from tests.browsing import embedded_devices, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _sideways(page) -> str:
    """What sticks out on the right of the page, or "" when nothing does."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return "";
        const wide = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > width + 1);
        return wide.slice(0, 3).map(e => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)} px`).join(", ");
    }""")


def _awarded_lot(page, url) -> str:
    page.goto(url + "/lots/?q=CG2026-015")
    href = page.locator("[data-lot] a[href^='/lots/']").first.get_attribute("href")
    return re.search(r"/lots/(\d+)/", href).group(1)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_public_pages_fit_a_phone_and_the_menu_opens(embedded_platform, browser, locale):
    url, _ = embedded_platform
    context = browser.new_context(locale=locale, viewport=PHONE)
    page = context.new_page()
    lot = _awarded_lot(page, url)
    for path in ("/", "/lots/", f"/lots/{lot}/", f"/lots/{lot}/result/", "/announcements/"):
        page.goto(url + path, wait_until="networkidle")
        assert _sideways(page) == "", f"{path} scrolls sideways at 390 px: {_sideways(page)}"
        menu, links = page.locator("[data-testid=menu-button]"), page.locator("#site-menu nav")
        assert menu.is_visible() and not links.is_visible(), path
        menu.click()
        assert links.is_visible() and page.locator("#site-menu nav a[href='/lots/']").is_visible(), path
        assert _sideways(page) == "", f"{path} with the menu open scrolls sideways: {_sideways(page)}"
        menu.click()
        assert not links.is_visible(), path
    context.close()


def test_on_a_wide_screen_the_links_show_without_a_menu(embedded_platform, browser):
    url, _ = embedded_platform
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url + "/")
    assert page.locator("#site-menu nav").is_visible()
    assert not page.locator("[data-testid=menu-button]").is_visible()
    page.set_viewport_size(PHONE)  # the menu folds when the screen narrows, as the media query changes
    expect(page.locator("#site-menu nav")).to_be_hidden()
    expect(page.locator("[data-testid=menu-button]")).to_be_visible()
    context.close()


def test_a_form_stacks_its_fields_on_a_phone(embedded_platform, browser):
    url, _ = embedded_platform
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(url + "/login/")
    for selector in ("#id_username", "#id_password"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], selector
    assert _sideways(page) == ""
    context.close()


def test_the_new_project_form_shows_the_chosen_procedures_dates_stacked(embedded_platform, browser):
    url, var_dir = embedded_platform
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = sign_in(context.new_page(), url, "demo_staff_2", "demo-staff-2026", devices=embedded_devices(var_dir))
    page.goto(url + "/staff/projects/new/")
    tender, listing = page.locator("[data-testid=dates-tender]"), page.locator("[data-testid=dates-listing]")
    page.select_option("#id_procedure", label="建设工程 · 公开招标")
    assert tender.is_visible() and not listing.is_visible()
    page.select_option("#id_procedure", label="土地使用权 · 挂牌+限时竞价")
    assert listing.is_visible() and not tender.is_visible()
    box = page.locator("#id_listing_end").bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"] and _sideways(page) == ""
    context.close()
