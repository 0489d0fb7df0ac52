"""Live English auctions: staff set one up for a lot whose listing goes to auction; registered
bidders bid by whole increments; the database orders the bids; a sweep moves the phases and ends it.

Every attempt is answered: accepted (with the new price, the bid's position and the countdown's new
end) or refused with a code. An accepted bid is one conditional UPDATE of the auction row — the
auction's only lock, held for that statement and the bid's insert — so two bids at the same price
cannot both win, and a bid that arrives after the countdown ran out cannot extend it."""
import asyncio
import functools
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import redis
import redis.asyncio
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from bidding.errors import BiddingError
from bidding.sales.models import Auction, AuctionBid, AuctionBidder, DealConfirmation, SealedReserve
from bidding.sales.services.ladder import WHOLE_INCREMENTS_ABOVE, money
from bidding.sales.services.reserve import reserve_reveal_start
from bidding.sales.services.sales import sale_sold, sale_unsold
from monitoring.events import actor_of, record
from trading import clock
from trading.models import Deposit, Lot, Registration, RuleCode, User
from trading.money import yuan
from trading.selectors_calendar import lot_published_at, rule_get
from trading.services.moves import lot_lock, lot_transition

_AUCTION = Auction._meta.db_table
# The bidder's seat and the price it last saw, in one read.
_SEAT = (f"SELECT b.id, b.number, a.countdown_seconds, a.current_price FROM {AuctionBidder._meta.db_table} b"
         f" JOIN {_AUCTION} a ON a.id = b.auction_id WHERE b.auction_id = %s AND b.organisation_id = %s")
# Every column of AuctionBid: a field added to the model must be added here.
_BID_INSERT = (f"INSERT INTO {AuctionBid._meta.db_table} (auction_id, bidder_id, placed_by_id, amount, at, position)"
               " VALUES (%s, %s, %s, %s, %s, %s)")
# Why a bid's conditional UPDATE matched nothing: the auction's phase (not started, ended) or else the
# price to beat, whether a bid set it, and the increment.
_STATE = ("SELECT CASE WHEN status = %(scheduled)s OR starts_at > %(now)s THEN 'not_started'"
          " WHEN status = %(ended)s OR (status = %(timed)s AND ends_at <= %(now)s) THEN 'ended'"
          " WHEN status = %(descending)s THEN 'descending' END,"
          " COALESCE(current_price, starting_price), current_price IS NOT NULL, increment"
          f" FROM {_AUCTION} WHERE id = %(auction)s")
_gates: dict[int, threading.Lock] = {}  # see _gate(); one lock per auction bid on in this process


@dataclass(frozen=True)
class Seat:
    """A bidder's seat in an auction (as ``_SEAT`` reads it) and the price read with it."""
    bidder_id: int
    number: int
    countdown_seconds: int
    seen: Decimal | float | None


@dataclass(frozen=True)
class BidAnswer:
    price: Decimal
    position: int
    bidder_number: int
    ends_at: datetime | None


