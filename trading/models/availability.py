"""The platform's availability (docs/availability.md): outages of its own parts, found by the probe
or declared by staff, and the bid deadlines they extended under the outage rule.

Only changes are stored: an ``Outage`` opens when a part has failed several probes in a row and
closes when it answers again, so a healthy platform adds no rows; ``PartState`` is the probe's small
memory between rounds (one row per part, updated in place).
"""
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trading import clock
from trading.models.lots import Lot


class Part(models.TextChoices):
    DATABASE = "database", _("Database")
    REDIS = "redis", _("Redis (live rooms, task queue, cache)")
    STORAGE = "storage", _("Object storage (sealed bids, documents)")
    SWEEPS = "sweeps", _("Timed sweeps (the workers' heartbeat)")
    PLATFORM = "platform", _("The whole platform")


PROBED_PARTS = (Part.DATABASE, Part.REDIS, Part.STORAGE, Part.SWEEPS)


class PartState(models.Model):
    """What the probe knows of one part between rounds: consecutive failures, since when, and when
    it last answered. Updated in place each round; the history is in ``Outage``."""

    part = models.CharField(_("part"), max_length=16, choices=Part.choices, primary_key=True)
    failures = models.PositiveIntegerField(_("consecutive failed probes"), default=0)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_checked_at = models.DateTimeField(_("last probed at"), null=True, blank=True)
    last_ok_at = models.DateTimeField(_("last answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("probed part")
        verbose_name_plural = _("probed parts")

    def __str__(self):
        return self.get_part_display()


class Outage(models.Model):
    """A stretch of time in which a part of the platform (or the whole of it) was unavailable: found
    by the probe, or declared by staff (an incident). Open while ``ended_at`` is empty."""

    class Source(models.TextChoices):
        PROBE = "probe", _("Found by the probe")
        DECLARED = "declared", _("Declared by staff")

    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    part = models.CharField(_("part"), max_length=16, choices=Part.choices)
    started_at = models.DateTimeField(pgettext_lazy("outage", "from"), db_index=True)
    ended_at = models.DateTimeField(pgettext_lazy("outage", "until"), null=True, blank=True, db_index=True)
    # The probe's first error, or staff's reason for declaring the incident.
    reason = models.TextField(_("reason"), blank=True)
    failures = models.PositiveIntegerField(_("failed probes"), default=0)
    declared_by = models.CharField(_("declared by"), max_length=64, blank=True)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    changed_by = models.CharField(_("last changed by"), max_length=64, blank=True)
    changed_at = models.DateTimeField(_("last changed at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                                   name="outage_ends_after_it_starts"),
            # The probe keeps at most one open outage per part; staff may declare several incidents.
            models.UniqueConstraint(fields=["part"], condition=Q(source="probe", ended_at__isnull=True),
                                    name="outage_one_open_per_probed_part"),
        ]

    def __str__(self):
        return f"{self.get_part_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def duration(self):
        """How long it lasted, or has lasted so far while open."""
        return (self.ended_at or clock.now()) - self.started_at


class DeadlineExtension(models.Model):
    """A lot's bid deadline moved under the outage rule: the old and new deadline, the outages that
    counted, and the rule's numbers as they were applied. Never taken back."""

    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="deadline_extensions")
    old_deadline = models.DateTimeField(_("deadline before"))
    new_deadline = models.DateTimeField(_("deadline after"))
    extended_at = models.DateTimeField(_("extended at"))
    # The stretch whose unavailability was counted: the rule's period before the deadline, from the
    # lot's previous extension on, until the deadline or the moment of the extension, whichever came
    # first. Time before ``extended_at`` never counts again for this lot.
    counted_from = models.DateTimeField(_("counted from"))
    counted_until = models.DateTimeField(_("counted until"))
    unavailable_seconds = models.PositiveIntegerField(_("unavailable (seconds)"))
    tolerance_minutes = models.PositiveIntegerField(_("tolerance (minutes)"))
    period_minutes = models.PositiveIntegerField(_("period (minutes)"))
    extension_minutes = models.PositiveIntegerField(_("extension (minutes)"))
    outages = models.ManyToManyField(Outage, verbose_name=_("outages"), related_name="extensions")

    class Meta:
        ordering = ["extended_at", "pk"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [
            models.CheckConstraint(condition=Q(new_deadline__gt=F("old_deadline")),
                                   name="extension_moves_the_deadline_later"),
        ]

    def __str__(self):
        return f"{self.lot_id}: {self.old_deadline:%Y-%m-%d %H:%M} → {self.new_deadline:%Y-%m-%d %H:%M}"

    @property
    def unavailable_minutes(self) -> int:
        return -(-self.unavailable_seconds // 60)
