"""Sealing the archive of each finished lot (存档归档, docs/archive.md).

``archive_sweep`` is one of the platform's timed sweeps (``settings.PLATFORM_SWEEPS``): it finds the
lots that ended (contracted, failed, cancelled, terminated) with no archive yet and seals each in a
transaction of its own. Sealing writes the lot's whole record into a ZIP in a temporary file (never
in memory: documents may be large), signs its manifest with the platform key, checks the result
with the offline checker, stores it, records the ``LotArchive`` row and the ``archive.sealed``
event, and puts the stored object under write-once retention until now plus the rule table's
``archive_retention`` years for the lot's market.

Races: a sweep takes the lot's row with ``skip_locked``, so two sweeps never seal one lot and never
wait for each other; the row's one-to-one on the lot is the last guard. A failure before the
retention leaves nothing stored; after it (the commit failing) an unreferenced object stays under
retention, and the next sweep seals a new archive under another key (its key is its own SHA-256).
"""
import logging
import tempfile
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from bidding.crypto.archive import AUDIT_EXTRACT, ArchiveWriter, archive_verify
from bidding.crypto.canonical import time_format
from monitoring.archive.contents import contents_write
from monitoring.archive.models import LotArchive
from monitoring.audit.services import audit_extract
from monitoring.events import record
from trading import clock, signing
from trading.errors import PlatformError
from trading.models import Lot, RuleCode, RuleUnit
from trading.selectors_calendar import lot_published_at, rule_find
from trading.storage import StorageError, get_storage

log = logging.getLogger(__name__)

ENDED = (Lot.Status.CONTRACTED, Lot.Status.FAILED, Lot.Status.CANCELLED, Lot.Status.TERMINATED)
ACTOR = "system:archive"
# Lots sealed per sweep at most: a backlog (the first run over years of lots) is worked off over
# several rounds instead of holding the sweep thread for hours.
BATCH = 50


class ArchiveSealError(PlatformError):
    """A lot that cannot be archived as it stands (no retention rule for its market)."""


def archive_sweep() -> dict:
    """Timed sweep: seal the archive of every lot that ended and has none. Idempotent."""
    sealed = failed = 0
    waiting = (Lot.objects.filter(status__in=ENDED)
               .exclude(Exists(LotArchive.objects.filter(lot_id=OuterRef("pk"))))
               .order_by("pk").values_list("pk", flat=True)[:BATCH])
    for lot_id in list(waiting):
        try:
            if lot_archive_seal(lot_id=lot_id) is not None:
                sealed += 1
        except Exception:  # one lot's fault (a document missing from the store) must not stop the others
            log.exception("could not archive lot %s; the next sweep tries again", lot_id)
            failed += 1
    return {"sealed": sealed, "failed": failed}


def lot_archive_seal(*, lot_id: int) -> LotArchive | None:
    """Seal the archive of one lot that ended. None when it is not due (not ended, archived
    already) or another sweep holds it."""
    if not (Lot.objects.filter(pk=lot_id, status__in=ENDED)
            .exclude(Exists(LotArchive.objects.filter(lot_id=OuterRef("pk")))).exists()):
        return None
    # Before the lot's transaction: an extract may seal a checkpoint first, which holds the chain's
    # write lock until its transaction ends. The lot ended, so its trail is complete here.
    extract = audit_extract(subject=f"lot:{lot_id}")
    storage = get_storage()
    with tempfile.TemporaryFile(prefix="lot-archive-") as out, transaction.atomic():
        lot = (Lot.objects.select_for_update(skip_locked=True, of=("self",))
               .select_related("project__market", "project__procedure", "project__tenderee")
               .filter(pk=lot_id, status__in=ENDED)
               .exclude(Exists(LotArchive.objects.filter(lot_id=OuterRef("pk")))).first())
        if lot is None:
            return None
        now = clock.now()
        retention = _retention(lot)
        retain_until = _years_after(now, retention.amount)
        writer = ArchiveWriter(out)
        contents_write(writer, lot=lot, extract=extract)
        writer.finish(body=_manifest_body(lot=lot, now=now, retain_until=retain_until, retention=retention,
                                          extract=extract), sign=signing.sign)
        # The offline checker's own verdict before anything is stored: a sealing fault stops here.
        checked = archive_verify(out, signing.public_key())
        key = f"archives/{lot.pk}/{checked.sha256}.zip"
        out.seek(0)
        storage.put(key, out, length=checked.size, content_type="application/zip")
        try:
            archive = LotArchive.objects.create(
                lot=lot, storage_key=key, sha256=checked.sha256, size=checked.size,
                files=len(checked.body["files"]), outcome=lot.status, sealed_at=now, retain_until=retain_until)
            # Retained last but for the event: a failure before leaves the object free to remove.
            storage.retain(key, until=retain_until)
            record(kind="archive.sealed", actor=ACTOR, subject=f"lot:{lot.pk}",
                   data={"lot": lot.pk, "archive": archive.pk, "outcome": lot.status, "sha256": checked.sha256,
                         "size": checked.size, "files": archive.files, "retain_until": time_format(retain_until)})
        except BaseException:
            try:
                storage.delete(key)
            except StorageError:
                log.exception("could not remove the archive %s of a failed sealing", key)
            raise
    return archive


def _retention(lot: Lot):
    rule = rule_find(market=lot.project.market, procedure=lot.project.procedure, code=RuleCode.ARCHIVE_RETENTION,
                     at=lot_published_at(lot=lot))
    if rule is None or rule.unit != RuleUnit.YEARS or rule.amount < 1:
        raise ArchiveSealError("no_retention_rule",
                               _("The rule table gives no retention in years for the archives of market "
                                 "%(market)s.") % {"market": lot.project.market_id}, status=409)
    return rule


def _years_after(moment: datetime, years: int) -> datetime:
    """``moment`` plus whole calendar years (29 February to 28 February), up to a whole second as
    the object store keeps it, so the row and the stored retention say the same instant."""
    try:
        later = moment.replace(year=moment.year + years)
    except ValueError:
        later = moment.replace(year=moment.year + years, day=28)
    return later.replace(microsecond=0) + timedelta(seconds=1) if later.microsecond else later


def _ended_at(lot: Lot) -> datetime | None:
    return (lot.status_changes.filter(target=lot.status).order_by("-at", "-pk")
            .values_list("at", flat=True).first())


def _manifest_body(*, lot: Lot, now: datetime, retain_until: datetime, retention, extract: dict) -> dict:
    project = lot.project
    ended_at = _ended_at(lot)
    return {
        "platform": settings.PLATFORM_ID,
        "lot": {"id": lot.pk, "code": lot.code, "title": lot.display_title, "market": project.market_id,
                "procedure": project.procedure.code,
                "tenderee": {"uscc": project.tenderee.uscc, "name": project.tenderee.name}},
        "outcome": lot.status,
        "ended_at": time_format(ended_at) if ended_at else None,
        "created_at": time_format(now),
        "retention": {"years": retention.amount, "until": time_format(retain_until), "source": retention.source},
        "audit": {"path": AUDIT_EXTRACT, "entries": len(extract["entries"]),
                  "checkpoint": extract["checkpoint"]["entry"]},
    }
