"""Forms of the pages of a supervisor's rights in a session. They only read what was typed: lengths,
rights and states are the services' to check, so a page refuses like the API."""
from django import forms
from django.utils.translation import gettext_lazy as _

from supervisors.registry.models import SessionKind
from supervisors.sessions.models import StopRequest
from supervisors.sessions.rules import ANSWERS, RATINGS, checklist_items


def _text(label, rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class _SessionForm(forms.Form):
    def __init__(self, *args, sessions=SessionKind.choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = sessions


class StopRequestForm(_SessionForm):
    session = forms.ChoiceField(label=_("Session"))
    reason = _text(_("Why the session must stop"))


class ObjectionForm(_SessionForm):
    session = forms.ChoiceField(label=_("Session"))
    text = _text(_("Objection"))


class QuestionForm(forms.Form):
    text = _text(_("Question to the centre's liaison"))


class StopAnswerForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=StopRequest.Decision.choices, widget=forms.RadioSelect)
    answer = _text(_("Answer on the record"), rows=2)


class AnswerForm(forms.Form):
    answer = _text(_("Answer on the record"), rows=2)


class CheckInForm(_SessionForm):
    session = forms.ChoiceField(label=_("Session"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); the service checks them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ReportForm(forms.Form):
    """The observation report: one yes / no / not-applicable question per checklist item of the
    session (fields ``check_<code>``), then the rest."""
    issues = _text(_("Issues found"), rows=4, required=False)
    rating = forms.TypedChoiceField(label=_("Rating of the session"), coerce=int, widget=forms.RadioSelect,
                                    choices=[(n, str(n)) for n in RATINGS],
                                    help_text=_("1 poor … 5 exemplary"))
    text = _text(_("Report"), rows=8, required=False, strip=False)
    signed_off = forms.TypedChoiceField(label=_("Do you sign the session off?"), widget=forms.RadioSelect,
                                        coerce=lambda value: value == "yes",
                                        choices=[("yes", _("Yes, I sign it off")),
                                                 ("no", _("No, I refuse to sign it off"))])
    refusal_reason = _text(_("Why you do not sign it off"), rows=2, required=False)
    attachments = MultipleFileField(label=_("Attachments (PDF, JPEG or PNG)"), required=False)

    def __init__(self, *args, session_kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        checks = {f"check_{code}": forms.ChoiceField(label=label, choices=ANSWERS, widget=forms.RadioSelect)
                  for code, label in checklist_items(session_kind)}
        self.fields = {**checks, **self.fields}

    def checklist(self) -> dict:
        return {name.removeprefix("check_"): value for name, value in self.cleaned_data.items()
                if name.startswith("check_")}
