"""Every write of the staff assessment (docs/assessment.md), each recorded on the audit chain:

- ``indicator_weights_set``: a staff manager changes the weights; the weighted indicators must add
  up to 100, and the veto carries none (``assessment.weights_changed``);
- ``assessment_open``: a staff manager opens the assessment of a staff member for a period
  (``assessment.opened``); nobody assesses themself, and only staff are assessed;
- ``assessment_score``: the assessment's manager enters a qualitative indicator (0–100) or the veto,
  with a note (``assessment.scored``);
- ``assessment_finalise``: once the period is over and every weighted indicator has its value, the
  manager fixes the result: Σ weight × value ÷ 100, failed when the veto is met, with the breakdown
  (the weights, values, points and raw figures of that moment) kept (``assessment.finalised``).

Until it is final an assessment reads the indicator table's current weights and the platform's
current records; from then on it keeps what it was finalised with.
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring.assessment import rules
from monitoring.assessment.errors import AssessmentError
from monitoring.assessment.errors import AssessmentErrorCode as Code
from monitoring.assessment.models import Assessment, Indicator, Score
from monitoring.assessment.selectors import breakdown_build, indicator_name, weighted_total
from monitoring.events import actor_of, record
from trading import clock
from trading.models import Role, User
from trading.services.notifications import notify
from trading.text import text_clean
from trading.workdays import local_day

WEIGHTS_SUBJECT = "assessment:indicators"


def _subject(assessment: Assessment) -> str:
    return f"assessment:{assessment.pk}"


def manager_check(user: User) -> None:
    if not (user.is_authenticated and user.has_role(Role.STAFF_MANAGER)):
        raise AssessmentError(Code.NOT_STAFF_MANAGER, _("Only a staff manager does this."), status=403)


def _number(value, *, code: Code, message) -> Decimal:
    """``value`` as a Decimal from 0 to 100 with at most two decimals, else refused."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise AssessmentError(code, message) from None
    if not number.is_finite() or number < 0 or number > rules.FULL or number != rules.cents(number):
        raise AssessmentError(code, message)
    return rules.cents(number)


def _year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return date(day.year + 1, 3, 1)


def indicator_weights_set(*, weights: dict[str, object], user: User) -> list[Indicator]:
    """Set the weights of the indicators named in ``weights`` (code → points of 100); the others
    keep theirs. Refused, with nothing changed, unless the weighted indicators then add up to
    exactly 100."""
    manager_check(user)
    actor = actor_of(user)
    message = _("A weight is a number from 0 to 100 with at most two decimals.")
    wanted = {code: _number(value, code=Code.WEIGHT_INVALID, message=message) for code, value in weights.items()}
    with transaction.atomic():
        indicators = list(Indicator.objects.select_for_update().order_by("position", "code"))
        known = {indicator.code: indicator for indicator in indicators}
        unknown = sorted(set(wanted) - set(known))
        if unknown:
            raise AssessmentError(Code.INDICATOR_UNKNOWN, _("There is no indicator “%(code)s”.") % {"code": unknown[0]})
        for code, weight in wanted.items():
            if known[code].veto and weight:
                raise AssessmentError(Code.VETO_WEIGHT, _("The veto indicator carries no weight: it fails the result "
                                                         "by itself."))
        before = {indicator.code: indicator.weight for indicator in indicators}
        for indicator in indicators:
            indicator.weight = wanted.get(indicator.code, indicator.weight)
        total = weighted_total(indicators)
        if total != rules.WEIGHT_TOTAL:
            raise AssessmentError(Code.WEIGHTS_SUM, _("The weights add up to %(total)s; they must add up to 100.")
                                  % {"total": rules.cents(total)})
        changed = [indicator for indicator in indicators if indicator.weight != before[indicator.code]]
        if not changed:
            return indicators
        now = clock.now()
        for indicator in changed:
            indicator.updated_by, indicator.updated_at = actor, now
            indicator.save(update_fields=["weight", "updated_by", "updated_at"])
        record(kind="assessment.weights_changed", actor=actor, subject=WEIGHTS_SUBJECT, data={
            "before": {indicator.code: str(before[indicator.code]) for indicator in changed},
            "after": {indicator.code: str(indicator.weight) for indicator in changed}})
    return indicators


