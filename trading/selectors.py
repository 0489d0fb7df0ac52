"""Reads of the trading app."""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from trading.models import Announcement, Lot, Registration


def registration_active(*, lot: Lot, organisation) -> bool:
    """Whether ``organisation`` is registered (and, where needed, approved) for ``lot``."""
    return organisation is not None and Registration.objects.filter(
        lot=lot, organisation=organisation, status=Registration.Status.APPROVED
    ).exists()


PUBLIC_STATUSES = [s for s in Lot.Status.values if s not in (Lot.Status.DRAFT, Lot.Status.PENDING_REVIEW)]


def lot_list_public(*, market: str = "", status: str = "", q: str = ""):
    """Lots the public may see (published or later), newest first, filtered and searched."""
    lots = (Lot.objects.filter(status__in=PUBLIC_STATUSES)
            .select_related("project__market", "project__procedure", "project__tenderee")
            .order_by("-project__created_at", "project__code", "number"))
    if market:
        lots = lots.filter(project__market_id=market)
    if status:
        lots = lots.filter(status=status)
    if q:
        lots = lots.filter(Q(title__icontains=q) | Q(project__title__icontains=q) | Q(project__code__icontains=q))
    return lots


def lot_list_for_staff(*, status: str = ""):
    lots = Lot.objects.select_related("project__market", "project__procedure").order_by("-updated_at")
    return lots.filter(status=status) if status else lots


def lot_get_public(*, lot_id: int) -> Lot | None:
    return lot_list_public().filter(pk=lot_id).first()


def announcement_list_public(*, market: str = "", kind: str = "", q: str = ""):
    announcements = (Announcement.objects.select_related("lot__project__market")
                     .order_by("-published_at", "-id"))
    if market:
        announcements = announcements.filter(lot__project__market_id=market)
    if kind:
        announcements = announcements.filter(kind=kind)
    if q:
        announcements = announcements.filter(
            Q(title__icontains=q) | Q(body__icontains=q) | Q(lot__project__code__icontains=q))
    return announcements


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
