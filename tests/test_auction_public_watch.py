"""Anyone watches a public live auction, as they read a public opening's record: the page without a
bid box, and its room live through a real server with a real websocket client, signed in or not,
showing bidders by number only and refusing every action of a watcher."""
import asyncio
import json
from datetime import timedelta

import pytest
from django.test import Client

from bidding.sales.services.auctions import auction_bid, auction_create, auction_due_sweep
from monitoring.live.tests.test_rooms import enter, frames_until_synced
from tests.roomclient import RoomClient
from tests.servers import platform_servers
from trading import clock

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def live_auction(make_listing_lot, make_person, bidder_a):
    other = make_person("bidder_c", ["bidder"], organisation="丙置业有限公司")
    lot = make_listing_lot([bidder_a, other])
    auction = auction_create(lot_id=lot.pk, starting_price="1000000.00", increment="10000.00",
                             starts_at=clock.now() - timedelta(seconds=1), free_minutes=10, actor="user:1")
    auction_due_sweep()
    return auction, [bidder_a, other]


def test_the_auction_page_is_public_and_gives_a_watcher_no_bid_box(live_auction, client):
    auction, _ = live_auction
    page = client.get(f"/auctions/{auction.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and 'id="room-config"' in body and 'data-testid="public-watch"' in body
    assert 'data-testid="bid-form"' not in body and 'data-testid="accept-form"' not in body
    config = json.loads(body.split('id="room-config" type="application/json">')[1].split("</script>")[0])
    assert config["role"] == "public" and config["url"] == f"/ws/rooms/auction/{auction.pk}/"


def test_anyone_watches_the_auction_live_by_bidder_numbers_only(live_auction, tmp_path):
    auction, (bidder, other) = live_auction
    with platform_servers(1, tmp_path) as (server,):
        watcher = RoomClient([server.url], f"/ws/rooms/auction/{auction.pk}/", cookie="")
        try:
            watcher.wait_for(lambda c: any(e["kind"] == "auction.opened" for e in c.events))
            answer = auction_bid(auction_id=auction.pk, user=other, amount="1010000.00")
            watcher.wait_for(lambda c: any(e["kind"] == "auction.bid_accepted" for e in c.events))
        finally:
            watcher.close()
    accepted = next(e for e in watcher.events if e["kind"] == "auction.bid_accepted")
    assert (accepted["data"]["amount"], accepted["data"]["bidder"]) == ("1010000.00", answer.bidder_number)
    everything = repr(watcher.events)
    for name in (bidder.organisation.name, other.organisation.name, other.organisation.uscc):
        assert name not in everything


def test_a_watcher_signed_in_or_not_takes_no_action(live_auction, make_person):
    auction, _ = live_auction
    passer_by = make_person("passer_by", ["bidder"], organisation="丁贸易有限公司")

    async def act(user):
        communicator, connected = await enter(f"/ws/rooms/auction/{auction.pk}/", user)
        assert connected
        welcome = (await frames_until_synced(communicator))[0]
        await communicator.send_json_to({"type": "action", "id": "c1", "name": "stop.request",
                                         "args": {"reason": "想叫停"}})
        reply = await communicator.receive_json_from(timeout=10)
        while reply["type"] != "reply":
            reply = await communicator.receive_json_from(timeout=10)
        await communicator.disconnect()
        return welcome["role"], reply["ok"], reply["code"]

    async def scenario():
        return [await act(None), await act(passer_by)]

    assert asyncio.run(scenario()) == [("public", False, "not_allowed")] * 2


def test_a_stranger_still_sees_the_auction_page_without_a_bid_box_when_signed_in(live_auction, make_person):
    auction, _ = live_auction
    client = Client()
    client.force_login(make_person("passer_by", ["bidder"], organisation="丁贸易有限公司"))
    body = client.get(f"/auctions/{auction.pk}/").content.decode()
    assert 'data-testid="public-watch"' in body and 'data-testid="bid-form"' not in body