def auction_create(*, lot_id: int, starting_price, starts_at: datetime, actor: str, increment=None,
                   free_minutes: int = 0, reserve_price=None, method: str = Auction.Method.ENGLISH,
                   floor_price=None, decrement=None, step_seconds: int | None = None) -> Auction:
    """Move a listing lot to a live auction; every registration approved, with its deposit in where
    the lot asks one, becomes a bidder with a random number.

    English: ``increment``, ``free_minutes`` and an optional plain ``reserve_price``; the countdown
    comes from the rule table (``auction_countdown``). Descending: ``floor_price`` (public, the
    lowest price the seller takes), ``decrement`` and ``step_seconds``."""
    starting = money(starting_price, _("Starting price"))
    if method == Auction.Method.DESCENDING:
        floor, step = money(floor_price, _("Floor price")), money(decrement, _("Decrement"))
        if floor >= starting:
            raise BiddingError("bad_floor", _("The floor price must be under the starting price."))
        if not step_seconds or step_seconds < 1:
            raise BiddingError("bad_step", _("The price steps down at least a second apart."))
        terms = {"floor_price": floor, "decrement": step, "increment": step, "step_seconds": step_seconds,
                 "free_until": starts_at, "countdown_seconds": 0}
    elif method == Auction.Method.ENGLISH:
        if free_minutes < 0:
            raise BiddingError("bad_free_phase", _("The free-bidding phase cannot be negative."))
        terms = {"increment": money(increment, _("Increment")),
                 "reserve_price": money(reserve_price, _("Reserve price")) if reserve_price not in (None, "") else None,
                 "free_until": starts_at + timedelta(minutes=free_minutes)}
    else:
        raise BiddingError("bad_method", _("There is no such auction method."))
    with transaction.atomic():
        lot = lot_lock(lot_id)
        if lot.status != Lot.Status.LISTING:
            raise BiddingError("auction_not_allowed", _("A live auction follows a listing."), status=409)
        registrations = Registration.objects.filter(lot=lot, status=Registration.Status.APPROVED)
        if lot.deposit:
            registrations = registrations.filter(deposit__status=Deposit.Status.RECEIVED)
        organisations = list(registrations.values_list("organisation_id", flat=True))
        numbers = list(range(1, len(organisations) + 1))
        secrets.SystemRandom().shuffle(numbers)  # nobody can tell a bidder by their number
        return _auction_make(lot=lot, bidders=list(zip(organisations, numbers)), method=method, starting=starting,
                             starts_at=starts_at, actor=actor, **terms)


def auction_from_listing(*, listing, bidders: list[tuple[int, int]], starts_at: datetime, actor: str) -> Auction:
    """The listing ended contested: a live English auction among the bidders who continue, with
    their listing numbers, from the highest quote plus one increment; the lot's sealed reserve (if
    any) decides the result. Caller holds the lot's lock."""
    return _auction_make(lot=listing.lot, bidders=bidders, method=Auction.Method.ENGLISH,
                         starting=listing.current_price + listing.increment, increment=listing.increment,
                         starts_at=starts_at, free_until=starts_at + timedelta(minutes=listing.auction_free_minutes),
                         actor=actor)


