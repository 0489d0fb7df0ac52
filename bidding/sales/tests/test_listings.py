"""Listings (挂牌) and what follows them: quotes by whole increments, the sealed reserve witnessed by
a supervisor and revealed by the custodians, the close (unsold, sold, or a live auction among those
who continue), the descending auction, the one-shot sealed quote, and the deal confirmation with the
deposits released."""
import io
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.db import close_old_connections

from bidding.crypto import receipts
from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.errors import BiddingError
from bidding.sales.models import Auction, DealConfirmation, Listing, SealedReserve
from bidding.sales.services.auctions import auction_accept, auction_bid, auction_create, auction_due_sweep
from bidding.sales.services.listings import listing_close_sweep, listing_continue, listing_create, listing_quote
from bidding.sealed.models import OpeningSession
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.opening import opening_start, share_present
from monitoring.models import AuditEntry
from supervisors.errors import SupervisionError
from supervisors.services import assignment_create, reserve_seal_witnessed
from tests.fixtures import CUSTODIAN_PASSPHRASE, PASSWORD
from trading import signing
from trading.models import Deposit, Lot
from trading.services.deposits import deposit_confirm
from trading.services.lots import lot_due_sweep
from trading.services.registrations import registration_create, registration_decide

pytestmark = pytest.mark.django_db

DEPOSIT = "200000.00"


@pytest.fixture
def bidders(bidder_a, bidder_b, make_person):
    return [bidder_a, bidder_b, make_person("bidder_c", ["bidder"], organisation="丙置业有限公司")]


@pytest.fixture
def land_lot(make_listing_lot, publish_sealed, bidders, supervisor):
    """A land lot in its listing period, with an opening key, deposits in, terms set and an
    assigned supervisor."""
    lot = make_listing_lot(bidders, publish=publish_sealed, deposit=DEPOSIT)
    listing_create(lot_id=lot.pk, starting_price="5000000.00", increment="100000.00", actor="user:1",
                   auction_delay_minutes=10, auction_free_minutes=5)
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor="user:1")
    return lot


def at(lot, seconds=60):
    return time_machine.travel(lot.listing_start + timedelta(seconds=seconds), tick=False)


