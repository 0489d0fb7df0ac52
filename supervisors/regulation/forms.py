"""Forms of the regulators' pages and of the public reporting channel."""
from django import forms
from django.utils.translation import gettext_lazy as _

from supervisors.regulation.services import CONTACT_MAX, TEXT_MAX

EVIDENCE_ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


def _text(label, *, required=True, rows=4, **kwargs):
    return forms.CharField(label=label, max_length=TEXT_MAX, required=required,
                           widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files in one input; the service checks their number, size and kind."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(EvidenceField, self).clean(item, initial) for item in files]


class ReportForm(forms.Form):
    lot_code = forms.CharField(label=_("Lot number"), max_length=60, required=False,
                               help_text=_("The lot the report is about, if any (as on its page, e.g. GC2026-101-1)."))
    text = _text(_("What happened"), rows=8,
                 help_text=_("Who did what, when and where; what you saw or know. Do not guess at names."))
    evidence = EvidenceField(label=_("Evidence"), required=False,
                             help_text=_("Up to 5 files: PDF, JPEG or PNG, 10 MB each."))
    contact = forms.CharField(label=_("How to reach you"), max_length=CONTACT_MAX, required=False,
                              help_text=_("A telephone number or an address. Required when you are not signed in; "
                                          "only the regulators see it."))


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("How useful was the answer?"), coerce=int, widget=forms.RadioSelect,
                                    choices=[(n, str(n)) for n in range(1, 6)])


class InquiryForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Ask"), coerce=int, empty_value=None, required=False)
    question = _text(_("Question"))
    due_on = forms.DateField(label=_("Answer due by the end of"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("Leave empty for the rule table's working days."))

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("The trading centre")),
                                               *((party.pk, party.name) for party in parties)]


class AnswerForm(forms.Form):
    answer = _text(_("Answer"))


class ReasonForm(forms.Form):
    reason = _text(_("Reason"), rows=3)


class TriageForm(forms.Form):
    note = _text(_("Note for the regulators"), required=False, rows=3)


class CloseForm(forms.Form):
    answer = _text(_("Answer to the reporter (when closing without one)"), required=False, rows=3)

    def __init__(self, *args, **kwargs):
        # Shown beside the answer form, whose field has the same name: the ids must differ.
        kwargs.setdefault("auto_id", "id_close_%s")
        super().__init__(*args, **kwargs)
