"""Issue 19's "done when", walked in Chromium against `make run` and its demo data alone, as a
newcomer would: the home page shows each market's latest announcements and today's openings; a
search by market and date finds a lot; the demo bidder registers for a lot, pays its deposit by a
bank notification (the demo's bank, embedded mode, no configuration), seals and submits a bid in the
browser and finds its receipt on its workbench; and the demo tender whose deadline passes minutes
after start is opened live in the opening hall by the demo staff, two demo custodians and its three
bidders, each unlocking its own bid."""
import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browsing import embedded_devices, sign_in

pytestmark = pytest.mark.browser

OPEN_FOR_BIDS = "JS2026-001"
LIVE_OPENING = "JS2026-003"
AWARDED = "CG2026-015"
LIVE = 15_000  # ms: a live event reaching a page
CRYPTO = 60_000  # ms: a passphrase unlocks the key file with 600,000 PBKDF2 rounds, in a busy browser


def _lot_id(page, url, code) -> str:
    page.goto(f"{url}/lots/?q={code}", wait_until="networkidle")
    return re.search(r"/lots/(\d+)/", page.locator("[data-lot] a").first.get_attribute("href")).group(1)


def test_the_portal_shows_every_market_and_today_s_openings_and_a_search_finds_a_lot(embedded_platform, browser):
    url, _ = embedded_platform
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(url + "/", wait_until="networkidle")
    markets = page.locator("[data-testid=market]")
    assert markets.count() == 5
    for n in range(5):  # the draft and pending-review lots are not public: every market has published ones
        assert markets.nth(n).locator("[data-announcement]").count() >= 1
    assert page.locator("[data-testid=watch-link]").count() >= 1  # the demo's opening and auction today
    today = timezone.localdate()
    search = (f"/lots/?market=procurement&published_from={(today - timedelta(days=90)).isoformat()}"
              f"&published_to={today.isoformat()}")
    page.goto(url + search, wait_until="networkidle")
    assert AWARDED in page.locator("[data-testid=results]").inner_text()
    page.context.close()


def test_a_demo_bidder_registers_pays_by_the_bank_seals_and_finds_its_receipt(embedded_platform, browser, tmp_path):
    url, _ = embedded_platform
    proposal = tmp_path / "投标文件.pdf"
    proposal.write_bytes(b"%PDF-1.4 newcomer's proposal\n" * 2000)
    page = browser.new_context(locale="zh-CN").new_page()
    sign_in(page, url, "demo_bidder", "demo-bidder-2026")
    lot_id = _lot_id(page, url, OPEN_FOR_BIDS)
    page.goto(f"{url}/lots/{lot_id}/", wait_until="networkidle")
    page.click("[data-testid=registration-link]")
    if page.locator("[data-testid=register]").count():
        page.click("[data-testid=register]")
    page.wait_for_selector("[data-testid=registration-status][data-status=approved]")

    page.goto(url + "/try/bank/", wait_until="networkidle")
    pay = page.locator(f"[data-testid=bank-pay]:has-text('{OPEN_FOR_BIDS}')")
    if pay.count():
        pay.click()
        page.wait_for_selector("[data-testid=bank-sent]")

    page.goto(f"{url}/lots/{lot_id}/bid/", wait_until="networkidle")
    assert page.locator("[data-testid=deposit-notice][data-status=received]").count() == 1
    page.fill("#price", "45800000.00")
    page.fill("#period_days", "540")
    page.fill("#item-quality", "合格")
    page.set_input_files("#files", str(proposal))
    page.click("[data-testid=seal-submit]")
    page.wait_for_selector("tr[data-status=sealed]", timeout=60_000)
    bid_id = page.locator("[data-testid=current-bid]").get_attribute("data-bid")

    page.goto(url + "/workbench/", wait_until="networkidle")
    assert page.url.endswith("/workbench/bidder/")
    bid = page.locator(f"[data-testid=bid][data-bid='{bid_id}']")
    assert OPEN_FOR_BIDS in bid.inner_text()
    bid.locator("[data-testid=receipt-link]").click()
    page.wait_for_load_state("networkidle")
    assert f"/bid/{bid_id}/receipt/" in page.url
    page.context.close()


def test_the_demo_opening_runs_live_from_the_demo_data_alone(embedded_platform, browser):
    url, var_dir = embedded_platform
    devices = embedded_devices(var_dir)
    staff = browser.new_context(locale="zh-CN").new_page()
    sign_in(staff, url, "demo_staff", "demo-staff-2026", devices=devices)
    lot_id = _lot_id(staff, url, LIVE_OPENING)
    opening = f"{url}/lots/{lot_id}/opening/"
    # The deadline is a few minutes after `make run`; the opening room counts down to it.
    deadline = time.monotonic() + 420
    while True:
        staff.goto(opening, wait_until="networkidle")
        if staff.locator("[data-testid=start-opening], [data-testid=share-form], [data-testid=opening-record]").count():
            break
        assert time.monotonic() < deadline, "the demo tender's bid deadline did not pass within minutes"
        time.sleep(5)
    if staff.locator("[data-testid=start-opening]").count():
        with staff.expect_navigation():
            staff.click("[data-testid=start-opening]")
        assert not staff.locator(".messages .error").count(), staff.locator(".messages").inner_text()
        assert not staff.locator("[data-testid=start-opening]").count()
    for username, password, passphrase in [("demo_custodian", "demo-custodian-2026", "demo-custodian-passphrase"),
                                           ("demo_supervisor", "demo-supervisor-2026", "demo-supervisor-passphrase")]:
        custodian = browser.new_context(locale="zh-CN").new_page()
        sign_in(custodian, url, username, password, devices=devices)
        custodian.goto(opening, wait_until="networkidle")
        if custodian.locator("[data-testid=share-form]").count():
            custodian.fill("#passphrase", passphrase)
            with custodian.expect_navigation():
                custodian.click("[data-testid=share-form] button[type=submit]")
            assert not custodian.locator(".messages .error").count(), custodian.locator(".messages").inner_text()
        custodian.context.close()
    # The key is rebuilt and the decryption window open: each demo bidder unlocks its own bid in its
    # browser with the demo's bidder key passphrase; the last one opens them all.
    staff.goto(opening, wait_until="networkidle")
    released = staff.locator("[data-testid=record-download]").count() > 0
    for username in () if released else ("demo_bidder", "demo_bidder_2", "demo_bidder_4"):
        bidder = browser.new_context(locale="zh-CN").new_page()
        sign_in(bidder, url, username, "demo-bidder-2026")
        bidder.goto(opening, wait_until="networkidle")
        expect(bidder.locator("[data-testid=hall-unlock]")).to_be_enabled(timeout=LIVE)
        bidder.fill("#hall-unlock-passphrase", "demo-bidder-key-2026")
        bidder.click("[data-testid=hall-unlock]")
        # Released: the form goes, the room counts the part in.
        expect(bidder.locator("#hall-unlock-form")).to_be_hidden(timeout=CRYPTO)
        bidder.context.close()
    staff.goto(opening, wait_until="networkidle")
    # The signed record is out, every sealed bid opened in it.
    assert staff.locator("[data-testid=record-download]").count() == 1
    assert staff.locator("[data-testid=opening-record] tbody tr").count() == 3
    staff.context.close()
