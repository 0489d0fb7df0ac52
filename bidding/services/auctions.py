"""Live English auctions: staff set one up for a lot whose listing goes to auction; registered
bidders bid by whole increments; the database orders the bids; a sweep moves the phases and ends it.

Every attempt is answered: accepted (with the new price, the bid's position and the countdown's new
end) or refused with a code. An accepted bid is one conditional UPDATE of the auction row — the
auction's only lock, held for that statement and the bid's insert — so two bids at the same price
cannot both win, and a bid that arrives after the countdown ran out cannot extend it.
"""
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from bidding.errors import BiddingError
from bidding.models import Auction, AuctionBid, AuctionBidder
from monitoring.events import record
from trading import clock
from trading.models import Lot, Registration, RuleCode, User
from trading.selectors_calendar import rule_get
from trading.services.lots import lot_lock, lot_transition

_AUCTION = Auction._meta.db_table
LIVE = (Auction.Status.FREE_BIDDING, Auction.Status.TIMED_BIDDING)


@dataclass(frozen=True)
class BidAnswer:
    price: Decimal
    position: int
    bidder_number: int
    ends_at: datetime | None


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise BiddingError("not_an_amount", _("%(field)s is not an amount of money.") % {"field": field}) from None
    if amount <= 0 or amount != Decimal(str(value)):
        raise BiddingError("not_an_amount", _("%(field)s must be positive, in yuan with at most 2 decimals.")
                           % {"field": field})
    return amount


def auction_create(*, lot_id: int, starting_price, increment, starts_at: datetime, free_minutes: int,
                   actor: str, reserve_price=None) -> Auction:
    """Move a listing lot to a live auction; every approved registration becomes a numbered bidder.

    The countdown comes from the rule table (``auction_countdown``)."""
    starting, step = _money(starting_price, _("Starting price")), _money(increment, _("Increment"))
    reserve = _money(reserve_price, _("Reserve price")) if reserve_price not in (None, "") else None
    if free_minutes < 0:
        raise BiddingError("bad_free_phase", _("The free-bidding phase cannot be negative."))
    with transaction.atomic():
        lot = lot_lock(lot_id)
        if lot.status != Lot.Status.LISTING:
            raise BiddingError("auction_not_allowed", _("A live auction follows a listing."), status=409)
        if Auction.objects.filter(lot=lot).exists():
            raise BiddingError("auction_exists", _("This lot has an auction already."), status=409)
        organisations = list(Registration.objects.filter(lot=lot, status=Registration.Status.APPROVED)
                             .values_list("organisation_id", flat=True))
        if len(organisations) < 2:
            raise BiddingError("too_few_bidders", _("A live auction needs at least two registered bidders."),
                               status=409)
        countdown = rule_get(market=lot.project.market_id, procedure=lot.project.procedure,
                             code=RuleCode.AUCTION_COUNTDOWN)
        auction = Auction.objects.create(
            lot=lot, starting_price=starting, increment=step, reserve_price=reserve, starts_at=starts_at,
            free_until=starts_at + timedelta(minutes=free_minutes),
            countdown_seconds=countdown.amount * 60, created_by=actor)
        numbers = list(range(1, len(organisations) + 1))
        secrets.SystemRandom().shuffle(numbers)  # nobody can tell a bidder by their number
        AuctionBidder.objects.bulk_create(AuctionBidder(auction=auction, organisation_id=organisation, number=number)
                                          for organisation, number in zip(organisations, numbers))
        lot_transition(lot_id=lot.pk, transition="start_auction", actor=actor)
        record(kind="auction.scheduled", actor=actor, subject=f"auction:{auction.pk}",
               data={"lot": lot.pk, "starting_price": str(starting), "increment": str(step),
                     "starts_at": starts_at.isoformat(), "free_until": auction.free_until.isoformat(),
                     "countdown_seconds": auction.countdown_seconds, "bidders": len(organisations)})
    return auction


