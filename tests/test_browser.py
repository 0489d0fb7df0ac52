"""`make run` serves the platform (embedded mode: SQLite, in-process layer, local files), and every
demo role signs in through headless Chromium and sees its own home page, in Chinese and English."""
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from trading.demo import ACCOUNTS

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# What each demo account's home page must show: the heading of its first workspace.
HEADINGS = {
    "bidder": ("投标人工作台", "Bidder workspace"),
    "staff": ("交易中心工作台", "Trading-centre workspace"),
    "custodian": ("密钥保管人工作台", "Key custodian workspace"),
    "expert": ("评标专家工作台", "Expert workspace"),
    "supervisor": ("社会监督员工作台", "Social supervisor workspace"),
    "regulator": ("行政监督工作台", "Regulator workspace"),
}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def embedded_platform(tmp_path_factory):
    """`make run` in a fresh var directory with no service configured: the embedded mode."""
    port = _free_port()
    var_dir = tmp_path_factory.mktemp("embedded")
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"DATABASE_URL", "REDIS_URL", "S3_ENDPOINT_URL", "DJANGO_SETTINGS_MODULE"}}
    environment["PLATFORM_VAR_DIR"] = str(var_dir)
    log = open(var_dir / "run.log", "wb")
    process = subprocess.Popen(["make", "run", f"PORT={port}"], cwd=settings.BASE_DIR, env=environment,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail("make run did not serve the platform:\n" + (var_dir / "run.log").read_text()[-4000:])
            time.sleep(0.5)
    yield url, var_dir
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_make_run_uses_the_embedded_services_and_prints_the_demo_accounts(embedded_platform):
    url, var_dir = embedded_platform
    output = (var_dir / "run.log").read_text()
    for username, password, _, _ in ACCOUNTS:
        assert username in output and password in output
    assert "sqlite3" in output and "InMemoryChannelLayer" in output
    assert Path(var_dir / "platform.sqlite3").exists()
    assert urllib.request.urlopen(url + "/.well-known/platform-key").read().startswith(b"-----BEGIN PUBLIC KEY-----")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_demo_role_signs_in_and_sees_its_home_page(embedded_platform, browser, language):
    url, _ = embedded_platform
    for username, password, roles, display_name in ACCOUNTS:
        context = browser.new_context(locale="zh-CN" if language == "zh-hans" else "en-US")
        page = context.new_page()
        page.goto(url + "/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form button[type=submit]:not([name])")
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
