"""The issue's 'done when', from the pages and the API: a land lot goes listing → auction → sold, an
equity lot through a descending auction; the deal confirmation is a signed PDF; every step is in the
auction room's events."""
import io
from datetime import timedelta

import pytest
import time_machine
from pypdf import PdfReader

from bidding.sales.models import Auction, Listing
from bidding.sales.services.auctions import auction_due_sweep
from bidding.sales.services.listings import listing_close_sweep
from bidding.sealed.models import OpeningSession
from monitoring.models import AuditEntry
from supervisors.services import assignment_create
from tests.fixtures import CUSTODIAN_PASSPHRASE, PASSWORD
from trading.models import Deposit, Lot

pytestmark = pytest.mark.django_db


@pytest.fixture
def bidders(bidder_a, bidder_b, make_person):
    return [bidder_a, bidder_b, make_person("bidder_c", ["bidder"], organisation="丙置业有限公司")]


def api(client, user, path, data=None):
    client.force_login(user)
    return client.post(path, data or {}, content_type="application/json")


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_land_lot_goes_listing_auction_sold_through_the_api(make_listing_lot, publish_sealed, bidders, staff,
                                                             supervisor, custodians, client):
    a, b, c = bidders
    lot = make_listing_lot(bidders, publish=publish_sealed, deposit="200000.00")
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor="user:1")
    start = lot.listing_start + timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        made = api(client, staff, f"/api/v1/lots/{lot.pk}/listing/",
                   {"starting_price": "5000000.00", "increment": "100000.00", "auction_delay_minutes": 5})
        assert made.status_code == 201, made.content
        refused = api(client, staff, f"/api/v1/lots/{lot.pk}/reserve/",
                      {"amount": "5500000.00", "witness_username": supervisor.username, "witness_password": "x"})
        assert (refused.status_code, refused.json()["code"]) == (403, "witness_not_present")
        sealed = api(client, staff, f"/api/v1/lots/{lot.pk}/reserve/",
                     {"amount": "5500000.00", "witness_username": supervisor.username, "witness_password": PASSWORD})
        assert sealed.status_code == 201 and sealed.json()["witness"] == supervisor.pk
        assert api(client, a, f"/api/v1/lots/{lot.pk}/listing/quotes/", {"amount": "5000000.00"}).status_code == 201
        low = api(client, b, f"/api/v1/lots/{lot.pk}/listing/quotes/", {"amount": "5000000.00"})
        assert (low.status_code, low.json()["code"]) == (409, "quote_too_low")
        assert api(client, b, f"/api/v1/lots/{lot.pk}/listing/quotes/", {"amount": "5100000.00"}).status_code == 201
        for user in (a, b):
            assert api(client, user, f"/api/v1/lots/{lot.pk}/listing/continue/").status_code == 201
        client.force_login(c)
        state = client.get(f"/api/v1/lots/{lot.pk}/listing/").json()
        assert (state["current_price"], state["accepted_quotes"], state["reserve_sealed"], state["reserve"]) == (
            "5100000.00", 2, True, None)
    with time_machine.travel(lot.listing_end, tick=False):
        listing_close_sweep()
    auction = Auction.objects.get(lot=lot)
    with time_machine.travel(auction.starts_at, tick=False):
        auction_due_sweep()
        for user, amount in ((a, "5200000.00"), (b, "5600000.00")):
            assert api(client, user, f"/api/v1/auctions/{auction.pk}/bids/", {"amount": amount}).status_code == 201
    for moment in ("free_until", "ends_at"):
        auction.refresh_from_db()
        with time_machine.travel(getattr(auction, moment), tick=False):
            auction_due_sweep()
    session = OpeningSession.objects.get(lot=lot)
    for custodian in custodians[:2]:
        presented = api(client, custodian, f"/api/v1/lots/{lot.pk}/opening/shares/",
                        {"passphrase": CUSTODIAN_PASSPHRASE})
        assert presented.status_code in (200, 201), presented.content
    session.refresh_from_db()
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AWARDED
    client.force_login(c)
    deal = client.get(f"/api/v1/lots/{lot.pk}/deal-confirmation/").json()
    assert (deal["buyer"], deal["price"], deal["method"]) == (b.organisation.name, "5600000.00", "auction")
    text = pdf_text(client.get(f"/lots/{lot.pk}/deal-confirmation.pdf").content)
    assert "成交确认书" in text and "人民币伍佰陆拾万元整" in text and b.organisation.name in text
    assert deal["document"]["signature"] in text.replace("\n", "")
    kinds = list(AuditEntry.objects.filter(subject=f"auction:{auction.pk}").order_by("subject_seq")
             .values_list("kind", flat=True))
    assert kinds == ["auction.scheduled", "auction.opened", "auction.bid_accepted", "auction.bid_accepted",
                     "auction.countdown_started", "auction.ended", "auction.ended", "sale.deal_confirmed"]
    assert Deposit.objects.filter(registration__lot=lot, status=Deposit.Status.REFUND_DUE).count() == 2
    client.force_login(supervisor)  # the reveal's signed record, on the lot's opening page
    page = client.get(f"/lots/{lot.pk}/opening/")
    assert b'data-testid="reserve-revealed"' in page.content and "5,500,000.00".encode() in page.content