def _auction_make(*, lot: Lot, bidders: list[tuple[int, int]], method: str, starting: Decimal, starts_at: datetime,
                  actor: str, **terms) -> Auction:
    """Caller holds the lot's lock."""
    if Auction.objects.filter(lot=lot).exists():
        raise BiddingError("auction_exists", _("This lot has an auction already."), status=409)
    if len(bidders) < 2:
        raise BiddingError("too_few_bidders", _("A live auction needs at least two registered bidders."), status=409)
    if "countdown_seconds" not in terms:
        terms["countdown_seconds"] = rule_get(market=lot.project.market_id, procedure=lot.project.procedure,
                                              code=RuleCode.AUCTION_COUNTDOWN,
                                              at=lot_published_at(lot=lot)).amount * 60
    auction = Auction(lot=lot, method=method, starting_price=starting, starts_at=starts_at, created_by=actor, **terms)
    if auction.is_descending:
        # Nobody accepting for one whole step at the floor leaves the lot unsold.
        steps = -(-(auction.starting_price - auction.floor_price) // auction.decrement)
        auction.ends_at = starts_at + timedelta(seconds=auction.step_seconds * (int(steps) + 1))
    auction.save()
    AuctionBidder.objects.bulk_create(AuctionBidder(auction=auction, organisation_id=organisation, number=number)
                                      for organisation, number in bidders)
    lot_transition(lot_id=lot.pk, transition="start_auction", actor=actor)
    data = {"lot": lot.pk, "method": method, "starting_price": str(starting), "increment": str(auction.increment),
            "starts_at": starts_at.isoformat(), "bidders": len(bidders)}
    if auction.is_descending:
        data.update(floor_price=str(auction.floor_price), decrement=str(auction.decrement),
                    step_seconds=auction.step_seconds, ends_at=auction.ends_at.isoformat())
    else:
        data.update(free_until=auction.free_until.isoformat(), countdown_seconds=auction.countdown_seconds)
    record(kind="auction.scheduled", actor=actor, subject=f"auction:{auction.pk}", data=data)
    return auction


def auction_bid(*, auction_id: int, user: User, amount) -> BidAnswer:
    """Place a bid; raises ``BiddingError`` with the reason when it is refused (nothing changes then).

    Only ``user.pk`` and ``user.organisation_id`` are read: the API's token path passes a user built
    from its authentication query. Statements kept to what the rules need (bench_auction, 2 cores):
    one read of the bidder's seat and the price, the conditional UPDATE, the bid's INSERT and the
    audit append; plain SQL where the ORM's compiling cost more than the statement.
    """
    amount = money(amount, _("The bid"))
    seat = None
    if user.organisation_id:
        with connection.cursor() as cursor:
            cursor.execute(_SEAT, [auction_id, user.organisation_id])
            row = cursor.fetchone()
        seat = Seat(*row) if row else None
    if seat is None:
        raise _not_a_bidder()
    _rate_check(auction_id, seat.number)
    auction_bid_price_check(amount=amount, seat=seat)
    return auction_bid_place(auction_id=auction_id, user=user, amount=amount, seat=seat)


async def auction_bid_screen(*, auction_id: int, amount, seat: Seat | None) -> Decimal:
    """``auction_bid``'s checks before the auction row, in the same order, for a caller on an event
    loop that read the seat itself: the bid's amount, or ``BiddingError``. Most attempts on a hot
    auction end here, refused as too low; the rest go on to ``auction_bid_place``."""
    amount = money(amount, _("The bid"))
    if seat is None:
        raise _not_a_bidder()
    await _rate_check_async(auction_id, seat.number)
    auction_bid_price_check(amount=amount, seat=seat)
    return amount


def auction_bid_place(*, auction_id: int, user: User, amount: Decimal, seat: Seat) -> BidAnswer:
    """The bid past ``auction_bid``'s checks (``amount`` read by ``money``): the conditional UPDATE,
    the bid's INSERT and the audit append, or the refusal."""
    with _gate(auction_id), transaction.atomic():
        now = clock.now()
        extended = now + timedelta(seconds=seat.countdown_seconds)
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
                      AND {WHOLE_INCREMENTS_ABOVE}
                    RETURNING accepted_bids, status""",
                {"amount": amount, "cents": int(amount * 100), "organisation": user.organisation_id,
                 "number": seat.number, "now": connection.ops.adapt_datetimefield_value(now),
                 "auction": auction_id, "extended": connection.ops.adapt_datetimefield_value(extended),
                 "free": Auction.Status.FREE_BIDDING, "timed": Auction.Status.TIMED_BIDDING})
            row = cursor.fetchone()
            if row is None:
                _refusal(auction_id, amount, now)
            position = row[0]
            ends_at = extended if row[1] == Auction.Status.TIMED_BIDDING else None
            # Under the auction row's lock until commit: every attempt behind it waits this long.
            cursor.execute(_BID_INSERT, [auction_id, seat.bidder_id, user.pk, amount,
                                         connection.ops.adapt_datetimefield_value(now), position])
        record(kind="auction.bid_accepted", actor=f"bidder:{seat.number}", subject=f"auction:{auction_id}",
               data={"position": position, "bidder": seat.number, "amount": str(amount), "at": now.isoformat(),
                     "ends_at": ends_at.isoformat() if ends_at else None})
    return BidAnswer(price=amount, position=position, bidder_number=seat.number, ends_at=ends_at)


def _not_a_bidder() -> BiddingError:
    return BiddingError("not_a_bidder_here", _("Your organisation is not a bidder in this auction."), status=403)


def auction_bid_price_check(*, amount: Decimal, seat: Seat) -> None:
    """Prices only rise: a bid at or under any price read before (``seat.seen``) is too low for good.
    Refusing it from a plain read spares it the wait for the auction row's lock, behind which every
    attempt queues."""
    if seat.seen is not None and amount <= _cents(seat.seen):
        raise _too_low(_cents(seat.seen))


def _gate(auction_id: int) -> threading.Lock:
    """This process's one way to the auction row: its bids wait here, not in PostgreSQL.

    Without it, a process's worker threads (6) queued at the row's lock behind each accepted bid,
    and most of them were refused there once it committed; PostgreSQL wakes such waiters one after
    the other (bench_auction: 2.6 backends waiting on average, 404 answered bids/s; with 16 threads
    21 waiting, 315/s). Behind the gate: none waiting, 478/s. The database still orders the bids.
    """
    return _gates.setdefault(auction_id, threading.Lock())


def _rate_check(auction_id: int, number: int) -> None:
    """At most ``PLATFORM_AUCTION_BID_RATE`` attempts per bidder per auction in each second (a fixed
    window shared by every server process); beyond it the attempt is answered, refused, and changes
    nothing. With Redis one INCR and EXPIRE in one round trip (the cache's add and incr took three);
    without it (embedded mode, one process) the cache."""
    rate = settings.PLATFORM_AUCTION_BID_RATE
    if rate <= 0:
        return
    key = _rate_key(auction_id, number)
    if settings.REDIS_URL:
        key = cache.make_key(key)
        attempts, _expiry = _redis().pipeline(transaction=False).incr(key).expire(key, 2).execute()
    else:
        cache.add(key, 0, timeout=2)
        attempts = cache.incr(key)
    _rate_judge(attempts, rate)


async def _rate_check_async(auction_id: int, number: int) -> None:
    """``_rate_check`` on an event loop: Redis through its asyncio client; without Redis the
    in-process cache, which waits on nothing."""
    rate = settings.PLATFORM_AUCTION_BID_RATE
    if rate <= 0:
        return
    if not settings.REDIS_URL:
        return _rate_check(auction_id, number)
    key = cache.make_key(_rate_key(auction_id, number))
    attempts, _expiry = await _redis_async().pipeline(transaction=False).incr(key).expire(key, 2).execute()
    _rate_judge(attempts, rate)


def _rate_key(auction_id: int, number: int) -> str:
    return f"auction-rate:{auction_id}:{number}:{int(time.time())}"


def _rate_judge(attempts: int, rate: int) -> None:
    if attempts > rate:
        raise BiddingError("rate_limited", _("Too many bids: at most %(rate)d a second.") % {"rate": rate},
                           status=429)


@functools.cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


_redis_of_loop: list = [None, None]  # (event loop, its asyncio client): see _redis_async()


def _redis_async() -> redis.asyncio.Redis:
    """The asyncio client of the running loop: its connections belong to that loop. A server runs
    one loop; tests run each request in a loop of their own, whose client is dropped with it."""
    loop = asyncio.get_running_loop()
    if _redis_of_loop[0] is not loop:
        _redis_of_loop[:] = [loop, redis.asyncio.Redis.from_url(settings.REDIS_URL)]
    return _redis_of_loop[1]


def _too_low(price: Decimal) -> BiddingError:
    return BiddingError("bid_too_low", _("The bid must beat the current price %(price)s.") % {"price": yuan(price)},
                        status=409)


def _refusal(auction_id: int, amount: Decimal, now: datetime):
    """Say why the conditional update matched nothing (read after it, so it names the current state).

    The state is judged in the statement, as the UPDATE judged it: the ORM's read of the auction cost
    ~7 % of a server process's CPU in bench_auction, where a refusal after the row's lock is common."""
    with connection.cursor() as cursor:
        cursor.execute(_STATE, {"auction": auction_id, "now": connection.ops.adapt_datetimefield_value(now),
                                "scheduled": Auction.Status.SCHEDULED, "ended": Auction.Status.ENDED,
                                "timed": Auction.Status.TIMED_BIDDING, "descending": Auction.Status.DESCENDING})
        row = cursor.fetchone()
    if row is None:
        raise BiddingError("auction_not_found", _("There is no such auction."), status=404)
    state, base, bid_before, step = row
    if state == "not_started":
        raise BiddingError("auction_not_started", _("The auction has not started."), status=409)
    if state == "ended":
        raise BiddingError("auction_ended", _("The auction has ended."), status=409)
    if state == "descending":
        raise BiddingError("descending_accept_only", _("This auction's price descends: accept it, do not bid."),
                           status=409)
    base, step = _cents(base), _cents(step)
    if amount < base or (bid_before and amount == base):
        raise _too_low(base)
    raise BiddingError("not_whole_increments", _("The bid must be %(base)s plus a whole number of increments of "
                                                 "%(step)s.") % {"base": yuan(base), "step": yuan(step)}, status=409)


def _cents(value) -> Decimal:
    """A money column as read by a plain cursor: SQLite's driver gives a float."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def auction_accept(*, auction_id: int, user: User) -> BidAnswer:
    """Accept a descending auction's price of this moment (server time): the first to accept buys.

    One conditional UPDATE takes the auction only while it is descending, started, not run out and
    without a buyer, so of two bidders accepting at once exactly one gets it; the auction ends, the
    lot is sold and the deal confirmed in the same transaction."""
    bidder = (AuctionBidder.objects.filter(auction_id=auction_id, organisation_id=user.organisation_id).first()
              if user.organisation_id else None)
    if bidder is None:
        raise BiddingError("not_a_bidder_here", _("Your organisation is not a bidder in this auction."), status=403)
    _rate_check(auction_id, bidder.number)
    with transaction.atomic():
        now = clock.now()
        auction = Auction.objects.filter(pk=auction_id, method=Auction.Method.DESCENDING).first()
        if auction is None:
            raise BiddingError("not_descending", _("Only a descending auction's price is accepted."), status=409)
        price = auction.price_at(now)
        taken = Auction.objects.filter(pk=auction_id, status=Auction.Status.DESCENDING, starts_at__lte=now,
                                       ends_at__gt=now, leader__isnull=True).update(
            current_price=price, leader_id=user.organisation_id, leader_number=bidder.number, accepted_bids=1)
        if not taken:
            auction = Auction.objects.get(pk=auction_id)
            if auction.status == Auction.Status.SCHEDULED or auction.starts_at > now:
                raise BiddingError("auction_not_started", _("The auction has not started."), status=409)
            raise BiddingError("auction_ended", _("The auction has ended."), status=409)
        auction = Auction.objects.select_for_update().select_related("lot__project__market").get(pk=auction_id)
        AuctionBid.objects.create(auction=auction, bidder=bidder, placed_by=user, amount=price, at=now, position=1)
        record(kind="auction.bid_accepted", actor=f"bidder:{bidder.number}", subject=f"auction:{auction_id}",
               data={"position": 1, "bidder": bidder.number, "amount": str(price), "at": now.isoformat(),
                     "ends_at": None})
        auction.end()
        auction.ended_at, auction.ends_at = now, now
        _decide(auction, reserve=None, actor=actor_of(user))
    return BidAnswer(price=price, position=1, bidder_number=bidder.number, ends_at=None)


def auction_due_sweep() -> dict:
    """Timed sweep: open scheduled auctions, start the countdowns, end those that ran out."""
    now = clock.now()
    moved = 0
    for status, field in ((Auction.Status.SCHEDULED, "starts_at"), (Auction.Status.FREE_BIDDING, "free_until"),
                          (Auction.Status.TIMED_BIDDING, "ends_at"), (Auction.Status.DESCENDING, "ends_at")):
        for auction_id in Auction.objects.filter(status=status, **{f"{field}__lte": now}).values_list("pk", flat=True):
            with transaction.atomic():
                auction = (Auction.objects.select_for_update(skip_locked=True)
                           .select_related("lot__project__market", "lot__project__procedure")
                           .filter(pk=auction_id, status=status, **{f"{field}__lte": now}).first())
                if auction is not None and _move(auction, now):
                    moved += 1
    return {"moved": moved}


# Checks that must hold before an auction opens, registered by the apps above bidding when they are
# ready (supervisors: a major auction waits for an official's check-in). Each takes the lot and
# returns data for the opening event, or raises a BiddingError; the sweep then holds the auction.
_start_guards: list = []


def start_guards_register(guard) -> None:
    if guard not in _start_guards:
        _start_guards.append(guard)


def _guarded(auction: Auction, now: datetime, subject: str) -> dict | None:
    """The start guards' data, or None when one holds the auction back (recorded once, the first
    time). Caller holds the auction's lock."""
    guarded = {}
    try:
        for guard in _start_guards:
            guarded.update(guard(lot=auction.lot))
    except BiddingError as refusal:
        if auction.held_at is None:
            auction.held_at = now
            auction.save(update_fields=["held_at"])
            record(kind="auction.start_held", actor="system:clock", subject=subject,
                   data={"code": refusal.code, "lot": auction.lot_id})
        return None
    return guarded


def _move(auction: Auction, now: datetime) -> bool:
    """Caller holds the auction's lock. False when a start guard holds the auction back."""
    subject = f"auction:{auction.pk}"
    if auction.status == Auction.Status.SCHEDULED:
        guarded = _guarded(auction, now, subject)
        if guarded is None:
            return False
        if auction.held_at is not None:  # opened late: every phase moves on by the delay
            delay = now - auction.starts_at
            auction.starts_at, auction.free_until = now, auction.free_until + delay
            auction.ends_at = auction.ends_at + delay if auction.ends_at else None
        if auction.is_descending:
            auction.start_descent()
        else:
            auction.open()
        auction.save()
        record(kind="auction.opened", actor="system:clock", subject=subject,
               data={"free_until": auction.free_until.isoformat(), "ends_at": _iso(auction.ends_at), **guarded})
    elif auction.status == Auction.Status.FREE_BIDDING:
        auction.start_countdown()
        auction.ends_at = now + timedelta(seconds=auction.countdown_seconds)
        auction.save()
        record(kind="auction.countdown_started", actor="system:clock", subject=subject,
               data={"ends_at": auction.ends_at.isoformat()})
    else:
        auction.end()
        auction.ended_at = now
        if auction.current_price is not None and SealedReserve.objects.filter(
                lot_id=auction.lot_id, revealed_at__isnull=True).exists():
            # A listing's sealed reserve decides: the custodians reveal it, then ``auction_decide``.
            auction.save()
            record(kind="auction.ended", actor="system:clock", subject=subject,
                   data={"outcome": "awaiting_reserve", "bids": auction.accepted_bids})
            reserve_reveal_start(lot=lot_lock(auction.lot_id), actor="system:clock")
            return True
        _decide(auction, reserve=auction.reserve_price, actor="system:clock")
    return True


def auction_decide(*, lot_id: int, reserve: Decimal, actor: str) -> None:
    """The sealed reserve is revealed: the ended auction's result (in the reveal's transaction)."""
    auction = Auction.objects.select_for_update().select_related("lot__project__market").get(lot_id=lot_id)
    _decide(auction, reserve=reserve, actor=actor)


def _decide(auction: Auction, *, reserve: Decimal | None, actor: str) -> None:
    """Sold if the highest bid reaches ``reserve`` (None: no reserve), else unsold. Caller holds the
    auction's lock; the auction has ended."""
    subject = f"auction:{auction.pk}"
    sold = auction.current_price is not None and (reserve is None or auction.current_price >= reserve)
    auction.outcome = Auction.Outcome.SOLD if sold else Auction.Outcome.UNSOLD
    auction.save()
    record(kind="auction.ended", actor=actor, subject=subject,
           data={"outcome": auction.outcome, "price": str(auction.current_price) if sold else None,
                 "bidder": auction.leader_number if sold else None, "bids": auction.accepted_bids})
    if sold:
        sale_sold(lot=auction.lot, organisation_id=auction.leader_id, number=auction.leader_number,
                  price=auction.current_price, subject=subject, actor=actor, reserve=reserve,
                  method=(DealConfirmation.Method.DESCENDING if auction.is_descending
                          else DealConfirmation.Method.AUCTION))
    else:
        sale_unsold(lot=auction.lot, reason="no_bid" if auction.current_price is None else "reserve_not_met",
                    subject=subject, actor=actor, reserve=reserve)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
