"""Pages of the registry: staff's registry (the list, a recommendation, a supervisor's page with
every action and their whole record), staff's draws on a lot, a person's self-nomination, and the
supervisor's workbench (pledge and certificate, seats to accept or recuse from, accepted sessions
with their live room, reports due). Thin: every write is a service."""
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from supervisors.registry import forms as f
from supervisors.registry import rules
from supervisors.registry.models import Sanction, SessionKind, Supervisor
from supervisors.registry.selectors import (auctions_by_lot, draws_for_lot, recusals_pending, supervisor_get,
                                            supervisor_history, supervisor_list, supervisor_of, workbench)
from supervisors.registry.services import accountability, draws, lifecycle, relations
from supervisors.registry.services.documents import download_name, upload_of
from trading.accounts.forms_companies import error_show
from trading.errors import PlatformError
from trading.models import Lot, Role, User
from trading.permissions import role_required
from trading.storage import StorageError, get_storage
from trading.views_registrations import signed_in_as


def _pdf(key: str):
    storage = get_storage()
    try:
        data = storage.get(key)
    except StorageError as error:
        raise Http404 from error
    response = FileResponse(data, as_attachment=True, filename=download_name(key), content_type="application/pdf")
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@signed_in_as(Role.STAFF)
def staff_supervisors(request):
    form = f.FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return render(request, "supervisors/registry/staff_list.html", {
        "form": form, "recusals": recusals_pending(),
        "supervisors": supervisor_list(status=filters.get("status", ""), query=filters.get("q", "")),
    })


