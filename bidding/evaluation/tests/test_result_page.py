"""Every lot with a public result shows it at /lots/<id>/result/, linked from its page: a tender's
candidates and award (what it has, even without a report), a sale's deal; an opening page links
the signed record only once there is one."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from bidding.sales.services.auctions import auction_accept, auction_create, auction_due_sweep
from trading.models import Lot
from trading.services.moves import lot_transition

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _result_link(client, lot) -> str:
    page = client.get(reverse("lot-detail", args=[lot.pk]), **EN).content.decode()
    return f'href="{reverse("lot-result", args=[lot.pk])}" data-testid="result-link"' if (
        'data-testid="result-link"' in page) else ""


def test_a_tender_awarded_without_a_report_still_shows_its_result_page(client, make_lot, publish_sealed):
    lot = publish_sealed(make_lot("procurement"))
    for move in ("close_bidding", "start_opening", "start_evaluation", "publicise_candidates", "end_publicity",
                 "award"):
        lot_transition(lot_id=lot.pk, transition=move, actor="user:1")
    assert _result_link(client, lot)
    response = client.get(reverse("lot-result", args=[lot.pk]), **EN)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="candidates"' in page and "No evaluation report is recorded" in page
    assert client.get(f"/api/v1/lots/{lot.pk}/result/").status_code == 200


def test_a_sold_equity_lot_shows_its_deal_as_its_result(client, make_listing_lot, bidder_a, bidder_b):
    lot = make_listing_lot([bidder_a, bidder_b], market="property", procedure="descending_auction",
                           deposit="1000.00", days=40)
    start = lot.listing_start + timedelta(minutes=10)
    with time_machine.travel(lot.listing_start + timedelta(minutes=1), tick=False):
        auction = auction_create(lot_id=lot.pk, method="descending", starting_price=Decimal("1000000.00"),
                                 starts_at=start, floor_price=Decimal("700000.00"), decrement=Decimal("50000.00"),
                                 step_seconds=60, actor="user:1")
    with time_machine.travel(auction.starts_at + timedelta(seconds=61), tick=False):
        auction_due_sweep()
        auction_accept(auction_id=auction.pk, user=bidder_b)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AWARDED
    assert _result_link(client, lot)
    page = client.get(reverse("lot-result", args=[lot.pk]), **EN).content.decode()
    assert 'data-testid="deal"' in page and "CNY 950,000.00" in page and 'data-testid="deal-link"' not in page
    client.force_login(bidder_a)
    page = client.get(reverse("lot-result", args=[lot.pk]), **EN).content.decode()
    deal = reverse("deal-confirmation-pdf", args=[lot.pk])
    assert f'href="{deal}" data-testid="deal-link"' in page and client.get(deal).status_code == 200


def test_a_live_auction_links_its_deal_only_once_there_is_one(client, make_listing_lot, bidder_a, bidder_b):
    lot = make_listing_lot([bidder_a, bidder_b], market="property", procedure="descending_auction",
                           deposit="1000.00", days=40)
    with time_machine.travel(lot.listing_start + timedelta(minutes=1), tick=False):
        auction = auction_create(lot_id=lot.pk, method="descending", starting_price=Decimal("1000000.00"),
                                 starts_at=lot.listing_start + timedelta(minutes=10),
                                 floor_price=Decimal("700000.00"), decrement=Decimal("50000.00"),
                                 step_seconds=60, actor="user:1")
        client.force_login(bidder_a)
        page = client.get(reverse("auction-page", args=[auction.pk])).content.decode()
    assert 'data-testid="auction-deal"' in page
    assert f'href="{reverse("deal-confirmation-pdf", args=[lot.pk])}"' not in page


def test_a_lot_before_its_result_neither_links_nor_shows_one(client, make_lot, publish_sealed):
    lot = publish_sealed(make_lot("procurement"))
    assert not _result_link(client, lot)
    assert client.get(reverse("lot-result", args=[lot.pk])).status_code == 404


def test_the_opening_room_links_the_record_only_once_it_is_published(client, make_lot, publish_sealed, custodians):
    lot = publish_sealed(make_lot("procurement"))
    lot_transition(lot_id=lot.pk, transition="close_bidding", actor="user:1")
    client.force_login(custodians[2])  # a regulator: in the room
    page = client.get(reverse("opening-page", args=[lot.pk])).content.decode()
    assert 'data-testid="room"' in page
    assert reverse("api-opening-record", args=[lot.pk]) not in page.split('id="room-config"')[0]
