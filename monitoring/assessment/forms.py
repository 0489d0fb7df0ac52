"""The staff assessment's forms. They check the shape of what was typed; the services decide the
rest (the weights' sum, who may assess whom, the ranges) and say why when they refuse."""
from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from monitoring.assessment.selectors import indicator_name
from trading.text import TEXT_MAX

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


def last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


class WeightsForm(forms.Form):
    """One weight per weighted indicator (the veto has none), named ``weight_<code>``."""

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = [indicator for indicator in indicators if not indicator.veto]
        for indicator in self.indicators:
            self.fields[f"weight_{indicator.code}"] = forms.DecimalField(
                label=indicator_name(indicator), min_value=0, max_value=100, decimal_places=2, max_digits=5,
                initial=indicator.weight, widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}))

    def weights(self) -> dict:
        return {indicator.code: self.cleaned_data[f"weight_{indicator.code}"] for indicator in self.indicators}

    def rows(self):
        return [(indicator, self[f"weight_{indicator.code}"]) for indicator in self.indicators]


class OpenForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Staff member"), queryset=None, empty_label=None)
    period_start = forms.DateField(label=pgettext_lazy("period", "From"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=pgettext_lazy("period", "To"), widget=DATE_WIDGET)

    def __init__(self, *args, people, today: date, **kwargs):
        start, end = last_month(today)
        kwargs.setdefault("initial", {"period_start": start, "period_end": end})
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda user: f"{user} ({user.username})"


class ScoreForm(forms.Form):
    """One entered indicator: its code, the value as typed (the service checks its range) and a note."""
    indicator = forms.CharField(max_length=40, widget=forms.HiddenInput)
    value = forms.CharField(label=_("Score"), max_length=20, required=False)
    note = forms.CharField(label=pgettext_lazy("assessment", "Note"), max_length=TEXT_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
