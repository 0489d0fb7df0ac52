"""Live English auctions: whole increments, the database's order, the countdown at its boundary, the
sweep's phases and outcome, concurrent bidders."""
import random
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import close_old_connections

from bidding.errors import BiddingError
from bidding.models import Auction, AuctionBid
from bidding.services.auctions import auction_bid, auction_create, auction_due_sweep
from monitoring.models import AuditEntry
from trading import clock
from trading.models import Lot

pytestmark = pytest.mark.django_db


@pytest.fixture
def bidders(bidder_a, bidder_b, make_person):
    return [bidder_a, bidder_b, make_person("bidder_c", ["bidder"], organisation="丙置业有限公司")]


@pytest.fixture
def listing_lot(make_listing_lot, bidders):
    """A land lot in its listing period with three registered bidders."""
    return make_listing_lot(bidders)


def make_auction(lot, *, start, free_minutes=10, reserve=None):
    return auction_create(lot_id=lot.pk, starting_price="1000000.00", increment="10000.00", starts_at=start,
                          free_minutes=free_minutes, actor="user:1", reserve_price=reserve)


def refused(code, **bid):
    with pytest.raises(BiddingError) as caught:
        auction_bid(**bid)
    assert caught.value.code == code


def test_bidders_are_numbered_and_the_lot_goes_to_auction(listing_lot, bidders):
    auction = make_auction(listing_lot, start=clock.now())
    listing_lot.refresh_from_db()
    assert listing_lot.status == Lot.Status.AUCTION
    assert sorted(auction.bidders.values_list("number", flat=True)) == [1, 2, 3]
    assert auction.countdown_seconds == 300  # the land market's rule: 5 minutes
    with pytest.raises(BiddingError) as caught:
        make_auction(listing_lot, start=clock.now())
    assert caught.value.code == "auction_not_allowed"


def test_only_whole_increments_above_the_price_are_accepted(listing_lot, bidders):
    start = clock.now() + timedelta(minutes=1)
    auction = make_auction(listing_lot, start=start)
    a, b, _ = bidders
    refused("auction_not_started", auction_id=auction.pk, user=a, amount="1000000.00")
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        auction_due_sweep()
        refused("bid_too_low", auction_id=auction.pk, user=a, amount="999999.00")
        refused("not_whole_increments", auction_id=auction.pk, user=a, amount="1005000.00")
        refused("not_an_amount", auction_id=auction.pk, user=a, amount="1000000.001")
        first = auction_bid(auction_id=auction.pk, user=a, amount="1000000.00")  # the starting price itself
        refused("bid_too_low", auction_id=auction.pk, user=b, amount="1000000.00")
        second = auction_bid(auction_id=auction.pk, user=b, amount="1030000.00")  # three increments up
    assert (first.position, second.position, second.price) == (1, 2, Decimal("1030000.00"))
    assert first.ends_at is None  # free bidding: no countdown yet
    auction.refresh_from_db()
    assert (auction.current_price, auction.leader_number, auction.accepted_bids) == (
        Decimal("1030000.00"), second.bidder_number, 2)
    events = AuditEntry.objects.filter(subject=f"auction:{auction.pk}", kind="auction.bid_accepted")
    assert [e.data["amount"] for e in events.order_by("subject_seq")] == ["1000000.00", "1030000.00"]
    assert all(e.actor.startswith("bidder:") for e in events)  # numbered, not named


def test_a_bid_a_millisecond_before_the_end_extends_and_one_after_is_refused(listing_lot, bidders):
    start = clock.now()
    auction = make_auction(listing_lot, start=start, free_minutes=0)
    a, b, c = bidders
    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        auction_due_sweep()  # opens
        auction_due_sweep()  # no free phase: the countdown starts
    auction.refresh_from_db()
    assert auction.status == Auction.Status.TIMED_BIDDING
    end = auction.ends_at
    with time_machine.travel(end - timedelta(milliseconds=1), tick=False):
        answer = auction_bid(auction_id=auction.pk, user=a, amount="1000000.00")
    assert answer.ends_at == end - timedelta(milliseconds=1) + timedelta(minutes=5)
    with time_machine.travel(answer.ends_at + timedelta(milliseconds=1), tick=False):
        refused("auction_ended", auction_id=auction.pk, user=b, amount="1010000.00")
        assert auction_due_sweep() == {"moved": 1}
    auction.refresh_from_db()
    listing_lot.refresh_from_db()
    assert (auction.status, auction.outcome, listing_lot.status) == ("ended", "sold", Lot.Status.AWARDED)
    assert AuctionBid.objects.filter(auction=auction).count() == 1


def test_unsold_when_no_bid_reaches_the_reserve(listing_lot, bidders):
    start = clock.now()
    auction = make_auction(listing_lot, start=start, free_minutes=0, reserve="2000000.00")
    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        auction_due_sweep()
        auction_due_sweep()
        auction_bid(auction_id=auction.pk, user=bidders[0], amount="1500000.00")
    auction.refresh_from_db()
    with time_machine.travel(auction.ends_at, tick=False):
        auction_due_sweep()
    auction.refresh_from_db()
    listing_lot.refresh_from_db()
    assert (auction.outcome, listing_lot.status) == ("unsold", Lot.Status.FAILED)
    ended = AuditEntry.objects.get(subject=f"auction:{auction.pk}", kind="auction.ended")
    assert ended.data["outcome"] == "unsold" and ended.data["price"] is None


