"""Pages of challenges and complaints, included at the site root. Thin: writes are services.

Bidders file from a lot's page and follow their own; the regulator works through the complaints
queue; staff reply to challenges. Only these people see them: the lot's public page shows no more
than its status.
"""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from monitoring.events import actor_of
from supervisors.complaints.selectors import (challenge_list_for_staff, challenge_list_own, complaint_get,
                                              complaint_ids_holding, complaint_list_for_regulator, complaint_list_own,
                                              complaint_may_file, complaint_terms)
from supervisors.complaints.services import (challenge_file, challenge_reply, complaint_accept, complaint_decide,
                                             complaint_file, complaint_refuse, complaint_suspend, TEXT_MAX, TITLE_MAX)
from supervisors.complaints.models import Challenge, Complaint
from trading import clock
from trading.errors import PlatformError
from trading.models import Lot, Role
from trading.permissions import PAGE_ROLES, role_required
from trading.selectors_documents import lot_get_visible

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


def _text(label, *, limit=TEXT_MAX, rows=4, **kwargs):
    return forms.CharField(label=label, max_length=limit, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class ChallengeForm(forms.Form):
    matter = forms.CharField(label=_("What you challenge"), max_length=TITLE_MAX,
                             help_text=_("The procurement document, step or result that harms your interests."))
    grounds = _text(_("Facts and grounds"))
    known_on = forms.DateField(label=_("The day you knew of it"), widget=DATE_WIDGET)


class ComplaintForm(forms.Form):
    act = forms.CharField(label=_("The act complained of"), max_length=TITLE_MAX)
    grounds = _text(_("Facts, grounds and what you ask for"))
    known_on = forms.DateField(label=_("The day you knew of it"), widget=DATE_WIDGET)
    challenge = forms.ModelChoiceField(label=_("The challenge it follows"), queryset=Challenge.objects.none(),
                                       required=False, empty_label=_("Choose your challenge"))

    def __init__(self, *args, challenges=None, **kwargs):
        super().__init__(*args, **kwargs)
        if challenges is None:
            del self.fields["challenge"]
        else:
            self.fields["challenge"].queryset = challenges
            self.fields["challenge"].label_from_instance = lambda c: f"{c.filed_at:%Y-%m-%d} · {c.matter}"


class ReplyForm(forms.Form):
    reply = _text(_("Reply"))


class AcceptForm(forms.Form):
    suspend = forms.BooleanField(label=_("Also order the lot suspended until the decision"), required=False)


class ReasonsForm(forms.Form):
    reasons = _text(_("Reasons"))


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Complaint.Outcome.choices, widget=forms.RadioSelect)
    reasons = _text(_("Reasons"))
    terminate = forms.BooleanField(label=_("Terminate the lot (upheld complaints only)"), required=False)


# --- bidders ------------------------------------------------------------------------------------------

def _lot_page(request, lot, *, complaint_form=None, challenge_form=None, error=None, status=200):
    user = request.user
    terms = complaint_terms(lot=lot)
    may_file = complaint_may_file(lot=lot, user=user)
    challenges = challenge_list_own(organisation=user.organisation, lot=lot)
    if may_file and complaint_form is None:
        complaint_form = ComplaintForm(challenges=challenges if terms.challenge_first else None)
    if may_file and terms.challenge_first and challenge_form is None:
        challenge_form = ChallengeForm()
    return render(request, "supervisors/lot_complaints.html", {
        "lot": lot, "terms": terms, "may_file": may_file, "now": clock.now(),
        "complaints": complaint_list_own(organisation=user.organisation, lot=lot),
        "challenges": challenges if terms.challenge_first else None,
        "complaint_form": complaint_form, "challenge_form": challenge_form, "error": error,
    }, status=status)


def _visible(request, lot_id: int) -> Lot:
    try:
        return lot_get_visible(lot_id=lot_id, user=request.user)
    except PlatformError as error:
        raise Http404 from error


@login_required
def lot_complaints(request, lot_id: int):
    """A bidder's complaints (and, in procurement, challenges) about one lot, and the forms."""
    role_required(request.user, *PAGE_ROLES["lot-complaints"])
    lot = _visible(request, lot_id)
    if request.method != "POST":
        return _lot_page(request, lot)
    challenge_first = complaint_terms(lot=lot).challenge_first
    challenges = challenge_list_own(organisation=request.user.organisation, lot=lot) if challenge_first else None
    form = ComplaintForm(request.POST, challenges=challenges)
    if not form.is_valid():
        return _lot_page(request, lot, complaint_form=form, error=_("Check the complaint's fields."), status=400)
    data = form.cleaned_data
    try:
        complaint_file(lot_id=lot.pk, user=request.user, act=data["act"], grounds=data["grounds"],
                       known_on=data["known_on"], challenge_id=data["challenge"].pk if data.get("challenge") else None)
    except PlatformError as error:
        return _lot_page(request, lot, complaint_form=form, error=error.message, status=error.status)
    messages.success(request, _("Your complaint was received; the regulator decides whether to accept it."))
    return redirect("lot-complaints", lot_id=lot.pk)


