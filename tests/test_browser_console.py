"""Pages load in Chromium without a console error or a failed request (the icon, a stylesheet, a
script): the home page, a lot's page, its result, and a missing page, which is the site's own."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _watched(browser, *, locale="zh-CN"):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text} at {page.url}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error} at {page.url}"))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.on("response", lambda answer: problems.append(f"{answer.status}: {answer.url}")
            if answer.status >= 400 else None)
    return context, page, problems


def test_the_home_a_lot_and_its_result_load_without_console_errors(embedded_platform, browser):
    url, _ = embedded_platform
    context, page, problems = _watched(browser)
    page.goto(url + "/", wait_until="networkidle")
    # The browser asks for the icon the page names, and some ask for /favicon.ico whatever it names.
    assert page.evaluate("fetch('/favicon.ico').then(answer => answer.ok)")
    page.goto(url + "/lots/?q=CG2026-015", wait_until="networkidle")
    page.click("[data-lot] a")
    page.wait_for_load_state("networkidle")
    page.click("[data-testid=result-link]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=award]").is_visible()
    assert not problems, "\n".join(problems)
    context.close()


def test_a_missing_page_is_the_site_s_page_in_the_browser_s_language(embedded_platform, browser):
    url, _ = embedded_platform
    context, page, problems = _watched(browser, locale="en-US")
    response = page.goto(url + "/lots/999999/", wait_until="networkidle")
    assert response.status == 404
    assert page.locator("header.top .brand").is_visible()
    assert page.locator("[data-testid=error-page][data-status='404']").is_visible()
    page.click("[data-testid=home-link]")
    page.wait_for_url(url + "/")
    # Only the missing page's own 404 is an error here.
    assert [problem for problem in problems if "/lots/999999/" not in problem] == []
    context.close()


def test_the_codes_page_and_the_api_docs_run_their_scripts_under_the_policy(embedded_platform, browser):
    """Scripts that were inline are files now: the codes count down, Swagger UI draws the schema."""
    url, _ = embedded_platform
    context, page, problems = _watched(browser, locale="en-US")
    page.goto(url + "/demo/codes/", wait_until="networkidle")
    left = page.locator("[data-testid=seconds-left]")
    expect(left).not_to_have_text(left.inner_text(), timeout=5_000)
    page.goto(url + "/api/docs/", wait_until="networkidle")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert not problems, "\n".join(problems)
    context.close()
