"""Properties of the live English auction (hypothesis) through its service and the real database: for
any sequence of bids by any of the bidders at any times, exactly the bids a whole number of increments
above the price to beat are accepted, in order; the price only rises; in the timed phase each accepted
bid restarts the countdown and none is accepted after it runs out."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings, strategies as st

from bidding.errors import BiddingError
from bidding.sales.models import Auction, AuctionBid
from bidding.sales.services.auctions import auction_bid, auction_create, auction_due_sweep
from trading import clock

pytestmark = pytest.mark.django_db

START, STEP = Decimal("1000000.00"), Decimal("10000.00")
# One attempt: which bidder, how many increments above the price to beat, how many cents off them
# (mostly none), and how many seconds after the attempt before it.
attempts = st.lists(st.tuples(st.integers(0, 2), st.integers(-2, 5), st.sampled_from([0, 0, 0, 1, -1, 499_999]),
                              st.integers(0, 400)), min_size=1, max_size=12)


@pytest.fixture
def bidders(bidder_a, bidder_b, make_person):
    return [bidder_a, bidder_b, make_person("bidder_c", ["bidder"], organisation="丙置业有限公司")]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tries=attempts, free_minutes=st.sampled_from([0, 1]))
def test_exactly_the_whole_increments_above_the_price_are_accepted_and_the_countdown_holds(
        make_listing_lot, bidders, settings, tries, free_minutes):
    settings.PLATFORM_AUCTION_BID_RATE = 0  # the attempts here are the property's, not a flood
    lot = make_listing_lot(bidders)
    start = clock.now()
    auction = auction_create(lot_id=lot.pk, starting_price=str(START), increment=str(STEP), starts_at=start,
                             free_minutes=free_minutes, actor="user:1")
    now = start + timedelta(seconds=1)
    price, ends_at, accepted = None, None, []
    for who, steps, cents_off, wait in tries:
        now += timedelta(seconds=wait)
        with time_machine.travel(now, tick=False):
            auction_due_sweep()
            auction.refresh_from_db()
            live = auction.status in (Auction.Status.FREE_BIDDING, Auction.Status.TIMED_BIDDING)
            base = START if price is None else price
            amount = base + steps * STEP + Decimal(cents_off) / 100
            above = amount - base
            expected = live and above % STEP == 0 and (above > 0 or (price is None and above == 0))
            try:
                answer = auction_bid(auction_id=auction.pk, user=bidders[who], amount=str(amount))
            except BiddingError as refusal:
                assert not expected, f"{amount} refused ({refusal.code}) over {base}"
                continue
            assert expected, f"{amount} accepted over {base} ({auction.status})"
            assert answer.price == amount and (price is None or amount > price)
            price = amount
            accepted.append(amount)
            if auction.status == Auction.Status.TIMED_BIDDING:
                ends_at = now + timedelta(seconds=auction.countdown_seconds)
                assert answer.ends_at == ends_at
    auction.refresh_from_db()
    assert list(AuctionBid.objects.filter(auction=auction).order_by("position").values_list("amount", flat=True)) \
        == accepted
    assert auction.current_price == price and auction.accepted_bids == len(accepted)
    if ends_at is not None:
        assert auction.ends_at == ends_at