def test_an_equity_lot_sells_in_a_descending_auction_from_the_pages(make_listing_lot, bidders, staff, client):
    a, b, _ = bidders
    lot = make_listing_lot(bidders, market="property", procedure="descending_auction", deposit="1000.00", days=40)
    start = lot.listing_start + timedelta(minutes=10)
    with time_machine.travel(lot.listing_start + timedelta(minutes=1), tick=False):
        client.force_login(staff)  # in the travelled time, or the session would have expired
        page = client.get(f"/staff/lots/{lot.pk}/sale/")
        assert page.status_code == 200 and b'data-testid="auction-button"' in page.content
        bad = client.post(f"/staff/lots/{lot.pk}/sale/auction/", {
            "method": "descending", "starting_price": "1000000.00", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "floor_price": "1200000.00", "decrement": "50000.00", "step_seconds": 60})
        assert bad.status_code == 400 and "起始价".encode() in bad.content or b"starting price" in bad.content
        assert not Auction.objects.filter(lot=lot).exists()
        made = client.post(f"/staff/lots/{lot.pk}/sale/auction/", {
            "method": "descending", "starting_price": "1000000.00", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "floor_price": "700000.00", "decrement": "50000.00", "step_seconds": 60})
        auction = Auction.objects.get(lot=lot)
        assert made.status_code == 302 and made.url == f"/auctions/{auction.pk}/"
    with time_machine.travel(auction.starts_at, tick=False):
        client.force_login(a)
        page = client.get(f"/auctions/{auction.pk}/")
        assert b'data-testid="accept-button"' in page.content and b'"method": "descending"' in page.content
        auction_due_sweep()
    with time_machine.travel(auction.starts_at + timedelta(seconds=61), tick=False):
        accepted = api(client, a, f"/api/v1/auctions/{auction.pk}/accept/")
        assert accepted.status_code == 201 and accepted.json()["price"] == "950000.00"
        late = api(client, b, f"/api/v1/auctions/{auction.pk}/accept/")
        assert (late.status_code, late.json()["code"]) == (409, "auction_ended")
        client.force_login(staff)
        page = client.get(f"/staff/lots/{lot.pk}/sale/")
        assert b'data-testid="deal-pdf"' in page.content
        text = pdf_text(client.get(f"/lots/{lot.pk}/deal-confirmation.pdf").content)
    assert "人民币玖拾伍万元整" in text and "降价拍卖" in text


def test_the_listing_pages_take_terms_a_witnessed_reserve_quotes_and_the_choice_to_continue(
        make_listing_lot, publish_sealed, bidders, staff, supervisor, client):
    a, b, _ = bidders
    lot = make_listing_lot(bidders, publish=publish_sealed)
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor="user:1")
    with time_machine.travel(lot.listing_start + timedelta(minutes=1), tick=False):
        client.force_login(staff)
        assert client.post(f"/staff/lots/{lot.pk}/sale/listing/", {
            "starting_price": "100000.00", "increment": "1000.00", "auction_delay_minutes": 30,
            "auction_free_minutes": 10}).status_code == 302
        wrong = client.post(f"/staff/lots/{lot.pk}/reserve/", {"amount": "120000.00", "witness_username": "supervisor",
                                                                "witness_password": "wrong"}, follow=True)
        assert "监督员".encode() in wrong.content or b"supervisor assigned" in wrong.content
        client.post(f"/staff/lots/{lot.pk}/reserve/", {"amount": "120000.00", "witness_username": "supervisor",
                                                       "witness_password": PASSWORD})
        assert b'data-testid="reserve-state"' in client.get(f"/staff/lots/{lot.pk}/sale/").content
        client.force_login(a)
        page = client.get(f"/lots/{lot.pk}/listing/")
        assert b'data-testid="quote-form"' in page.content
        refused = client.post(f"/lots/{lot.pk}/listing/quote/", {"amount": "100500.00"})
        assert refused.status_code == 409 and b'data-testid="error"' in refused.content
        assert client.post(f"/lots/{lot.pk}/listing/quote/", {"amount": "101000.00"}).status_code == 302
        assert client.post(f"/lots/{lot.pk}/listing/continue/").status_code == 302
        page = client.get(f"/lots/{lot.pk}/listing/")
        assert b"101,000.00" in page.content and b'data-testid="continue-button"' not in page.content
        client.logout()  # the current price is public
        page = client.get(f"/lots/{lot.pk}/listing/")
        assert page.status_code == 200 and b"101,000.00" in page.content
        assert b'data-testid="quote-form"' not in page.content
        assert client.get(f"/api/v1/lots/{lot.pk}/listing/").json()["current_price"] == "101000.00"
    listing = Listing.objects.get(lot=lot)
    assert listing.bidders.get(organisation=a.organisation).continues_at is not None
