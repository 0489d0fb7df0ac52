"""Pages for registration: a bidder's registration and deposit for a lot; staff's approvals and refunds."""
import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from monitoring.events import actor_of
from trading import clock
from trading.errors import TradingError
from trading.models import Registration, Role
from trading.permissions import PAGE_ROLES, role_required
from trading.selectors_registrations import (deposits_refund_due, lot_get_for_registration,
                                             registration_get_for_user, registrations_awaiting_deposit,
                                             registrations_pending)
from trading.services.deposits import deposit_confirm, deposit_refunded
from trading.services.registrations import (registration_create, registration_deadline, registration_decide,
                                            registration_open, registration_withdraw)


LIVE = (Registration.Status.PENDING, Registration.Status.APPROVED)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                             help_text=_("Required when rejecting; the bidder sees it."))


class DepositForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=0)
    reference = forms.CharField(label=_("Bank reference"), max_length=100)


class RefundedForm(forms.Form):
    reference = forms.CharField(label=_("Refund bank reference"), max_length=100)


def signed_in_as(*roles: str):
    """Anonymous people are sent to sign in; people without one of ``roles`` get 403."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            role_required(request.user, *roles)
            return view(request, *args, **kwargs)
        return wrapper
    return decorate


def _lot_page(request, lot_id: int, *, error=None, status=200):
    lot = lot_get_for_registration(lot_id=lot_id)
    if lot is None:
        raise Http404
    registration = registration_get_for_user(lot_id=lot_id, user=request.user)
    is_open = registration_open(lot, at=clock.now())
    return render(request, "trading/registration.html", {
        "lot": lot,
        "registration": registration,
        "deposit": getattr(registration, "deposit", None) if registration else None,
        "deadline": registration_deadline(lot),
        "is_open": is_open,
        "can_register": is_open and registration is None and request.user.organisation_id is not None,
        "can_withdraw": is_open and registration is not None and registration.status in LIVE,
        "error": error,
    }, status=status)


@signed_in_as(*PAGE_ROLES["registration-lot"])
def registration_page(request, lot_id: int):
    return _lot_page(request, lot_id)


@require_POST
@signed_in_as(*PAGE_ROLES["registration-lot"])
def registration_register(request, lot_id: int):
    try:
        registration = registration_create(lot_id=lot_id, user=request.user)
    except TradingError as error:
        return _lot_page(request, lot_id, error=error.message, status=error.status)
    if registration.status == Registration.Status.APPROVED:
        messages.success(request, _("Your organisation is registered for this lot."))
    else:
        messages.success(request, _("Your registration is received; the trading centre will approve or reject it."))
    return redirect("registration-lot", lot_id=lot_id)


@require_POST
@signed_in_as(*PAGE_ROLES["registration-lot"])
def registration_withdraw_view(request, lot_id: int):
    registration = registration_get_for_user(lot_id=lot_id, user=request.user)
    if registration is None:
        raise Http404
    try:
        registration_withdraw(registration_id=registration.pk, user=request.user)
    except TradingError as error:
        return _lot_page(request, lot_id, error=error.message, status=error.status)
    messages.success(request, _("Your registration is withdrawn."))
    return redirect("registration-lot", lot_id=lot_id)


def _staff_page(request, *, error=None, status=200):
    return render(request, "trading/registrations_staff.html", {
        "pending": registrations_pending(),
        "awaiting_deposit": registrations_awaiting_deposit(),
        "decision_form": DecisionForm(),
        "deposit_form": DepositForm(),
        "error": error,
    }, status=status)


@signed_in_as(Role.STAFF)
def staff_registrations(request):
    return _staff_page(request)


@require_POST
@signed_in_as(Role.STAFF)
def staff_registration_decide(request, registration_id: int):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _staff_page(request, error=_("Choose approve or reject."), status=400)
    try:
        registration_decide(registration_id=registration_id, approve=form.cleaned_data["decision"] == "approve",
                            reason=form.cleaned_data["reason"], actor=actor_of(request.user))
    except TradingError as error:
        return _staff_page(request, error=error.message, status=error.status)
    messages.success(request, _("The decision is recorded."))
    return redirect("registration-staff")


@require_POST
@signed_in_as(Role.STAFF)
def staff_deposit_confirm(request, registration_id: int):
    form = DepositForm(request.POST)
    if not form.is_valid():
        return _staff_page(request, error=_("Give the amount and the bank reference."), status=400)
    try:
        deposit_confirm(registration_id=registration_id, actor=actor_of(request.user), **form.cleaned_data)
    except TradingError as error:
        return _staff_page(request, error=error.message, status=error.status)
    messages.success(request, _("The deposit is recorded."))
    return redirect("registration-staff")


def _refunds_page(request, *, error=None, status=200):
    now = clock.now()
    refunds = [(deposit, deposit.refund_due_at is not None and deposit.refund_due_at <= now)
               for deposit in deposits_refund_due()]
    return render(request, "trading/refunds.html", {
        "refunds": refunds,
        "overdue_count": sum(overdue for _deposit, overdue in refunds),
        "form": RefundedForm(),
        "error": error,
    }, status=status)


@signed_in_as(Role.STAFF)
def staff_refunds(request):
    return _refunds_page(request)


@require_POST
@signed_in_as(Role.STAFF)
def staff_refund_mark(request, deposit_id: int):
    form = RefundedForm(request.POST)
    if not form.is_valid():
        return _refunds_page(request, error=_("Give the bank reference of the refund."), status=400)
    try:
        deposit_refunded(deposit_id=deposit_id, reference=form.cleaned_data["reference"],
                         actor=actor_of(request.user))
    except TradingError as error:
        return _refunds_page(request, error=error.message, status=error.status)
    messages.success(request, _("The refund is recorded."))
    return redirect("registration-refunds")
