"""China's working-day calendar: only the exceptions to Monday–Friday, and which years staff confirmed.

Changes go through ``trading.services_calendar``; every save or delete here invalidates the
calendar cached by ``trading.workdays`` (receivers connected in ``TradingConfig.ready`` also catch
admin and shell edits).
"""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A day that breaks the Monday–Friday rule: a weekday holiday, or a make-up workday (调休上班)
    on a weekend. A row that agrees with the rule is refused by the constraint below."""

    class Source(models.TextChoices):
        HOLIDAYS = "holidays", _("holidays package")
        STAFF = "staff", _("staff correction")

    day = models.DateField(_("day"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name or reason"), max_length=100)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.CharField(_("updated by"), max_length=64)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            # ISO weekdays 6 and 7 are Saturday and Sunday.
            models.CheckConstraint(
                condition=Q(is_working_day=True, day__iso_week_day__gte=6)
                | Q(is_working_day=False, day__iso_week_day__lte=5),
                name="calendar_day_is_an_exception",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.name}"


class CalendarYear(models.Model):
    """A year the calendar holds. Unconfirmed until staff check it against the State Council's notice."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    confirmed_by = models.CharField(_("confirmed by"), max_length=64, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self):
        return str(self.year)


class CalendarAlert(models.Model):
    """Tells staff that deadlines in a year rest on an unconfirmed calendar. One per year, ever;
    acknowledged, never deleted."""

    class Reason(models.TextChoices):
        PROVISIONAL_DEADLINE = "provisional_deadline", _("A deadline was computed in an unconfirmed year.")
        YEAR_UNCONFIRMED = "year_unconfirmed", _("The year is current or about to start and is not confirmed.")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices)
    raised_at = models.DateTimeField(_("raised at"))
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=64, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("calendar alert")
        verbose_name_plural = _("calendar alerts")

    def __str__(self):
        return f"{self.year}: {self.message}"

    @property
    def message(self) -> str:
        return _("The working-day calendar of %(year)d is not confirmed: %(reason)s") % {
            "year": self.year, "reason": self.get_reason_display(),
        }
