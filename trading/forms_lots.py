"""Forms of the lot pages. Date-times are entered in China time (the active time zone)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from trading.models import Announcement, Lot, Market, Organisation, Procedure
from trading.services.announcements import KIND_REQUIRES_STATUS


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _when(label, required=False):
    return forms.DateTimeField(label=label, required=required, widget=DateTimeInput())


class LotFieldsForm(forms.Form):
    lot_title = forms.CharField(label=_("Lot title"), max_length=200)
    estimate = forms.DecimalField(label=_("Estimate or budget ceiling (yuan)"), max_digits=16, decimal_places=2,
                                  min_value=0)
    deposit = forms.DecimalField(label=_("Bid deposit (yuan)"), max_digits=14, decimal_places=2, min_value=0,
                                 initial=0)
    documents_until = _when(_("Documents on sale until"))
    bid_deadline = _when(_("Bid deadline"))
    listing_start = _when(_("Listing starts"))
    listing_end = _when(_("Listing ends"))

    def lot_fields(self) -> dict:
        data = self.cleaned_data
        fields = {"title": data["lot_title"], "estimate": data["estimate"], "deposit": data["deposit"]}
        for name in ("documents_until", "bid_deadline", "listing_start", "listing_end"):
            if data.get(name):
                fields[name] = data[name]
        return fields


class ProjectCreateForm(LotFieldsForm):
    code = forms.CharField(label=_("Project code"), max_length=40)
    title = forms.CharField(label=_("Project title"), max_length=200)
    procedure = forms.ModelChoiceField(label=_("Market and procedure"),
                                       queryset=Procedure.objects.select_related("market"))
    tenderee = forms.ModelChoiceField(label=_("Tenderee or transferor"),
                                      queryset=Organisation.objects.filter(kind=Organisation.Kind.TENDEREE))

    field_order = ["code", "title", "procedure", "tenderee", "lot_title", "estimate", "deposit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].label_from_instance = lambda p: f"{p.market.name} · {p.name}"


class PublishForm(forms.Form):
    title = forms.CharField(label=_("Announcement title"), max_length=200)
    body = forms.CharField(label=_("Announcement text"), widget=forms.Textarea(attrs={"rows": 6}))


class AmendForm(forms.Form):
    title = forms.CharField(label=_("Amendment title"), max_length=200)
    body = forms.CharField(label=_("Amendment text"), widget=forms.Textarea(attrs={"rows": 4}))
    bid_deadline = _when(_("New bid deadline (optional)"))
    documents_until = _when(_("Documents on sale until (optional)"))


class NoticeForm(PublishForm):
    kind = forms.ChoiceField(label=_("Type"), choices=[(k.value, k.label) for k in KIND_REQUIRES_STATUS])
    field_order = ["kind", "title", "body"]


class CorrectForm(PublishForm):
    announcement = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AnnouncementFilterForm(forms.Form):
    market = forms.ModelChoiceField(label=_("Market"), queryset=Market.objects.all(), required=False,
                                    to_field_name="code")
    kind = forms.ChoiceField(label=_("Type"), choices=[("", "—")] + Announcement.Kind.choices, required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class LotFilterForm(forms.Form):
    market = forms.ModelChoiceField(label=_("Market"), queryset=Market.objects.all(), required=False,
                                    to_field_name="code")
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—")] + Lot.Status.choices, required=False)
    code = forms.CharField(label=_("Lot code"), required=False, max_length=60,
                           help_text=_("As the announcement prints it, e.g. GC2026-001-1."))
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
