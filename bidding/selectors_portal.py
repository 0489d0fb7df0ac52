"""Reads across bidding's parts for the public portal: the openings and auctions of a period, which
anyone may watch. (The deals' winning values are the statistics': monitoring.statistics.)"""
from datetime import datetime

from django.db.models import Q, QuerySet

from bidding.sales.models import Auction
from trading.models import Lot, Procedure

# A sealed-bid lot whose opening is not to be watched: never published, or withdrawn before it.
_NO_OPENING = [Lot.Status.DRAFT, Lot.Status.PENDING_REVIEW, Lot.Status.CANCELLED]


def openings_between(*, start: datetime, end: datetime) -> QuerySet[Lot]:
    """Tender lots whose bids are opened in [start, end): the opening is at the bid deadline (招标投标法
    第三十四条). Each with its market and, once started, its ``opening_session``; the earliest first."""
    return (Lot.objects.filter(project__procedure__kind=Procedure.Kind.TENDER, bid_deadline__gte=start,
                               bid_deadline__lt=end).exclude(status__in=_NO_OPENING)
            .select_related("project__market", "opening_session").order_by("bid_deadline", "pk"))


def auctions_between(*, start: datetime, end: datetime) -> QuerySet[Auction]:
    """Auctions that start in [start, end), and those that started before and are still under way,
    each with its lot and market; the earliest first."""
    live = Q(starts_at__lt=start) & ~Q(status=Auction.Status.ENDED)
    return (Auction.objects.filter(Q(starts_at__gte=start, starts_at__lt=end) | live)
            .select_related("lot__project__market").order_by("starts_at", "pk"))

