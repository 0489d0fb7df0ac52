"""Pages of evaluation and award: staff run a lot's evaluation and award; experts declare and score
on their own pages; regulators review proposals in their queue; the public reads the result; the
lot's bidders object to the candidates and download their notices. Thin: writes are services.

``lot_open_objections`` shows a lot's objections awaiting an answer as a page of its own, for
regulators, who read them (the staff lot page, staff only, shows the same section with the forms
to answer)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bidding.errors import BiddingError
from bidding.evaluation import forms, selectors
from bidding.evaluation.models import CandidateObjection, Evaluation, Notice, PanelMember
from bidding.evaluation.services import awards, evaluation as services, panel
from bidding.evaluation.services.documents import evaluation_report_pdf, notice_pdf
from bidding.sales.selectors import deal_of_lot
from monitoring.events import actor_of
from trading.errors import TradingError
from trading.models import Lot, Role
from trading.permissions import role_required
from trading.selectors import lot_get_public


def _lot(lot_id: int) -> Lot:
    lot = get_object_or_404(Lot.objects.select_related("project__market", "project__procedure"), pk=lot_id)
    if lot.is_listing:
        raise Http404
    return lot


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _staff_page(request, lot, *, forms_given=None, status=200):
    evaluation = selectors.evaluation_of_lot(lot_id=lot.pk)
    page = {"evaluation_form": forms.EvaluationForm(), "draw_form": forms.DrawForm(), "propose_form": forms.ProposeForm(),
            "withdraw_form": forms.WithdrawForm(), "contract_form": forms.ContractForm(), **(forms_given or {})}
    members = list(evaluation.members.all()) if evaluation else []
    return render(request, "bidding/staff_evaluation.html", {
        "lot": lot, "evaluation": evaluation, "members": members,
        "candidates": list(evaluation.candidates.select_related("organisation")) if evaluation else [],
        "objections": CandidateObjection.objects.filter(lot=lot), "reply_form": forms.ReplyForm(),
        "proposals": lot.award_proposals.select_related("candidate__organisation"),
        "remaining": awards.candidates_remaining(lot) if evaluation else [],
        "seats_open": panel.expert_seats_open(evaluation) if evaluation else 0, **page,
    }, status=status)


@login_required
def staff_evaluation_page(request, lot_id: int):
    role_required(request.user, Role.STAFF)
    return _staff_page(request, _lot(lot_id))


def _create(request, lot, actor):
    form = forms.EvaluationForm(request.POST)
    if not form.is_valid():
        return {"evaluation_form": form}
    services.evaluation_create(lot_id=lot.pk, actor=actor, **form.cleaned_data)
    return None


def _draw(request, lot, actor):
    form = forms.DrawForm(request.POST)
    if not form.is_valid():
        return {"draw_form": form}
    panel.panel_draw(evaluation_id=lot.evaluation.pk, specialties=form.specialties(), actor=actor)
    return None


def _posted_id(request, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


def _decline(request, lot, actor):
    member = get_object_or_404(PanelMember, pk=_posted_id(request, "member"), evaluation__lot=lot)
    panel.member_decline(member_id=member.pk, reason=request.POST.get("reason", ""), actor=actor)


def _reply(request, lot, actor):
    objection = get_object_or_404(CandidateObjection, pk=_posted_id(request, "objection"), lot=lot)
    awards.candidate_objection_reply(objection_id=objection.pk, reply=request.POST.get("reply", ""), actor=actor)


def _with_form(form_class, key, call):
    def action(request, lot, actor):
        form = form_class(request.POST)
        if not form.is_valid():
            return {key: form}
        call(lot=lot, actor=actor, **form.cleaned_data)
        return None
    return action


def _service(call):
    """An action without a form: the service call alone."""
    def action(request, lot, actor):
        call(lot=lot, actor=actor)
    return action


ACTIONS = {
    "create": _create,
    "draw": _draw,
    "decline": _decline,
    "conclude": _service(lambda lot, actor: services.evaluation_conclude(evaluation_id=lot.evaluation.pk, actor=actor)),
    "publish": _service(lambda lot, actor: awards.candidates_publish(lot_id=lot.pk, actor=actor)),
    "reply": _reply,
    "propose": _with_form(forms.ProposeForm, "propose_form",
                          lambda lot, actor, note: awards.award_propose(lot_id=lot.pk, actor=actor, note=note)),
    "withdraw": _with_form(forms.WithdrawForm, "withdraw_form",
                           lambda lot, actor, **data: awards.award_withdraw(lot_id=lot.pk, actor=actor, **data)),
    "contract": _with_form(forms.ContractForm, "contract_form",
                           lambda lot, actor, **data: awards.contract_record(lot_id=lot.pk, actor=actor, **data)),
}


@require_POST
@login_required
def staff_evaluation_action(request, lot_id: int, action: str):
    role_required(request.user, Role.STAFF)
    lot = _lot(lot_id)
    if action not in ACTIONS:
        raise Http404
    try:
        invalid = ACTIONS[action](request, lot, actor_of(request.user))
    except (BiddingError, TradingError) as error:
        messages.error(request, error.message)
        return _staff_page(request, lot, status=400)
    if invalid:
        return _staff_page(request, lot, forms_given=invalid, status=400)
    messages.success(request, _("Done. The lot is now: %(status)s.") % {"status": Lot.objects.get(pk=lot.pk).get_status_display()})
    return redirect("staff-evaluation", lot_id=lot.pk)


@login_required
def panel_mine(request):
    """An expert's (or representative's) seats: declare, then score."""
    return render(request, "bidding/panel_mine.html", {"seats": selectors.member_seats(user=request.user),
                                                       "answer_form": forms.AnswerForm()})


@require_POST
@login_required
def panel_answer(request, member_id: int):
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        try:
            panel.member_answer(member_id=member_id, user=request.user, **form.cleaned_data)
        except BiddingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your declaration is recorded."))
    else:
        messages.error(request, _("Choose a declaration."))
    return redirect("panel-mine")


def _entries_from(post, evaluation: Evaluation, bids) -> dict:
    """The sheet's form fields (``b<bid>-compliant``, ``b<bid>-reason``, ``b<bid>-<item>``) as entries."""
    entries = {}
    for bid in bids:
        prefix = f"b{bid.pk}-"
        compliant = post.get(prefix + "compliant")
        entries[str(bid.pk)] = {"compliant": {"yes": True, "no": False}.get(compliant),
                                "reason": post.get(prefix + "reason", ""),
                                "scores": {item["code"]: post.get(prefix + item["code"], "")
                                           for item in evaluation.items}}
    return entries


