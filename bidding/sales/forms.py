""""""
from django import forms
from django.utils.translation import gettext_lazy as _

from bidding.sales.models import Auction


def _amount(label, **kwargs):
    return forms.DecimalField(label=label, max_digits=16, decimal_places=2, min_value=0.01, **kwargs)


class ListingTermsForm(forms.Form):
    starting_price = _amount(_("Starting price (yuan)"))
    increment = _amount(_("Increment (yuan)"))
    auction_delay_minutes = forms.IntegerField(label=_("A contested listing's auction starts after (minutes)"),
                                               min_value=0, max_value=7 * 24 * 60, initial=30)
    auction_free_minutes = forms.IntegerField(label=_("Free bidding (minutes)"), min_value=0, max_value=24 * 60,
                                              initial=10)


class AuctionForm(forms.Form):
    """A live auction for a listing lot: English (increment, free phase, optional reserve) or
    descending (floor, decrement, step). The service says what a method is missing."""
    method = forms.ChoiceField(label=_("Method"), choices=Auction.Method.choices)
    starting_price = _amount(_("Starting price (yuan)"))
    # A datetime-local input shows a value only in its own form, 2031-03-03T09:30 (China time).
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    increment = _amount(_("Increment (yuan)"), required=False)
    free_minutes = forms.IntegerField(label=_("Free bidding (minutes)"), min_value=0, max_value=24 * 60, initial=10,
                                      required=False)
    floor_price = _amount(_("Floor price (yuan)"), required=False)
    decrement = _amount(_("Decrement per step (yuan)"), required=False)
    step_seconds = forms.IntegerField(label=_("Step (seconds)"), min_value=1, max_value=24 * 3600, required=False)


class QuoteForm(forms.Form):
    amount = _amount(_("Your quote (yuan)"))


class ReserveForm(forms.Form):
    amount = _amount(_("Reserve price (yuan)"))
    witness_username = forms.CharField(label=_("Supervisor's username"), max_length=150)
    witness_password = forms.CharField(label=_("Supervisor's password"), widget=forms.PasswordInput)
