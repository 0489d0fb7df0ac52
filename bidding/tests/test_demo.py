"""The demo data: every market and role, histories that agree with their dates, and the parts that
move after loading (the opening due in minutes, the live auction with its scripted competitors)."""
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from bidding.demo import (ACCOUNTS, AUCTIONED, AWARDED, BIDDER_KEY_PASSPHRASE, BIDDERS, CUSTODIANS, EXPERTS, OPENING,
                          OPENING_IN, PROJECTS, PRICES)
from bidding.demo_live import COMPETITORS, FIRST_BID_AFTER, competitor_cap, demo_competitor_sweep, demo_places
from bidding.sales.models import Auction, AuctionBid
from bidding.sales.services.auctions import auction_bid, auction_due_sweep
from bidding.sealed.models import Bid, OpeningSession
from monitoring.models import AuditEntry
from trading import clock, signing
from trading.models import Announcement, Lot, LotStatusChange, Market, Project, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())


def test_demo_data_covers_every_market_and_role_and_loads_once():
    first = StringIO()
    call_command("load_demo", stdout=first)
    assert "Demo data loaded" in first.getvalue() and "demo-regulator-2026" in first.getvalue()
    assert "/try/" in first.getvalue() and "What moves" in first.getvalue()
    assert {m.code for m in Market.objects.filter(projects__isnull=False)} == {
        "construction", "procurement", "property", "land", "hr"}
    assert Lot.objects.values("status").distinct().count() >= 8
    roles = {r for user in User.objects.filter(username__startswith="demo_") for r in user.role_set}
    published = Lot.objects.exclude(status__in=["draft", "pending_review"])
    assert published.exists() and all(lot.opening_key.shares.count() == 3 for lot in published)
    assert roles == {"bidder", "staff", "custodian", "expert", "supervisor", "regulator", "company_admin",
                     "security_admin", "staff_manager"}
    assert set(Project.objects.values_list("region", flat=True)) == {"市本级", "高新区", "城东新区"}
    entries, lots = AuditEntry.objects.count(), Lot.objects.count()

    second = StringIO()
    call_command("load_demo", stdout=second)
    assert "already present" in second.getvalue()
    assert (AuditEntry.objects.count(), Lot.objects.count()) == (entries, lots) == (entries, len(PROJECTS))
    assert User.objects.filter(username__startswith="demo_").count() == (len(ACCOUNTS) + len(BIDDERS)
                                                                         + len(EXPERTS) - 1)
    from bidding.evaluation.models import Expert

    # A panel of 5 can be drawn from the demo pool for goods.
    assert Expert.objects.filter(specialties="goods").count() >= 5


def test_every_demo_lot_move_left_a_status_row_and_an_audit_event(demo):
    for lot in Lot.objects.all():
        changes = list(lot.status_changes.values_list("target", flat=True))
        events = AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="lot.status_changed")
        assert len(changes) == events.count()
        assert (changes[-1] if changes else "draft") == lot.status


# What each state says about a lot's dates: what must already have passed, what must still lie ahead.
PASSED = {
    "closed": ["bid_deadline"], "opening": ["bid_deadline"], "evaluation": ["bid_deadline"],
    "publicity": ["bid_deadline"], "award_review": ["bid_deadline", "publicity_end"],
    "awarded": ["documents_until", "bid_deadline", "publicity_end"], "listing": ["listing_start"],
    "auction": ["listing_start", "listing_end"],
}
AHEAD = {"draft": ["bid_deadline"], "pending_review": ["bid_deadline"], "bidding": ["bid_deadline"],
         "listing": ["listing_end"]}


def test_every_demo_lot_s_dates_agree_with_its_state(demo):
    now = clock.now()
    for lot in Lot.objects.select_related("project"):
        for name in PASSED.get(lot.status, []):
            assert getattr(lot, name) <= now, f"{lot.code} is {lot.status} but its {name} is ahead"
        for name in AHEAD.get(lot.status, []):
            assert getattr(lot, name) > now, f"{lot.code} is {lot.status} but its {name} has passed"
        if lot.status == Lot.Status.FAILED:
            assert (lot.listing_end or lot.bid_deadline) <= now
            assert lot.announcements.filter(kind=Announcement.Kind.FAILURE).exists()
        if lot.status not in ("draft", "pending_review"):
            published = lot.announcements.order_by("published_at").first().published_at
            assert published <= (lot.bid_deadline or lot.listing_start)
        assert not lot.announcements.filter(published_at__gt=now).exists()
        assert not LotStatusChange.objects.filter(lot=lot, at__gt=now).exists()
    # The histories were played in one pass: the audit chain's times follow its order.
    chain = list(AuditEntry.objects.order_by("id").values_list("at", flat=True))
    assert chain == sorted(chain) and chain[-1] <= now