@login_required
def panel_scoring(request, evaluation_id: int):
    """A seated member's sheet: every opened bid, found compliant or not, and scored item by item."""
    evaluation = get_object_or_404(Evaluation.objects.select_related("lot__project"), pk=evaluation_id)
    seat = selectors.seat_of(evaluation=evaluation, user=request.user)
    if seat is None or seat.status != PanelMember.Status.SEATED:
        raise Http404
    bids = services.evaluated_bids(evaluation)
    sheet = selectors.sheet_of(evaluation=evaluation, user=request.user)
    status, entries = 200, (sheet.entries if sheet else {})
    if request.method == "POST":
        entries = _entries_from(request.POST, evaluation, bids)
        try:
            services.sheet_submit(evaluation_id=evaluation.pk, user=request.user, entries=entries,
                                  reason=request.POST.get("change_reason", ""))
        except BiddingError as error:
            messages.error(request, error.message)
            status = 400
        else:
            messages.success(request, _("Your sheet is handed in and locked."))
            return redirect("panel-scoring", evaluation_id=evaluation.pk)
    rows = [{"bid": bid, "entry": entries.get(str(bid.pk), {})} for bid in bids]
    return render(request, "bidding/panel_scoring.html", {
        "evaluation": evaluation, "lot": evaluation.lot, "rows": rows, "sheet": sheet,
        "open": evaluation.status == Evaluation.Status.SCORING}, status=status)


@login_required
def review_queue(request):
    role_required(request.user, Role.REGULATOR)
    return render(request, "bidding/review_queue.html", {"proposals": selectors.proposals_under_review(),
                                                         "review_form": forms.ReviewForm()})


@require_POST
@login_required
def review_decide(request, proposal_id: int):
    role_required(request.user, Role.REGULATOR)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            awards.award_review(proposal_id=proposal_id, user=request.user, **form.cleaned_data)
        except BiddingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your decision is recorded."))
    else:
        messages.error(request, _("Choose a decision."))
    return redirect("review-queue")


def lot_result(request, lot_id: int):
    """Public: a tender's candidates and award, a sale's deal (``Lot.result_public``). The lot's
    bidders object here during the publicity and find their own notices."""
    lot = lot_get_public(lot_id=lot_id)
    if lot is not None and lot.market.sells:
        if not lot.result_public:
            raise Http404
        return render(request, "bidding/lot_result.html", {"lot": lot, "sale": True,
                                                           "deal": deal_of_lot(lot_id=lot.pk)})
    result = selectors.lot_result_public(lot=lot) if lot else None
    if result is None:
        raise Http404
    notices = []
    if request.user.is_authenticated and request.user.organisation_id:
        notices = selectors.notices_of(lot_id=lot.pk, organisation_id=request.user.organisation_id)
    return render(request, "bidding/lot_result.html", {"lot": lot, "result": result, "notices": notices,
                                                       "objection_form": forms.TextForm()})


@require_POST
@login_required
def lot_result_object(request, lot_id: int):
    form = forms.TextForm(request.POST)
    if form.is_valid():
        try:
            awards.candidate_objection_file(lot_id=lot_id, user=request.user, text=form.cleaned_data["text"])
        except (BiddingError, TradingError) as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your objection is filed; the procedure is suspended until it is answered."))
    else:
        messages.error(request, _("Write your objection."))
    return redirect("lot-result", lot_id=lot_id)


@login_required
def evaluation_report_download(request, evaluation_id: int):
    evaluation = get_object_or_404(Evaluation, pk=evaluation_id)
    if evaluation.report is None or not selectors.evaluation_readable_by(evaluation=evaluation, user=request.user):
        raise Http404
    return _pdf(evaluation_report_pdf(evaluation), f"evaluation-report-{evaluation.lot_id}.pdf")


@login_required
def notice_download(request, notice_id: int):
    """A notice is read by its addressee's people, staff and regulators."""
    notice = get_object_or_404(Notice.objects.select_related("proposal__contract"), pk=notice_id)
    user = request.user
    if notice.organisation_id != user.organisation_id and not (user.has_role(Role.STAFF)
                                                               or user.has_role(Role.REGULATOR)):
        raise Http404
    return _pdf(notice_pdf(notice), f"notice-{notice.pk}.pdf")


@login_required
def lot_open_objections(request, lot_id: int):
    role_required(request.user, Role.STAFF, Role.REGULATOR)
    lot = get_object_or_404(Lot.objects.select_related("project"), pk=lot_id)
    return render(request, "bidding/open_objections.html", {"lot": lot})
