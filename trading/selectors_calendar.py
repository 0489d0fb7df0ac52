"""Reads of the rule table, its changes, and the working-day calendar."""
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from trading.errors import TradingError
from trading.models import (Announcement, CalendarAlert, CalendarDay, CalendarYear, Lot, Market, Procedure, Rule,
                            RuleChange)

# The announcements that publish a lot (``trading.services.lots.lot_publish``).
PUBLICATION_KINDS = (Announcement.Kind.TENDER, Announcement.Kind.LISTING)


def lot_published_at(*, lot: Lot) -> datetime | None:
    """When ``lot``'s tender or listing announcement came out: the moment whose rule table holds for
    the lot (pass it as ``at=`` to ``rule_get``). None for a lot not yet published, which reads
    today's rules. Kept on the instance once known, since a publication never moves."""
    published_at = getattr(lot, "_published_at", None)
    if published_at is None and lot.is_public:
        published_at = (Announcement.objects.filter(lot_id=lot.pk, kind__in=PUBLICATION_KINDS)
                        .order_by("published_at").values_list("published_at", flat=True).first())
        lot._published_at = published_at
    return published_at


def rule_find(*, market: Market | str, procedure: Procedure | str | None, code: str,
              at: datetime | None = None) -> Rule | None:
    """The rule for a procedure of a market: the procedure's own row, else the market-wide row, else
    None (the procedure has no such limit). ``market`` and ``procedure`` are instances or codes.

    ``at`` is the publication of the lot the rule is read for (``lot_published_at``): the rule comes
    as it stood then (``Rule.as_of``), so an approved change holds only for lots published after it.
    None reads today's rule. One query, and one more only where a change came after ``at``.
    """
    market_code = market.pk if isinstance(market, Market) else market
    if isinstance(procedure, Procedure):
        if procedure.market_id != market_code:
            raise ValueError(f"procedure {procedure.code} is not of market {market_code}")
        procedure = procedure.code
    scope = Q(procedure__isnull=True)
    if procedure:
        scope |= Q(procedure__code=procedure)
    rules = Rule.objects.filter(scope, market_id=market_code, code=code).select_related("market", "procedure")
    if at is not None:
        rules = rules.annotate(changed_since=Exists(RuleChange.objects.filter(
            rule=OuterRef("pk"), status=RuleChange.Status.APPROVED, decided_at__gt=at)))
    rule = rules.order_by(F("procedure").asc(nulls_last=True)).first()
    if rule is not None and getattr(rule, "changed_since", False):
        return rule.as_of(at)
    return rule


def rule_get(*, market: Market | str, procedure: Procedure | str | None, code: str,
             at: datetime | None = None) -> Rule:
    """As :func:`rule_find`, for a rule the step cannot do without: a missing one raises ``rule_missing``."""
    rule = rule_find(market=market, procedure=procedure, code=code, at=at)
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


def rule_list(*, market: str = ""):
    """The rule table by market, each rule with its approved and pending changes prefetched
    (``live_changes``) for ``rule_as_seeded`` and ``rule_pending``: two queries however many rules."""
    live = RuleChange.objects.exclude(status=RuleChange.Status.REFUSED).order_by("proposed_at", "pk")
    rules = Rule.objects.select_related("market", "procedure").prefetch_related(
        Prefetch("changes", queryset=live, to_attr="live_changes"))
    return rules.filter(market_id=market) if market else rules


def rule_get_by_id(*, rule_id: int) -> Rule | None:
    return rule_list().filter(pk=rule_id).first()


def rule_as_seeded(*, rule: Rule) -> Rule:
    """The rule as the law set it: its seeded numbers (each legal limit was taken from them), before
    every approved change. Its ``legal_text`` and ``within_law`` read the limit over the seeded
    denominator, and its ``odd_only`` says whether the law wants an odd number; an approved change
    of a fraction's denominator or of a count's parity does not move the law."""
    live = getattr(rule, "live_changes", None)
    if live is None:
        live = list(rule.changes.filter(status=RuleChange.Status.APPROVED))
    approved = sorted((change for change in live if change.status == RuleChange.Status.APPROVED),
                      key=lambda change: change.decided_at)
    if not approved:
        return rule
    seeded = Rule(**{field.attname: getattr(rule, field.attname) for field in Rule._meta.concrete_fields})
    seeded.amount, seeded.denominator, seeded.odd_only = (approved[0].previous_amount,
                                                          approved[0].previous_denominator,
                                                          approved[0].previous_odd_only)
    return seeded


def rule_pending(*, rule: Rule) -> RuleChange | None:
    """The proposal awaiting a second person (at most one per rule)."""
    live = getattr(rule, "live_changes", None)
    if live is None:
        return rule.changes.filter(status=RuleChange.Status.PROPOSED).first()
    return next((change for change in live if change.status == RuleChange.Status.PROPOSED), None)


def rule_changes_decided(*, rule: Rule):
    """The rule's history: approved and refused changes, the latest decision first."""
    return rule.changes.exclude(status=RuleChange.Status.PROPOSED).order_by("-decided_at", "-pk")


def calendar_days_of_year(*, year: int):
    return CalendarDay.objects.filter(day__year=year).order_by("day")


def calendar_year_get(*, year: int) -> CalendarYear | None:
    return CalendarYear.objects.filter(year=year).first()


def calendar_years_known() -> list[int]:
    return list(CalendarYear.objects.values_list("year", flat=True))


def calendar_alerts_open():
    return CalendarAlert.objects.filter(acknowledged_at__isnull=True).order_by("year")
