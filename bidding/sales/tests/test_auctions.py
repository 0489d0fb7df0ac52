"""Live English auctions: whole increments, the database's order, the countdown at its boundary, the
sweep's phases and outcome, concurrent bidders."""
import asyncio
import json
import random
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from channels.testing import HttpCommunicator
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from bidding.errors import BiddingError
from bidding.sales.models import Auction, AuctionBid
from bidding.sales.services.auctions import auction_bid, auction_create, auction_due_sweep
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


@pytest.mark.parametrize("redis", [True, False], ids=["redis", "cache"])
def test_a_bidder_over_the_rate_is_answered_and_changes_nothing(listing_lot, bidders, settings, redis):
    from django.core.cache import cache

    settings.PLATFORM_AUCTION_BID_RATE = 2
    if not redis:
        settings.REDIS_URL = ""  # embedded mode counts in the cache
    cache.clear()
    auction = make_auction(listing_lot, start=clock.now() - timedelta(seconds=1))
    auction_due_sweep()
    with time_machine.travel(clock.now(), tick=False):  # one second's window for all three
        auction_bid(auction_id=auction.pk, user=bidders[0], amount="1000000.00")
        auction_bid(auction_id=auction.pk, user=bidders[0], amount="1010000.00")
        refused("rate_limited", auction_id=auction.pk, user=bidders[0], amount="1020000.00")
        auction_bid(auction_id=auction.pk, user=bidders[1], amount="1020000.00")  # another bidder's own count
    assert AuctionBid.objects.filter(auction=auction).count() == 3


def test_the_auction_page_gives_the_bid_box_to_its_bidders_only(listing_lot, bidders, staff, make_person, client):
    auction = make_auction(listing_lot, start=clock.now())
    client.force_login(bidders[0])
    page = client.get(f"/auctions/{auction.pk}/")
    assert page.status_code == 200 and b'id="room-config"' in page.content and b'data-testid="bid-form"' in page.content
    client.force_login(staff)
    page = client.get(f"/auctions/{auction.pk}/")
    assert b'id="room-config"' in page.content and b'data-testid="bid-form"' not in page.content
    # Anyone else watches the public auction, signed in or not, without a bid box.
    client.force_login(make_person("bidder_d", ["bidder"], organisation="丁投资有限公司"))
    page = client.get(f"/auctions/{auction.pk}/").content
    assert b'id="room-config"' in page and b'data-testid="bid-form"' not in page
    client.logout()
    page = client.get(f"/auctions/{auction.pk}/")
    assert page.status_code == 200 and b'data-testid="bid-form"' not in page.content


def _post(app, auction_id: int, *, token: str | None = None, amount="1010000.00", headers=(), body=None) -> dict:
    """A bid POSTed to ``app`` (an ASGI application) as a client would send it: the answer's status,
    headers (a dict) and JSON body."""
    content = body if body is not None else json.dumps({"amount": amount}).encode()
    sent = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
            (b"content-length", str(len(content)).encode()), *headers]
    if token:
        sent.append((b"authorization", f"Token {token}".encode()))

    async def call():
        communicator = HttpCommunicator(app, "POST", f"/api/v1/auctions/{auction_id}/bids/", content, sent)
        return await communicator.get_response(timeout=10)

    answer = asyncio.run(call())
    return {"status": answer["status"], "headers": {k.decode().lower(): v.decode() for k, v in answer["headers"]},
            "body": json.loads(answer["body"]) if answer["body"] else None}


@pytest.fixture
def live_auction(listing_lot):
    auction = make_auction(listing_lot, start=clock.now() - timedelta(seconds=1), free_minutes=30)
    auction_due_sweep()
    return auction


@pytest.fixture
def application():
    """The platform's ASGI application; the token path's own database connections closed after."""
    from config.asgi import application

    yield application
    reads = application.application_mapping["http"].reads
    if reads is not None:
        asyncio.run(reads.close())


