"""Reads of the bidding app."""
from django.db.models import QuerySet

from bidding.models import Auction, AuctionBidder, Bid, OpeningSession


def bids_of_organisation(*, lot_id: int, organisation_id: int | None) -> QuerySet[Bid]:
    """One bidder's own bids on a lot, replaced and withdrawn ones included, oldest first."""
    return Bid.objects.filter(lot_id=lot_id, organisation_id=organisation_id).order_by("received_at", "pk")


def opening_sessions_live() -> QuerySet[OpeningSession]:
    """Openings under way (not closed), with their lot and project, the earliest started first."""
    return (OpeningSession.objects.exclude(status=OpeningSession.Status.CLOSED)
            .select_related("lot__project").order_by("started_at", "pk"))


def auction_lot_id(*, auction_id: int) -> int | None:
    return Auction.objects.filter(pk=auction_id).values_list("lot_id", flat=True).first()


def auction_bidder_number(*, auction_id: int, organisation_id: int | None) -> int | None:
    """The number an organisation bids under in an auction, or None if it is not one of its bidders."""
    if organisation_id is None:
        return None
    return (AuctionBidder.objects.filter(auction_id=auction_id, organisation_id=organisation_id)
            .values_list("number", flat=True).first())
