"""The demo while it runs: where its moving parts are, and the scripted competitors of its live auction.

The competitors are demo_bidder_2 and demo_bidder_3, admitted to the auction of ``AUCTIONED`` like
any bidder. ``demo_competitor_sweep`` is one of the timed sweeps (settings.PLATFORM_SWEEPS, only
where the demo is loaded: the embedded mode's thread runs it, and beat in services mode when that
loads the demo). While the auction takes bids it opens the bidding with one bid soon after the
start, and answers a lead of demo_bidder's company (always the first, then three in four) with a
raise of one or two increments after a few seconds, never beyond ``competitor_cap``; so
demo_bidder wins by going above it, or when they decline to answer. Each bid goes through
``auction_bid``, as a person's does, so the room hears it and the audit chain records it.

Whether and how they answer a lead is drawn from the lead itself (its position and time), not kept
anywhere: every run of the sweep (and every process) draws the same, and a lead is answered at
most once."""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from bidding.demo import AUCTIONED, AWARDED, EVALUATED, OPENING
from bidding.errors import BiddingError
from bidding.sales.models import Auction, AuctionBid
from bidding.sales.services.auctions import auction_bid
from bidding.sealed.models import Bid
from trading import clock
from trading.models import Lot, User

COMPETITORS = ["demo_bidder_2", "demo_bidder_3"]
# Increments above the auction's starting price the competitors go to at most.
CAP_INCREMENTS = 10
# The competitors open the bidding this long after the auction starts.
FIRST_BID_AFTER = timedelta(seconds=20)
# A lead of demo_bidder's is answered with this chance, after this many seconds (drawn between).
ANSWER_CHANCE = 0.75
ANSWER_SECONDS = (4.0, 15.0)


@dataclass(frozen=True)
class DemoPlaces:
    """The demo's lots a newcomer is sent to, each None where the demo is not loaded, and how many
    bids the opening's lot received (withdrawn and replaced ones aside)."""
    opening: Lot | None
    auction: Auction | None
    awarded: Lot | None
    evaluated: Lot | None
    bids_in: int


def demo_places() -> DemoPlaces:
    lots = {lot.project.code: lot for lot in Lot.objects.select_related("project")
            .filter(project__code__in=[OPENING, AWARDED, EVALUATED, AUCTIONED])}
    auctioned = lots.get(AUCTIONED)
    bids_in = (Bid.objects.filter(lot__project__code=OPENING)
               .exclude(status__in=[Bid.Status.REPLACED, Bid.Status.WITHDRAWN]).count())
    return DemoPlaces(opening=lots.get(OPENING), awarded=lots.get(AWARDED), evaluated=lots.get(EVALUATED),
                      auction=Auction.objects.filter(lot=auctioned).first() if auctioned else None, bids_in=bids_in)


def competitor_cap(auction: Auction) -> Decimal:
    return auction.starting_price + CAP_INCREMENTS * auction.increment


def demo_competitor_sweep() -> dict:
    """Timed sweep: at most one competitor bid in the demo's live auction, when one is due."""
    now = clock.now()
    auction = (Auction.objects.filter(lot__project__code=AUCTIONED, starts_at__lte=now,
                                      status__in=[Auction.Status.FREE_BIDDING, Auction.Status.TIMED_BIDDING])
               .exclude(status=Auction.Status.TIMED_BIDDING, ends_at__lte=now).first())
    if auction is None:
        return {"raised": 0}
    bid = _bid_due(auction, now)
    if bid is None:
        return {"raised": 0}
    username, amount = bid
    try:
        auction_bid(auction_id=auction.pk, user=User.objects.get(username=username), amount=amount)
    except BiddingError:  # a bid came first, or the countdown ran out: the next run looks again
        return {"raised": 0}
    return {"raised": 1}


def _bid_due(auction: Auction, now: datetime) -> tuple[str, Decimal] | None:
    """(competitor, amount) of the bid due now, or None."""
    last = AuctionBid.objects.filter(auction=auction).select_related("placed_by").order_by("-position").first()
    if last is None:
        if now < auction.starts_at + FIRST_BID_AFTER:
            return None
        return COMPETITORS[0], auction.starting_price
    if last.placed_by.username in COMPETITORS:
        return None
    draw = random.Random(f"demo-auction:{auction.pk}:{last.position}:{last.at.isoformat()}")
    answers, wait = draw.random() < ANSWER_CHANCE, draw.uniform(*ANSWER_SECONDS)
    competitor, steps = draw.choice(COMPETITORS), draw.choice([1, 1, 2])
    first_lead = not AuctionBid.objects.filter(auction=auction, position__lt=last.position).exclude(
        placed_by__username__in=COMPETITORS).exists()
    if not (answers or first_lead) or now < last.at + timedelta(seconds=wait):
        return None
    cap = competitor_cap(auction)
    for amount in (last.amount + steps * auction.increment, last.amount + auction.increment):
        if amount <= cap:
            return competitor, amount
    return None
