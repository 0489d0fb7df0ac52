"""Forms of the registry's pages: they read the input; the rules are the services', whose refusals
are shown on the form (``trading.accounts.forms_companies.error_show``)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from supervisors.registry.models import Sanction, SessionKind, Supervisor, SupervisorEvaluation, SupervisorRelation
from trading.models import Market, Organisation

PDF_ACCEPT = {"accept": ".pdf,application/pdf"}
DATE = forms.DateInput(attrs={"type": "date"})


class _Watching(forms.Form):
    employer_name = forms.CharField(label=_("Employer"), max_length=200, required=False)
    employer = forms.ModelChoiceField(label=_("Employer on the platform"), required=False,
                                      queryset=Organisation.objects.order_by("name"),
                                      empty_label=_("Not a party on the platform"),
                                      help_text=_("Where the employer trades on the platform: vetting and draws "
                                                  "check it."))
    markets = forms.ModelMultipleChoiceField(label=_("Markets watched"), required=False,
                                             queryset=Market.objects.all(), widget=forms.CheckboxSelectMultiple,
                                             help_text=_("None: every market."))


class RecommendForm(_Watching):
    unit_name = forms.CharField(label=_("Recommending unit"), max_length=200)
    unit_uscc = forms.CharField(label=_("Unit's unified social credit code"), max_length=40)
    letter = forms.FileField(label=_("Recommendation letter"), required=False,
                             widget=forms.ClearableFileInput(attrs=PDF_ACCEPT), help_text=_("A PDF of at most 10 MB."))
    existing_username = forms.CharField(label=_("Existing account (username)"), max_length=150, required=False,
                                        help_text=_("Leave empty to create an account below."))
    username = forms.CharField(label=_("New account: username"), max_length=150, required=False)
    display_name = forms.CharField(label=_("New account: name"), max_length=100, required=False)
    resident_id = forms.CharField(label=_("New account: resident ID number"), max_length=18, required=False)
    password = forms.CharField(label=_("New account: initial password"), required=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("Give it to the person; they change it after signing in."))


class NominateForm(_Watching):
    pass


class NotesForm(forms.Form):
    notes = forms.CharField(label=_("Vetting notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AppointForm(forms.Form):
    agreement_signed_on = forms.DateField(label=_("Agreement signed on"), widget=DATE)
    agreement = forms.FileField(label=_("Signed agreement"), required=False,
                                widget=forms.ClearableFileInput(attrs=PDF_ACCEPT),
                                help_text=_("A PDF of at most 10 MB."))
    term_start = forms.DateField(label=_("Term start"), required=False, widget=DATE, help_text=_("Empty: today."))
    term_end = forms.DateField(label=_("Term end"), required=False, widget=DATE,
                               help_text=_("Empty: the term the rule table sets."))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Sanction"), choices=Sanction.Kind.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("Evidence"), required=False, widget=forms.ClearableFileInput(attrs=PDF_ACCEPT),
                               help_text=_("Optional: a PDF of at most 10 MB."))


class EvaluationForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=9999)
    grade = forms.ChoiceField(label=_("Grade"), choices=SupervisorEvaluation.Grade.choices)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Every status")), *Supervisor.Status.choices])
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class DrawForm(forms.Form):
    session_kind = forms.ChoiceField(label=_("Session"), choices=SessionKind.choices)

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["session_kind"].choices = [(kind.value, kind.label) for kind in kinds]


class RelationForm(forms.Form):
    organisation_uscc = forms.CharField(label=_("Organisation's unified social credit code"), max_length=18)
    kind = forms.ChoiceField(label=_("Relation"), choices=SupervisorRelation.Kind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class RecusalForm(forms.Form):
    reason = forms.CharField(label=_("Why you should recuse"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda value: value == "1",
                                     choices=[("1", _("Approve")), ("0", _("Refuse"))])
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Required when refusing."))