def test_the_demo_opening_is_minutes_away_with_sealed_bids_and_receipts(demo):
    lot = Lot.objects.get(project__code=OPENING)
    now = clock.now()
    assert lot.status == Lot.Status.BIDDING
    assert now < lot.bid_deadline <= now + OPENING_IN + timedelta(minutes=1)
    bids = list(Bid.objects.filter(lot=lot, status=Bid.Status.SEALED).select_related("organisation"))
    assert len(bids) == len(PRICES[OPENING]) == 3
    assert {bid.organisation.name for bid in bids} == {
        User.objects.get(username=username).organisation.name for username in PRICES[OPENING]}
    from bidding.crypto.receipts import receipt_verify

    for bid in bids:
        # The last was sealed the day before loading at 14:15 Beijing time: loaded just after
        # midnight, that is 9 h 45 min before, whatever the hour the suite runs at.
        assert bid.received_at < now - timedelta(hours=9)
        assert receipt_verify(bid.receipt, signing.public_key())["envelope_sha256"] == bid.envelope_sha256


def test_the_demo_opening_runs_in_the_hall_from_the_demo_data_alone(demo):
    """After the deadline, the demo staff start it, two demo custodians rebuild the key and each demo
    bidder releases its own lock with the demo's key passphrase: the last release opens every bid."""
    from django.conf import settings

    from bidding.crypto.bidder_key import key_file_parse, key_file_unlock
    from bidding.crypto.envelope_v2 import bidder_part_unlock
    from bidding.sealed.models import BidderKey
    from bidding.sealed.services.hall import bid_header, part_release
    from bidding.sealed.services.opening import bids_count_sweep, opening_start, share_present
    from monitoring.events import actor_of
    from trading.services.lots import lot_due_sweep

    lot = Lot.objects.get(project__code=OPENING)
    assert set(Bid.objects.filter(lot=lot).values_list("envelope_version", flat=True)) == {2}
    with time_machine.travel(lot.bid_deadline + timedelta(seconds=10), tick=False):
        lot_due_sweep()
        bids_count_sweep()
        session = opening_start(lot_id=lot.pk, actor=actor_of(User.objects.get(username="demo_staff")))
        for username, passphrase in CUSTODIANS[:2]:
            share_present(session_id=session.pk, user=User.objects.get(username=username), passphrase=passphrase)
        session.refresh_from_db()
        assert session.status == OpeningSession.Status.DECRYPTION_WINDOW
        for username in PRICES[OPENING]:
            user = User.objects.get(username=username)
            # The key file the bidder registered, as the platform keeps it for the bidder's browser.
            key_file = key_file_parse(BidderKey.objects.get(registration__lot=lot,
                                                            registration__organisation=user.organisation).key_file)
            bid, header = bid_header(lot_id=lot.pk, user=user)
            part_release(lot_id=lot.pk, user=user, part=bidder_part_unlock(
                header=header, private_key=key_file_unlock(key_file, BIDDER_KEY_PASSPHRASE).encryption_private_key,
                platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=user.organisation.uscc))
    session.refresh_from_db()
    assert session.status == OpeningSession.Status.RECORD_PUBLISHED
    assert Bid.objects.filter(lot=lot, status=Bid.Status.OPENED).count() == 3


