"""Forms of the company pages: they read the input; the rules are the service's, whose refusals are
shown on the field they concern (``error_show``)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from trading.errors import PlatformError

LICENCE_HELP = _("The business licence (营业执照): a PDF, JPEG or PNG file of at most 10 MB.")
LICENCE_ACCEPT = {"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}


class SignUpForm(forms.Form):
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=40,
                           help_text=_("18 characters, as printed on the business licence."))
    name = forms.CharField(label=_("Company name"), max_length=200)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100)
    licence = forms.FileField(label=_("Business licence"), required=False, help_text=LICENCE_HELP,
                              widget=forms.ClearableFileInput(attrs=LICENCE_ACCEPT))
    contact_display_name = forms.CharField(label=_("Contact person's name"), max_length=100)
    contact_resident_id = forms.CharField(label=_("Contact person's resident ID number"), max_length=18)
    contact_email = forms.EmailField(label=_("Contact person's email address"),
                                     help_text=_("A link to confirm it is mailed there."))
    contact_username = forms.CharField(label=_("Username"), max_length=150,
                                       help_text=_("The contact person signs in with it."))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(label=_("Password again"),
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class ParticularsForm(forms.Form):
    """A change of particulars, or a refused sign-up corrected: what is left as it is stays."""

    name = forms.CharField(label=_("Company name"), max_length=200)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100)
    licence = forms.FileField(label=_("New business licence"), required=False,
                              help_text=_("Leave empty to keep the present one. PDF, JPEG or PNG, at most 10 MB."),
                              widget=forms.ClearableFileInput(attrs=LICENCE_ACCEPT))


class UserAddForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=100)
    resident_id = forms.CharField(label=_("Resident ID number"), max_length=18)
    email = forms.EmailField(label=_("Email address"))
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Initial password"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("Give it to the person; they may change it."))
    company_admin = forms.BooleanField(label=_("Also a company administrator"), required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             help_text=_("Required when refusing; the company reads it."))


def error_show(form: forms.Form, error: PlatformError) -> None:
    """Put a service's refusal on the fields it names that the form has, else above the form."""
    named = [field for field in error.fields if field in form.fields]
    for field in named:
        form.add_error(field, str(error.message))
    if not named:
        form.add_error(None, str(error.message))
