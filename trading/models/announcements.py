"""Announcements: what the public reads. Once published an announcement never changes; a correction
is a new announcement that names the one it supersedes."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from trading.models.lots import Lot


class Announcement(models.Model):
    class Kind(models.TextChoices):
        TENDER = "tender", _("Tender announcement")
        LISTING = "listing", _("Listing announcement")
        AMENDMENT = "amendment", _("Amendment or clarification")
        CANDIDATES = "candidates", _("Candidate publicity")
        RESULT = "result", _("Result announcement")
        FAILURE = "failure", _("Failure notice")
        CORRECTION = "correction", _("Correction")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="announcements")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    # Schedule changes this announcement makes (e.g. an amendment moving the deadline), as ISO strings.
    schedule = models.JSONField(_("schedule changes"), default=dict, blank=True)
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="superseded_by")
    published_at = models.DateTimeField(_("published at"), db_index=True)
    published_by = models.CharField(max_length=64)

    class Meta:
        ordering = ["published_at", "id"]

    def __str__(self):
        return self.title


class CentreNotice(models.Model):
    """A notice of the trading centre itself (中心公告: opening hours, holiday arrangements, system
    maintenance), shown on the portal's home page. Kept by staff in the admin; a notice is withdrawn
    by setting ``withdrawn_at``, never deleted, so what the public was told stays traceable."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), db_index=True)
    published_by = models.CharField(max_length=64)
    pinned = models.BooleanField(_("pinned"), default=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-pinned", "-published_at", "-id"]
        verbose_name = _("centre notice")
        verbose_name_plural = _("centre notices")

    def __str__(self):
        return self.title
