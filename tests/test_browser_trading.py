"""Issue 3 end to end in Chromium against `make run`: staff create, review and publish a tender lot,
push its deadline by an amendment and upload its documents; the public portal shows it; a bidder
registers and downloads."""
import contextlib
import sqlite3
from datetime import datetime, timedelta

import pytest

from tests.browsing import embedded_devices, sign_in
from trading.workdays import CHINA

pytestmark = pytest.mark.browser


def _sign_in(browser, embedded, username, password, locale="zh-CN"):
    url, var_dir = embedded
    context = browser.new_context(locale=locale, accept_downloads=True)
    page = sign_in(context.new_page(), url, username, password, devices=embedded_devices(var_dir))
    page.wait_for_url(url + "/")
    return context, page


def test_staff_publish_the_public_sees_a_bidder_registers_and_downloads(embedded_platform, browser, tmp_path):
    url, var_dir = embedded_platform
    deadline = (datetime.now(CHINA) + timedelta(days=24)).strftime("%Y-%m-%dT%H:%M")

    staff, page = _sign_in(browser, embedded_platform, "demo_staff", "demo-staff-2026")
    page.goto(url + "/staff/projects/new/")
    page.fill("#id_code", "JS2026-E2E")
    page.fill("#id_title", "体育馆屋面维修工程")
    page.select_option("#id_procedure", label="建设工程 · 公开招标")
    page.select_option("#id_tenderee", index=1)
    page.fill("#id_lot_title", "施工标段")
    page.fill("#id_estimate", "2000000")
    page.fill("#id_deposit", "40000")
    page.fill("#id_documents_until", deadline)
    page.fill("#id_bid_deadline", deadline)
    page.click("[data-testid=create]")
    page.wait_for_selector("[data-testid=submit]")
    lot_path = page.url.replace(url, "").replace("/staff", "")
    page.click("[data-testid=submit]")
    page.click("[data-testid=publish-link]")
    page.fill("#id_title", "体育馆屋面维修工程施工招标公告")
    page.fill("#id_body", "欢迎符合条件的投标人参加投标。")
    for custodian in ("王保管（交易中心）", "钱监督", "孙监管（住建局）"):
        page.check(f"label:has-text('{custodian}') input")
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=amend]")
    assert page.inner_text("[data-testid=lot-status]") == "投标中"
    pushed = (datetime.now(CHINA) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    page.fill("form[action$='/amend/'] #id_title", "关于延长投标截止时间的澄清")
    page.fill("form[action$='/amend/'] #id_body", "投标截止时间顺延。")
    page.fill("form[action$='/amend/'] #id_bid_deadline", pushed)
    page.click("[data-testid=amend]")
    page.wait_for_selector(f"[data-field=bid_deadline]:has-text('{pushed.replace('T', ' ')}')")

    document = tmp_path / "招标文件.pdf"
    document.write_bytes(b"%PDF-1.4 tender documents " * 4096)
    page.goto(url + lot_path + "documents/")
    page.set_input_files("[data-testid=upload-form] input[type=file]", str(document))
    page.fill("[data-testid=upload-form] input[name=name]", "招标文件.pdf")
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_selector("text=招标文件.pdf")
    staff.close()

    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(url + "/announcements/?q=体育馆")
    public.click("text=体育馆屋面维修工程施工招标公告")
    assert public.inner_text("[data-testid=lot-status]") == "投标中"
    assert "欢迎符合条件的投标人参加投标。" in public.content() and "投标截止时间顺延。" in public.content()
    public.context.close()

    bidder, page = _sign_in(browser, embedded_platform, "demo_bidder", "demo-bidder-2026")
    page.goto(url + lot_path)
    page.click("[data-testid=registration-link]")
    page.click("[data-testid=register]")
    page.wait_for_selector("[data-testid=registration-status][data-status=approved]")
    page.goto(url + lot_path + "documents/")
    with page.expect_download() as download:
        page.click("form[action$='/download/'] button")
    assert open(download.value.path(), "rb").read() == document.read_bytes()
    bidder.close()

    with contextlib.closing(sqlite3.connect(var_dir / "platform.sqlite3", timeout=20)) as db:
        downloads = db.execute(
            "SELECT count(*) FROM trading_documentdownload d JOIN trading_user u ON u.id = d.user_id "
            "WHERE u.username = 'demo_bidder'").fetchone()[0]
    assert downloads == 1