@require_POST
@login_required
def lot_challenge_file(request, lot_id: int):
    role_required(request.user, Role.BIDDER)
    lot = _visible(request, lot_id)
    form = ChallengeForm(request.POST)
    if not form.is_valid():
        return _lot_page(request, lot, challenge_form=form, error=_("Check the challenge's fields."), status=400)
    try:
        challenge_file(lot_id=lot.pk, user=request.user, **form.cleaned_data)
    except PlatformError as error:
        return _lot_page(request, lot, challenge_form=form, error=error.message, status=error.status)
    messages.success(request, _("Your challenge was received; the purchaser replies in writing."))
    return redirect("lot-complaints", lot_id=lot.pk)


@login_required
def complaints_mine(request):
    role_required(request.user, Role.BIDDER)
    organisation = request.user.organisation
    return render(request, "supervisors/complaints_mine.html", {
        "complaints": complaint_list_own(organisation=organisation),
        "challenges": challenge_list_own(organisation=organisation), "now": clock.now(),
    })


# --- the regulator ------------------------------------------------------------------------------------

@login_required
def regulator_complaints(request):
    role_required(request.user, Role.REGULATOR)
    status = request.GET.get("status", "")
    complaints = list(complaint_list_for_regulator(status=status if status in Complaint.Status.values else ""))
    return render(request, "supervisors/regulator_complaints.html", {
        "complaints": complaints, "holding": complaint_ids_holding(complaint_ids=[c.pk for c in complaints]),
        "now": clock.now(), "status": status, "statuses": Complaint.Status.choices,
    })


def _regulator_page(request, complaint, *, error=None, status=200, forms_sent=None):
    sent = forms_sent or {}
    return render(request, "supervisors/regulator_complaint.html", {
        "complaint": complaint, "now": clock.now(), "error": error,
        "holding": complaint.pk in complaint_ids_holding(complaint_ids=[complaint.pk]),
        "lot_holdable": complaint.lot.status in (*Lot.SUSPENDABLE, Lot.Status.SUSPENDED),
        "accept_form": sent.get("accept") or AcceptForm(), "refuse_form": sent.get("refuse") or ReasonsForm(),
        "decide_form": sent.get("decide") or DecideForm(),
    }, status=status)


@login_required
def regulator_complaint(request, complaint_id: int):
    role_required(request.user, Role.REGULATOR)
    complaint = complaint_get(complaint_id=complaint_id)
    if complaint is None:
        raise Http404
    return _regulator_page(request, complaint)


STEPS = {
    "accept": (AcceptForm, complaint_accept, _("The complaint is accepted.")),
    "refuse": (ReasonsForm, complaint_refuse, _("The complaint is refused.")),
    "suspend": (None, complaint_suspend, _("The lot is suspended until the decision.")),
    "decide": (DecideForm, complaint_decide, _("The decision is recorded.")),
}


@require_POST
@login_required
def regulator_complaint_step(request, complaint_id: int, step: str):
    role_required(request.user, Role.REGULATOR)
    complaint = complaint_get(complaint_id=complaint_id)
    if complaint is None or step not in STEPS:
        raise Http404
    form_class, service, done = STEPS[step]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _regulator_page(request, complaint, error=_("Check the form's fields."), status=400,
                               forms_sent={step: form})
    try:
        service(complaint_id=complaint.pk, actor=actor_of(request.user), **(form.cleaned_data if form else {}))
    except PlatformError as error:
        return _regulator_page(request, complaint_get(complaint_id=complaint.pk), error=error.message,
                               status=error.status, forms_sent={step: form} if form else None)
    messages.success(request, done)
    return redirect("regulator-complaint", complaint_id=complaint.pk)


# --- staff --------------------------------------------------------------------------------------------

def _staff_page(request, *, error=None, status=200, failed=None):
    challenges = challenge_list_for_staff()
    return render(request, "supervisors/staff_challenges.html", {
        "challenges": challenges, "now": clock.now(), "error": error, "failed": failed,
        "reply_form": ReplyForm(auto_id=False),
    }, status=status)


@login_required
def staff_challenges(request):
    role_required(request.user, Role.STAFF)
    return _staff_page(request)


@require_POST
@login_required
def staff_challenge_reply(request, challenge_id: int):
    role_required(request.user, Role.STAFF)
    challenge = get_object_or_404(Challenge, pk=challenge_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _staff_page(request, error=_("Write the reply."), status=400, failed=challenge.pk)
    try:
        challenge_reply(challenge_id=challenge.pk, reply=form.cleaned_data["reply"], actor=actor_of(request.user))
    except PlatformError as error:
        return _staff_page(request, error=error.message, status=error.status, failed=challenge.pk)
    messages.success(request, _("The reply is recorded."))
    return redirect("staff-challenges")
