"""A regulator in headless Chromium on a real server process (services mode, the session's test
database and Redis): the supervision dashboard shows an alert turn red as the sweep runs, the
alerts page lists it, and the regulator acknowledges it with a comment."""
import pytest
from playwright.sync_api import expect

from monitoring.supervision.models import Alert
from monitoring.supervision.services import alerts_sweep
from monitoring.supervision.tests.conftest import at
from tests.browsing import browser_thread, database_devices, sign_in
from tests.fixtures import PASSWORD
from tests.servers import platform_servers

LIVE = 2000  # ms: how soon after the sweep the dashboard must show it


@pytest.fixture(scope="module")
def alerts_server(django_db_setup, tmp_path_factory):
    with platform_servers(1, tmp_path_factory.mktemp("server")) as (server,):
        yield server.url


def sweep_at(*parts):
    with at(*parts):
        return alerts_sweep()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_regulator_sees_an_alert_live_and_acknowledges_it(alerts_server, objection, regulator):
    sweep_at(2026, 9, 30, 9, 0)  # yellow: one working day before the reply's limit
    alert = Alert.objects.get(rule="documents_objection_reply")
    code = objection.lot.code

    def steps(browser, services):
        page = sign_in(browser.new_context(locale="zh-CN").new_page(), alerts_server, regulator.username, PASSWORD,
                       devices=database_devices(services))
        page.wait_for_url(lambda address: "/login/" not in address)
        page.click("[data-testid=nav-supervision]")
        expect(page.locator("[data-testid=alerts-room-state]")).to_have_attribute("data-state", "connected")
        item = page.locator(f"#dash-live-alerts li[data-alert='{alert.pk}']")
        expect(item).to_have_attribute("data-level", "yellow")
        construction = page.locator("#dash-alert-counts tr[data-market=construction]")
        expect(construction.locator("[data-level=yellow]")).to_have_text("1")

        services(lambda: sweep_at(2026, 10, 3, 0, 30))  # the limit passes: red, live
        expect(item).to_have_attribute("data-level", "red", timeout=LIVE)
        expect(construction.locator("[data-level=red]")).to_have_text("1", timeout=LIVE)
        expect(construction.locator("[data-level=yellow]")).to_have_text("0")

        page.goto(alerts_server + "/supervision/alerts/?state=open")
        row = page.locator(f"[data-testid=alerts] tr[data-alert='{alert.pk}']")
        expect(row).to_have_attribute("data-level", "red")
        expect(row).to_contain_text(code)
        with page.expect_navigation():
            row.locator("a").click()
        page.fill("textarea[name=comment]", "已督促招标人当日答复异议。")
        with page.expect_navigation():
            page.click("[data-testid=acknowledge-form] button[type=submit]")
        expect(page.locator("[data-testid=alert]")).to_have_attribute("data-state", "acknowledged")
        expect(page.locator("[data-testid=alert-acknowledged]")).to_contain_text("已督促招标人当日答复异议。")
        expect(page.locator("[data-testid=acknowledge-form]")).to_have_count(0)

    browser_thread(steps)
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledged_by) == ("acknowledged", f"user:{regulator.pk}")
