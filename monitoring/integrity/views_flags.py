"""Regulators' pages of the red flags: every flag with filters, and one flag with its evidence.

Regulators and superusers only (``flags_visible_to``); bidders, the public and the centre's staff
are refused with 403: the flags are about the lots the staff run and the bidders who bid."""
from datetime import date, datetime, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy as _

from monitoring.integrity.flags import RULES
from monitoring.integrity.models import FlagCheck, Stage
from monitoring.integrity.selectors_flags import flag_get, flag_list, flags_visible_to
from monitoring.integrity.words_flags import flag_words, rule_words, thresholds_words
from trading.models import Lot, Market
from trading.workdays import day_end

PAGE_SIZE = 50
DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


def day_start(day: date) -> datetime:
    """00:00 of a China day, as aware UTC."""
    return day_end(day - timedelta(days=1))


def regulator_check(user) -> None:
    if not flags_visible_to(user):
        raise PermissionDenied(gettext("Red flags are shown to regulators only."))


class FlagFilterForm(forms.Form):
    market = forms.ChoiceField(label=_("Market"), required=False)
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("Both stages")), *Stage.choices])
    lot = forms.IntegerField(label=_("Lot"), required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    since = forms.DateField(label=_("Raised from"), required=False, widget=DATE_WIDGET)
    until = forms.DateField(label=_("Raised until"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].choices = [("", _("All markets")), *((m.code, m.name) for m in Market.objects.all())]
        self.fields["rule"].choices = [("", _("All rules")), *((rule.id, rule.label) for rule in RULES)]

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"market": data["market"], "rule": data["rule"], "stage": data["stage"], "lot": data["lot"],
                "since": day_start(data["since"]) if data["since"] else None,
                "until": day_end(data["until"]) if data["until"] else None}


@login_required
def flags_page(request):
    regulator_check(request.user)
    form = FlagFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    flags = Paginator(flag_list(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for flag in flags:
        flag.label, flag.source = rule_words(flag.rule)
    lot = Lot.objects.select_related("project").filter(pk=filters["lot"]).first() if filters.get("lot") else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "monitoring/integrity/flags.html", {
        "form": form, "flags": flags, "lot": lot, "query": query.urlencode(),
        "rules": [(rule.id, *rule_words(rule.id), rule.stage, rule.threshold) for rule in RULES],
    }, status=400 if form.is_bound and not form.is_valid() else 200)


@login_required
def flag_page(request, flag_id: int):
    regulator_check(request.user)
    flag = flag_get(flag_id=flag_id)
    if flag is None:
        raise Http404
    check = FlagCheck.objects.filter(lot_id=flag.lot_id, stage=flag.stage).first()
    return render(request, "monitoring/integrity/flag.html", {
        "flag": flag, "words": flag_words(flag), "check": check,
        "thresholds": thresholds_words(check.thresholds) if check else [],
    })
