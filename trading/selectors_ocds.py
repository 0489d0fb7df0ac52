"""Reads for the open-data export (OCDS, ``monitoring.opendata.ocds``): public lots with what their releases
need from this app, in few queries however many lots are read."""
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from trading.models import Announcement, DeadlineExtension, Lot, LotStatusChange
from trading.selectors import PUBLIC_STATUSES

# The notices that make up a lot's tender: its announcement and the amendments to it.
TENDER_NOTICES = [Announcement.Kind.TENDER, Announcement.Kind.LISTING, Announcement.Kind.AMENDMENT]


def lot_list_ocds() -> QuerySet[Lot]:
    """Public lots in a stable order (by id), each with ``ocds_changes`` (its status moves, oldest
    first), ``ocds_notices`` (its tender or listing announcement and amendments, oldest first),
    ``ocds_extensions`` (its deadline extensions after platform outages, oldest first) and the failed
    lot it tenders again, if any (``retender_of``)."""
    return (Lot.objects.filter(status__in=PUBLIC_STATUSES)
            .select_related("project__market", "project__procedure", "project__tenderee", "retender_of")
            .prefetch_related(
                Prefetch("status_changes", queryset=LotStatusChange.objects.order_by("at", "id"),
                         to_attr="ocds_changes"),
                Prefetch("announcements", to_attr="ocds_notices",
                         queryset=Announcement.objects.filter(kind__in=TENDER_NOTICES).order_by("published_at", "id")),
                Prefetch("deadline_extensions", queryset=DeadlineExtension.objects.order_by("extended_at", "id"),
                         to_attr="ocds_extensions"))
            .order_by("pk"))


def lot_get_ocds(*, lot_id: int) -> Lot | None:
    return lot_list_ocds().filter(pk=lot_id).first()


def lot_ids_changed_since(*, since: datetime) -> QuerySet:
    """Ids of lots that moved or published a tender notice at or after ``since`` (a subquery)."""
    return (Lot.objects.filter(Q(status_changes__at__gte=since)
                               | Q(announcements__published_at__gte=since, announcements__kind__in=TENDER_NOTICES)
                               | Q(deadline_extensions__extended_at__gte=since))
            .values("pk"))
