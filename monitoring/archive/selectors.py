"""Reads of the archive register: archives newest first with filters, one archive, the years that
have any, and the stored object itself."""
from datetime import datetime

from django.db.models import QuerySet

from monitoring.archive.models import LotArchive
from trading.models import Lot
from trading.storage import ObjectReader, get_storage
from trading.workdays import CHINA

OUTCOMES = (Lot.Status.CONTRACTED, Lot.Status.FAILED, Lot.Status.CANCELLED, Lot.Status.TERMINATED)


def archive_list(*, market: str = "", outcome: str = "", year: int | None = None) -> QuerySet[LotArchive]:
    """Archives newest first, with their lot, project and market; ``year`` is the Beijing year the
    archive was sealed in (the lot ended shortly before)."""
    archives = LotArchive.objects.select_related("lot__project__market")
    if market:
        archives = archives.filter(lot__project__market_id=market)
    if outcome:
        archives = archives.filter(outcome=outcome)
    if year is not None:
        archives = archives.filter(sealed_at__gte=datetime(year, 1, 1, tzinfo=CHINA),
                                   sealed_at__lt=datetime(year + 1, 1, 1, tzinfo=CHINA))
    return archives.order_by("-sealed_at", "-pk")


def archive_years() -> list[int]:
    """The Beijing years in which archives were sealed, newest first."""
    return [moment.year for moment in
            LotArchive.objects.datetimes("sealed_at", "year", order="DESC", tzinfo=CHINA)]


def archive_get(*, archive_id: int) -> LotArchive | None:
    return LotArchive.objects.select_related("lot__project__market").filter(pk=archive_id).first()


def archive_open(*, archive: LotArchive) -> ObjectReader:
    """The stored archive's bytes, streamed (raises ``StorageError``)."""
    return get_storage().get(archive.storage_key)
