"""Pages of a supervisor's rights in a session: the supervisor's lot page (stop request, objection,
question, reports), the report form and the report, staff's answering page, and the officials'
check-in page. Thin: every write is a service, every refusal its message."""
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from supervisors.models import Assignment
from supervisors.registry.models import SessionKind
from supervisors.selectors import note_get
from supervisors.sessions.forms import (AnswerForm, CheckInForm, ObjectionForm, QuestionForm, ReportForm,
                                        StopAnswerForm, StopRequestForm)
from supervisors.sessions.rules import checklist_items
from supervisors.sessions.selectors import (direct_session_kind, lot_is_major, major_threshold, objections_for_staff,
                                            objections_of, questions_for_staff, questions_of, report_body,
                                            report_get_for_user, seat_reports, seats_of, stop_requests_for_staff,
                                            stop_requests_of_lot)
from supervisors.sessions.services import (liaison_question_answer, liaison_question_ask, observation_report_submit,
                                           official_check_in, session_objection_record, stop_request_answer,
                                           stop_request_raise)
from supervisors.sessions.services.reports import attachment_key
from trading.errors import PlatformError
from trading.models import Lot, Role
from trading.permissions import role_required
from trading.storage import get_storage

STAFF_LIST = 50


def _lot(lot_id: int) -> Lot:
    return get_object_or_404(Lot.objects.select_related("project__market", "project__procedure"), pk=lot_id)


def _sessions_of(seats) -> list[tuple[str, str]]:
    """The sessions the person's active seats cover, as form choices."""
    active = [seat for seat in seats if seat.revoked_at is None]
    if any(seat.draw_id is None for seat in active):
        return list(SessionKind.choices)
    kinds = {seat.session_kind for seat in active}
    return [(value, label) for value, label in SessionKind.choices if value in kinds]


def _lot_page(request, lot, *, forms=None, error=None, status=200):
    seats = list(seats_of(lot_id=lot.pk, user_id=request.user.pk))
    if not seats:
        raise Http404
    sessions = _sessions_of(seats)
    forms = forms or {}
    return render(request, "supervisors/sessions/lot.html", {
        "lot": lot, "seats": seats, "error": error,
        "stop_form": forms.get("stop") or StopRequestForm(sessions=sessions),
        "objection_form": forms.get("objection") or ObjectionForm(sessions=sessions),
        "question_form": forms.get("question") or QuestionForm(),
        "stop_requests": stop_requests_of_lot(lot_id=lot.pk).filter(supervisor_id=request.user.pk),
        "questions": questions_of(lot_id=lot.pk, user_id=request.user.pk),
        "objections": objections_of(lot_id=lot.pk, user_id=request.user.pk),
        "reports": [row for row in seat_reports(user=request.user) if row.assignment.lot_id == lot.pk],
        "can_act": bool(sessions),
    }, status=status)


def supervision_lot(request, lot_id: int):
    role_required(request.user, Role.SUPERVISOR)
    return _lot_page(request, _lot(lot_id))


def _lot_action(request, lot_id: int, *, name: str, form_class, act, done):
    """Run one of the supervisor's lot forms: redirect with ``done`` or show the page again with
    what was typed and why it was refused."""
    role_required(request.user, Role.SUPERVISOR)
    lot = _lot(lot_id)
    seats = list(seats_of(lot_id=lot.pk, user_id=request.user.pk))
    kwargs = {"sessions": _sessions_of(seats) or SessionKind.choices} if form_class is not QuestionForm else {}
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        return _lot_page(request, lot, forms={name: form}, error=_("The form could not be read."), status=400)
    try:
        act(lot, form.cleaned_data)
    except PlatformError as error:
        return _lot_page(request, lot, forms={name: form}, error=error.message, status=error.status)
    messages.success(request, done)
    return redirect("supervision-lot", lot_id=lot.pk)


@require_POST
def supervision_stop(request, lot_id: int):
    return _lot_action(request, lot_id, name="stop", form_class=StopRequestForm, done=_(
        "Your stop request is on the record; staff must answer it within minutes."), act=lambda lot, data: (
        stop_request_raise(lot_id=lot.pk, session_kind=data["session"], user=request.user, reason=data["reason"])))


@require_POST
def supervision_objection(request, lot_id: int):
    return _lot_action(request, lot_id, name="objection", form_class=ObjectionForm, done=_(
        "Your objection is on the record."), act=lambda lot, data: session_objection_record(
        lot_id=lot.pk, session_kind=data["session"], user=request.user, text=data["text"]))


@require_POST
def supervision_question(request, lot_id: int):
    return _lot_action(request, lot_id, name="question", form_class=QuestionForm, done=_(
        "Your question is on the record; the centre's liaison will answer it."), act=lambda lot, data: (
        liaison_question_ask(lot_id=lot.pk, user=request.user, text=data["text"])))