@pytest.fixture
def drf_bids(monkeypatch):
    """Counts the bids that reached DRF's ``AuctionBidApi``."""
    from bidding.sales.apis import AuctionBidApi

    reached = []
    dispatch = AuctionBidApi.dispatch

    def counted(view, request, *args, **kwargs):
        reached.append(kwargs["auction_id"])
        return dispatch(view, request, *args, **kwargs)

    monkeypatch.setattr(AuctionBidApi, "dispatch", counted)
    return reached


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_token_path_answers_as_the_full_stack_does(live_auction, bidders, make_person, settings, drf_bids,
                                                       application):
    """``AuctionBidTokenPath`` in front of Django against Django alone (what answered before it), the
    same requests: the same status, body and headers, whether the token path answered or passed the
    request on to DRF."""
    from config.asgi import django_asgi_app

    settings.PLATFORM_AUCTION_BID_RATE = 0  # the answers, not the rate limit
    a, b, _ = bidders
    token_a, token_b = (Token.objects.create(user=user).key for user in (a, b))
    outsider = Token.objects.create(user=make_person("bidder_d", ["bidder"], organisation="丁投资有限公司")).key
    staff_token = Token.objects.create(user=make_person("staff_2", ["staff"])).key
    accepted = _post(application, live_auction.pk, token=token_a, amount="1010000.00")
    assert accepted["status"] == 201 and not drf_bids
    number = accepted["body"]["bidder_number"]
    assert accepted["body"] == {"price": "1010000.00", "position": 1, "bidder_number": number, "ends_at": None}
    assert AuctionBid.objects.get(auction=live_auction).placed_by == a
    event = AuditEntry.objects.get(subject=f"auction:{live_auction.pk}", kind="auction.bid_accepted")
    assert event.data["amount"] == "1010000.00" and event.data["position"] == 1
    english = [(b"accept-language", b"en")]
    answered_there = [  # by the token path
        {"token": token_b, "amount": "1010000.00"},  # too low, read before the row lock
        {"token": token_b, "amount": "1010000.00", "headers": english},  # the same, in English
        {"token": token_b, "amount": "1015000.00"},  # not whole increments: the conditional UPDATE refuses
        {"token": outsider, "amount": "1020000.00"},  # a bidder, but not admitted to this auction
    ]
    passed_on = [  # to DRF
        {"token": staff_token, "amount": "1020000.00"},  # no bidder role: 403
        {"token": "0" * 40, "amount": "1020000.00"},  # unknown token: 401
        {"token": token_b, "amount": "1020000.001"},  # not an amount the serializer takes: 400
        {"token": token_b, "body": b"{not json"},  # a parse error: 400
        {"token": token_b, "amount": "1010000.00", "headers": [(b"accept", b"application/json; indent=4")]},
    ]
    answers = []
    for case in answered_there + passed_on:
        drf_bids.clear()
        fast = _post(application, live_auction.pk, **case)
        went_on = bool(drf_bids)
        assert fast == _post(django_asgi_app, live_auction.pk, **case), case
        assert went_on == (case in passed_on), case
        assert 400 <= fast["status"] < 500 and fast["body"]["code"], case
        answers.append(fast["body"])
    assert [answer["code"] for answer in answers[:4]] == ["bid_too_low", "bid_too_low", "not_whole_increments",
                                                          "not_a_bidder_here"]
    assert answers[0]["detail"] != answers[1]["detail"]  # translated as asked
    assert "1,010,000.00" in answers[0]["detail"] and "1,010,000.00" in answers[1]["detail"]
    assert AuctionBid.objects.filter(auction=live_auction).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_session_cookie_sends_a_bid_to_the_full_stack_which_wants_its_csrf_token(live_auction, bidders, settings,
                                                                                    application):
    """With a session cookie and no token, DRF's session authentication wants the CSRF token the
    auction page sends. With a token as well, the token speaks: a browser never adds one by itself,
    so a token needs no CSRF token, and the bid is the token holder's."""
    session = SessionStore()
    session.update({SESSION_KEY: str(bidders[0].pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: bidders[0].get_session_auth_hash()})
    session.save()
    cookie = [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode())]
    refused = _post(application, live_auction.pk, headers=cookie)
    assert (refused["status"], refused["body"]["code"]) == (403, "permission_denied")
    assert not AuctionBid.objects.filter(auction=live_auction).exists()
    token = Token.objects.create(user=bidders[1]).key
    assert _post(application, live_auction.pk, token=token, headers=cookie)["status"] == 201
    assert AuctionBid.objects.get(auction=live_auction).placed_by == bidders[1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_token_path_holds_a_bidder_to_the_rate(live_auction, bidders, settings, application):
    """The token path counts attempts as ``auction_bid`` does (on PostgreSQL from the event loop)."""
    from django.core.cache import cache

    settings.PLATFORM_AUCTION_BID_RATE = 2
    cache.clear()
    token = Token.objects.create(user=bidders[0]).key
    with time_machine.travel(clock.now(), tick=False):  # one second's window for all three
        answers = [_post(application, live_auction.pk, token=token, amount=amount)
                   for amount in ("1010000.00", "1020000.00", "1030000.00")]
    assert [answer["status"] for answer in answers] == [201, 201, 429]
    assert answers[2]["body"]["code"] == "rate_limited"
    assert AuctionBid.objects.filter(auction=live_auction).count() == 2
