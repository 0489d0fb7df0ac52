"""Reads of service ratings that other parts share: the satisfaction rate (满意率).

Definition (docs/statistics.md, docs/ratings.md): of the services rendered in a period, those rated
基本满意 or better are satisfied, those rated 不满意 or worse are not; a service nobody rated counts
as satisfied once the rule table's ``rating_default`` (5 working days, 国办发〔2019〕51号) has passed
since the day it was rendered, and is left out while that time runs.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Case, Count, F, Q, QuerySet, Value, When

from monitoring.ratings.models import BAD_LEVELS, Rating, Service
from trading import clock
from trading.models import Role, RuleCode, User
from trading.selectors_calendar import rule_find
from trading.workdays import WORKING_DAYS, add_working_days, day_end, deadline_add, local_day

DEFAULT_WORKING_DAYS = 5  # where a market has no rating_default row


@dataclass(frozen=True)
class Satisfaction:
    rated: int = 0
    satisfied: int = 0  # rated at 基本满意 or better
    unrated_satisfied: int = 0  # unrated past the default time: counted as satisfied

    @property
    def counted(self) -> int:
        return self.rated + self.unrated_satisfied

    @property
    def rate(self) -> Decimal | None:
        """Satisfied of counted, as a fraction (0.9912…); None when nothing counts yet."""
        if not self.counted:
            return None
        return Decimal(self.satisfied + self.unrated_satisfied) / Decimal(self.counted)


def _default_cutoff(*, market: str | None, today: date) -> datetime:
    """Services rendered before this instant and still unrated count as satisfied today: the end of
    the latest day whose time to rate (the rule's working days, as ``deadline_add`` counts them) ended
    before today began."""
    rule = rule_find(market=market, procedure=None, code=RuleCode.RATING_DEFAULT) if market else None
    days = rule.amount if rule else DEFAULT_WORKING_DAYS
    day = today - timedelta(days=1)
    while add_working_days(day, days) >= today:
        day -= timedelta(days=1)
    return day_end(day)


def satisfaction(*, since: datetime, until: datetime, market: str | None = None,
                 rendered_by: str | None = None) -> Satisfaction:
    """The satisfaction of the services rendered in [since, until), of one market (its code) or all,
    and of one person's services (their actor string, ``user:12``) or everyone's. Two queries."""
    services = Service.objects.filter(rendered_at__gte=since, rendered_at__lt=until)
    if market:
        services = services.filter(market_id=market)
    if rendered_by:
        services = services.filter(rendered_by=rendered_by)
    rated = services.filter(rating__isnull=False).aggregate(
        rated=Count("pk"), satisfied=Count("pk", filter=~Q(rating__level__in=BAD_LEVELS)))
    cutoff = _default_cutoff(market=market, today=local_day(clock.now()))
    unrated = services.filter(rating__isnull=True, rendered_at__lt=cutoff).count()
    return Satisfaction(rated=rated["rated"], satisfied=rated["satisfied"], unrated_satisfied=unrated)


# --- the pages' and the API's reads -------------------------------------------------------------------

def _working_days_rule(*, market: str | None, code: str, default: int, cache: dict) -> tuple[int, str]:
    """A market's rule of ``code`` as (amount, unit), read once per ``cache``; ``default`` working
    days where the market has none."""
    key = (market, code)
    if key not in cache:
        rule = rule_find(market=market, procedure=None, code=code) if market else None
        cache[key] = (rule.amount, rule.unit) if rule else (default, WORKING_DAYS)
    return cache[key]


def rating_closes_at(*, service: Service, cache: dict | None = None) -> datetime:
    """The end of the party's time to rate ``service``: ``rating_default`` (5 working days) from the
    day it was rendered, on the real calendar, as every limit of the platform is counted
    (``deadline_add``: rendered on a Monday, rated until 24:00 of the next Monday). Unrated by then,
    it counts as satisfied and can no longer be rated, so a published figure does not move later."""
    amount, unit = _working_days_rule(market=service.market_id, code=RuleCode.RATING_DEFAULT,
                                      default=DEFAULT_WORKING_DAYS, cache={} if cache is None else cache)
    return deadline_add(start=service.rendered_at, amount=amount, unit=unit).at


def last_day(instant: datetime | None) -> date | None:
    """The China day a limit's last moment falls on (a limit at 24:00 is its day's end)."""
    return local_day(instant - timedelta(microseconds=1)) if instant else None


def services_with_windows(services, *, now: datetime) -> list[Service]:
    """The services, each with ``given`` (its rating or None), ``closes_at`` (see
    ``rating_closes_at``), its ``closes_last_day`` and ``may_rate`` (unrated and still open). One
    query per market among them."""
    cache: dict = {}
    services = list(services)
    for service in services:
        service.given = getattr(service, "rating", None)
        service.closes_at = rating_closes_at(service=service, cache=cache)
        service.closes_last_day = last_day(service.closes_at)
        service.may_rate = service.given is None and now < service.closes_at
    return services


# Who sees and rates an organisation's services: its people, the bidders and its administrator.
RATERS = (Role.BIDDER, Role.COMPANY_ADMIN)


def service_list_own(*, organisation_id: int) -> QuerySet[Service]:
    """The services rendered to one organisation, newest first, each with its rating if any."""
    return (Service.objects.filter(organisation_id=organisation_id)
            .select_related("lot__project", "market", "rating__rated_by").order_by("-rendered_at", "-pk"))


def rating_list(*, bad: bool = False, unanswered: bool = False, market: str = "") -> QuerySet[Rating]:
    """Ratings for the centre: first the bad ones still awaiting an answer, the nearest limit first;
    then the answered bad ones; then the rest; newest first within each."""
    is_bad = Q(level__in=BAD_LEVELS)
    ratings = Rating.objects.select_related("service__lot__project", "service__market", "service__organisation",
                                            "rated_by", "answered_by")
    if bad:
        ratings = ratings.filter(is_bad)
    if unanswered:
        ratings = ratings.filter(answered_at__isnull=True)
    if market:
        ratings = ratings.filter(service__market_id=market)
    return (ratings.annotate(rank=Case(When(is_bad & Q(answered_at__isnull=True), then=Value(0)),
                                       When(is_bad, then=Value(1)), default=Value(2)),
                             urgent=Case(When(is_bad & Q(answered_at__isnull=True), then=F("answer_due_at"))))
            .order_by("rank", F("urgent").asc(nulls_last=True), "-rated_at", "-pk"))


def rating_get(*, rating_id: int) -> Rating | None:
    return rating_list().filter(pk=rating_id).first()


def service_get_own(*, service_id: int, organisation_id: int | None) -> Service | None:
    if organisation_id is None:
        return None
    return service_list_own(organisation_id=organisation_id).filter(pk=service_id).first()


def staff_to_notify() -> QuerySet[User]:
    """The centre's active staff, told of each bad rating."""
    return User.objects.filter(is_active=True, roles__role=Role.STAFF).distinct().order_by("pk")
