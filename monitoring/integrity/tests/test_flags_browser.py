"""The bid page sends the sealer's device fingerprint (bidding/static/bidding/device.js) with the
envelope, in headless Chromium: the same browser keeps the same fingerprint, another browser has
its own, and the server keeps it with the connection's address."""
import re
from decimal import Decimal

import pytest

from bidding.sealed.models import Bid
from tests.browsing import browser_thread
from tests.fixtures import PASSWORD
from trading.services.registrations import registration_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
FINGERPRINT = "() => import('/static/bidding/device.js').then((module) => module.deviceFingerprint())"


def _bid(browser, url, lot_id, price):
    """Sign in as bidder_a in a browser of its own, seal and submit ``price``; the page's fingerprint."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(url + "/login/")
    page.fill("#id_username", "bidder_a")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:not([name])")
    page.goto(f"{url}/lots/{lot_id}/bid/")
    sealed = page.locator("tr[data-status=sealed]").count()
    page.fill("#price", price)
    page.fill("#period_days", "200")
    page.click("[data-testid=seal-submit]")
    # A locator's wait, not wait_for_function: the Content Security Policy refuses evaluating strings.
    page.locator("tr[data-status=replaced], tr[data-status=sealed]").nth(sealed).wait_for(timeout=60_000)
    fingerprint = page.evaluate(FINGERPRINT)
    assert fingerprint == page.evaluate(FINGERPRINT)  # stable across calls in one browser
    context.close()
    return fingerprint


def test_the_bid_page_sends_the_device_fingerprint(live_server, make_lot, publish_sealed, bidder_a):
    lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    registration_create(lot_id=lot.pk, user=bidder_a)
    seen = []

    def steps(browser, services):
        seen.append(_bid(browser, live_server.url, lot.pk, "900000.00"))
        seen.append(_bid(browser, live_server.url, lot.pk, "890000.00"))

    browser_thread(steps)
    first, second = Bid.objects.filter(lot=lot).order_by("received_at")
    assert re.fullmatch(r"[0-9a-f]{64}", first.device_fingerprint)
    assert [first.device_fingerprint, second.device_fingerprint] == seen
    # Two browsers (two fresh profiles) are two devices, though on one machine and one address.
    assert first.device_fingerprint != second.device_fingerprint
    assert first.client_ip == second.client_ip == "127.0.0.1"
