"""Reads of the staff assessment: the indicator table, who a manager may assess, whose assessments a
person may see, and an assessment's breakdown (its indicators with their values and points)."""
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import get_language

from monitoring.assessment import rules
from monitoring.assessment.models import Assessment, Indicator, Score
from monitoring.assessment.selectors_figures import figures_compute
from trading.models import Role, User


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.order_by("position", "code")


def indicator_name(indicator: Indicator | dict) -> str:
    """An indicator's name in the current language (an ``Indicator`` or a breakdown's item)."""
    zh, en = ((indicator["name_zh"], indicator["name_en"]) if isinstance(indicator, dict)
              else (indicator.name_zh, indicator.name_en))
    return zh if (get_language() or "").startswith("zh") else en


def weighted_total(indicators) -> Decimal:
    """The weights of the weighted (non-veto) indicators, added up."""
    return sum((indicator.weight for indicator in indicators if not indicator.veto), Decimal(0))


def staff_to_assess(*, manager: User) -> QuerySet[User]:
    """The people a manager may open an assessment for: active staff, the manager aside."""
    return (User.objects.filter(roles__role=Role.STAFF, is_active=True).exclude(pk=manager.pk)
            .order_by("username").distinct())


def assessments_managed(*, manager: User) -> QuerySet[Assessment]:
    return Assessment.objects.filter(manager=manager).select_related("person").order_by("-period_end", "person__username")


def assessments_of(*, person: User) -> QuerySet[Assessment]:
    return Assessment.objects.filter(person=person).select_related("manager").order_by("-period_end", "-pk")


def assessments_for_user(*, user: User) -> QuerySet[Assessment]:
    """Every assessment ``user`` may see: their own and those they made as manager."""
    return (Assessment.objects.filter(person=user) | Assessment.objects.filter(manager=user)).select_related(
        "person", "manager").order_by("-period_end", "-pk")


def assessment_get(*, assessment_id: int) -> Assessment | None:
    return Assessment.objects.select_related("person", "manager").filter(pk=assessment_id).first()


def assessment_visible(*, user: User, assessment: Assessment) -> bool:
    """Only the person assessed and their manager see an assessment."""
    return user.is_authenticated and user.pk in (assessment.person_id, assessment.manager_id)


def assessment_scores(*, assessment: Assessment) -> dict[str, Score]:
    return {score.indicator.code: score for score in
            Score.objects.filter(assessment=assessment).select_related("indicator", "entered_by")}


@dataclass
class Breakdown:
    items: list[dict] = field(default_factory=list)
    score: Decimal | None = None  # None while a weighted entered indicator has no score
    failed: bool = False
    missing: list[Indicator] = field(default_factory=list)
    weights_total: Decimal = Decimal(0)


def _item(indicator: Indicator, *, value: Decimal | None, raw: dict) -> dict:
    weight = Decimal(0) if indicator.veto else indicator.weight
    points = None if value is None or indicator.veto else rules.points(weight=weight, value=value)
    return {"code": indicator.code, "name_zh": indicator.name_zh, "name_en": indicator.name_en,
            "source": indicator.source, "dimension": indicator.dimension, "weight": str(weight),
            "veto": indicator.veto, "value": None if value is None else str(rules.cents(value)),
            "points": None if points is None else rules.exact_text(points), "raw": raw}


def breakdown_build(*, assessment: Assessment) -> Breakdown:
    """The assessment as it stands now: the table's current weights, every computed indicator from
    the platform's records of the period, every entered score and the veto. The result counts only
    once every weighted entered indicator has its score."""
    indicators = list(indicator_list())
    scores = assessment_scores(assessment=assessment)
    figures = figures_compute(person=assessment.person, period_start=assessment.period_start,
                              period_end=assessment.period_end)
    found = Breakdown(weights_total=weighted_total(indicators))
    for indicator in indicators:
        score = scores.get(indicator.code)
        if indicator.source == Indicator.Source.COMPUTED:
            figure = figures[indicator.code]
            found.items.append(_item(indicator, value=figure.value, raw=figure.raw))
            continue
        raw = {} if score is None else {"note": score.note, "entered_by": f"user:{score.entered_by_id}",
                                        "entered_at": score.entered_at.isoformat()}
        if indicator.veto:
            met = score is not None and score.value == rules.VETO_MET
            found.failed = found.failed or met
            found.items.append(_item(indicator, value=None, raw={**raw, "met": met}))
            continue
        if score is None and indicator.weight > 0:
            found.missing.append(indicator)
        found.items.append(_item(indicator, value=None if score is None else score.value, raw=raw))
    if not found.missing:
        found.score = rules.result([Decimal(item["points"]) for item in found.items if item["points"] is not None])
    return found
