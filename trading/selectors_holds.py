"""Reads of the holds that keep lots suspended."""
from django.db.models import QuerySet

from trading.models import Lot, LotHold


def lot_holds_open(*, lot: Lot) -> QuerySet[LotHold]:
    """The lot's open holds, oldest first: while any is open the lot stays suspended."""
    return LotHold.objects.filter(lot=lot, released_at__isnull=True).order_by("held_at", "id")


def lot_hold_reasons_open(*, lot: Lot, excluding: str = "") -> list[str]:
    """The distinct reasons of the lot's open holds, other than the hold of ``excluding`` (a subject)."""
    holds = lot_holds_open(lot=lot)
    if excluding:
        holds = holds.exclude(subject=excluding)
    return sorted(set(holds.values_list("reason", flat=True)))


def lot_hold_is_last(*, lot: Lot, subject: str) -> bool:
    """Whether releasing the hold of ``subject`` would resume the lot: it is suspended and no other
    hold is open. Caller holds the lot's lock for the answer to stay true."""
    return lot.status == Lot.Status.SUSPENDED and not lot_holds_open(lot=lot).exclude(subject=subject).exists()
