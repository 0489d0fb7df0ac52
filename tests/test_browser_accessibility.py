"""Issue 19's finish: axe-core's WCAG 2.1 A and AA rules find no violation on the portal, the lot
pages, the rooms and every page each demo role's header navigation leads to (their workbenches
first), in Chinese and English; at a phone's width (390 px) none of them scrolls sideways; and no
page logs a console error on the way. Against `make run` with its demo data."""
import re

import pytest

from tests.accessibility import axe_violations
from tests.browsing import embedded_devices, sign_in

pytestmark = pytest.mark.browser

ROLES = ["demo_bidder", "demo_staff", "demo_custodian", "demo_expert", "demo_supervisor", "demo_regulator",
         "demo_security"]
PHONE = {"width": 390, "height": 844}
# Pages reached from the header that are not the platform's own pages (Django's admin has its own
# layout; the API's documentation page is drawn by Swagger UI from the schema).
NOT_OURS = ("/admin/", "/api/docs/", "/api/schema/")


def _watched(browser, locale, viewport=None):
    context = browser.new_context(locale=locale, viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text} at {page.url}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error} at {page.url}"))
    return context, page, problems


def _checked(page, path_or_url, url, problems):
    page.goto(path_or_url if path_or_url.startswith("http") else url + path_or_url, wait_until="networkidle")
    problems.extend(axe_violations(page))
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if viewport <= 400 and width > viewport:
        problems.append(f"{page.url}: scrolls sideways at {viewport} px ({width} px wide)")


def _public_pages(page, url) -> list[str]:
    """The portal, its search, the feeds' list pages, the awarded lot's story and result, the rooms
    the home page links to (today's openings and auctions), the try-it page, the report form."""
    page.goto(url + "/lots/?q=CG2026-015", wait_until="networkidle")
    awarded = page.locator("[data-lot] a").first.get_attribute("href")
    lot_id = re.search(r"/lots/(\d+)/", awarded).group(1)
    page.goto(url + "/", wait_until="networkidle")
    rooms = sorted({href for href in page.eval_on_selector_all(
        "[data-testid=watch-link]", "links => links.map(a => a.getAttribute('href'))")})
    return ["/", "/lots/", "/announcements/", "/lots/?market=land", awarded, f"/lots/{lot_id}/result/",
            f"/lots/{lot_id}/opening/", "/try/", "/report/", "/login/", "/account/sign-up/", *rooms[:3]]


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_public_pages_pass_axe_and_fit_a_phone(embedded_platform, browser, locale):
    url, _ = embedded_platform
    context, page, problems = _watched(browser, locale)
    pages = _public_pages(page, url)
    assert len(pages) > 12, "the home page links to no live opening or auction"
    for path in pages:
        _checked(page, path, url, problems)
    context.close()
    context, page, phone_problems = _watched(browser, locale, PHONE)
    for path in pages:
        _checked(page, path, url, phone_problems)
    context.close()
    assert not problems + phone_problems, "\n".join(problems + phone_problems)


@pytest.mark.parametrize("username", ROLES)
def test_each_role_s_pages_from_the_header_pass_axe_and_fit_a_phone(embedded_platform, browser, username):
    url, var_dir = embedded_platform
    context, page, problems = _watched(browser, "zh-CN", PHONE)
    sign_in(page, url, username, username.replace("demo_", "demo-") + "-2026", devices=embedded_devices(var_dir))
    page.goto(url + "/workbench/", wait_until="networkidle")
    # Each role's own page of work: a supervisor's is the registry's workbench, a security
    # administrator's the people and roles page.
    assert "/login/" not in page.url and "/account/" not in page.url, page.url
    workbench = page.url
    links = [href for href in page.eval_on_selector_all(
        "header nav a", "links => links.map(a => a.getAttribute('href'))")
        if href.startswith("/") and not href.startswith(NOT_OURS)]
    assert links, "the header shows a signed-in person no link"
    for path in [workbench, *dict.fromkeys(links)]:
        _checked(page, path, url, problems)
    context.close()
    assert not problems, "\n".join(problems)
