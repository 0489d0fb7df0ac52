"""Listings (挂牌): staff set the terms, registered bidders quote during the listing period, and at
its close the listing is sold, unsold, or goes to a live auction.

- A quote is accepted by one conditional UPDATE of the listing row — live, within the lot's listing
  period by the server's clock, a whole number of increments above the current price (the first at
  the starting price or above it by increments) — and its row and event are written in the same
  transaction. Every attempt is answered: accepted, or refused with the reason.
- Bidders are known to each other by a random four-digit number, drawn when they first act.
- During the period a bidder may say they will continue to a live auction. At the close (a sweep):
  no quote → unsold; two or more bidders continuing → a live auction among them, starting at the
  highest quote plus one increment, with the same numbers and the sealed reserve; otherwise the
  highest quote is compared with the reserve, revealed by the custodians (``bidding.sales.services.reserve``)
  — at or above it, that bidder buys; under it, unsold. A lot without a sealed reserve sells to the
  highest quote."""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_lazy as _

from bidding.errors import BiddingError
from bidding.sales.models import DealConfirmation, Listing, ListingBidder, ListingQuote, SealedReserve
from bidding.sales.services.auctions import auction_from_listing
from bidding.sales.services.ladder import WHOLE_INCREMENTS_ABOVE, money
from bidding.sales.services.reserve import reserve_reveal_start
from bidding.sales.services.sales import sale_sold, sale_unsold
from bidding.sealed.services.bids import registered_bidder_check
from monitoring.events import actor_of, record
from trading import clock
from trading.models import Lot, User
from trading.money import yuan
from trading.services.moves import lot_lock

_LISTING = Listing._meta.db_table
_LOT = Lot._meta.db_table
NUMBERS = range(1000, 10000)  # four digits: the numbers a listing's bidders are known by


@dataclass(frozen=True)
class QuoteAnswer:
    price: Decimal
    position: int
    bidder_number: int
    at: datetime


def _subject(lot_id: int) -> str:
    return f"lot:{lot_id}"


def listing_create(*, lot_id: int, starting_price, increment, actor: str, auction_delay_minutes: int = 30,
                   auction_free_minutes: int = 10) -> Listing:
    """Set a listing lot's terms, before its period starts or while nobody has quoted yet."""
    starting, step = money(starting_price, _("Starting price")), money(increment, _("Increment"))
    with transaction.atomic():
        lot = lot_lock(lot_id)
        if not lot.is_listing or lot.status not in (Lot.Status.PUBLISHED, Lot.Status.LISTING):
            raise BiddingError("listing_not_allowed", _("Listing terms are set for a published listing lot."),
                               status=409)
        if Listing.objects.filter(lot=lot).exists():
            raise BiddingError("listing_exists", _("This lot's listing terms are set already."), status=409)
        listing = Listing.objects.create(lot=lot, starting_price=starting, increment=step, created_by=actor,
                                         auction_delay_minutes=auction_delay_minutes,
                                         auction_free_minutes=auction_free_minutes)
        record(kind="listing.terms_set", actor=actor, subject=_subject(lot.pk),
               data={"starting_price": str(starting), "increment": str(step),
                     "auction_delay_minutes": auction_delay_minutes, "auction_free_minutes": auction_free_minutes})
    return listing


def _bidder(listing: Listing, user: User) -> ListingBidder:
    """The user's organisation's place in the listing, drawing its number on its first act."""
    bidder = ListingBidder.objects.filter(listing=listing, organisation_id=user.organisation_id).first()
    while bidder is None:
        number = secrets.choice(NUMBERS)
        try:
            with transaction.atomic():
                bidder = ListingBidder.objects.create(listing=listing, organisation_id=user.organisation_id,
                                                      number=number)
        except IntegrityError:  # the number is taken, or the organisation's other user just drew one
            bidder = ListingBidder.objects.filter(listing=listing, organisation_id=user.organisation_id).first()
    return bidder


def _listing_of(lot_id: int) -> Listing:
    listing = Listing.objects.select_related("lot__project").filter(lot_id=lot_id).first()
    if listing is None:
        raise BiddingError("listing_not_found", _("This lot takes no quotes: its listing terms are not set."),
                           status=404)
    return listing


