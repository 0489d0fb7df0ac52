"""Pages of the regulators' online acts and of the public reporting channel. Thin: writes are services.

Anyone files a report at /report/ (no sign-in) and follows it at a private link; regulators work
through the reports, ask inquiries and order suspensions from a lot's regulation page; those asked
answer at /inquiries/. Refusals of a right are audited by the services (``regulator_check`` first
where a page reads a form), then shown as the 403 page.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from supervisors.regulation.errors import RegulationError
from supervisors.regulation.forms import (AnswerForm, CloseForm, InquiryForm, RatingForm, ReasonForm, ReportForm,
                                          TriageForm)
from supervisors.regulation.models import PublicReport
from supervisors.regulation.selectors import (INQUIRY_STATES, inquiry_get_for_user, inquiry_list_for_addressee,
                                              inquiry_list_for_regulator, inquiry_may_answer, lot_for_report,
                                              lot_holds_list, lot_orders, lot_parties, report_get,
                                              report_get_by_token, report_list)
from supervisors.regulation.services import (EvidenceUpload, inquiry_answer, inquiry_ask, lot_suspension_lift,
                                             lot_suspension_order, public_report_answer, public_report_close,
                                             public_report_file, public_report_rate, public_report_triage,
                                             regulator_check)
from trading import clock
from trading.errors import PlatformError
from trading.models import Lot, Role
from trading.permissions import role_required
from trading.ratelimits import rate_limited
from trading.storage import StorageError, get_storage
from trading.workdays import day_end


def _private(response):
    """Pages behind a private link or about one person's case are never cached on the way."""
    response["Cache-Control"] = "private, no-store"
    return response


def _regulator_only(request, *, action: str, data: dict) -> None:
    """Before a regulator's form is read: anyone else is refused, audited, with the 403 page."""
    try:
        regulator_check(request.user, action=action, data=data)
    except RegulationError as error:
        raise PermissionDenied(str(error.message)) from error


# --- the public reporting channel ---------------------------------------------------------------------

def _report_page(request, form, *, lot=None, error=None, status=200):
    return _private(render(request, "supervisors/regulation/report_form.html",
                           {"form": form, "lot": lot, "error": error}, status=status))


@rate_limited("report")
def report_file(request):
    """File a report: anyone, signed in or not; a lot's page links here with ``?lot=<id>``."""
    if request.method != "POST":
        lot = lot_for_report(lot_id=int(request.GET["lot"])) if request.GET.get("lot", "").isdigit() else None
        return _report_page(request, ReportForm(initial={"lot_code": lot.code if lot else ""}), lot=lot)
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _report_page(request, form, error=_("Check the report's fields."), status=400)
    data = form.cleaned_data
    lot = lot_for_report(code=data["lot_code"]) if data["lot_code"] else None
    if data["lot_code"] and lot is None:
        form.add_error("lot_code", _("There is no public lot with this number."))
        return _report_page(request, form, error=_("Check the report's fields."), status=400)
    try:
        report = public_report_file(
            text=data["text"], lot_id=lot.pk if lot else None, reporter=request.user, contact=data["contact"],
            evidence=[EvidenceUpload(stream=f, name=f.name, length=f.size) for f in data["evidence"]])
    except PlatformError as error:
        for field, errors in error.fields.items():
            if field in form.fields:
                form.add_error(field, errors)
        return _report_page(request, form, lot=lot, error=error.message, status=error.status)
    return redirect("report-filed", token=report.follow_token)


def _by_token(token: str) -> PublicReport:
    report = report_get_by_token(token=token)
    if report is None:
        raise Http404
    return report


@require_safe
def report_filed(request, token: str):
    """The confirmation: the case number and the private link to follow the case."""
    report = _by_token(token)
    return _private(render(request, "supervisors/regulation/report_filed.html", {
        "report": report, "follow_url": request.build_absolute_uri(reverse("report-follow", args=[token]))}))


def _follow_page(request, report, *, form=None, error=None, status=200):
    return _private(render(request, "supervisors/regulation/report_follow.html", {
        "report": report, "form": form or RatingForm(), "error": error}, status=status))


@require_safe
def report_follow(request, token: str):
    """The reporter's view of their case: its status and the answer; no one's identity or contact."""
    return _follow_page(request, _by_token(token))


