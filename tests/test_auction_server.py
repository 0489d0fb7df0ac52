"""A live auction through a real server process (runplatform): 50 bidders, each with an API token,
read the price and bid over HTTP at once; every attempt is answered and the database orders the
accepted bids."""
import http.client
import json
import random
import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token

from bidding.sales.models import Auction, AuctionBid
from bidding.sales.services.auctions import auction_create, auction_due_sweep
from trading import clock
from tests.servers import platform_servers

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.timeout(180)]

BIDDERS = 50
ATTEMPTS = 20
STARTING, INCREMENT = Decimal("1000000.00"), Decimal("10000.00")
REFUSALS = {409, 429}  # refused with a reason: bid too low / not whole increments (409), too fast (429)


@pytest.fixture
def many_bidders(make_person):
    return [make_person(f"auction_bidder_{n:02d}", ["bidder"], organisation=f"竞买测试{n:02d}有限公司")
            for n in range(BIDDERS)]


@pytest.fixture
def auction(make_listing_lot, many_bidders):
    """A land lot in its listing period, every bidder approved, and its live auction in free bidding."""
    lot = make_listing_lot(many_bidders)
    auction = auction_create(lot_id=lot.pk, starting_price=str(STARTING), increment=str(INCREMENT),
                             starts_at=clock.now() - timedelta(seconds=1), free_minutes=30, actor="user:1")
    auction_due_sweep()
    auction.refresh_from_db()
    assert auction.status == Auction.Status.FREE_BIDDING
    assert auction.bidders.count() == BIDDERS
    return auction


def _call(connection: http.client.HTTPConnection, method: str, path: str, token: str, body=None):
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def test_fifty_bidders_over_http_get_every_attempt_answered_and_strictly_rising_prices(auction, many_bidders,
                                                                                        tmp_path):
    tokens = [Token.objects.get_or_create(user=user)[0].key for user in many_bidders]
    answers, errors = [], []  # (status, code or None, price or None); exceptions of the threads
    lock = threading.Lock()
    start = threading.Barrier(BIDDERS)

    def bidder(url: str, token: str, seed: int) -> None:
        rng = random.Random(seed)
        host, port = url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            start.wait()
            for _ in range(ATTEMPTS):
                status, body = _call(connection, "GET", f"/api/v1/auctions/{auction.pk}/", token)
                assert status == 200, (status, body[:500])
                current = json.loads(body)["current_price"]
                base = Decimal(current) if current is not None else STARTING - INCREMENT
                amount = base + INCREMENT * rng.randint(1, 3)
                status, body = _call(connection, "POST", f"/api/v1/auctions/{auction.pk}/bids/", token,
                                     {"amount": str(amount)})
                try:
                    data = json.loads(body)
                except ValueError:
                    data = {}
                with lock:
                    answers.append((status, data.get("code"), data.get("price"), data.get("position"), body[:300]))
        except Exception as error:  # reported below
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()

    with platform_servers(1, tmp_path) as (server,):
        threads = [threading.Thread(target=bidder, args=(server.url, token, n)) for n, token in enumerate(tokens)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=150)
        assert not any(thread.is_alive() for thread in threads), "a bidder never finished"
    log = (tmp_path / "server0.log").read_text(errors="replace")

    assert not errors, (errors[:5], log[-3000:])
    assert len(answers) == BIDDERS * ATTEMPTS
    statuses = Counter(status for status, *_ in answers)
    assert not [a for a in answers if a[0] >= 500], (statuses, log[-3000:])
    strange = [a for a in answers if not (a[0] == 201 or (a[0] in REFUSALS and a[1]))]
    assert not strange, strange[:5]
    assert {code for status, code, *_ in answers if status == 409} <= {"bid_too_low", "not_whole_increments"}
    assert {code for status, code, *_ in answers if status == 429} <= {"rate_limited"}

    accepted = [a for a in answers if a[0] == 201]
    bids = list(AuctionBid.objects.filter(auction=auction).order_by("position").values_list("position", "amount"))
    prices = [amount for _, amount in bids]
    assert len(accepted) == len(bids) > 0, statuses
    assert [position for position, _ in bids] == list(range(1, len(bids) + 1))  # no duplicate, no gap
    assert sorted(a[3] for a in accepted) == list(range(1, len(bids) + 1))
    assert len(set(prices)) == len(prices)
    assert prices[0] >= STARTING and (prices[0] - STARTING) % INCREMENT == 0
    assert all(later > earlier and (later - earlier) % INCREMENT == 0 for earlier, later in zip(prices, prices[1:]))
    assert sorted(Decimal(a[2]) for a in accepted) == prices  # what the bidders were told is what was stored
    auction.refresh_from_db()
    assert auction.current_price == prices[-1] and auction.accepted_bids == len(prices)
