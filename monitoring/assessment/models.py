"""Staff assessment (docs/assessment.md): per person and period, quantitative indicators computed
from the platform and qualitative ones (德、能、勤、绩) a staff manager enters, each weighted from
the table staff managers edit; a veto indicator (一票否决) fails the result whatever the score."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.Model):
    class Source(models.TextChoices):
        COMPUTED = "computed", _("Computed by the platform")
        ENTERED = "entered", _("Entered by the manager")

    class Dimension(models.TextChoices):
        MORALITY = "de", _("Integrity (德)")
        ABILITY = "neng", _("Ability (能)")
        DILIGENCE = "qin", _("Diligence (勤)")
        ACHIEVEMENT = "ji", _("Achievement (绩)")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=100)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    dimension = models.CharField(_("dimension"), max_length=4, choices=Dimension.choices)
    weight = models.DecimalField(_("weight (points of 100)"), max_digits=5, decimal_places=2, default=0)
    # A veto indicator carries no weight: when it is met the result is failed (一票否决).
    veto = models.BooleanField(_("veto"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_by = models.CharField(_("updated by"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        app_label = "monitoring"
        ordering = ["position", "code"]
        verbose_name = _("assessment indicator")
        verbose_name_plural = _("assessment indicators")


class Assessment(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Being assessed")
        FINAL = "final", _("Final")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT,
                               related_name="assessments")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("manager"), on_delete=models.PROTECT,
                                related_name="assessments_made")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    failed = models.BooleanField(_("failed by veto"), default=False)
    # Each indicator's value, weight and weighted points as they were when computed or finalised.
    breakdown = models.JSONField(_("breakdown"), default=list)
    created_at = models.DateTimeField(_("created at"))
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)

    class Meta:
        app_label = "monitoring"
        ordering = ["-period_end", "person"]
        verbose_name = _("staff assessment")
        verbose_name_plural = _("staff assessments")
        constraints = [models.UniqueConstraint(fields=["person", "period_start", "period_end"],
                                               name="assessment_once_per_period")]


class Score(models.Model):
    """A manager's entry for one qualitative indicator (0–100), or a veto met, with a note."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("assessment"), on_delete=models.PROTECT,
                                   related_name="scores")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("value"), max_digits=6, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT,
                                   related_name="+")
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        app_label = "monitoring"
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="score_once")]
