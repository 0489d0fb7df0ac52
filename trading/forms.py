from django import forms
from django.utils.translation import gettext_lazy as _

from trading.errors import AuthError
from trading.services import login_check


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.user = login_check(request=self.request, username=data["username"], password=data["password"])
        except AuthError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return data