def auction_bid(*, auction_id: int, user: User, amount) -> BidAnswer:
    """Place a bid; raises ``BiddingError`` with the reason when it is refused (nothing changes then)."""
    amount = _money(amount, _("The bid"))
    bidder = (AuctionBidder.objects.select_related("auction").filter(auction_id=auction_id,
                                                                     organisation_id=user.organisation_id).first()
              if user.organisation_id else None)
    if bidder is None:
        raise BiddingError("not_a_bidder_here", _("Your organisation is not a bidder in this auction."), status=403)
    _rate_check(auction_id, bidder.number)
    # Prices only rise: a bid at or under any price read before is too low for good. Refusing it from
    # a plain read spares it the wait for the auction row's lock, behind which every attempt queues.
    seen = Auction.objects.filter(pk=auction_id).values_list("current_price", flat=True).first()
    if seen is not None and amount <= seen:
        raise _too_low(seen)
    with transaction.atomic():
        now = clock.now()
        extended = now + timedelta(seconds=bidder.auction.countdown_seconds)
        # The whole rule in one statement: live, not run out, a whole number of increments above the
        # current price (or from the starting price for the first bid), compared in cents so that
        # SQLite's floats agree with PostgreSQL's numerics. A timed-phase bid restarts the countdown.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {_AUCTION} SET current_price = %(amount)s, leader_id = %(organisation)s,
                        leader_number = %(number)s, accepted_bids = accepted_bids + 1,
                        ends_at = CASE WHEN status = %(timed)s THEN %(extended)s ELSE ends_at END
                    WHERE id = %(auction)s AND status IN (%(free)s, %(timed)s) AND starts_at <= %(now)s
                      AND (status = %(free)s OR ends_at > %(now)s)
                      AND CASE WHEN current_price IS NULL
                               THEN %(cents)s >= CAST(ROUND(starting_price * 100) AS BIGINT)
                                    AND MOD(%(cents)s - CAST(ROUND(starting_price * 100) AS BIGINT),
                                            CAST(ROUND(increment * 100) AS BIGINT)) = 0
                               ELSE %(cents)s > CAST(ROUND(current_price * 100) AS BIGINT)
                                    AND MOD(%(cents)s - CAST(ROUND(current_price * 100) AS BIGINT),
                                            CAST(ROUND(increment * 100) AS BIGINT)) = 0 END
                    RETURNING accepted_bids, status""",
                {"amount": amount, "cents": int(amount * 100), "organisation": user.organisation_id,
                 "number": bidder.number, "now": connection.ops.adapt_datetimefield_value(now),
                 "auction": auction_id, "extended": connection.ops.adapt_datetimefield_value(extended),
                 "free": Auction.Status.FREE_BIDDING, "timed": Auction.Status.TIMED_BIDDING})
            row = cursor.fetchone()
        if row is None:
            _refusal(auction_id, amount, now)
        position = row[0]
        ends_at = extended if row[1] == Auction.Status.TIMED_BIDDING else None
        AuctionBid.objects.create(auction_id=auction_id, bidder=bidder, placed_by=user, amount=amount, at=now,
                                  position=position)
        record(kind="auction.bid_accepted", actor=f"bidder:{bidder.number}", subject=f"auction:{auction_id}",
               data={"position": position, "bidder": bidder.number, "amount": str(amount), "at": now.isoformat(),
                     "ends_at": ends_at.isoformat() if ends_at else None})
    return BidAnswer(price=amount, position=position, bidder_number=bidder.number, ends_at=ends_at)


def _rate_check(auction_id: int, number: int) -> None:
    """At most ``PLATFORM_AUCTION_BID_RATE`` attempts per bidder per auction in each second (a fixed
    window in the shared cache); beyond it the attempt is answered, refused, and changes nothing."""
    rate = settings.PLATFORM_AUCTION_BID_RATE
    if rate <= 0:
        return
    key = f"auction-rate:{auction_id}:{number}:{int(time.time())}"
    cache.add(key, 0, timeout=2)
    if cache.incr(key) > rate:
        raise BiddingError("rate_limited", _("Too many bids: at most %(rate)d a second.") % {"rate": rate},
                           status=429)


def _too_low(price: Decimal) -> BiddingError:
    return BiddingError("bid_too_low", _("The bid must beat the current price %(price)s.") % {"price": price},
                        status=409)


def _refusal(auction_id: int, amount: Decimal, now: datetime):
    """Say why the conditional update matched nothing (read after it, so it names the current state)."""
    auction = Auction.objects.filter(pk=auction_id).first()
    if auction is None:
        raise BiddingError("auction_not_found", _("There is no such auction."), status=404)
    if auction.status == Auction.Status.SCHEDULED or auction.starts_at > now:
        raise BiddingError("auction_not_started", _("The auction has not started."), status=409)
    if auction.status == Auction.Status.ENDED or (auction.status == Auction.Status.TIMED_BIDDING
                                                   and auction.ends_at <= now):
        raise BiddingError("auction_ended", _("The auction has ended."), status=409)
    base = auction.current_price if auction.current_price is not None else auction.starting_price
    if amount < base or (auction.current_price is not None and amount == base):
        raise _too_low(base)
    raise BiddingError("not_whole_increments", _("The bid must be %(base)s plus a whole number of increments of "
                                                 "%(step)s.") % {"base": base, "step": auction.increment}, status=409)


def auction_due_sweep() -> dict:
    """Timed sweep: open scheduled auctions, start the countdowns, end those that ran out."""
    now = clock.now()
    moved = 0
    for status, field in ((Auction.Status.SCHEDULED, "starts_at"), (Auction.Status.FREE_BIDDING, "free_until"),
                          (Auction.Status.TIMED_BIDDING, "ends_at")):
        for auction_id in Auction.objects.filter(status=status, **{f"{field}__lte": now}).values_list("pk", flat=True):
            with transaction.atomic():
                auction = (Auction.objects.select_for_update(skip_locked=True)
                           .filter(pk=auction_id, status=status, **{f"{field}__lte": now}).first())
                if auction is not None:
                    _move(auction, now)
                    moved += 1
    return {"moved": moved}


def _move(auction: Auction, now: datetime) -> None:
    """Caller holds the auction's lock."""
    subject = f"auction:{auction.pk}"
    if auction.status == Auction.Status.SCHEDULED:
        auction.open()
        auction.save()
        record(kind="auction.opened", actor="system:clock", subject=subject, data={"free_until": auction.free_until.isoformat()})
    elif auction.status == Auction.Status.FREE_BIDDING:
        auction.start_countdown()
        auction.ends_at = now + timedelta(seconds=auction.countdown_seconds)
        auction.save()
        record(kind="auction.countdown_started", actor="system:clock", subject=subject,
               data={"ends_at": auction.ends_at.isoformat()})
    else:
        sold = auction.current_price is not None and (auction.reserve_price is None
                                                       or auction.current_price >= auction.reserve_price)
        auction.end()
        auction.ended_at, auction.outcome = now, Auction.Outcome.SOLD if sold else Auction.Outcome.UNSOLD
        auction.save()
        lot_transition(lot_id=auction.lot_id, transition="award" if sold else "fail", actor="system:clock",
                       data={"auction": auction.pk, "outcome": auction.outcome})
        record(kind="auction.ended", actor="system:clock", subject=subject,
               data={"outcome": auction.outcome, "price": str(auction.current_price) if sold else None,
                     "bidder": auction.leader_number if sold else None, "bids": auction.accepted_bids})
