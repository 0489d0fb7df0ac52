"""Integrity (docs/integrity.md): red flags on one lot, and patterns across the platform's history.

A ``Flag`` is one rule that fired on one lot, with its evidence (which bids, which values); a
``FlagCheck`` says the rules of a stage ran on a lot, so a lot that raised nothing is told apart from
one not yet checked. A ``PatternRun`` is one pass of the nightly analysis across lots and a
``Finding`` one pattern it found (a cluster, a cover bidder, a rotation, an outlier), which a
regulator may turn into an inquiry.

The models hold only Django and string references, like the alerts' (``monitoring.apps``)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    OPENING = "opening", _("At the opening")
    AWARD = "award", _("At the award")


class FlagCheck(models.Model):
    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="flag_checks")
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    checked_at = models.DateTimeField(_("checked at"))
    flags = models.PositiveSmallIntegerField(_("flags raised"), default=0)
    # The thresholds the rules used (the rule table's numbers at the lot's publication, and the
    # Tukey fences where a rule reads the platform's own data), reported with the results.
    thresholds = models.JSONField(_("thresholds"), default=dict)

    class Meta:
        app_label = "monitoring"
        verbose_name = _("integrity check")
        verbose_name_plural = _("integrity checks")
        constraints = [models.UniqueConstraint(fields=["lot", "stage"], name="flag_check_once")]


class Flag(models.Model):
    lot = models.ForeignKey("trading.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="flags")
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    rule = models.CharField(_("rule"), max_length=40)
    evidence = models.JSONField(_("evidence"), default=dict)
    raised_at = models.DateTimeField(_("raised at"))

    class Meta:
        app_label = "monitoring"
        ordering = ["lot", "rule"]
        verbose_name = _("red flag")
        verbose_name_plural = _("red flags")
        constraints = [models.UniqueConstraint(fields=["lot", "rule"], name="flag_once_per_rule")]

    def __str__(self):
        return f"{self.rule} · lot {self.lot_id}"


class PatternRun(models.Model):
    """One nightly pass over the whole history; ``day`` (Beijing) makes the nightly job idempotent."""

    day = models.DateField(_("day"), unique=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    lots = models.PositiveIntegerField(_("lots read"), default=0)
    bids = models.PositiveIntegerField(_("bids read"), default=0)
    findings = models.PositiveIntegerField(_("findings"), default=0)
    thresholds = models.JSONField(_("thresholds"), default=dict)

    class Meta:
        app_label = "monitoring"
        ordering = ["-day"]
        verbose_name = _("pattern analysis")
        verbose_name_plural = _("pattern analyses")


class Finding(models.Model):
    run = models.ForeignKey(PatternRun, verbose_name=_("analysis"), on_delete=models.PROTECT, related_name="found")
    pattern = models.CharField(_("pattern"), max_length=20)
    # Stable across runs (``cover:<uscc>``), so a finding seen again is recognised as the same.
    key = models.CharField(_("key"), max_length=200)
    market = models.ForeignKey("trading.Market", verbose_name=_("market"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    tenderee = models.ForeignKey("trading.Organisation", verbose_name=_("tenderee"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    organisations = models.JSONField(_("bidders concerned"), default=list)
    lots = models.JSONField(_("lots concerned"), default=list)
    evidence = models.JSONField(_("evidence"), default=dict)
    inquiry = models.ForeignKey("supervisors.Inquiry", verbose_name=_("inquiry"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("referred by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)

    class Meta:
        app_label = "monitoring"
        ordering = ["run", "pattern", "key"]
        verbose_name = _("pattern found")
        verbose_name_plural = _("patterns found")
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="finding_once_per_run")]

    def __str__(self):
        return self.key
