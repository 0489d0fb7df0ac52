"""Reads of sales: auctions and their ladders, listings, bidder numbers, deals."""
from datetime import datetime

from django.db.models import QuerySet

from bidding.sales.models import Auction, AuctionBidder, DealConfirmation, Listing, ListingBidder, SealedReserve


def auction_lot_id(*, auction_id: int) -> int | None:
    return Auction.objects.filter(pk=auction_id).values_list("lot_id", flat=True).first()


def auction_bidder_number(*, auction_id: int, organisation_id: int | None) -> int | None:
    """The number an organisation bids under in an auction, or None if it is not one of its bidders."""
    if organisation_id is None:
        return None
    return (AuctionBidder.objects.filter(auction_id=auction_id, organisation_id=organisation_id)
            .values_list("number", flat=True).first())

# The latest bids or quotes shown with an auction or a listing: a hot one's readers poll it, and the
# whole ladder grows with every bid (the room's events carry every one).
LADDER = 50


def auction_state(*, auction_id: int) -> Auction | None:
    """The auction with its latest bids (``ladder``, by number only; never the reserve)."""
    auction = Auction.objects.filter(pk=auction_id).first()
    if auction is not None:
        auction.ladder = list(auction.bids.select_related("bidder").order_by("-position")[:LADDER])[::-1]
    return auction


def listing_state(*, lot_id: int) -> Listing | None:
    """The listing with what the public may see of it: the latest quotes (by number), whether a
    reserve is sealed, the reserve once revealed, the auction it went to."""
    listing = Listing.objects.select_related("lot").filter(lot_id=lot_id).first()
    if listing is None:
        return None
    listing.ladder = list(listing.quotes.select_related("bidder").order_by("-position")[:LADDER])[::-1]
    reserve = SealedReserve.objects.filter(lot_id=lot_id).first()
    listing.reserve_sealed = reserve is not None
    listing.reserve = reserve.revealed_price if reserve else None
    listing.auction = Auction.objects.filter(lot_id=lot_id).values_list("pk", flat=True).first()
    return listing


def listing_bidder_number(*, lot_id: int, organisation_id: int | None) -> tuple[int | None, bool]:
    """The organisation's number in the lot's listing (None before its first act) and whether it
    said it would continue to an auction."""
    row = (ListingBidder.objects.filter(listing__lot_id=lot_id, organisation_id=organisation_id)
           .values_list("number", "continues_at").first()) if organisation_id else None
    return (row[0], row[1] is not None) if row else (None, False)


def deal_of_lot(*, lot_id: int) -> DealConfirmation | None:
    return DealConfirmation.objects.select_related("organisation", "lot").filter(lot_id=lot_id).first()


def auctions_of_organisation(*, organisation_id: int | None) -> QuerySet[Auction]:
    """The auctions not yet ended in which an organisation bids, with the lot, the soonest first."""
    if organisation_id is None:
        return Auction.objects.none()
    return (Auction.objects.filter(bidders__organisation_id=organisation_id).exclude(status=Auction.Status.ENDED)
            .select_related("lot__project").order_by("starts_at", "pk"))


def auctions_to_host(*, until: datetime) -> QuerySet[Auction]:
    """Auctions not yet ended that start before ``until`` (those under way too), the soonest first."""
    return (Auction.objects.filter(starts_at__lt=until).exclude(status=Auction.Status.ENDED)
            .select_related("lot__project").order_by("starts_at", "pk"))


def deals_of_organisation(*, organisation_id: int | None) -> QuerySet[DealConfirmation]:
    """The deals an organisation won (its deal confirmations), with the lot, the newest first."""
    if organisation_id is None:
        return DealConfirmation.objects.none()
    return (DealConfirmation.objects.filter(organisation_id=organisation_id).select_related("lot__project")
            .order_by("-issued_at", "-pk"))