def assessment_open(*, person_id: int, manager: User, period_start: date, period_end: date) -> Assessment:
    """Open the assessment of staff member ``person_id`` for the days ``period_start`` to
    ``period_end`` (both included, China time), with ``manager`` as its manager."""
    manager_check(manager)
    if person_id == manager.pk:
        raise AssessmentError(Code.SELF_ASSESSMENT, _("Nobody assesses themself: another staff manager assesses "
                                                      "you."), status=403)
    person = User.objects.filter(pk=person_id).first()
    if person is None:
        raise AssessmentError(Code.PERSON_NOT_FOUND, _("There is no such person."), status=404)
    if not person.has_role(Role.STAFF):
        raise AssessmentError(Code.NOT_STAFF, _("Only the trading centre's staff are assessed."))
    if period_end < period_start:
        raise AssessmentError(Code.PERIOD_INVALID, _("The period ends before it starts."))
    if period_end >= _year_after(period_start):
        raise AssessmentError(Code.PERIOD_TOO_LONG, _("A period is at most one year."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=person.pk).first()
        if Assessment.objects.filter(person=person, period_start=period_start, period_end=period_end).exists():
            raise AssessmentError(Code.ASSESSMENT_EXISTS, _("%(person)s already has an assessment for this period.")
                                  % {"person": person}, status=409)
        assessment = Assessment.objects.create(person=person, manager=manager, period_start=period_start,
                                               period_end=period_end, created_at=clock.now())
        record(kind="assessment.opened", actor=actor_of(manager), subject=_subject(assessment), data={
            "assessment": assessment.pk, "person": person.pk, "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat()})
    return assessment


def _locked_for_manager(*, assessment_id: int, user: User) -> Assessment:
    """The open assessment, locked, when ``user`` is its manager. Caller is inside a transaction."""
    assessment = Assessment.objects.select_for_update().select_related("person").filter(pk=assessment_id).first()
    if assessment is None:
        raise AssessmentError(Code.ASSESSMENT_NOT_FOUND, _("There is no such assessment."), status=404)
    if assessment.manager_id != user.pk:
        raise AssessmentError(Code.NOT_THE_MANAGER, _("Only the manager who opened this assessment enters it."),
                              status=403)
    if assessment.status != Assessment.Status.OPEN:
        raise AssessmentError(Code.ASSESSMENT_FINAL, _("This assessment is final."), status=409)
    return assessment


def assessment_score(*, assessment_id: int, user: User, indicator_code: str, value, note: str) -> Score:
    """Enter (or correct) one qualitative indicator: a value from 0 to 100, or for the veto 1 (met)
    or 0 (not met); always with a note saying why."""
    manager_check(user)
    indicator = Indicator.objects.filter(code=indicator_code).first()
    if indicator is None:
        raise AssessmentError(Code.INDICATOR_UNKNOWN, _("There is no indicator “%(code)s”.") % {"code": indicator_code})
    if indicator.source == Indicator.Source.COMPUTED:
        raise AssessmentError(Code.INDICATOR_COMPUTED, _("The platform computes this indicator: it is not entered."))
    if indicator.veto:
        value = _number(value, code=Code.VETO_VALUE, message=_("The veto is met (1) or not (0)."))
        if value not in (rules.VETO_MET, rules.VETO_NOT_MET):
            raise AssessmentError(Code.VETO_VALUE, _("The veto is met (1) or not (0)."))
    else:
        value = _number(value, code=Code.VALUE_INVALID, message=_("A score is a number from 0 to 100 with at most "
                                                                    "two decimals."))
    note = text_clean(note, code="note", message=_("Write a note saying why."), error=AssessmentError)
    with transaction.atomic():
        assessment = _locked_for_manager(assessment_id=assessment_id, user=user)
        score = Score.objects.filter(assessment=assessment, indicator=indicator).first()
        previous = None if score is None else str(score.value)
        now = clock.now()
        if score is None:
            score = Score.objects.create(assessment=assessment, indicator=indicator, value=value, note=note,
                                         entered_by=user, entered_at=now)
        else:
            score.value, score.note, score.entered_by, score.entered_at = value, note, user, now
            score.save(update_fields=["value", "note", "entered_by", "entered_at"])
        record(kind="assessment.scored", actor=actor_of(user), subject=_subject(assessment), data={
            "assessment": assessment.pk, "indicator": indicator.code, "value": str(value), "previous": previous,
            "note": note})
    return score


def assessment_finalise(*, assessment_id: int, user: User) -> Assessment:
    """Fix the result once the period is over: every weighted entered indicator must have its value.
    The breakdown keeps each indicator's weight, value, points and raw figures of this moment."""
    manager_check(user)
    with transaction.atomic():
        assessment = _locked_for_manager(assessment_id=assessment_id, user=user)
        if local_day(clock.now()) <= assessment.period_end:
            raise AssessmentError(Code.PERIOD_NOT_OVER, _("The period ends on %(day)s: the assessment is finalised "
                                                          "after it.") % {"day": assessment.period_end.isoformat()},
                                  status=409)
        found = breakdown_build(assessment=assessment)
        if found.weights_total != rules.WEIGHT_TOTAL:
            raise AssessmentError(Code.WEIGHTS_SUM, _("The weights add up to %(total)s; they must add up to 100.")
                                  % {"total": rules.cents(found.weights_total)}, status=409)
        if found.missing:
            names = _(", ").join(indicator_name(indicator) for indicator in found.missing)
            raise AssessmentError(Code.SCORES_MISSING, _("Enter these indicators first: %(names)s.") % {"names": names})
        assessment.status, assessment.score, assessment.failed = Assessment.Status.FINAL, found.score, found.failed
        assessment.breakdown, assessment.finalised_at = found.items, clock.now()
        assessment.save(update_fields=["status", "score", "failed", "breakdown", "finalised_at"])
        record(kind="assessment.finalised", actor=actor_of(user), subject=_subject(assessment), data={
            "assessment": assessment.pk, "person": assessment.person_id, "score": str(assessment.score),
            "failed": assessment.failed})
        notify(user=assessment.person, kind="assessment.finalised",
               title=gettext_lazy("Your assessment for %(start)s to %(end)s is final"),
               body=gettext_lazy("Result: %(score)s%(failed)s. The breakdown is on your assessment page."),
               params={"start": assessment.period_start.isoformat(), "end": assessment.period_end.isoformat(),
                       "score": assessment.score,
                       "failed": gettext_lazy(" (failed: veto)") if assessment.failed else ""},
               link="/assessment/mine/")
    return assessment

