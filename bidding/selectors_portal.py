"""Reads across bidding's parts for the public portal: the openings and auctions of a period, which
anyone may watch, and the winning values of deals."""
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from bidding.evaluation.models import AwardProposal
from bidding.sales.models import Auction, DealConfirmation
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


def deal_values(*, lots: QuerySet[Lot]) -> dict[str, Decimal]:
    """By market code, the sum of the winning values of ``lots`` (lots with a standing award): the
    approved candidate's price where the lowest price wins, the deal confirmation's where the highest
    does. A market none of whose lots has a value is absent. Two queries."""
    values: dict[str, Decimal] = {}
    approved = (AwardProposal.objects.filter(lot__in=lots, status=AwardProposal.Status.APPROVED)
                .values_list("lot__project__market").annotate(total=Sum("candidate__price")).order_by())
    sold = (DealConfirmation.objects.filter(lot__in=lots).values_list("lot__project__market")
            .annotate(total=Sum("price")).order_by())
    for code, total in [*approved, *sold]:
        values[code] = values.get(code, Decimal(0)) + total
    return values