@require_POST
def report_rate(request, token: str):
    report = _by_token(token)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _follow_page(request, report, form=form, error=_("Choose a rating from 1 to 5."), status=400)
    try:
        public_report_rate(token=token, rating=form.cleaned_data["rating"])
    except PlatformError as error:
        return _follow_page(request, report, form=form, error=error.message, status=error.status)
    messages.success(request, _("Thank you: your rating is recorded."))
    return redirect("report-follow", token=token)


# --- regulators: reports ------------------------------------------------------------------------------

@login_required
def regulator_reports(request):
    role_required(request.user, Role.REGULATOR)
    status = request.GET.get("status", "")
    status = status if status in PublicReport.Status.values else ""
    return _private(render(request, "supervisors/regulation/regulator_reports.html", {
        "reports": report_list(status=status)[:200], "status": status, "statuses": PublicReport.Status.choices}))


def _regulator_report_page(request, report, *, error=None, status=200, sent=None):
    sent = sent or {}
    return _private(render(request, "supervisors/regulation/regulator_report.html", {
        "report": report, "error": error,
        "triage_form": sent.get("triage") or TriageForm(), "answer_form": sent.get("answer") or AnswerForm(),
        "close_form": sent.get("close") or CloseForm(),
    }, status=status))


@login_required
def regulator_report(request, report_id: int):
    role_required(request.user, Role.REGULATOR)
    report = report_get(report_id=report_id)
    if report is None:
        raise Http404
    return _regulator_report_page(request, report)


REPORT_STEPS = {
    "triage": (TriageForm, public_report_triage, _("The case is taken up.")),
    "answer": (AnswerForm, public_report_answer, _("The answer is recorded.")),
    "close": (CloseForm, public_report_close, _("The case is closed.")),
}


@require_POST
@login_required
def regulator_report_step(request, report_id: int, step: str):
    if step not in REPORT_STEPS:
        raise Http404
    form_class, service, done = REPORT_STEPS[step]
    _regulator_only(request, action=f"report_{step}", data={"report": report_id})
    report = report_get(report_id=report_id)
    if report is None:
        raise Http404
    form = form_class(request.POST)
    if not form.is_valid():
        return _regulator_report_page(request, report, error=_("Check the form's fields."), status=400,
                                      sent={step: form})
    try:
        service(report_id=report.pk, regulator=request.user, **form.cleaned_data)
    except PlatformError as error:
        return _regulator_report_page(request, report_get(report_id=report.pk), error=error.message,
                                      status=error.status, sent={step: form})
    messages.success(request, done)
    return redirect("regulator-report", report_id=report.pk)


@require_safe
@login_required
def regulator_report_evidence(request, report_id: int, index: int):
    """One file of a report's evidence, to regulators only, as a sandboxed download."""
    role_required(request.user, Role.REGULATOR)
    report = report_get(report_id=report_id)
    if report is None or not 0 <= index < len(report.evidence):
        raise Http404
    item = report.evidence[index]
    try:
        data = get_storage().get(item["key"])
    except StorageError as error:
        raise Http404 from error
    response = FileResponse(data, as_attachment=True, filename=item["name"], content_type=item["content_type"])
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return _private(response)


# --- regulators: a lot's inquiries and suspension orders --------------------------------------------

def _lot_page(request, lot, *, error=None, status=200, sent=None):
    sent = sent or {}
    parties = list(lot_parties(lot=lot))
    orders = list(lot_orders(lot=lot))
    return render(request, "supervisors/regulation/regulator_lot.html", {
        "lot": lot, "holds": lot_holds_list(lot=lot), "orders": orders,
        "order_open": next((order for order in orders if order.is_open), None),
        "holdable": lot.status in (*Lot.SUSPENDABLE, Lot.Status.SUSPENDED),
        "inquiries": inquiry_list_for_regulator(lot=lot), "now": clock.now(), "error": error,
        "inquiry_form": sent.get("inquiry") or InquiryForm(parties=parties),
        "order_form": sent.get("order") or ReasonForm(), "lift_form": sent.get("lift") or ReasonForm(),
    }, status=status)


def _lot(lot_id: int) -> Lot:
    return get_object_or_404(Lot.objects.select_related("project__market", "project__procedure",
                                                        "project__tenderee"), pk=lot_id)


