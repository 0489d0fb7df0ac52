"""The statistics page in Chromium against `make run` and its demo data (SQLite, the embedded
mode): ECharts draws the charts from the figures the page prints, and the page passes axe-core's
WCAG 2.1 AA rules."""
import pytest
from playwright.sync_api import expect

from tests.accessibility import axe_violations

pytestmark = pytest.mark.browser


def test_the_charts_render(embedded_platform, browser):
    url, _ = embedded_platform
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url + "/statistics/")
    expect(page.locator("[data-testid=statistics-table]")).to_be_visible()
    for chart in ("chart-deal-value", "chart-deals"):
        expect(page.locator(f"#{chart} canvas").first).to_be_visible()
    assert page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-deal-value'))"
                         ".getOption().series.length") == 5  # one series per market
    assert not errors
    assert axe_violations(page) == []
    context.close()
