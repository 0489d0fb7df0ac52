"""Announcements other than the tender/listing announcement (``lots.lot_publish``) and amendments
(``lots.lot_amend``): failure notices, candidate publicity, results, and corrections.

A published announcement never changes (on PostgreSQL a trigger refuses it); a correction is a new
announcement that supersedes the old one, and both stay public.
"""
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from monitoring.events import record
from trading import clock
from trading.errors import TradingError
from trading.models import Announcement, Lot
from trading.services.moves import lot_lock

# Which announcement a lot in which status may publish through ``announcement_publish``.
KIND_REQUIRES_STATUS = {
    Announcement.Kind.FAILURE: [Lot.Status.FAILED],
    Announcement.Kind.CANDIDATES: [Lot.Status.PUBLICITY],
    Announcement.Kind.RESULT: [Lot.Status.AWARDED, Lot.Status.CONTRACTED],
}


def _text_check(title: str, body: str) -> None:
    if not title.strip() or not body.strip():
        raise TradingError("announcement_text_required", _("An announcement needs a title and a text."))


def announcement_publish(*, lot_id: int, kind: str, title: str, body: str, actor: str) -> Announcement:
    """Publish a failure notice, candidate publicity or result for a lot in the matching status."""
    if kind not in KIND_REQUIRES_STATUS:
        raise TradingError("announcement_kind", _("This kind of announcement is published by its own step."))
    _text_check(title, body)
    with transaction.atomic():
        lot = lot_lock(lot_id)
        if lot.status not in KIND_REQUIRES_STATUS[kind]:
            raise TradingError(
                "announcement_not_allowed",
                _("A %(kind)s cannot be published for a lot in status “%(status)s”.")
                % {"kind": Announcement.Kind(kind).label, "status": lot.get_status_display()},
                status=409,
            )
        announcement = Announcement.objects.create(lot=lot, kind=kind, title=title, body=body,
                                                   published_at=clock.now(), published_by=actor)
        record(kind="announcement.published", actor=actor, subject=f"lot:{lot.pk}",
               data={"announcement": announcement.pk, "kind": kind, "title": title})
    return announcement


def announcement_correct(*, announcement_id: int, title: str, body: str, actor: str) -> Announcement:
    """Publish a correction of ``announcement_id``; the original stays published as it was."""
    _text_check(title, body)
    with transaction.atomic():
        original = Announcement.objects.filter(pk=announcement_id).first()
        if original is None:
            raise TradingError("announcement_not_found", _("There is no such announcement."), status=404)
        lot = lot_lock(original.lot_id)
        correction = Announcement.objects.create(lot=lot, kind=Announcement.Kind.CORRECTION, title=title, body=body,
                                                 supersedes=original, published_at=clock.now(), published_by=actor)
        record(kind="announcement.corrected", actor=actor, subject=f"lot:{lot.pk}",
               data={"announcement": correction.pk, "supersedes": original.pk, "title": title})
    return correction