def test_the_awarded_demo_lot_has_played_its_procedure_and_shows_its_result(client, demo):
    from bidding.evaluation.models import Notice

    lot = Lot.objects.get(project__code=AWARDED)
    assert lot.status == Lot.Status.AWARDED and lot.publicity_end < clock.now()
    assert lot.bid_deadline < clock.now() - timedelta(days=14)
    assert Bid.objects.filter(lot=lot, status=Bid.Status.VALID).count() == 3  # opened, then found valid
    assert {a.kind for a in lot.announcements.all()} == {"tender", "candidates", "result"}
    moves = list(AuditEntry.objects.filter(subject=f"lot:{lot.pk}").values_list("at", flat=True))
    assert max(moves) < clock.now() - timedelta(days=1)

    page = client.get(reverse("lot-detail", args=[lot.pk])).content.decode()
    result = reverse("lot-result", args=[lot.pk])
    assert f'href="{result}"' in page
    response = client.get(result)
    assert response.status_code == 200
    assert 'data-testid="award"' in response.content.decode() and "华建工程有限公司" in response.content.decode()
    assert len(response.context["result"]["candidates"]) == 3
    assert client.get(reverse("api-opening-record", args=[lot.pk])).status_code == 200

    client.post(reverse("login"), {"username": "demo_bidder", "password": "demo-bidder-2026"})
    notices = client.get(result).context["notices"]
    assert [notice.kind for notice in notices] == [Notice.Kind.AWARD]
    assert client.get(reverse("notice-pdf", args=[notices[0].pk])).status_code == 200


def test_the_land_auction_starts_in_minutes_with_three_admitted_bidders(demo):
    auction = demo_places().auction
    now = clock.now()
    assert auction.lot.project.code == AUCTIONED and auction.lot.status == Lot.Status.AUCTION
    assert auction.status == Auction.Status.SCHEDULED and now < auction.starts_at <= now + timedelta(minutes=4)
    assert auction.bidders.count() == 3
    assert auction.lot.listing.quotes.count() == 4


def _bid(auction, username, amount):
    return auction_bid(auction_id=auction.pk, user=User.objects.get(username=username), amount=amount)


def test_the_scripted_competitors_raise_against_demo_bidder_within_the_cap_and_stop_when_the_auction_ends(demo):
    auction = demo_places().auction
    cap = competitor_cap(auction)
    at = auction.starts_at + timedelta(seconds=1)
    with time_machine.travel(at, tick=False):
        auction_due_sweep()  # the demo regulator has checked in: the major auction opens on time
        assert demo_competitor_sweep() == {"raised": 0}  # a moment before the first bid
    at = auction.starts_at + FIRST_BID_AFTER
    with time_machine.travel(at, tick=False):
        assert demo_competitor_sweep() == {"raised": 1}
    first = AuctionBid.objects.get(auction=auction)
    assert first.placed_by.username in COMPETITORS and first.amount == auction.starting_price

    answers = []
    price = first.amount
    while price + auction.increment <= cap:
        at += timedelta(seconds=30)
        with time_machine.travel(at, tick=False):
            price = _bid(auction, "demo_bidder", price + auction.increment).price
        at += timedelta(seconds=20)  # longer than any answer's wait
        with time_machine.travel(at, tick=False):
            answers.append(demo_competitor_sweep()["raised"])
        last = AuctionBid.objects.filter(auction=auction).select_related("placed_by").order_by("-position").first()
        if answers[-1]:
            assert last.placed_by.username in COMPETITORS and price < last.amount <= cap
            price = last.amount
        else:
            assert last.placed_by.username == "demo_bidder"
    assert answers[0] == 1  # the first lead is always answered, later ones now and then

    # Above the cap nobody answers: demo_bidder leads until the countdown runs out and buys the land.
    at += timedelta(seconds=30)
    with time_machine.travel(at, tick=False):
        price = _bid(auction, "demo_bidder", cap + auction.increment).price
    auction.refresh_from_db()
    for moment in (at + timedelta(seconds=20), auction.free_until + timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            assert demo_competitor_sweep() == {"raised": 0}
            auction_due_sweep()
    auction.refresh_from_db()
    assert auction.status == Auction.Status.TIMED_BIDDING
    with time_machine.travel(auction.ends_at + timedelta(seconds=1), tick=False):
        auction_due_sweep()
        assert demo_competitor_sweep() == {"raised": 0}
    auction.refresh_from_db()
    assert (auction.status, auction.outcome, auction.current_price) == (Auction.Status.ENDED, "sold", price)
    assert auction.leader == User.objects.get(username="demo_bidder").organisation
    assert not AuctionBid.objects.filter(auction=auction, amount__gt=price).exists()
