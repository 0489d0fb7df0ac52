"""Forms of the lot pages. Date-times are entered in China time (the active time zone); a lot's form
asks only the dates of its procedure's kind: a tender's documents and bid deadline, a listing's
period."""
from django import forms
from django.utils.translation import gettext_lazy as _

from trading.models import Organisation, Procedure
from trading.services.announcements import KIND_REQUIRES_STATUS


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _when(label, required=False):
    return forms.DateTimeField(label=label, required=required, widget=DateTimeInput())


# The schedule each kind of procedure asks for, in the order a lot lives it.
KIND_DATES = {
    Procedure.Kind.TENDER: ("documents_until", "bid_deadline"),
    Procedure.Kind.LISTING: ("listing_start", "listing_end"),
}
KIND_LEGENDS = {
    Procedure.Kind.TENDER: _("Tender dates (China Standard Time)"),
    Procedure.Kind.LISTING: _("Listing dates (China Standard Time)"),
}


class ProcedureSelect(forms.Select):
    """Each procedure's option says its kind (``data-kind``), so the page shows the dates it asks."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value and getattr(value, "instance", None) is not None:
            option["attrs"]["data-kind"] = value.instance.kind
        return option


class LotFieldsForm(forms.Form):
    lot_title = forms.CharField(label=_("Lot title"), max_length=200)
    estimate = forms.DecimalField(label=_("Estimate or budget ceiling (yuan)"), max_digits=16, decimal_places=2,
                                  min_value=0)
    deposit = forms.DecimalField(label=_("Bid deposit (yuan)"), max_digits=14, decimal_places=2, min_value=0,
                                 initial=0)
    appraised_value = forms.DecimalField(label=_("Appraised value (yuan)"), max_digits=16, decimal_places=2,
                                         min_value=0, required=False,
                                         help_text=_("For state-owned equity and land: what the assets were appraised at."))
    documents_until = _when(_("Documents on sale until"))
    bid_deadline = _when(_("Bid deadline"))
    listing_start = _when(_("Listing starts"))
    listing_end = _when(_("Listing ends"))

    def __init__(self, *args, kind: str | None = None, **kwargs):
        """``kind``: the lot's procedure kind, whose dates alone the form then asks."""
        super().__init__(*args, **kwargs)
        for other, names in KIND_DATES.items():
            if kind is not None and other != kind:
                for name in names:
                    del self.fields[name]

    # The parts the page lays out as fieldsets, before the dates (trading/forms/sections.html).
    SECTIONS = [(_("Lot"), ("lot_title", "estimate", "deposit", "appraised_value"))]

    def sections(self) -> list[dict]:
        """Each part with its legend and fields; the dates by kind of procedure (``kind``), so the page
        shows the chosen procedure's only."""
        parts = [{"legend": legend, "fields": [self[name] for name in names], "kind": ""}
                 for legend, names in self.SECTIONS]
        return parts + [{"legend": KIND_LEGENDS[kind], "fields": [self[name] for name in names], "kind": kind}
                        for kind, names in KIND_DATES.items() if all(name in self.fields for name in names)]

    def lot_fields(self, kind: str | None = None) -> dict:
        """The lot's fields as the services take them; with ``kind``, only that kind's dates (a date
        left filled in for the other kind is not the lot's)."""
        data = self.cleaned_data
        fields = {"title": data["lot_title"], "estimate": data["estimate"], "deposit": data["deposit"]}
        if data.get("appraised_value") is not None:
            fields["appraised_value"] = data["appraised_value"]
        names = KIND_DATES[kind] if kind else [name for group in KIND_DATES.values() for name in group]
        for name in names:
            if data.get(name):
                fields[name] = data[name]
        return fields


class ProjectCreateForm(LotFieldsForm):
    code = forms.CharField(label=_("Project code"), max_length=40)
    title = forms.CharField(label=_("Project title"), max_length=200)
    procedure = forms.ModelChoiceField(label=_("Market and procedure"),
                                       queryset=Procedure.objects.select_related("market"), widget=ProcedureSelect)
    tenderee = forms.ModelChoiceField(label=_("Tenderee or transferor"),
                                      queryset=Organisation.objects.filter(kind=Organisation.Kind.TENDEREE))
    region = forms.CharField(label=_("Region"), max_length=40, required=False,
                             help_text=_("The district the project is in, as the portal's search offers it."))
    investment = forms.DecimalField(label=_("Total investment (yuan)"), max_digits=16, decimal_places=2,
                                    min_value=0, required=False,
                                    help_text=_("The project's total investment, where the tenderee states one."))

    field_order = ["code", "title", "procedure", "tenderee", "region", "investment", "lot_title", "estimate",
                   "deposit", "appraised_value"]
    SECTIONS = [(_("Project"), ("code", "title", "procedure", "tenderee", "region", "investment")),
                *LotFieldsForm.SECTIONS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].label_from_instance = lambda p: f"{p.market.name} · {p.name}"

    def lot_fields(self, kind: str | None = None) -> dict:
        return super().lot_fields(kind or self.cleaned_data["procedure"].kind)


class PublishForm(forms.Form):
    title = forms.CharField(label=_("Announcement title"), max_length=200)
    body = forms.CharField(label=_("Announcement text"), widget=forms.Textarea(attrs={"rows": 6}))


class AmendForm(forms.Form):
    title = forms.CharField(label=_("Amendment title"), max_length=200)
    body = forms.CharField(label=_("Amendment text"), widget=forms.Textarea(attrs={"rows": 4}))
    bid_deadline = _when(_("New bid deadline (optional)"))
    documents_until = _when(_("Documents on sale until (optional)"))

    def __init__(self, *args, kind: str | None = None, **kwargs):
        """A listing's amendment moves no tender date: the form of a listing lot asks none."""
        super().__init__(*args, **kwargs)
        if kind == Procedure.Kind.LISTING:
            del self.fields["bid_deadline"], self.fields["documents_until"]


class NoticeForm(PublishForm):
    kind = forms.ChoiceField(label=_("Type"), choices=[(k.value, k.label) for k in KIND_REQUIRES_STATUS])
    field_order = ["kind", "title", "body"]


class CorrectForm(PublishForm):
    announcement = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
