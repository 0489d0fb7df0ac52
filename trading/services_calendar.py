"""Writes of the working-day calendar, and its timed sweep. (The rule table's numbers change through
``trading.services.rules``, by two people.)

Every change is one transaction with one audit event under the subject ``calendar:<year>``; alerts
go to the supervision dashboard's subject ``centre``. Permission checks are the callers' (the
calendar page); ``actor`` only names who.
"""
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from monitoring.events import record
from trading import clock
from trading.errors import TradingError
from trading.models import CalendarAlert, CalendarDay, CalendarYear
from trading.workdays import Deadline, deadline_add, local_day

FIRST_YEAR, LAST_YEAR = 2000, 2100  # a mistyped year (20266) is refused rather than stored
SWEEP_LEAD_DAYS = 60
NAME_MAX = CalendarDay._meta.get_field("name").max_length
SYSTEM = "system:calendar"


def _year_check(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise TradingError("calendar_year_out_of_range",
                           _("The calendar covers the years %(first)d to %(last)d.")
                           % {"first": FIRST_YEAR, "last": LAST_YEAR})


def calendar_day_set(*, day: date, is_working_day: bool, name: str, actor: str) -> CalendarDay | None:
    """A staff correction of one day; it counts in deadlines computed from then on.

    A day set to what Monday–Friday gives anyway is no exception: its row is removed and None
    returned. Setting a day to what it already is changes nothing and records nothing.
    """
    _year_check(day.year)
    name = name.strip()
    ordinary = is_working_day == (day.weekday() < 5)
    if not ordinary and not name:
        raise TradingError("calendar_name_required",
                           _("Give the holiday's name or the reason the weekend day is worked."))
    if len(name) > NAME_MAX:
        raise TradingError("calendar_name_too_long",
                           _("The name may have at most %(max)d characters.") % {"max": NAME_MAX})
    with transaction.atomic():
        # The year's row is the lock that orders corrections against confirming the year.
        CalendarYear.objects.get_or_create(year=day.year)
        year = CalendarYear.objects.select_for_update().get(pk=day.year)
        row = CalendarDay.objects.filter(day=day).first()
        if row is None and ordinary:
            return None
        if row is not None and not ordinary and (row.is_working_day, row.name) == (is_working_day, name):
            return row
        previous = {"is_working_day": row.is_working_day, "name": row.name, "source": row.source} if row else None
        if ordinary:
            row.delete()
            row = None
        else:
            row = row or CalendarDay(day=day)
            row.is_working_day, row.name, row.source = is_working_day, name, CalendarDay.Source.STAFF
            row.updated_at, row.updated_by = clock.now(), actor
            row.save()
        record(kind="calendar.day_set", actor=actor, subject=f"calendar:{day.year}",
               data={"day": day.isoformat(), "is_working_day": is_working_day, "name": name,
                     "previous": previous, "year_confirmed": year.confirmed})
    return row


def calendar_year_confirm(*, year: int, actor: str) -> CalendarYear:
    """Staff checked the year against the State Council's notice: its deadlines stop being provisional.

    Open alerts of the year are acknowledged by the same person, since the confirmation answers them.
    """
    _year_check(year)
    with transaction.atomic():
        row = CalendarYear.objects.select_for_update().filter(pk=year).first()
        exceptions = CalendarDay.objects.filter(day__year=year).count()
        if row is None or not exceptions:
            # China has public holidays every year: an empty year is one nobody has entered yet.
            raise TradingError("calendar_year_empty",
                               _("The calendar holds no holidays for %(year)d yet; enter them before confirming.")
                               % {"year": year}, status=409)
        if row.confirmed:
            raise TradingError("calendar_year_confirmed",
                               _("The calendar of %(year)d is already confirmed.") % {"year": year}, status=409)
        now = clock.now()
        row.confirmed, row.confirmed_by, row.confirmed_at = True, actor, now
        row.save()
        acknowledged = CalendarAlert.objects.filter(year=year, acknowledged_at__isnull=True).update(
            acknowledged_by=actor, acknowledged_at=now)
        record(kind="calendar.year_confirmed", actor=actor, subject=f"calendar:{year}",
               data={"year": year, "exceptions": exceptions, "alerts_acknowledged": acknowledged})
    return row


def calendar_provisional_alert(*, year: int,
                               reason: str = CalendarAlert.Reason.PROVISIONAL_DEADLINE) -> CalendarAlert | None:
    """Alert staff that a year is unconfirmed: once per year, ever. None when the year is confirmed.

    Runs in the caller's transaction, so an alert raised for a deadline that is rolled back goes too.
    """
    _year_check(year)
    with transaction.atomic():
        if CalendarYear.objects.filter(pk=year, confirmed=True).exists():
            return None
        # Two callers at once: the second INSERT waits for the first and then finds its row.
        alert, created = CalendarAlert.objects.get_or_create(
            year=year, defaults={"reason": reason, "raised_at": clock.now()})
        if created:
            # Alerts are the supervision dashboard's (subject ``centre``), whatever raised them.
            record(kind="alert.raised", actor=SYSTEM, subject="centre",
                   data={"alert": f"calendar:{year}", "source": "calendar", "year": year, "reason": reason})
    return alert


def deadline_compute(*, start: datetime, amount: int, unit: str) -> Deadline:
    """``workdays.deadline_add``, alerting staff of each unconfirmed year a provisional result used."""
    deadline = deadline_add(start=start, amount=amount, unit=unit)
    for year in deadline.unconfirmed_years:
        calendar_provisional_alert(year=year)
    return deadline


def calendar_alert_acknowledge(*, alert_id: int, actor: str) -> CalendarAlert:
    with transaction.atomic():
        alert = CalendarAlert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise TradingError("calendar_alert_missing", _("There is no such alert."), status=404)
        if alert.acknowledged_at:
            raise TradingError("calendar_alert_acknowledged", _("The alert was already acknowledged."), status=409)
        alert.acknowledged_by, alert.acknowledged_at = actor, clock.now()
        alert.save()
        record(kind="alert.acknowledged", actor=actor, subject="centre",
               data={"alert": f"calendar:{alert.year}", "by": actor, "year": alert.year, "reason": alert.reason})
    return alert


def calendar_unconfirmed_sweep() -> dict:
    """Timed sweep: alert staff while the current year, or the next within 60 days of its start, is
    unconfirmed. Idempotent; two queries when there is nothing to do."""
    today = local_day(clock.now())
    years = [today.year]
    if date(today.year + 1, 1, 1) - today <= timedelta(days=SWEEP_LEAD_DAYS):
        years.append(today.year + 1)
    confirmed = set(CalendarYear.objects.filter(pk__in=years, confirmed=True).values_list("year", flat=True))
    alerted = set(CalendarAlert.objects.filter(year__in=years).values_list("year", flat=True))
    raised = []
    for year in years:
        if year not in confirmed and year not in alerted:
            calendar_provisional_alert(year=year, reason=CalendarAlert.Reason.YEAR_UNCONFIRMED)
            raised.append(year)
    return {"checked": years, "raised": raised}
