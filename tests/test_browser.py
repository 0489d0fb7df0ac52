"""`make run` serves the platform (embedded mode: SQLite, in-process layer, local files), and every
demo role signs in through headless Chromium and sees its own home page, in Chinese and English."""
import contextlib
import sqlite3
import time
import urllib.request
from pathlib import Path

import pytest

from bidding.demo import ACCOUNTS
from tests.browsing import embedded_devices, sign_in
from tests.roomclient import RoomClient

pytestmark = pytest.mark.browser

# What each demo account's home page must show: the heading of its first workspace.
HEADINGS = {
    "bidder": ("投标人工作台", "Bidder workspace"),
    "staff": ("交易中心工作台", "Trading-centre workspace"),
    "custodian": ("密钥保管人工作台", "Key custodian workspace"),
    "expert": ("评标专家工作台", "Expert workspace"),
    "supervisor": ("社会监督员工作台", "Social supervisor workspace"),
    "regulator": ("行政监督工作台", "Regulator workspace"),
    "company_admin": ("企业管理员工作台", "Company administrator workspace"),
    "security_admin": ("安全管理员工作台", "Security administrator workspace"),
    "staff_manager": ("工作人员考核工作台", "Staff assessment workspace"),
}


def test_make_run_uses_the_embedded_services_and_prints_the_demo_accounts(embedded_platform):
    url, var_dir = embedded_platform
    output = (var_dir / "run.log").read_text()
    for username, password, _, _ in ACCOUNTS:
        assert username in output and password in output
    assert "sqlite3" in output and "InProcessChannelLayer" in output
    assert Path(var_dir / "platform.sqlite3").exists()
    assert urllib.request.urlopen(url + "/.well-known/platform-key").read().startswith(b"-----BEGIN PUBLIC KEY-----")


def test_the_timed_sweeps_run_inside_the_embedded_server(embedded_platform):
    """No Celery here: the server's own thread seals the demo data's audit entries with a checkpoint."""
    _, var_dir = embedded_platform
    deadline = time.monotonic() + 60
    with contextlib.closing(sqlite3.connect(var_dir / "platform.sqlite3", timeout=20)) as db:
        while not db.execute("SELECT count(*) FROM monitoring_checkpoint").fetchone()[0]:
            assert time.monotonic() < deadline, "no sweep sealed the chain within a minute"
            time.sleep(1)
        entries = db.execute("SELECT count(*) FROM monitoring_auditentry").fetchone()[0]
    assert entries > 0


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_demo_role_signs_in_and_sees_its_home_page(embedded_platform, browser, language):
    url, var_dir = embedded_platform
    for username, password, roles, display_name in ACCOUNTS:
        context = browser.new_context(locale="zh-CN" if language == "zh-hans" else "en-US")
        page = sign_in(context.new_page(), url, username, password, devices=embedded_devices(var_dir))
        page.wait_for_url(url + "/")
        assert page.locator("[data-testid=who]").inner_text() == display_name
        for role in roles:
            heading = HEADINGS[role.value][0 if language == "zh-hans" else 1]
            assert page.locator(f"section[data-role={role.value}] h2").inner_text() == heading
        context.close()


def test_language_switcher_in_the_browser(embedded_platform, browser):
    url, _ = embedded_platform
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(url + "/")
    assert page.locator("a.brand").inner_text() == "公共资源交易平台"
    page.click("#language-switcher button[value=en]")
    page.wait_for_load_state()
    assert page.locator("a.brand").inner_text() == "Public-resource trading platform"
    page.click("#language-switcher button[value=zh-hans]")
    page.wait_for_load_state()
    assert page.locator("a.brand").inner_text() == "公共资源交易平台"
    context.close()


def _signed_in(browser, embedded, username):
    url, var_dir = embedded
    context = browser.new_context(locale="zh-CN")
    page = sign_in(context.new_page(), url, username, next(p for u, p, _, _ in ACCOUNTS if u == username),
                   devices=embedded_devices(var_dir))
    page.wait_for_url(url + "/")
    return context, page


def test_a_live_room_hears_a_page_action_in_the_embedded_mode(embedded_platform, browser):
    """The in-process layer: an event recorded in a request thread reaches a websocket member of the
    room through the fan-out thread and the serving loop."""
    url, var_dir = embedded_platform
    with contextlib.closing(sqlite3.connect(var_dir / "platform.sqlite3", timeout=20)) as db:
        lot_id = db.execute("SELECT l.id FROM trading_lot l JOIN trading_project p ON l.project_id = p.id"
                            " WHERE p.code = 'JS2026-001'").fetchone()[0]
    supervisor_context, _ = _signed_in(browser, embedded_platform, "demo_supervisor")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in supervisor_context.cookies())
    watcher = RoomClient([url], f"/ws/rooms/opening/{lot_id}/", cookie)
    staff_context, page = _signed_in(browser, embedded_platform, "demo_staff")
    try:
        watcher.wait_for(lambda c: c.connections and c.last > 0)
        page.goto(f"{url}/staff/lots/{lot_id}/")
        page.fill("form[action$='/suspend/'] textarea[name=reason]", "现场核查")
        page.click("form[action$='/suspend/'] button[type=submit]")
        watcher.wait_for(lambda c: any(e["kind"] == "lot.status_changed" and e["data"]["to"] == "suspended"
                                       for e in c.events))
        page.goto(f"{url}/staff/lots/{lot_id}/")
        page.click("form[action$='/resume/'] button[type=submit]")
        watcher.wait_for(lambda c: c.events[-1]["kind"] == "lot.status_changed" and c.events[-1]["data"]["to"] == "bidding")
        assert [e["seq"] for e in watcher.events] == list(range(1, watcher.last + 1))
    finally:
        watcher.close()
        supervisor_context.close()
        staff_context.close()
