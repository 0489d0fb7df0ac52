"""Forms of the availability pages: an incident's times are entered in China time (the active time
zone), its end left empty while it goes on."""
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trading.forms_lots import DateTimeInput
from trading.models import Part
from trading.services.availability import REASON_MAX


def _when(label, *, required: bool, help_text=""):
    return forms.DateTimeField(label=label, required=required, widget=DateTimeInput(), help_text=help_text)


class IncidentForm(forms.Form):
    started_at = _when(_("From (China Standard Time)"), required=True)
    ended_at = _when(_("Until (China Standard Time)"), required=False,
                     help_text=_("Leave empty while the incident goes on; set it once it is over."))
    part = forms.ChoiceField(label=_("What was unavailable"), choices=Part.choices, initial=Part.PLATFORM)
    reason = forms.CharField(label=pgettext_lazy("outage", "What happened"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Public: bidders read it on the lots it affects."))


class IncidentChangeForm(forms.Form):
    started_at = _when(_("From (China Standard Time)"), required=True)
    ended_at = _when(_("Until (China Standard Time)"), required=False,
                     help_text=_("Leave empty while the incident goes on; set it once it is over."))
    reason = forms.CharField(label=pgettext_lazy("outage", "What happened"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))
    why = forms.CharField(label=_("Why it changes"), max_length=REASON_MAX,
                          widget=forms.Textarea(attrs={"rows": 2}),
                          help_text=_("On the record with the values before and after."))
