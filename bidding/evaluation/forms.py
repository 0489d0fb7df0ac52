""""""
from django import forms
from django.utils.translation import gettext_lazy as _

from bidding.evaluation.models import Evaluation, Specialty
from bidding.evaluation.services.awards import WITHDRAW_REASONS


class EvaluationForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=Evaluation.Method.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Evaluation.Category.choices)
    panel_size = forms.IntegerField(label=_("Panel size"), min_value=1, max_value=99, initial=5)
    representatives = forms.IntegerField(label=_("Tenderee's representatives"), min_value=0, max_value=99, initial=0)
    items = forms.CharField(
        label=_("Technical items"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Comprehensive scoring: one item a line, as code|name|maximum points, e.g. tech|技术方案|40."))
    price_weight = forms.DecimalField(label=_("Price weight (points)"), max_digits=5, decimal_places=2, required=False)
    price_formula = forms.ChoiceField(label=_("Price formula"), required=False,
                                      choices=[("", "—"), *Evaluation.PriceFormula.choices])
    trim_outliers = forms.BooleanField(label=_("Drop each item's highest and lowest score (7 or more members)"),
                                       required=False)

    def clean_items(self):
        items = []
        for line in self.cleaned_data["items"].splitlines():
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != 3:
                raise forms.ValidationError(_("Write each item as code|name|maximum points."))
            items.append({"code": parts[0], "name": parts[1], "max": parts[2]})
        return items

    def clean_price_weight(self):
        return self.cleaned_data["price_weight"] or 0


class DrawForm(forms.Form):
    """One count per specialty: how many experts of it to draw."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for specialty in Specialty.objects.all():
            self.fields[f"specialty_{specialty.code}"] = forms.IntegerField(
                label=specialty.name, min_value=0, max_value=99, initial=0, required=False)

    def specialties(self) -> dict[str, int]:
        return {name.removeprefix("specialty_"): value for name, value in self.cleaned_data.items()
                if name.startswith("specialty_") and value}


class AnswerForm(forms.Form):
    no_conflict = forms.TypedChoiceField(
        label=_("Declaration"), coerce=lambda value: value == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("I have no conflict with the tenderee or any bidder of this lot.")),
                 ("no", _("I have a conflict and stand aside."))])
    reason = forms.CharField(label=_("The conflict"), max_length=500, required=False)


class TextForm(forms.Form):
    text = forms.CharField(label=_("Your objection"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ProposeForm(forms.Form):
    note = forms.CharField(label=_("Note to the regulator"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda value: value == "approve",
                                     widget=forms.RadioSelect,
                                     choices=[("approve", _("Approve")), ("return", _("Return with reasons"))])
    reasons = forms.CharField(label=_("Reasons"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why"), choices=list(WITHDRAW_REASONS.items()))
    retender = forms.BooleanField(label=_("Tender the lot again instead of proposing the next candidate"),
                                  required=False)
    detail = forms.CharField(label=_("Details"), max_length=5000, required=False)


class ContractForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=16, decimal_places=2, min_value=0.01)
    reference = forms.CharField(label=_("Contract number"), max_length=100)
