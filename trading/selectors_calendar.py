"""Reads of the rule table and the working-day calendar."""
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from trading.errors import TradingError
from trading.models import CalendarAlert, CalendarDay, CalendarYear, Market, Procedure, Rule


def rule_find(*, market: Market | str, procedure: Procedure | str | None, code: str) -> Rule | None:
    """The rule for a procedure of a market: the procedure's own row, else the market-wide row, else
    None (the procedure has no such limit). ``market`` and ``procedure`` are instances or codes; one query.
    """
    market_code = market.pk if isinstance(market, Market) else market
    if isinstance(procedure, Procedure):
        if procedure.market_id != market_code:
            raise ValueError(f"procedure {procedure.code} is not of market {market_code}")
        procedure = procedure.code
    scope = Q(procedure__isnull=True)
    if procedure:
        scope |= Q(procedure__code=procedure)
    return (Rule.objects.filter(scope, market_id=market_code, code=code).select_related("market", "procedure")
            .order_by(F("procedure").asc(nulls_last=True)).first())


def rule_get(*, market: Market | str, procedure: Procedure | str | None, code: str) -> Rule:
    """As :func:`rule_find`, for a rule the step cannot do without: a missing one raises ``rule_missing``."""
    rule = rule_find(market=market, procedure=procedure, code=code)
    if rule is None:
        market_code = market.pk if isinstance(market, Market) else market
        procedure_code = procedure.code if isinstance(procedure, Procedure) else procedure
        raise TradingError(
            "rule_missing",
            _("No rule “%(code)s” is set for %(market)s / %(procedure)s; staff add it in the rule table.")
            % {"code": code, "market": market_code, "procedure": procedure_code or "-"},
            status=409,
        )
    return rule


def calendar_days_of_year(*, year: int):
    return CalendarDay.objects.filter(day__year=year).order_by("day")


def calendar_year_get(*, year: int) -> CalendarYear | None:
    return CalendarYear.objects.filter(year=year).first()


def calendar_years_known() -> list[int]:
    return list(CalendarYear.objects.values_list("year", flat=True))


def calendar_alerts_open():
    return CalendarAlert.objects.filter(acknowledged_at__isnull=True).order_by("year")
