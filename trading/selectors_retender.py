"""Reads of re-tendered lots (``trading.services.retender``): which lot one tenders again, and which
tenders it again."""
from dataclasses import dataclass

from trading.models import Lot
from trading.selectors import PUBLIC_STATUSES


@dataclass(frozen=True)
class RelatedLots:
    earlier: Lot | None
    """The failed lot this one tenders again (public, as every failed lot is)."""
    later: Lot | None
    """The lot that tenders this one again, a draft until staff publish it."""

    @property
    def later_public(self) -> bool:
        """Whether the later lot's public page exists yet (before, pages name it without a link)."""
        return self.later is not None and self.later.status in PUBLIC_STATUSES


def lot_related(*, lot: Lot) -> RelatedLots:
    lots = Lot.objects.select_related("project")
    return RelatedLots(earlier=lots.filter(pk=lot.retender_of_id).first() if lot.retender_of_id else None,
                       later=lots.filter(retender_of=lot).first())
