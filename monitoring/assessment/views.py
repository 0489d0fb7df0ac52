"""Pages of the staff assessment: the staff manager's page (the weights, the people to assess, the
assessments they opened), one assessment (its manager enters and finalises it; the person reads it
once final) and a staff member's own results. Only the person and their manager see an assessment;
the services decide every write and say why they refuse."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring.assessment.forms import OpenForm, ScoreForm, WeightsForm
from monitoring.assessment.models import Assessment, Indicator
from monitoring.assessment.selectors import (assessment_get, assessment_scores, assessment_visible,
                                             assessments_managed, assessments_of, breakdown_build, indicator_list,
                                             staff_to_assess, weighted_total)
from monitoring.assessment.services import assessment_finalise, assessment_open, assessment_score, indicator_weights_set
from trading import clock
from trading.errors import PlatformError
from trading.models import Role
from trading.permissions import role_required
from trading.workdays import local_day


def _private(response):
    """An assessment is about one person: never cached on the way."""
    response["Cache-Control"] = "private, no-store"
    return response


def _manage_page(request, *, weights_form=None, open_form=None, error=None, status=200):
    indicators = list(indicator_list())
    today = local_day(clock.now())
    return _private(render(request, "monitoring/assessment/manage.html", {
        "indicators": indicators, "vetoes": [indicator for indicator in indicators if indicator.veto],
        "weights_form": weights_form or WeightsForm(indicators=indicators),
        "weights_total": weighted_total(indicators),
        "open_form": open_form or OpenForm(people=staff_to_assess(manager=request.user), today=today),
        "assessments": assessments_managed(manager=request.user), "error": error,
    }, status=status))


@login_required
def manage_page(request):
    role_required(request.user, Role.STAFF_MANAGER)
    return _manage_page(request)


@login_required
@require_POST
def weights_save(request):
    role_required(request.user, Role.STAFF_MANAGER)
    form = WeightsForm(request.POST, indicators=list(indicator_list()))
    if not form.is_valid():
        return _manage_page(request, weights_form=form, error=_("A weight is a number from 0 to 100 with at most two "
                                                                "decimals."), status=400)
    try:
        indicator_weights_set(weights=form.weights(), user=request.user)
    except PlatformError as error:
        return _manage_page(request, weights_form=form, error=error.message, status=error.status)
    messages.success(request, _("The weights are saved."))
    return redirect("assessment-manage")


@login_required
@require_POST
def open_save(request):
    role_required(request.user, Role.STAFF_MANAGER)
    form = OpenForm(request.POST, people=staff_to_assess(manager=request.user), today=local_day(clock.now()))
    if not form.is_valid():
        return _manage_page(request, open_form=form, error=_("Choose a staff member and the period's first and last "
                                                             "days."), status=400)
    data = form.cleaned_data
    try:
        assessment = assessment_open(person_id=data["person"].pk, manager=request.user,
                                     period_start=data["period_start"], period_end=data["period_end"])
    except PlatformError as error:
        return _manage_page(request, open_form=form, error=error.message, status=error.status)
    return redirect("assessment-detail", assessment_id=assessment.pk)


def _visible(request, assessment_id: int) -> Assessment:
    assessment = assessment_get(assessment_id=assessment_id)
    if assessment is None:
        raise Http404
    if not assessment_visible(user=request.user, assessment=assessment):
        raise PermissionDenied(_("Only the person assessed and their manager see this assessment."))
    return assessment


def _detail_page(request, assessment: Assessment, *, error=None, status=200):
    managing = assessment.manager_id == request.user.pk
    is_open = assessment.status == Assessment.Status.OPEN
    context = {"assessment": assessment, "managing": managing, "error": error, "items": None}
    if assessment.status == Assessment.Status.FINAL:
        context.update(items=assessment.breakdown, score=assessment.score, failed=assessment.failed)
    elif managing:
        found = breakdown_build(assessment=assessment)
        scores = assessment_scores(assessment=assessment)
        entered = [(indicator, scores.get(indicator.code)) for indicator in indicator_list()
                   if indicator.source == Indicator.Source.ENTERED]
        context.update(items=found.items, score=found.score, failed=found.failed, missing=found.missing,
                       entered=entered, period_over=local_day(clock.now()) > assessment.period_end)
    context["is_open"] = is_open
    return _private(render(request, "monitoring/assessment/detail.html", context, status=status))


@login_required
def detail_page(request, assessment_id: int):
    return _detail_page(request, _visible(request, assessment_id))


@login_required
@require_POST
def score_save(request, assessment_id: int):
    assessment = _visible(request, assessment_id)
    form = ScoreForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, assessment, error=_("Give a score and a note."), status=400)
    data = form.cleaned_data
    try:
        assessment_score(assessment_id=assessment.pk, user=request.user, indicator_code=data["indicator"],
                         value=data["value"], note=data["note"])
    except PlatformError as error:
        return _detail_page(request, assessment_get(assessment_id=assessment_id), error=error.message,
                            status=error.status)
    messages.success(request, _("The score is saved."))
    return redirect("assessment-detail", assessment_id=assessment.pk)


@login_required
@require_POST
def finalise(request, assessment_id: int):
    assessment = _visible(request, assessment_id)
    try:
        assessment_finalise(assessment_id=assessment.pk, user=request.user)
    except PlatformError as error:
        return _detail_page(request, assessment_get(assessment_id=assessment_id), error=error.message,
                            status=error.status)
    messages.success(request, _("The assessment is final."))
    return redirect("assessment-detail", assessment_id=assessment.pk)


@login_required
def mine_page(request):
    role_required(request.user, Role.STAFF)
    return _private(render(request, "monitoring/assessment/mine.html", {
        "assessments": assessments_of(person=request.user)}))
