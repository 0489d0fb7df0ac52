"""What the statistics pages, their exports and the drill-down are asked: a year, a breakdown by
period, by market or tenderee sector, and filters. Bad input is answered 400 with the form's own
messages; nothing is computed from it."""
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from monitoring.statistics.figures import BY_MARKET, BY_SECTOR, FIGURE_KEYS, LOT_FIGURES, sectors
from monitoring.statistics.periods import FIRST_YEAR, GRANULARITIES, QUARTER, PeriodError, current_year, period_parse
from monitoring.statistics.report import LANGUAGES
from trading.models import Market

BY = [(BY_MARKET, _("Market")), (BY_SECTOR, _("Tenderee type"))]


def _markets():
    return [("", _("All markets")), *((market.code, market.name) for market in Market.objects.all())]


def _sectors():
    return [("", _("All tenderee types")), *((group.key, group.label) for group in sectors())]


class StatisticsForm(forms.Form):
    """Bound with the defaults filled in (``StatisticsForm.of(request.GET)``), so the form shows the
    year and breakdown the page states."""

    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, required=False)
    granularity = forms.ChoiceField(label=pgettext_lazy("statistics", "By"), choices=GRANULARITIES, required=False)
    market = forms.ChoiceField(label=_("Market"), required=False)
    sector = forms.ChoiceField(label=_("Tenderee type"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].validators.append(_max_year)
        self.fields["market"].choices = _markets()
        self.fields["sector"].choices = _sectors()

    @classmethod
    def of(cls, query):
        data = query.copy()
        for name, default in (("year", current_year()), ("granularity", QUARTER)):
            if not data.get(name):
                data[name] = default
        return cls(data)

    def clean(self):
        data = super().clean()
        data["year"] = data.get("year") or current_year()
        data["granularity"] = data.get("granularity") or QUARTER
        data["market"] = data.get("market") or None
        data["sector"] = data.get("sector") or None
        return data


def _max_year(value):
    if value is not None and value > current_year():
        raise forms.ValidationError(_("The figures reach this year at most."), code="max_value")


class ExportForm(StatisticsForm):
    by = forms.ChoiceField(label=_("Rows"), choices=BY, required=False)

    def clean(self):
        data = super().clean()
        data["by"] = data.get("by") or BY_MARKET
        return data


class DrillForm(forms.Form):
    """The lots behind one figure of the regulator's table."""

    figure = forms.ChoiceField(choices=[(key, FIGURE_KEYS[key].label) for key in LOT_FIGURES])
    period = forms.CharField(max_length=10)
    by = forms.ChoiceField(choices=BY, required=False)
    key = forms.CharField(max_length=32, required=False)
    market = forms.ChoiceField(required=False)
    sector = forms.ChoiceField(required=False)
    previous = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].choices = _markets()
        self.fields["sector"].choices = _sectors()

    def clean_period(self):
        try:
            return period_parse(self.cleaned_data["period"])
        except PeriodError:
            raise forms.ValidationError(_("Not a period: give a year (2026), a quarter (2026-Q3) or a month "
                                          "(2026-07)."), code="bad_period") from None

    def clean(self):
        data = super().clean()
        data["by"] = data.get("by") or BY_MARKET
        keys = {code for code, _label in (_markets() if data["by"] == BY_MARKET else _sectors())}
        if data.get("key", "") not in keys:
            self.add_error("key", forms.ValidationError(_("There is no such market or tenderee type."),
                                                        code="bad_key"))
        data["market"] = data.get("market") or None
        data["sector"] = data.get("sector") or None
        return data


class IssueForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].validators.append(_max_year)
