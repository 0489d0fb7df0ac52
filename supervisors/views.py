"""Pages of supervision, included at the site root: staff assign a lot's social supervisors; a
supervisor sees the lots they watch and keeps an observation note on each. Thin: writes are services."""
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bidding.sales.forms import ReserveForm
from monitoring.events import actor_of
from supervisors.models import Assignment
from supervisors.selectors import assignments_for_lot, assignments_for_supervisor, notes_by_lot, supervisor_choices
from supervisors.services import (ENDED_STATUSES, NOTE_MAX, assignment_create, assignment_revoke,
                                  observation_note_save, reserve_seal_witnessed)
from trading.errors import PlatformError
from trading.models import Lot, Role
from trading.permissions import role_required

# The lot pages that exist once a lot is published: before that there is no opening room to watch.
UNPUBLISHED = (Lot.Status.DRAFT, Lot.Status.PENDING_REVIEW)


class AssignForm(forms.Form):
    supervisor = forms.ModelChoiceField(label=_("Social supervisor"), queryset=supervisor_choices(),
                                        empty_label=_("Choose a supervisor"))


class NoteForm(forms.Form):
    # The length is the service's to check, so that the page refuses like the API and the room.
    text = forms.CharField(label=_("Observation note"), required=False, strip=False,
                           widget=forms.Textarea(attrs={"rows": 8, "maxlength": NOTE_MAX}),
                           help_text=_("The draft of your observation report on this lot; only you see it."))


def _staff_page(request, lot, *, form=None, error=None, status=200):
    return render(request, "supervisors/staff_lot_supervisors.html", {
        "lot": lot, "assignments": assignments_for_lot(lot_id=lot.pk), "form": form or AssignForm(),
        "can_assign": lot.status not in ENDED_STATUSES, "error": error,
    }, status=status)


def staff_lot_supervisors(request, lot_id: int):
    role_required(request.user, Role.STAFF)
    lot = get_object_or_404(Lot.objects.select_related("project"), pk=lot_id)
    if request.method != "POST":
        return _staff_page(request, lot)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _staff_page(request, lot, form=form, error=_("Choose a social supervisor from the list."), status=400)
    supervisor = form.cleaned_data["supervisor"]
    try:
        assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=actor_of(request.user))
    except PlatformError as error:
        return _staff_page(request, lot, form=form, error=error.message, status=error.status)
    messages.success(request, _("%(name)s is assigned to this lot.") % {"name": supervisor})
    return redirect("staff-lot-supervisors", lot_id=lot.pk)


@require_POST
def staff_assignment_revoke(request, lot_id: int, assignment_id: int):
    role_required(request.user, Role.STAFF)
    lot = get_object_or_404(Lot.objects.select_related("project"), pk=lot_id)
    if not Assignment.objects.filter(pk=assignment_id, lot=lot).exists():
        raise Http404
    try:
        assignment = assignment_revoke(assignment_id=assignment_id, actor=actor_of(request.user))
    except PlatformError as error:
        return _staff_page(request, lot, error=error.message, status=error.status)
    messages.success(request, _("The assignment of %(name)s is revoked.") % {"name": assignment.supervisor})
    return redirect("staff-lot-supervisors", lot_id=lot.pk)


def _mine_page(request, *, failed_lot_id=None, failed_form=None, error=None, status=200):
    assignments = list(assignments_for_supervisor(user=request.user))
    notes = notes_by_lot(user=request.user, lot_ids=[a.lot_id for a in assignments])
    rows = []
    for assignment in assignments:
        note = notes.get(assignment.lot_id)
        if assignment.lot_id == failed_lot_id:
            form = failed_form
        else:
            form = NoteForm(initial={"text": note.text if note else ""}, prefix=f"lot{assignment.lot_id}")
        rows.append({"assignment": assignment, "lot": assignment.lot, "note": note, "form": form,
                     "has_room": assignment.lot.status not in UNPUBLISHED})
    return render(request, "supervisors/mine.html", {"rows": rows, "error": error}, status=status)


def supervision_mine(request):
    role_required(request.user, Role.SUPERVISOR)
    return _mine_page(request)


@require_POST
def supervision_note_save(request, lot_id: int):
    role_required(request.user, Role.SUPERVISOR)
    form = NoteForm(request.POST, prefix=f"lot{lot_id}")
    if not form.is_valid():
        return _mine_page(request, failed_lot_id=lot_id, failed_form=form, error=_("The note could not be read."),
                          status=400)
    try:
        observation_note_save(lot_id=lot_id, user=request.user, text=form.cleaned_data["text"])
    except PlatformError as error:
        # Shown again with the text as sent, so nothing typed is lost.
        return _mine_page(request, failed_lot_id=lot_id, failed_form=form, error=error.message,
                          status=error.status)
    messages.success(request, _("Your observation note is saved."))
    return redirect("supervision-mine")


@require_POST
def staff_reserve_seal(request, lot_id: int):
    """The reserve form of the staff's sale page (``bidding``): sealed with the supervisor present."""
    role_required(request.user, Role.STAFF)
    lot = get_object_or_404(Lot, pk=lot_id)
    form = ReserveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reserve could not be read: give the amount and the supervisor's credentials."))
        return redirect("staff-sale", lot_id=lot.pk)
    try:
        reserve_seal_witnessed(lot_id=lot.pk, actor=actor_of(request.user), **form.cleaned_data)
    except PlatformError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The reserve is sealed, witnessed by %(name)s.") % {"name": form.cleaned_data[
            "witness_username"]})
    return redirect("staff-sale", lot_id=lot.pk)
