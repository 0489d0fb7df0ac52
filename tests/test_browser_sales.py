"""Listings and descending auctions in headless Chromium on a real server process: a bidder quotes on
the listing page and an assigned supervisor's listing page shows the new price within a second; a
bidder accepts a descending auction's price on the page and the supervisor's auction page shows it
sold, with the deal confirmation's link."""
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from bidding.sales.services.auctions import auction_create, auction_due_sweep
from bidding.sales.services.listings import listing_create
from supervisors.services import assignment_create
from tests.browsing import browser_thread
from tests.servers import platform_servers
from tests.test_browser_rooms import LIVE, in_room
from trading import clock
from trading.models import Lot
from trading.services.lots import lot_due_sweep, lot_publish, lot_submit
from trading.services.registrations import registration_create, registration_decide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_quote_on_the_listing_page_reaches_the_watching_supervisor(make_lot, bidder_a, bidder_b, supervisor,
                                                                      tmp_path):
    # Equity has no notice period before the listing, so it can start now: the server's clock is real.
    start = clock.now() + timedelta(seconds=2)
    lot = make_lot("property", "listing_online_bidding", listing_start=start, listing_end=start + timedelta(days=40),
                   deposit=Decimal("0"))
    lot_submit(lot_id=lot.pk, actor="user:1")
    lot_publish(lot_id=lot.pk, title="产权转让公告", body="……", actor="user:1")
    time.sleep(max(0.0, (start - clock.now()).total_seconds()) + 0.1)
    lot_due_sweep()
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.LISTING
    for user in (bidder_a, bidder_b):
        registration = registration_create(lot_id=lot.pk, user=user)
        registration_decide(registration_id=registration.pk, approve=True, reason="", actor="user:1")
    listing_create(lot_id=lot.pk, starting_price="1000000.00", increment="10000.00", actor="user:1")
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor="user:1")

    with platform_servers(1, tmp_path) as (server,):

        def steps(browser, services):
            bidder, watcher = in_room(browser, server.url, f"/lots/{lot.pk}/listing/",
                                      (bidder_a.username, "zh-CN"), (supervisor.username, "en-US"))
            bidder.fill("#id_amount", "1005000.00")
            bidder.click("[data-testid=quote-button]")
            expect(bidder.locator("[data-testid=error]")).to_contain_text("1,000,000.00")
            bidder.fill("#id_amount", "1010000.00")
            bidder.click("[data-testid=quote-button]")
            expect(bidder.locator("[data-testid=listing-me]")).not_to_be_empty()
            expect(watcher.locator("#listing-price")).to_have_attribute("data-price", "1010000.00", timeout=LIVE)
            expect(watcher.locator("#listing-ladder-rows tr")).to_have_count(1)
            expect(watcher.locator("#room-log [data-kind='listing.quote_accepted']")).to_have_count(1)

        browser_thread(steps)


def test_accepting_a_descending_price_on_the_page_sells_it_live(make_listing_lot, bidder_a, bidder_b, supervisor,
                                                                tmp_path):
    lot = make_listing_lot([bidder_a, bidder_b], market="property", procedure="descending_auction", days=40)
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor="user:1")
    auction = auction_create(lot_id=lot.pk, method="descending", starting_price="1000000.00",
                             floor_price="700000.00", decrement="50000.00", step_seconds=60,
                             starts_at=clock.now() - timedelta(seconds=1), actor="user:1")
    auction_due_sweep()

    with platform_servers(1, tmp_path) as (server,):

        def steps(browser, services):
            bidder, watcher = in_room(browser, server.url, f"/auctions/{auction.pk}/",
                                      (bidder_a.username, "zh-CN"), (supervisor.username, "zh-CN"))
            expect(watcher.locator("#auction-status")).to_have_attribute("data-status", "descending")
            expect(watcher.locator("#auction-price")).to_have_attribute("data-price", "1000000.00")
            bidder.click("[data-testid=accept-button]")
            expect(bidder.locator("#bid-answer")).to_have_attribute("data-code", "accepted")
            expect(watcher.locator("#auction-status")).to_have_attribute("data-status", "ended", timeout=LIVE)
            expect(watcher.locator("[data-testid=auction-deal]")).to_be_visible(timeout=LIVE)
            expect(watcher.locator("#auction-deal-link")).to_have_attribute(
                "href", f"/lots/{lot.pk}/deal-confirmation.pdf")
            expect(watcher.locator("#auction-ladder tr")).to_have_count(1)
            bidder.click("[data-testid=accept-button]")
            expect(bidder.locator("#bid-answer")).to_have_attribute("data-code", "auction_ended")

        browser_thread(steps)
