""""""
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from trading.models import Role, User


class PublishSealedForm(forms.Form):
    title = forms.CharField(label=_("Announcement title"), max_length=200)
    body = forms.CharField(label=_("Announcement text"), widget=forms.Textarea(attrs={"rows": 6}))
    custodians = forms.ModelMultipleChoiceField(
        label=_("Key custodians"), widget=forms.CheckboxSelectMultiple,
        queryset=User.objects.filter(roles__role=Role.CUSTODIAN, custodian_key__isnull=False).distinct()
        .order_by("username"),
        help_text=_("Each holds one share of the lot's opening key; include a supervisor or a regulator."),
    )
    threshold = forms.IntegerField(label=_("Shares needed to open (k)"), min_value=2, max_value=9,
                                   initial=settings.PLATFORM_OPENING_THRESHOLD)


class CustodianKeyForm(forms.Form):
    passphrase = forms.CharField(label=_("Passphrase"), widget=forms.PasswordInput, min_length=12)
    passphrase_again = forms.CharField(label=_("Passphrase again"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("passphrase") != data.get("passphrase_again"):
            raise forms.ValidationError(_("The two passphrases differ."), code="passphrase_mismatch")
        return data