def refused(code, call, **kwargs):
    with pytest.raises(BiddingError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message


def seal_reserve(lot, amount, supervisor):
    with at(lot):
        return reserve_seal_witnessed(lot_id=lot.pk, amount=amount, actor="user:1",
                                      witness_username=supervisor.username, witness_password=PASSWORD)


def close(lot):
    with time_machine.travel(lot.listing_end, tick=False):
        return listing_close_sweep()


def reveal(lot, custodians):
    session = OpeningSession.objects.get(lot=lot)
    for custodian in custodians[:2]:
        share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
    return OpeningSession.objects.get(pk=session.pk)


def deposits(lot):
    return dict(Deposit.objects.filter(registration__lot=lot)
                .values_list("registration__organisation__name", "status"))


def test_quotes_beat_the_price_by_whole_increments_with_server_time_and_numbers(land_lot, bidders):
    a, b, c = bidders
    refused("listing_not_open", listing_quote, lot_id=land_lot.pk, user=a, amount="5000000.00")
    with at(land_lot):
        refused("not_whole_increments", listing_quote, lot_id=land_lot.pk, user=a, amount="5050000.00")
        first = listing_quote(lot_id=land_lot.pk, user=a, amount="5000000.00")  # the starting price itself
        refused("quote_too_low", listing_quote, lot_id=land_lot.pk, user=b, amount="5000000.00")
        refused("not_whole_increments", listing_quote, lot_id=land_lot.pk, user=b, amount="5150000.00")
        second = listing_quote(lot_id=land_lot.pk, user=b, amount="5300000.00")
        refused("not_an_amount", listing_quote, lot_id=land_lot.pk, user=c, amount="5400000.001")
    assert (first.position, second.position) == (1, 2)
    assert 1000 <= first.bidder_number <= 9999 and first.bidder_number != second.bidder_number
    assert first.at == land_lot.listing_start + timedelta(seconds=60)
    # Refused attempts drew no number: bidder c never had a quote accepted.
    assert Listing.objects.get(lot=land_lot).bidders.count() == 2
    events = (AuditEntry.objects.filter(subject=f"lot:{land_lot.pk}", kind="listing.quote_accepted")
              .order_by("subject_seq"))
    assert [e.actor for e in events] == [f"bidder:{first.bidder_number}", f"bidder:{second.bidder_number}"]
    assert all("organisation" not in e.data for e in events)  # anonymous to each other
    with time_machine.travel(land_lot.listing_end, tick=False):
        refused("listing_closed", listing_quote, lot_id=land_lot.pk, user=a, amount="5400000.00")


def test_only_registered_bidders_with_their_deposit_quote(make_listing_lot, publish_sealed, bidders, make_person):
    lot = make_listing_lot(bidders[:2], publish=publish_sealed, deposit=DEPOSIT)
    listing_create(lot_id=lot.pk, starting_price="100.00", increment="10.00", actor="user:1")
    stranger = make_person("stranger", ["bidder"], organisation="丁公司")
    with at(lot):
        refused("not_registered", listing_quote, lot_id=lot.pk, user=stranger, amount="100.00")


def test_no_quote_leaves_the_lot_unsold_and_releases_every_deposit(land_lot):
    assert close(land_lot) == {"closed": 1}
    land_lot.refresh_from_db()
    assert land_lot.status == Lot.Status.FAILED
    assert Listing.objects.get(lot=land_lot).outcome == Listing.Outcome.UNSOLD
    assert set(deposits(land_lot).values()) == {Deposit.Status.REFUND_DUE}
    assert close(land_lot) == {"closed": 0}  # idempotent


def test_the_reserve_is_sealed_only_with_an_assigned_supervisor_present(land_lot, make_person, staff, supervisor):
    other = make_person("other_supervisor", ["supervisor"], resident_id="110105194912310054")
    with at(land_lot):
        for username, password in ((other.username, PASSWORD), (supervisor.username, "wrong"),
                                   (staff.username, PASSWORD)):
            with pytest.raises(SupervisionError) as caught:
                reserve_seal_witnessed(lot_id=land_lot.pk, amount="5500000.00", actor="user:1",
                                       witness_username=username, witness_password=password)
            assert caught.value.code == "witness_not_present"
    assert not SealedReserve.objects.exists()
    reserve = seal_reserve(land_lot, "5500000.00", supervisor)
    assert reserve.witness == supervisor and reserve.revealed_price is None
    assert b"5500000" not in bytes(reserve.envelope)  # sealed, not stored in the clear
    event = AuditEntry.objects.get(kind="listing.reserve_sealed")
    assert event.data == {"envelope_sha256": reserve.envelope_sha256, "witness": supervisor.pk}
    with pytest.raises(BiddingError) as caught:
        seal_reserve(land_lot, "5600000.00", supervisor)
    assert caught.value.code == "reserve_sealed"


def test_one_quote_at_the_revealed_reserve_buys_the_lot(land_lot, bidders, custodians, supervisor):
    a, b, _ = bidders
    seal_reserve(land_lot, "5500000.00", supervisor)
    with at(land_lot):
        listing_quote(lot_id=land_lot.pk, user=b, amount="5000000.00")
        answer = listing_quote(lot_id=land_lot.pk, user=a, amount="5500000.00")
    close(land_lot)
    land_lot.refresh_from_db()
    assert land_lot.status == Lot.Status.LISTING  # waiting for the custodians
    assert Listing.objects.get(lot=land_lot).status == Listing.Status.CLOSING
    session = reveal(land_lot, custodians)
    assert session.record["document"]["kind"] == "reserve-record"
    assert receipts.signed_verify(session.record, "reserve-record", signing.public_key())["reserve"] == "5500000.00"
    land_lot.refresh_from_db()
    assert land_lot.status == Lot.Status.AWARDED
    deal = DealConfirmation.objects.get(lot=land_lot)
    assert (deal.organisation_id, deal.price, deal.bidder_number) == (a.organisation_id, Decimal("5500000.00"),
                                                                      answer.bidder_number)
    body = receipts.signed_verify(deal.document, "deal-confirmation", signing.public_key())
    assert body["price_in_capitals"] == "人民币伍佰伍拾万元整" and body["buyer"] == a.organisation.name
    held = deposits(land_lot)
    assert held.pop(a.organisation.name) == Deposit.Status.RECEIVED  # the buyer's is kept until the contract
    assert set(held.values()) == {Deposit.Status.REFUND_DUE}
    kinds = list(AuditEntry.objects.filter(subject=f"lot:{land_lot.pk}").order_by("subject_seq")
             .values_list("kind", flat=True))
    assert kinds[-3:] == ["opening.reserve_revealed", "lot.status_changed", "sale.deal_confirmed"]


def test_a_quote_under_the_reserve_leaves_the_lot_unsold(land_lot, bidders, custodians, supervisor):
    seal_reserve(land_lot, "5500000.00", supervisor)
    with at(land_lot):
        listing_quote(lot_id=land_lot.pk, user=bidders[0], amount="5400000.00")
    close(land_lot)
    reveal(land_lot, custodians)
    land_lot.refresh_from_db()
    assert land_lot.status == Lot.Status.FAILED
    assert AuditEntry.objects.get(kind="sale.unsold").data["reason"] == "reserve_not_met"
    assert set(deposits(land_lot).values()) == {Deposit.Status.REFUND_DUE}


def test_a_contested_listing_goes_to_auction_and_sells_above_the_sealed_reserve(land_lot, bidders, custodians,
                                                                               supervisor):
    """listing → auction → sold: the land lot of the issue's 'done when'."""
    a, b, c = bidders
    seal_reserve(land_lot, "5800000.00", supervisor)
    with at(land_lot):
        listing_quote(lot_id=land_lot.pk, user=a, amount="5000000.00")
        quote = listing_quote(lot_id=land_lot.pk, user=b, amount="5200000.00")
        first = listing_continue(lot_id=land_lot.pk, user=a)
        listing_continue(lot_id=land_lot.pk, user=b)
    close(land_lot)
    land_lot.refresh_from_db()
    assert land_lot.status == Lot.Status.AUCTION
    auction = Auction.objects.get(lot=land_lot)
    assert auction.starting_price == Decimal("5300000.00")  # the highest quote plus one increment
    assert auction.reserve_price is None  # still sealed
    numbers = dict(auction.bidders.values_list("organisation_id", "number"))
    assert numbers == {a.organisation_id: first.number, b.organisation_id: quote.bidder_number}
    assert auction.starts_at == land_lot.listing_end + timedelta(minutes=10)
    with time_machine.travel(auction.starts_at, tick=False):
        auction_due_sweep()
        refused("not_a_bidder_here", auction_bid, auction_id=auction.pk, user=c, amount="5300000.00")
        auction_bid(auction_id=auction.pk, user=a, amount="5300000.00")
        auction_bid(auction_id=auction.pk, user=b, amount="5900000.00")
    auction.refresh_from_db()
    with time_machine.travel(auction.free_until, tick=False):
        auction_due_sweep()
    auction.refresh_from_db()
    with time_machine.travel(auction.ends_at, tick=False):
        auction_due_sweep()
    auction.refresh_from_db()
    assert auction.status == Auction.Status.ENDED and auction.outcome == ""  # the reserve decides
    reveal(land_lot, custodians)
    auction.refresh_from_db()
    land_lot.refresh_from_db()
    assert auction.outcome == Auction.Outcome.SOLD and land_lot.status == Lot.Status.AWARDED
    deal = DealConfirmation.objects.get(lot=land_lot)
    assert (deal.organisation_id, deal.price, deal.method) == (b.organisation_id, Decimal("5900000.00"), "auction")
    kinds = list(AuditEntry.objects.filter(subject=f"auction:{auction.pk}").order_by("subject_seq")
             .values_list("kind", flat=True))
    assert kinds[-2:] == ["auction.ended", "sale.deal_confirmed"]


@pytest.fixture
def equity_lot(make_listing_lot, bidders):
    return make_listing_lot(bidders, market="property", procedure="descending_auction", deposit="1000.00",
                            days=40)  # equity disclosure: at least 20 working days


def descending(lot, start):
    return auction_create(lot_id=lot.pk, method=Auction.Method.DESCENDING, starting_price="1000000.00",
                          floor_price="700000.00", decrement="50000.00", step_seconds=60, starts_at=start,
                          actor="user:1")


def descending_started(lot):
    """A descending auction scheduled during the listing, swept open at its start."""
    start = lot.listing_start + timedelta(minutes=5)
    with at(lot):
        auction = descending(lot, start)
    with time_machine.travel(start, tick=False):
        auction_due_sweep()
    auction.refresh_from_db()
    return auction


def test_a_descending_auction_sells_to_the_first_who_accepts(equity_lot, bidders):
    a, b, _ = bidders
    start = equity_lot.listing_start + timedelta(minutes=5)
    with at(equity_lot):
        auction = descending(equity_lot, start)
        refused("auction_not_started", auction_accept, auction_id=auction.pk, user=a)
    assert auction.ends_at == start + timedelta(minutes=7)  # 6 steps to the floor, one more at it
    with time_machine.travel(start, tick=False):
        auction_due_sweep()
        refused("descending_accept_only", auction_bid, auction_id=auction.pk, user=a, amount="1000000.00")
    with time_machine.travel(start + timedelta(seconds=150), tick=False):  # two whole steps down
        answer = auction_accept(auction_id=auction.pk, user=b)
        refused("auction_ended", auction_accept, auction_id=auction.pk, user=a)
    assert answer.price == Decimal("900000.00")
    auction.refresh_from_db()
    equity_lot.refresh_from_db()
    assert (auction.status, auction.outcome) == (Auction.Status.ENDED, Auction.Outcome.SOLD)
    assert equity_lot.status == Lot.Status.AWARDED
    deal = DealConfirmation.objects.get(lot=equity_lot)
    assert (deal.organisation_id, deal.price, deal.method) == (b.organisation_id, Decimal("900000.00"), "descending")
    assert deal.document["document"]["body"]["price_in_capitals"] == "人民币玖拾万元整"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_three_bidders_accepting_at_once_one_buys(equity_lot, bidders):
    auction = descending_started(equity_lot)
    answers, barrier = [], threading.Barrier(len(bidders))

    def accept(user):
        barrier.wait()
        try:
            answers.append(auction_accept(auction_id=auction.pk, user=user).bidder_number)
        except BiddingError as error:
            answers.append(error.code)
        finally:
            close_old_connections()

    with time_machine.travel(auction.starts_at + timedelta(seconds=30), tick=False):
        threads = [threading.Thread(target=accept, args=(user,)) for user in bidders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answers.count("auction_ended") == 2 and len(answers) == 3
    assert DealConfirmation.objects.filter(lot=equity_lot).count() == 1


def test_nobody_accepting_at_the_floor_leaves_it_unsold(equity_lot, bidders):
    auction = descending_started(equity_lot)
    with time_machine.travel(auction.ends_at - timedelta(seconds=1), tick=False):
        assert auction.price_at(auction.ends_at - timedelta(seconds=1)) == Decimal("700000.00")
        auction_due_sweep()
    with time_machine.travel(auction.ends_at, tick=False):
        auction_due_sweep()
        refused("auction_ended", auction_accept, auction_id=auction.pk, user=bidders[0])
    equity_lot.refresh_from_db()
    assert equity_lot.status == Lot.Status.FAILED
    assert AuditEntry.objects.get(kind="sale.unsold").data["reason"] == "no_bid"


def test_a_one_shot_sealed_quote_sells_to_the_highest_valid_quote_at_the_opening(make_lot, publish_sealed, bidders,
                                                                                 custodians):
    """一次报价: sealed like bids, opened by the custodians; under the listing price is invalid, and
    of equal quotes the one received first buys."""
    lot = publish_sealed(make_lot("property", "one_shot_quote", days=40))  # listing price: 1,000,000
    for user, price in zip(bidders, ("900000.00", "1300000.00", "1300000.00")):
        registration = registration_create(lot_id=lot.pk, user=user)
        registration_decide(registration_id=registration.pk, approve=True, reason="", actor="user:1")
        deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference=f"B{user.pk}", actor="user:1")
        out = io.BytesIO()
        seal(public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), platform=settings.PLATFORM_ID,
             lot=str(lot.pk), bidder=user.organisation.uscc,
             price_form={"price": price, "period_days": 0, "items": {}}, files=[], out=out)
        bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(out.getvalue()), length=len(out.getvalue()))
    with time_machine.travel(lot.bid_deadline, tick=False):
        lot_due_sweep()
        session = opening_start(lot_id=lot.pk, actor="user:1")
        for custodian in custodians[:2]:
            share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AWARDED
    deal = DealConfirmation.objects.get(lot=lot)
    assert (deal.organisation_id, deal.price, deal.method, deal.bidder_number) == (
        bidders[1].organisation_id, Decimal("1300000.00"), "one_shot", 2)
    assert deal.document["document"]["body"]["price_in_capitals"] == "人民币壹佰叁拾万元整"
    held = deposits(lot)
    assert held.pop(bidders[1].organisation.name) == Deposit.Status.RECEIVED
    assert set(held.values()) == {Deposit.Status.REFUND_DUE}
