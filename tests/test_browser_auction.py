"""The auction room in headless Chromium on a real server process: a bidder bids on the page, every
attempt is answered, and an assigned supervisor's page shows the new price within a second."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from bidding.sales.services.auctions import auction_create, auction_due_sweep
from supervisors.services import assignment_create
from tests.browsing import browser_thread
from tests.servers import platform_servers
from tests.test_browser_rooms import LIVE, in_room
from trading import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_bid_on_the_page_reaches_the_watching_supervisor(make_listing_lot, bidder_a, bidder_b, supervisor,
                                                            tmp_path):
    lot = make_listing_lot([bidder_a, bidder_b])
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor="user:1")
    auction = auction_create(lot_id=lot.pk, starting_price="1000000.00", increment="10000.00",
                             starts_at=clock.now() - timedelta(seconds=1), free_minutes=30, actor="user:1")
    auction_due_sweep()

    with platform_servers(1, tmp_path) as (server,):

        def steps(browser, services):
            bidder, watcher = in_room(browser, server.url, f"/auctions/{auction.pk}/",
                                      (bidder_a.username, "zh-CN"), (supervisor.username, "zh-CN"))
            expect(watcher.locator("#auction-status")).to_have_attribute("data-status", "free_bidding")
            expect(bidder.locator("#auction-me")).not_to_be_empty()

            bidder.fill("#bid-amount", "1000000.00")
            bidder.click("#bid-form button[type=submit]")
            expect(bidder.locator("#bid-answer")).to_have_attribute("data-code", "accepted")
            expect(watcher.locator("#auction-price")).to_have_attribute("data-price", "1000000.00", timeout=LIVE)
            expect(watcher.locator("#auction-ladder tr")).to_have_count(1, timeout=LIVE)

            bidder.fill("#bid-amount", "1005000.00")
            bidder.click("#bid-form button[type=submit]")
            expect(bidder.locator("#bid-answer")).to_have_attribute("data-code", "not_whole_increments")
            expect(bidder.locator("#bid-answer")).not_to_be_empty()
            expect(watcher.locator("#auction-ladder tr")).to_have_count(1)

        browser_thread(steps)