@login_required
def regulator_lot(request, lot_id: int):
    role_required(request.user, Role.REGULATOR)
    return _lot_page(request, _lot(lot_id))


def _lot_step(request, lot, *, action: str, form, step: str, run, done, data: dict):
    _regulator_only(request, action=action, data=data)
    if not form.is_valid():
        return _lot_page(request, lot, error=_("Check the form's fields."), status=400, sent={step: form})
    try:
        run(form.cleaned_data)
    except PlatformError as error:
        return _lot_page(request, _lot(lot.pk), error=error.message, status=error.status, sent={step: form})
    messages.success(request, done)
    return redirect("regulator-lot", lot_id=lot.pk)


@require_POST
@login_required
def regulator_inquiry_ask(request, lot_id: int):
    lot = _lot(lot_id)
    parties = {party.pk: party for party in lot_parties(lot=lot)}
    form = InquiryForm(request.POST, parties=parties.values())

    def run(data):
        inquiry_ask(lot_id=lot.pk, regulator=request.user, question=data["question"],
                    organisation=parties.get(data["organisation"]),
                    due_at=day_end(data["due_on"]) if data["due_on"] else None)

    return _lot_step(request, lot, action="inquiry_ask", form=form, step="inquiry", run=run,
                     done=_("The inquiry is sent."), data={"lot": lot.pk})


@require_POST
@login_required
def regulator_suspension_order(request, lot_id: int):
    lot = _lot(lot_id)
    return _lot_step(request, lot, action="suspension_order", form=ReasonForm(request.POST), step="order",
                     run=lambda data: lot_suspension_order(lot_id=lot.pk, regulator=request.user,
                                                           reason=data["reason"]),
                     done=_("The lot is suspended by your order."), data={"lot": lot.pk})


@require_POST
@login_required
def regulator_suspension_lift(request, lot_id: int, hold_id: int):
    lot = _lot(lot_id)
    return _lot_step(request, lot, action="suspension_lift", form=ReasonForm(request.POST), step="lift",
                     run=lambda data: lot_suspension_lift(hold_id=hold_id, regulator=request.user,
                                                          reason=data["reason"]),
                     done=_("The order is lifted."), data={"hold": hold_id})


@login_required
def regulator_inquiries(request):
    role_required(request.user, Role.REGULATOR)
    state = request.GET.get("state", "")
    state = state if state in INQUIRY_STATES else ""
    return render(request, "supervisors/regulation/regulator_inquiries.html", {
        "inquiries": inquiry_list_for_regulator(state=state)[:200], "state": state, "now": clock.now()})


# --- those asked ---------------------------------------------------------------------------------------

@login_required
def inquiries_mine(request):
    """The inquiries addressed to the person: the centre's for staff, their organisation's."""
    return render(request, "supervisors/regulation/inquiries_mine.html", {
        "inquiries": inquiry_list_for_addressee(user=request.user)[:200], "now": clock.now()})


def _inquiry_page(request, inquiry, *, form=None, error=None, status=200):
    return render(request, "supervisors/regulation/inquiry.html", {
        "inquiry": inquiry, "now": clock.now(), "error": error,
        "may_answer": inquiry.answered_at is None and inquiry_may_answer(inquiry=inquiry, user=request.user),
        "form": form or AnswerForm(),
    }, status=status)


@login_required
def inquiry_detail(request, inquiry_id: int):
    """An inquiry, to regulators and to those it asks; they answer it here."""
    inquiry = inquiry_get_for_user(inquiry_id=inquiry_id, user=request.user)
    if request.method != "POST":
        if inquiry is None:
            raise Http404
        return _inquiry_page(request, inquiry)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        if inquiry is None:
            raise Http404
        return _inquiry_page(request, inquiry, form=form, error=_("Write the answer."), status=400)
    try:
        inquiry_answer(inquiry_id=inquiry_id, user=request.user, answer=form.cleaned_data["answer"])
    except PlatformError as error:
        if error.status == 403:  # not the one asked: audited by the service
            raise PermissionDenied(str(error.message)) from error
        if inquiry is None:
            raise Http404 from error
        return _inquiry_page(request, inquiry, form=form, error=error.message, status=error.status)
    messages.success(request, _("Your answer is recorded."))
    return redirect("inquiry-detail", inquiry_id=inquiry_id)