@signed_in_as(Role.STAFF)
def staff_supervisor_recommend(request):
    form = f.RecommendForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = account = None
        if data["existing_username"]:
            person = User.objects.filter(username=data["existing_username"].strip()).first()
            if person is None:
                form.add_error("existing_username", _("There is no account with this username."))
        else:
            account = lifecycle.NewAccount(username=data["username"], display_name=data["display_name"],
                                           resident_id=data["resident_id"], password=data["password"])
        if not form.errors:
            try:
                supervisor = lifecycle.supervisor_recommend(
                    by=request.user, user=person, account=account, unit_name=data["unit_name"],
                    unit_uscc=data["unit_uscc"], letter=upload_of(data["letter"]),
                    employer_name=data["employer_name"], employer_id=data["employer"].pk if data["employer"] else None,
                    market_codes=[market.code for market in data["markets"]])
            except PlatformError as error:
                error_show(form, error)
            else:
                messages.success(request, _("%(person)s is recommended; vet them next.") % {"person": supervisor})
                return redirect("staff-supervisor", supervisor_id=supervisor.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervisors/registry/staff_recommend.html", {"form": form}, status=status)


def _person_page(request, supervisor: Supervisor, *, forms=None, error=None, status=200):
    forms = forms or {}
    return render(request, "supervisors/registry/staff_person.html", {
        "supervisor": supervisor, "history": supervisor_history(supervisor=supervisor), "error": error,
        "notes_form": forms.get("vet", f.NotesForm()), "appoint_form": forms.get("appoint", f.AppointForm()),
        "reason_form": f.ReasonForm(), "sanction_form": forms.get("sanction", f.SanctionForm()),
        "evaluation_form": forms.get("evaluate", f.EvaluationForm()),
    }, status=status)


@require_safe
@signed_in_as(Role.STAFF)
def staff_supervisor(request, supervisor_id: int):
    supervisor = supervisor_get(supervisor_id=supervisor_id)
    if supervisor is None:
        raise Http404
    return _person_page(request, supervisor)


# Each action: its form, and the service call with the form's data.
ACTIONS = {
    "vet": (f.NotesForm, lambda by, pk, d: lifecycle.supervisor_vet(supervisor_id=pk, by=by, notes=d["notes"]),
            _("The candidate is vetted.")),
    "appoint": (f.AppointForm, lambda by, pk, d: lifecycle.supervisor_appoint(
        supervisor_id=pk, by=by, agreement_signed_on=d["agreement_signed_on"], agreement=upload_of(d["agreement"]),
        term_start=d["term_start"], term_end=d["term_end"]), _("The supervisor is appointed.")),
    "suspend": (f.ReasonForm, lambda by, pk, d: lifecycle.supervisor_suspend(supervisor_id=pk, by=by,
                                                                              reason=d["reason"]),
                _("The supervisor is suspended.")),
    "reinstate": (f.ReasonForm, lambda by, pk, d: lifecycle.supervisor_reinstate(supervisor_id=pk, by=by,
                                                                                  reason=d["reason"]),
                  _("The supervisor is reinstated.")),
    "dismiss": (f.ReasonForm, lambda by, pk, d: lifecycle.supervisor_dismiss(supervisor_id=pk, by=by,
                                                                              reason=d["reason"]),
                _("The supervisor is dismissed.")),
    "renew": (f.ReasonForm, lambda by, pk, d: lifecycle.supervisor_renew(supervisor_id=pk, by=by, reason=d["reason"]),
              _("The term is renewed.")),
    "sanction": (f.SanctionForm, lambda by, pk, d: accountability.sanction_impose(
        supervisor_id=pk, by=by, kind=d["kind"], reason=d["reason"], evidence=upload_of(d["evidence"])),
        _("The sanction is recorded.")),
    "evaluate": (f.EvaluationForm, lambda by, pk, d: accountability.evaluation_record(
        supervisor_id=pk, by=by, year=d["year"], grade=d["grade"], comment=d["comment"]),
        _("The evaluation is recorded.")),
}


@require_POST
@signed_in_as(Role.STAFF)
def staff_supervisor_action(request, supervisor_id: int, action: str):
    supervisor = supervisor_get(supervisor_id=supervisor_id)
    if supervisor is None or action not in ACTIONS:
        raise Http404
    form_class, service, done = ACTIONS[action]
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return _person_page(request, supervisor, forms={action: form}, error=_("The form could not be read."),
                            status=400)
    try:
        service(request.user, supervisor.pk, form.cleaned_data)
    except PlatformError as error:
        return _person_page(request, supervisor_get(supervisor_id=supervisor_id), forms={action: form},
                            error=error.message, status=error.status)
    messages.success(request, done)
    return redirect("staff-supervisor", supervisor_id=supervisor.pk)


@require_safe
def supervisor_document(request, supervisor_id: int, kind: str):
    """The letter (staff), the signed agreement and the certificate (staff and the supervisor)."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    supervisor = get_object_or_404(Supervisor, pk=supervisor_id)
    own = supervisor.user_id == request.user.pk
    if not request.user.has_role(Role.STAFF) and not (own and kind in ("agreement", "certificate")):
        raise Http404
    key = {"letter": supervisor.letter_key, "agreement": supervisor.agreement_key,
           "certificate": supervisor.certificate_key}.get(kind)
    if not key:
        raise Http404
    return _pdf(key)


@require_safe
@signed_in_as(Role.STAFF)
def sanction_evidence(request, sanction_id: int):
    sanction = get_object_or_404(Sanction, pk=sanction_id)
    if not sanction.evidence_key:
        raise Http404
    return _pdf(sanction.evidence_key)


def _draws_page(request, lot: Lot, *, form=None, error=None, status=200):
    kinds = rules.SESSIONS_OF_PROCEDURE[lot.procedure.kind]
    rows = []
    for draw in draws_for_lot(lot_id=lot.pk):
        redone = rules.draw_redo(seed=draw.seed, session_kind=draw.session_kind, pool=draw.pool)
        rows.append({"draw": draw, "redone": redone == draw.pool and redone[:draw.size] == draw.drawn,
                     "seats": list(draw.seats.all())})
    return render(request, "supervisors/registry/staff_draws.html", {
        "lot": lot, "rows": rows, "form": form or f.DrawForm(kinds=kinds), "error": error,
        "recusals": recusals_pending(lot_id=lot.pk), "decision_form": f.DecisionForm(),
        "can_draw": lot.status not in draws.UNPUBLISHED and lot.status not in draws.ENDED_STATUSES,
    }, status=status)


@signed_in_as(Role.STAFF)
def staff_lot_draws(request, lot_id: int):
    lot = get_object_or_404(Lot.objects.select_related("project__market", "project__procedure"), pk=lot_id)
    if request.method != "POST":
        return _draws_page(request, lot)
    form = f.DrawForm(request.POST, kinds=rules.SESSIONS_OF_PROCEDURE[lot.procedure.kind])
    if not form.is_valid():
        return _draws_page(request, lot, form=form, error=_("Choose the session."), status=400)
    try:
        draw = draws.supervisor_draw(lot_id=lot.pk, session_kind=form.cleaned_data["session_kind"], by=request.user)
    except PlatformError as error:
        return _draws_page(request, lot, form=form, error=error.message, status=error.status)
    messages.success(request, _("%(n)s supervisors are drawn.") % {"n": len(draw.drawn)})
    return redirect("staff-lot-draws", lot_id=lot.pk)


@require_POST
@signed_in_as(Role.STAFF)
def staff_recusal_decide(request, lot_id: int, recusal_id: int):
    lot = get_object_or_404(Lot.objects.select_related("project__market", "project__procedure"), pk=lot_id)
    form = f.DecisionForm(request.POST)
    if not form.is_valid():
        return _draws_page(request, lot, error=_("Choose approve or refuse."), status=400)
    try:
        draws.recusal_decide(recusal_id=recusal_id, by=request.user, **form.cleaned_data)
    except PlatformError as error:
        return _draws_page(request, lot, error=error.message, status=error.status)
    messages.success(request, _("The recusal is decided."))
    return redirect("staff-lot-draws", lot_id=lot.pk)


def _room(seat, auctions: dict[int, int]) -> str | None:
    """The live room of a seat's session: the lot's opening room (its record, evaluation included),
    or the auction's room once the auction is set up."""
    if seat.session_kind != SessionKind.AUCTION:
        return reverse("opening-page", kwargs={"lot_id": seat.lot_id})
    auction = auctions.get(seat.lot_id)
    return reverse("auction-page", kwargs={"auction_id": auction}) if auction else None


def _workbench_page(request, *, error=None, status=200):
    supervisor = supervisor_of(user=request.user)
    bench = workbench(user=request.user)
    auctions = auctions_by_lot(lot_ids=[seat.lot_id for seat in bench["accepted"]])
    return render(request, "supervisors/registry/workbench.html", {
        "supervisor": supervisor, "bench": bench, "duties": rules.DUTIES,
        "accepted": [{"seat": seat, "room": _room(seat, auctions)} for seat in bench["accepted"]],
        "pledge": rules.PLEDGE, "recusal_form": f.RecusalForm(), "error": error,
        "relation_form": f.RelationForm(),
        "relations": supervisor.relations.select_related("organisation") if supervisor else [],
    }, status=status)


@require_safe
def supervision_workbench(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    if supervisor_of(user=request.user) is None:
        role_required(request.user, Role.SUPERVISOR)
    return _workbench_page(request)


def _workbench_post(request, action, done):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={reverse('supervision-workbench')}")
    try:
        action()
    except PlatformError as error:
        return _workbench_page(request, error=error.message, status=error.status)
    messages.success(request, done)
    return redirect("supervision-workbench")


@require_POST
def supervision_pledge(request):
    supervisor = supervisor_of(user=request.user)
    return _workbench_post(request, lambda: lifecycle.supervisor_pledge_accept(
        supervisor_id=supervisor.pk if supervisor else 0, user=request.user),
        _("You accepted the duties and the integrity pledge; your certificate is issued."))


@require_POST
def supervision_seat_accept(request, assignment_id: int):
    return _workbench_post(request, lambda: draws.assignment_accept(assignment_id=assignment_id, user=request.user),
                           _("You accepted the seat."))


@require_POST
def supervision_seat_recuse(request, assignment_id: int):
    form = f.RecusalForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _workbench_post(request, lambda: draws.recusal_apply(assignment_id=assignment_id, user=request.user,
                                                                reason=reason),
                           _("Your application to recuse is sent to staff."))


@require_POST
def supervision_relation_declare(request):
    """The supervisor declares a relation with an organisation (a ground of exclusion from draws)."""
    supervisor = supervisor_of(user=request.user) if request.user.is_authenticated else None
    form = f.RelationForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"organisation_uscc": "", "kind": "", "note": ""}
    return _workbench_post(request, lambda: relations.supervisor_relation_declare(
        supervisor_id=supervisor.pk if supervisor else 0, user=request.user, **data),
        _("Your relation is recorded: you will not be drawn for lots where that organisation is a party."))


def supervision_nominate(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    form = f.NominateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lifecycle.supervisor_nominate(user=request.user, employer_name=data["employer_name"],
                                          employer_id=data["employer"].pk if data["employer"] else None,
                                          market_codes=[market.code for market in data["markets"]])
        except PlatformError as error:
            error_show(form, error)
        else:
            messages.success(request, _("Your nomination is recorded; staff will vet it."))
            return redirect("supervision-workbench")
    status = 400 if request.method == "POST" else 200
    return render(request, "supervisors/registry/nominate.html", {"form": form}, status=status)