def listing_quote(*, lot_id: int, user: User, amount) -> QuoteAnswer:
    """Quote during the listing period; raises ``BiddingError`` with the reason when refused."""
    amount = money(amount, _("The quote"))
    listing = _listing_of(lot_id)
    registered_bidder_check(listing.lot, user)
    with transaction.atomic():  # a refused quote draws no number either
        bidder = _bidder(listing, user)
        now = clock.now()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {_LISTING} SET current_price = %(amount)s, leader_id = %(organisation)s,
                        leader_number = %(number)s, accepted_quotes = accepted_quotes + 1
                    WHERE id = %(listing)s AND status = %(quoting)s
                      AND EXISTS (SELECT 1 FROM {_LOT} WHERE {_LOT}.id = {_LISTING}.lot_id
                                  AND {_LOT}.status = %(lot_listing)s AND {_LOT}.listing_start <= %(now)s
                                  AND {_LOT}.listing_end > %(now)s)
                      AND {WHOLE_INCREMENTS_ABOVE}
                    RETURNING accepted_quotes""",
                {"amount": amount, "cents": int(amount * 100), "organisation": user.organisation_id,
                 "number": bidder.number, "listing": listing.pk, "quoting": Listing.Status.QUOTING,
                 "lot_listing": Lot.Status.LISTING, "now": connection.ops.adapt_datetimefield_value(now)})
            row = cursor.fetchone()
        if row is None:
            _refusal(listing.pk, amount, now)
        ListingQuote.objects.create(listing=listing, bidder=bidder, placed_by=user, amount=amount, at=now,
                                    position=row[0])
        record(kind="listing.quote_accepted", actor=f"bidder:{bidder.number}", subject=_subject(lot_id),
               data={"position": row[0], "bidder": bidder.number, "amount": str(amount), "at": now.isoformat()})
    return QuoteAnswer(price=amount, position=row[0], bidder_number=bidder.number, at=now)


def _refusal(listing_id: int, amount: Decimal, now: datetime):
    listing = Listing.objects.select_related("lot").get(pk=listing_id)
    lot = listing.lot
    if listing.status != Listing.Status.QUOTING or (lot.listing_end and lot.listing_end <= now):
        raise BiddingError("listing_closed", _("The listing period is over."), status=409)
    if lot.status != Lot.Status.LISTING or lot.listing_start is None or lot.listing_start > now:
        raise BiddingError("listing_not_open", _("The listing period has not started."), status=409)
    base = listing.current_price if listing.current_price is not None else listing.starting_price
    if amount < base or (listing.current_price is not None and amount == base):
        raise BiddingError("quote_too_low", _("The quote must beat the current price %(price)s.")
                           % {"price": yuan(base)}, status=409)
    raise BiddingError("not_whole_increments", _("The quote must be %(base)s plus a whole number of increments of "
                                                 "%(step)s.") % {"base": yuan(base), "step": yuan(listing.increment)},
                       status=409)


def listing_continue(*, lot_id: int, user: User) -> ListingBidder:
    """Say, before the close, that the organisation will continue to a live auction should the
    listing end contested. Told only to the audit chain: the others must not learn who is in."""
    listing = _listing_of(lot_id)
    registered_bidder_check(listing.lot, user)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().select_related("lot").get(pk=listing.pk)
        now = clock.now()
        if listing.status != Listing.Status.QUOTING or listing.lot.listing_end <= now:
            raise BiddingError("listing_closed", _("The listing period is over."), status=409)
        bidder = ListingBidder.objects.select_for_update().get(pk=_bidder(listing, user).pk)
        if bidder.continues_at is None:
            bidder.continues_at = now
            bidder.save(update_fields=["continues_at"])
            record(kind="listing.bidder_continues", actor=actor_of(user), subject=f"listing:{listing.pk}",
                   data={"bidder": bidder.number, "at": now.isoformat()})
    return bidder


def listing_close_sweep() -> dict:
    """Timed sweep: decide every listing lot whose period is over (see the module's docstring)."""
    now = clock.now()
    closed = 0
    due = (Lot.objects.filter(status=Lot.Status.LISTING, listing_end__lte=now)
           .exclude(listing__status__in=[Listing.Status.CLOSING, Listing.Status.CLOSED]).values_list("pk", flat=True))
    for lot_id in due:
        with transaction.atomic():
            lot = (Lot.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("project__market", "project__procedure")
                   .filter(pk=lot_id, status=Lot.Status.LISTING, listing_end__lte=now).first())
            if lot is None:
                continue
            listing = Listing.objects.select_for_update().filter(lot=lot).first()
            if listing is None or listing.status == Listing.Status.QUOTING:
                _close(lot, listing, now)
                closed += 1
    return {"closed": closed}


def _close(lot: Lot, listing: Listing | None, now: datetime) -> None:
    """Caller holds the lot's and the listing's locks."""
    actor, subject = "system:clock", _subject(lot.pk)
    if listing is None or listing.current_price is None:
        if listing is not None:
            listing.close()
            listing.closed_at, listing.outcome = now, Listing.Outcome.UNSOLD
            listing.save()
        record(kind="listing.closed", actor=actor, subject=subject, data={"quotes": 0, "outcome": "unsold"})
        sale_unsold(lot=lot, reason="no_quote", subject=subject, actor=actor)
        return
    continuing = list(listing.bidders.filter(continues_at__isnull=False).order_by("number"))
    data = {"quotes": listing.accepted_quotes, "highest": str(listing.current_price), "bidder": listing.leader_number}
    if len(continuing) >= 2:
        listing.close()
        listing.closed_at, listing.outcome = now, Listing.Outcome.AUCTION
        listing.save()
        record(kind="listing.closed", actor=actor, subject=subject,
               data={**data, "outcome": "auction", "continuing": len(continuing)})
        auction_from_listing(listing=listing, bidders=[(b.organisation_id, b.number) for b in continuing],
                             starts_at=now + timedelta(minutes=listing.auction_delay_minutes), actor=actor)
        return
    if SealedReserve.objects.filter(lot=lot).exists():
        listing.await_reserve()
        listing.save()
        record(kind="listing.closed", actor=actor, subject=subject, data={**data, "outcome": "awaiting_reserve"})
        reserve_reveal_start(lot=lot, actor=actor)
        return
    record(kind="listing.closed", actor=actor, subject=subject, data={**data, "outcome": "sold"})
    listing_decide(listing=listing, reserve=None, actor=actor)


def listing_decide(*, listing: Listing, reserve: Decimal | None, actor: str) -> DealConfirmation | None:
    """The highest quote against the reserve (None: no reserve). Caller holds the lot's lock."""
    lot = listing.lot
    listing.close()
    listing.closed_at = clock.now()
    sold = reserve is None or listing.current_price >= reserve
    listing.outcome = Listing.Outcome.SOLD if sold else Listing.Outcome.UNSOLD
    listing.save()
    if not sold:
        sale_unsold(lot=lot, reason="reserve_not_met", subject=_subject(lot.pk), actor=actor, reserve=reserve)
        return None
    return sale_sold(lot=lot, organisation_id=listing.leader_id, number=listing.leader_number,
                     price=listing.current_price, method=DealConfirmation.Method.LISTING, subject=_subject(lot.pk),
                     actor=actor, reserve=reserve)
