"""The staff page of the working-day calendar: a year's exceptions, corrections, confirmation, alerts."""
import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from monitoring.events import actor_of
from trading import clock
from trading.errors import TradingError
from trading.models import Role
from trading.permissions import role_required
from trading.selectors_calendar import (calendar_alerts_open, calendar_days_of_year, calendar_year_get,
                                        calendar_years_known)
from trading.services_calendar import (FIRST_YEAR, LAST_YEAR, NAME_MAX, calendar_alert_acknowledge,
                                       calendar_day_set, calendar_year_confirm)
from trading.workdays import local_day


class CalendarDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    is_working_day = forms.TypedChoiceField(
        label=_("The day is"), coerce=lambda value: value == "1",
        choices=[("0", _("a day off")), ("1", _("a working day"))],
    )
    name = forms.CharField(label=_("Name or reason"), max_length=NAME_MAX, required=False,
                           help_text=_("For example 春节 or 调休上班."))


def staff_only(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        role_required(request.user, Role.STAFF)
        return view(request, *args, **kwargs)
    return wrapper


def _year_page(request, year: int, *, form=None, error=None, status=200):
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    return render(request, "trading/calendar.html", {
        "year": year,
        # Neighbours only inside the years the calendar takes, so no link leads out of them.
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
        "year_row": calendar_year_get(year=year),
        "days": calendar_days_of_year(year=year),
        "years": calendar_years_known(),
        "alerts": calendar_alerts_open(),
        "form": form or CalendarDayForm(),
        "error": error,
    }, status=status)


@staff_only
def calendar_index(request):
    return redirect("calendar-year", year=local_day(clock.now()).year)


@staff_only
def calendar_year(request, year: int):
    return _year_page(request, year)


@require_POST
@staff_only
def calendar_day_correct(request, year: int):
    form = CalendarDayForm(request.POST)
    if not form.is_valid():
        return _year_page(request, year, form=form, status=400)
    day = form.cleaned_data["day"]
    try:
        calendar_day_set(day=day, is_working_day=form.cleaned_data["is_working_day"],
                         name=form.cleaned_data["name"], actor=actor_of(request.user))
    except TradingError as error:
        return _year_page(request, year, form=form, error=error.message, status=error.status)
    messages.success(request, _("%(day)s is saved; deadlines computed from now on use it.") % {"day": day})
    return redirect("calendar-year", year=day.year)


@require_POST
@staff_only
def calendar_year_confirm_view(request, year: int):
    try:
        calendar_year_confirm(year=year, actor=actor_of(request.user))
    except TradingError as error:
        return _year_page(request, year, error=error.message, status=error.status)
    messages.success(request, _("The calendar of %(year)d is confirmed.") % {"year": year})
    return redirect("calendar-year", year=year)


@require_POST
@staff_only
def calendar_alert_acknowledge_view(request, pk: int):
    try:
        alert = calendar_alert_acknowledge(alert_id=pk, actor=actor_of(request.user))
    except TradingError as error:
        return _year_page(request, local_day(clock.now()).year, error=error.message, status=error.status)
    messages.success(request, _("The alert is acknowledged."))
    return redirect("calendar-year", year=alert.year)