def supervision_report_form(request, assignment_id: int):
    """The observation report of one seat; the form starts from the supervisor's observation note."""
    role_required(request.user, Role.SUPERVISOR)
    seat = get_object_or_404(Assignment.objects.select_related("lot__project__market", "lot__project__procedure"),
                             pk=assignment_id, supervisor_id=request.user.pk)
    if hasattr(seat, "report"):
        return redirect("supervision-report", report_id=seat.report.pk)
    kind = (seat.session_kind or request.POST.get("session") or request.GET.get("session")
            or direct_session_kind(lot=seat.lot))
    kind = kind if kind in SessionKind.values else SessionKind.OPENING
    error, status = None, 200
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, session_kind=kind)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = observation_report_submit(
                    assignment_id=seat.pk, user=request.user, checklist=form.checklist(), issues=data["issues"],
                    rating=data["rating"], text=data["text"], attachments=data["attachments"],
                    signed_off=data["signed_off"], refusal_reason=data["refusal_reason"], session_kind=kind)
            except PlatformError as refused:
                error, status = refused.message, refused.status
            else:
                messages.success(request, _("Your report is filed, locked and signed."))
                return redirect("supervision-report", report_id=report.pk)
        else:
            error, status = _("Answer every item of the checklist and rate the session."), 400
    else:
        note = note_get(lot_id=seat.lot_id, user_id=request.user.pk)
        form = ReportForm(initial={"text": note.text if note else ""}, session_kind=kind)
    return render(request, "supervisors/sessions/report_form.html", {
        "seat": seat, "lot": seat.lot, "session_kind": kind, "session_label": SessionKind(kind).label,
        "direct": seat.draw_id is None, "sessions": SessionKind.choices, "form": form, "error": error,
    }, status=status)


def supervision_report(request, report_id: int):
    """A filed report: its author, staff and regulators read it and download it signed."""
    try:
        report = report_get_for_user(report_id=report_id, user=request.user)
    except PlatformError as error:
        if error.status == 404:
            raise Http404 from None
        raise PermissionDenied(error.message) from None
    labels = dict(checklist_items(report.session_kind))
    answers = {"yes": _("Yes"), "no": _("No"), "na": _("Not applicable")}
    return render(request, "supervisors/sessions/report.html", {
        "report": report, "lot": report.assignment.lot, "body": report_body(report=report),
        "checklist": [(labels.get(code, code), answers.get(answer, answer))
                      for code, answer in report.checklist.items()],
        "late": report.due_at is not None and report.submitted_at > report.due_at,
    })


def supervision_report_attachment(request, report_id: int, sha256: str):
    try:
        report = report_get_for_user(report_id=report_id, user=request.user)
    except PlatformError:
        raise Http404 from None
    if not any(item["sha256"] == sha256 for item in report.attachments):
        raise Http404
    key = attachment_key(lot_id=report.assignment.lot_id, sha256=sha256)
    return redirect(get_storage().presigned_get(key, expires=timedelta(minutes=5)))


def _staff_page(request, *, forms=None, error=None, status=200):
    forms = forms or {}
    return render(request, "supervisors/sessions/staff.html", {
        "stop_requests": stop_requests_for_staff()[:STAFF_LIST], "questions": questions_for_staff()[:STAFF_LIST],
        "objections": objections_for_staff()[:STAFF_LIST], "forms": forms, "error": error,
        "is_staff": request.user.has_role(Role.STAFF), "stop_form": StopAnswerForm(), "answer_form": AnswerForm(),
    }, status=status)


def staff_supervision(request):
    """Staff answer stop requests and questions here; regulators read the same record."""
    role_required(request.user, Role.STAFF, Role.REGULATOR)
    return _staff_page(request)


def _staff_answer(request, *, form, act, done):
    role_required(request.user, Role.STAFF)
    if not form.is_valid():
        return _staff_page(request, error=_("Give the decision and the answer."), status=400)
    try:
        act(form.cleaned_data)
    except PlatformError as error:
        return _staff_page(request, error=error.message, status=error.status)
    messages.success(request, done)
    return redirect("staff-supervision")


@require_POST
def staff_stop_answer(request, stop_request_id: int):
    return _staff_answer(request, form=StopAnswerForm(request.POST), done=_("The stop request is answered."),
                         act=lambda data: stop_request_answer(stop_request_id=stop_request_id, user=request.user,
                                                              decision=data["decision"], answer=data["answer"]))


@require_POST
def staff_question_answer(request, question_id: int):
    return _staff_answer(request, form=AnswerForm(request.POST), done=_("The question is answered."),
                         act=lambda data: liaison_question_answer(question_id=question_id, user=request.user,
                                                                  answer=data["answer"]))


def lot_officials(request, lot_id: int):
    """Whether a lot's sessions are major, who checked in to each; a regulator checks in here."""
    role_required(request.user, Role.STAFF, Role.REGULATOR)
    lot = _lot(lot_id)
    error, status = None, 200
    if request.method == "POST":
        form = CheckInForm(request.POST)
        try:
            if not form.is_valid():
                raise PlatformError("session_unknown", _("Say which session you attend."))
            official_check_in(lot_id=lot.pk, session_kind=form.cleaned_data["session"], user=request.user)
        except PlatformError as refused:
            error, status = refused.message, refused.status
        else:
            messages.success(request, _("You are checked in as the official present."))
            return redirect("lot-officials", lot_id=lot.pk)
    check_ins = lot.official_check_ins.select_related("official").order_by("at", "pk")
    return render(request, "supervisors/sessions/officials.html", {
        "lot": lot, "major": lot_is_major(lot=lot), "threshold": major_threshold(lot=lot), "check_ins": check_ins,
        "form": CheckInForm(), "can_check_in": request.user.has_role(Role.REGULATOR), "error": error,
    }, status=status)
