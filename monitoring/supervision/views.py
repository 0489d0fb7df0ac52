"""Pages of electronic supervision: the alerts with filters and counts per market, and one alert
with the regulator's acknowledgement. Staff and regulators read; regulators acknowledge (the
service decides and records a refusal)."""
from datetime import date, datetime, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from monitoring.event_words import alert_details
from monitoring.supervision.models import Alert
from monitoring.supervision.rules import RULES, rule_label
from monitoring.supervision.selectors import alert_counts, alert_get, alert_list
from monitoring.supervision.services import alert_acknowledge, alert_is_event
from trading.errors import PlatformError
from trading.models import Market, Role
from trading.permissions import role_required
from trading.text import TEXT_MAX
from trading.workdays import day_end

PAGE_SIZE = 50
UNRESOLVED = "unresolved"
DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


def day_start(day: date) -> datetime:
    """00:00 of a China day, as aware UTC."""
    return day_end(day - timedelta(days=1))


class AlertFilterForm(forms.Form):
    market = forms.ChoiceField(label=_("Market"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False,
                              choices=[("", _("All levels")), *Alert.Level.choices])
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All states")), (UNRESOLVED, _("Not resolved")), *Alert.State.choices])
    since = forms.DateField(label=_("Raised from"), required=False, widget=DATE_WIDGET)
    until = forms.DateField(label=_("Raised until"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].choices = [("", _("All markets")), *((m.code, m.name) for m in Market.objects.all())]

    def filters(self) -> dict:
        """The selectors' arguments: the days as instants (``until`` takes its whole day)."""
        data = self.cleaned_data
        return {"level": data["level"], "state": data["state"],
                "since": day_start(data["since"]) if data["since"] else None,
                "until": day_end(data["until"]) if data["until"] else None}


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(label=_("Your comment"), max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("What you found or did about it; it is kept with the alert."))


@login_required
def alerts_page(request):
    role_required(request.user, Role.STAFF, Role.REGULATOR)
    form = AlertFilterForm(request.GET or None)
    filters, market = {}, ""
    if form.is_bound and form.is_valid():
        filters, market = form.filters(), form.cleaned_data["market"]
    alerts = Paginator(alert_list(market=market, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for alert in alerts:
        alert.label = rule_label(alert.rule)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "monitoring/supervision/alerts.html", {
        "form": form, "alerts": alerts, "counts": alert_counts(**filters),
        "query": query.urlencode(),
    }, status=400 if form.is_bound and not form.is_valid() else 200)


def _may_acknowledge(user, alert: Alert) -> bool:
    return alert.state == Alert.State.OPEN and user.has_role(Role.REGULATOR) and not user.has_role(Role.STAFF)


def _flag_link(user, alert: Alert) -> str:
    """A red flag's alert leads regulators to the flag and its evidence (``/regulator/flags/<id>/``),
    which is theirs only (docs/integrity.md)."""
    flag = (alert.data or {}).get("flag")
    if alert.rule != "red_flag" or not isinstance(flag, int) or not user.has_role(Role.REGULATOR):
        return ""
    return reverse("regulator-flag", args=[flag])


def _alert_page(request, alert: Alert, *, form=None, error=None, status=200):
    return render(request, "monitoring/supervision/alert.html", {
        "alert": alert, "rule": RULES.get(alert.rule), "event_rule": alert_is_event(alert),
        "details": alert_details(alert.data or {}), "flag_link": _flag_link(request.user, alert),
        "may_acknowledge": _may_acknowledge(request.user, alert), "form": form or AcknowledgeForm(),
        "error": error,
    }, status=status)


@login_required
def alert_page(request, alert_id: int):
    role_required(request.user, Role.STAFF, Role.REGULATOR)
    alert = alert_get(alert_id=alert_id)
    if alert is None:
        raise Http404
    if request.method != "POST":
        return _alert_page(request, alert)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        return _alert_page(request, alert, form=form, error=_("Write your comment."), status=400)
    try:
        alert_acknowledge(alert_id=alert.pk, user=request.user, comment=form.cleaned_data["comment"])
    except PlatformError as error:
        return _alert_page(request, alert_get(alert_id=alert_id), form=form, error=error.message, status=error.status)
    messages.success(request, _("The alert is acknowledged."))
    return redirect("supervision-alert", alert_id=alert.pk)
