"""Reads of what waits for the centre's staff: lots whose timed step falls due, lots by status, and
the openings to host."""
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from trading.models import Lot

_LOT = ("project__market", "project__procedure")


def lots_due(*, until: datetime) -> QuerySet[Lot]:
    """Lots whose next timed step (``Lot.next_due_at``) falls before ``until``, the earliest first;
    those before now are overdue: the sweep should have moved them."""
    return (Lot.objects.filter(next_due_at__lt=until).select_related(*_LOT)
            .order_by("next_due_at", "pk"))


def lot_counts_by_status() -> dict[str, int]:
    """How many lots are in each status (statuses with none left out)."""
    rows = Lot.objects.order_by().values("status").annotate(count=Count("pk"))
    return {row["status"]: row["count"] for row in rows}


def lots_to_open(*, until: datetime) -> QuerySet[Lot]:
    """Tender lots whose opening is to host: bids closing before ``until``, bidding closed and the
    opening not started, or the opening under way; by their bid deadline."""
    waiting = Q(status=Lot.Status.BIDDING, bid_deadline__lt=until) | Q(status__in=[Lot.Status.CLOSED,
                                                                                   Lot.Status.OPENING])
    return Lot.objects.filter(waiting).select_related(*_LOT).order_by("bid_deadline", "pk")