def test_someone_not_admitted_cannot_bid(listing_lot, make_person):
    auction = make_auction(listing_lot, start=clock.now())
    outsider = make_person("bidder_d", ["bidder"], organisation="丁投资有限公司")
    refused("not_a_bidder_here", auction_id=auction.pk, user=outsider, amount="1000000.00")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_bidders_get_strictly_rising_prices_and_every_attempt_an_answer(listing_lot, bidders, settings):
    settings.PLATFORM_AUCTION_BID_RATE = 0  # the database's ordering under contention, not the rate limit
    auction = make_auction(listing_lot, start=clock.now() - timedelta(seconds=1), free_minutes=30)
    auction_due_sweep()
    answers, attempts, errors = [], [], []

    def bidder(user, seed):
        rng = random.Random(seed)
        try:
            for _ in range(25):
                current = Auction.objects.values_list("current_price", flat=True).get(pk=auction.pk)
                amount = (current or Decimal("990000.00")) + Decimal("10000.00") * rng.randint(1, 2)
                attempts.append(amount)
                try:
                    answers.append(auction_bid(auction_id=auction.pk, user=user, amount=str(amount)))
                except BiddingError as error:
                    answers.append(error.code)
        except Exception as error:  # re-raised below
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=bidder, args=(user, n)) for n, user in enumerate(bidders * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(answers) == len(attempts) == 150
    accepted = [a for a in answers if not isinstance(a, str)]
    assert {a for a in answers if isinstance(a, str)} <= {"bid_too_low", "not_whole_increments"}
    prices = list(AuctionBid.objects.filter(auction=auction).order_by("position").values_list("amount", flat=True))
    assert len(prices) == len(accepted) and list(range(1, len(prices) + 1)) == sorted(a.position for a in accepted)
    assert all(later > earlier and (later - earlier) % Decimal("10000.00") == 0
               for earlier, later in zip(prices, prices[1:]))
    assert prices[0] >= Decimal("1000000.00")
    auction.refresh_from_db()
    assert auction.current_price == prices[-1] and auction.accepted_bids == len(prices)


def test_the_auction_through_the_api(listing_lot, bidders, staff, client):
    start = clock.now() - timedelta(seconds=1)
    client.force_login(staff)
    created = client.post(f"/api/v1/lots/{listing_lot.pk}/auction/", {
        "starting_price": "1000000.00", "increment": "10000.00", "reserve_price": "1200000.00",
        "starts_at": start.isoformat(), "free_minutes": 10}, content_type="application/json")
    assert created.status_code == 201, created.content
    auction_id = created.json()["id"]
    assert "reserve_price" not in created.json()
    auction_due_sweep()
    client.force_login(bidders[0])
    accepted = client.post(f"/api/v1/auctions/{auction_id}/bids/", {"amount": "1010000.00"},
                           content_type="application/json")
    assert accepted.status_code == 201 and accepted.json()["position"] == 1
    low = client.post(f"/api/v1/auctions/{auction_id}/bids/", {"amount": "1010000.00"}, content_type="application/json")
    assert (low.status_code, low.json()["code"]) == (409, "bid_too_low")
    state = client.get(f"/api/v1/auctions/{auction_id}/").json()
    assert state["current_price"] == "1010000.00"
    assert state["ladder"] == [{"position": 1, "bidder": accepted.json()["bidder_number"], "amount": "1010000.00",
                                "at": state["ladder"][0]["at"]}]
    client.force_login(bidders[1])
    forbidden = client.post(f"/api/v1/lots/{listing_lot.pk}/auction/", {}, content_type="application/json")
    assert forbidden.status_code == 403


def test_a_bidder_over_the_rate_is_answered_and_changes_nothing(listing_lot, bidders, settings):
    from django.core.cache import cache

    settings.PLATFORM_AUCTION_BID_RATE = 2
    cache.clear()
    auction = make_auction(listing_lot, start=clock.now() - timedelta(seconds=1))
    auction_due_sweep()
    with time_machine.travel(clock.now(), tick=False):  # one second's window for all three
        auction_bid(auction_id=auction.pk, user=bidders[0], amount="1000000.00")
        auction_bid(auction_id=auction.pk, user=bidders[0], amount="1010000.00")
        refused("rate_limited", auction_id=auction.pk, user=bidders[0], amount="1020000.00")
        auction_bid(auction_id=auction.pk, user=bidders[1], amount="1020000.00")  # another bidder's own count
    assert AuctionBid.objects.filter(auction=auction).count() == 3


def test_the_auction_page_gives_the_room_to_its_members_only(listing_lot, bidders, staff, make_person, client):
    auction = make_auction(listing_lot, start=clock.now())
    client.force_login(bidders[0])
    page = client.get(f"/auctions/{auction.pk}/")
    assert page.status_code == 200 and b'id="room-config"' in page.content and b'data-testid="bid-form"' in page.content
    client.force_login(staff)
    page = client.get(f"/auctions/{auction.pk}/")
    assert b'id="room-config"' in page.content and b'data-testid="bid-form"' not in page.content
    client.force_login(make_person("bidder_d", ["bidder"], organisation="丁投资有限公司"))
    assert b'id="room-config"' not in client.get(f"/auctions/{auction.pk}/").content
    client.logout()
    assert client.get(f"/auctions/{auction.pk}/").status_code == 302
