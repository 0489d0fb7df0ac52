"""Reads of the trading app."""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from trading.models import Announcement, Lot, Registration


def registration_active(*, lot: Lot, organisation) -> bool:
    """Whether ``organisation`` is registered (and, where needed, approved) for ``lot``."""
    return organisation is not None and Registration.objects.filter(
        lot=lot, organisation=organisation, status=Registration.Status.APPROVED
    ).exists()


PUBLIC_STATUSES = [s for s in Lot.Status.values if s not in (Lot.Status.DRAFT, Lot.Status.PENDING_REVIEW)]


def lot_code_expression(path: str = "") -> Concat:
    """``Lot.code`` (``<project code>-<lot number>``, as announcements print it and banks quote it) in
    SQL, for the lot at ``path`` (``"lot__"`` from an announcement)."""
    return Concat(f"{path}project__code", Value("-"), Cast(f"{path}number", CharField()), output_field=CharField())


def lot_list_public(*, code: str = ""):
    """Lots the public may see (published or later), newest first; ``code``: one lot's code, any case.
    The portal's search narrows it with ``trading.filters.LotFilter``."""
    lots = (Lot.objects.filter(status__in=PUBLIC_STATUSES)
            .select_related("project__market", "project__procedure", "project__tenderee")
            .order_by("-project__created_at", "project__code", "number"))
    if code:
        lots = lots.alias(lot_code=lot_code_expression()).filter(lot_code__iexact=code.strip())
    return lots


def lot_list_for_staff(*, status: str = ""):
    lots = Lot.objects.select_related("project__market", "project__procedure").order_by("-updated_at")
    return lots.filter(status=status) if status else lots


def lot_get_public(*, lot_id: int) -> Lot | None:
    return lot_list_public().filter(pk=lot_id).first()


def lot_reference(*, lot_id: int) -> Lot | None:
    """A lot of any status with only its key loaded, for checks that need no more (who may enter its
    room); None if there is none."""
    return Lot.objects.filter(pk=lot_id).only("pk").first()


def lot_is_public(*, lot_id: int) -> bool:
    """Whether the lot is published (any status past review): what anyone may watch of it."""
    return Lot.objects.filter(pk=lot_id, status__in=PUBLIC_STATUSES).exists()


def announcement_list_public():
    """Every announcement, newest first (they exist only for published lots); narrowed by
    ``trading.filters.AnnouncementFilter``."""
    return (Announcement.objects.select_related("lot__project__market", "lot__project__procedure")
            .order_by("-published_at", "-id"))


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str
    label: str
    url: str = ""


def lot_timeline(*, lot: Lot) -> list[TimelineItem]:
    """What happened to a lot, in order: its moves and its announcements (public facts only)."""
    items = [TimelineItem(at=change.at, kind="status", label=Lot.Status(change.target).label)
             for change in lot.status_changes.all()]
    items += [TimelineItem(at=a.published_at, kind="announcement", label=f"{a.get_kind_display()}: {a.title}",
                           url=f"#announcement-{a.pk}") for a in lot.announcements.all()]
    return sorted(items, key=lambda item: item.at)
