"""Each demo role signs in to `make run`, opens its workbench from the header and sees its lists, in
Chinese and English; the bidder follows a receipt from its workbench; the countdowns run; at a
phone's width (390 px) no workbench scrolls sideways."""
import pytest

from bidding.demo import ACCOUNTS
from tests.browsing import embedded_devices, sign_in

pytestmark = pytest.mark.browser

PASSWORDS = {username: password for username, password, _roles, _name in ACCOUNTS}
PHONE = {"width": 390, "height": 844}


def _items(page, *sections: str) -> int:
    """How many items of the demo's data the page's sections list."""
    return sum(page.locator(f"section[data-testid={name}] li[data-lot]").count() for name in sections)


def _bidder(page):
    assert page.locator("[data-testid=bids] [data-testid=bid]").count() >= 1
    assert _items(page, "sessions") >= 1  # the opening due in minutes, the land auction
    assert _items(page, "awards") >= 1  # the awarded lot's notice
    assert _items(page, "registrations") >= 1 and _items(page, "deposits") >= 1
    page.locator("[data-testid=bids] [data-testid=receipt-link]").first.click()
    page.wait_for_selector("[data-testid=bid-receipt]")
    assert page.locator("[data-testid=receipt-signature]").get_attribute("data-valid") == "true"
    page.go_back()


def _staff(page):
    assert page.locator("section[data-testid=lots-by-status] li[data-status]").count() >= 3
    assert _items(page, "openings") + page.locator("section[data-testid=auctions] li[data-lot]").count() >= 1
    page.click("[data-testid=registrations-link]")
    page.wait_for_url("**/staff/registrations/")
    page.go_back()


def _custodian(page):
    assert _items(page, "to-present", "opening-due", "presented", "upcoming") >= 1


def _expert(page):
    for name in ("to-declare", "to-score", "waiting", "done"):
        assert page.locator(f"section[data-testid={name}] h2").is_visible()


def _regulator(page):
    for name in ("awards", "alerts", "complaints", "inquiries", "reports"):
        assert page.locator(f"section[data-testid={name}] [data-testid=count]").inner_text().isdigit()
    assert page.locator("[data-testid=workbench-tabs] a[href='/workbench/custodian/']").count() == 1


def _supervisor(page):
    assert page.locator("[data-testid=workbench-tabs] a[href='/supervision/workbench/']").count() == 1
    page.click("[data-testid=nav-workbench]")
    page.wait_for_url("**/supervision/workbench/")
    assert page.locator("section[data-testid=to-answer] h2").is_visible()


# (username, the header's link, the workbench it opens, what it must show)
ROLES = [
    ("demo_bidder", "nav-workbenches", "/workbench/bidder/", _bidder),
    ("demo_staff", "nav-workbenches", "/workbench/staff/", _staff),
    ("demo_custodian", "nav-workbenches", "/workbench/custodian/", _custodian),
    ("demo_expert", "nav-workbenches", "/workbench/expert/", _expert),
    ("demo_regulator", "nav-workbenches", "/workbench/regulator/", _regulator),
    ("demo_supervisor", "nav-workbenches", "/workbench/custodian/", _supervisor),  # also a custodian
]


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_each_demo_role_opens_its_workbench_from_the_header_and_sees_its_lists(embedded_platform, browser,
                                                                              locale):
    url, var_dir = embedded_platform
    for username, link, path, shows in ROLES:
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        page = sign_in(context.new_page(), url, username, PASSWORDS[username], devices=embedded_devices(var_dir))
        page.click(f"header [data-testid={link}]")
        page.wait_for_url(url + path)
        assert page.locator("h1").inner_text(), f"{username}'s workbench has no heading"
        if page.locator("[data-testid=countdown]").count():  # counted down by the page's script
            page.wait_for_selector("[data-testid=countdown][data-left]")
        shows(page)

        page.set_viewport_size(PHONE)
        page.goto(url + path, wait_until="networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways at 390 px for {username} ({width} px wide)"
        context.close()
