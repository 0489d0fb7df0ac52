"""Reading the availability record (docs/availability.md): how long the platform was unavailable in
a stretch of time, the outage rule's numbers for a lot, and the lists the pages and the API show.

"Unavailable" is the union of every outage of any part, found by the probe or declared by staff:
two parts down at once count once. An outage still open counts until now; nothing counts in the
future.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q

from trading import clock
from trading.models import DeadlineExtension, Lot, Outage, PartState, Rule, RuleCode, RuleUnit
from trading.selectors_calendar import lot_published_at, rule_find

UNITS = {RuleUnit.MINUTES: timedelta(minutes=1), RuleUnit.SECONDS: timedelta(seconds=1)}


@dataclass(frozen=True)
class Unavailability:
    """How long the platform was unavailable within [``start``, ``end``), and the outages that made
    it so (each overlapping the stretch), oldest first. ``exceeded``: longer than ``tolerance``."""

    start: datetime
    end: datetime
    total: timedelta
    outages: list[Outage] = field(default_factory=list)
    tolerance: timedelta | None = None

    @property
    def exceeded(self) -> bool:
        return self.tolerance is not None and self.total > self.tolerance


@dataclass(frozen=True)
class OutageRules:
    """The outage rule's three numbers for one lot, as the rule table held them at its publication."""

    tolerance: timedelta
    period: timedelta
    extension: timedelta


def _overlapping(start: datetime, end: datetime):
    return Outage.objects.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start), started_at__lt=end)


def outage_touches(*, start: datetime, end: datetime) -> bool:
    """Whether any outage or incident overlaps [``start``, ``end``): one cheap query."""
    return end > start and _overlapping(start, end).exists()


def _union(outages, start: datetime, end: datetime) -> timedelta:
    """The length of the union of ``outages`` clipped to [start, end)."""
    now = clock.now()
    spans = sorted((max(o.started_at, start), min(o.ended_at or now, end)) for o in outages)
    total, reach = timedelta(), start
    for begin, finish in spans:
        begin = max(begin, reach)
        if finish > begin:
            total += finish - begin
            reach = finish
    return total


def unavailability_between(*, start: datetime, end: datetime, tolerance: timedelta | None = None) -> Unavailability:
    """How long the platform was unavailable within [``start``, ``end``) as recorded now (``end``
    beyond now counts only up to now). One query."""
    if end <= start:
        return Unavailability(start=start, end=end, total=timedelta(), tolerance=tolerance)
    outages = list(_overlapping(start, end).order_by("started_at", "pk"))
    return Unavailability(start=start, end=end, total=_union(outages, start, end), outages=outages,
                          tolerance=tolerance)


def rule_duration(rule: Rule) -> timedelta:
    """A rule of minutes or seconds as a duration."""
    return rule.amount * UNITS[RuleUnit(rule.unit)]


def lot_outage_rules(*, lot: Lot) -> OutageRules | None:
    """``lot``'s outage rule as it stood at its publication; None where its market and procedure
    set none (the rule then does not apply)."""
    at = lot_published_at(lot=lot)
    found = [rule_find(market=lot.project.market_id, procedure=lot.project.procedure, code=code, at=at)
             for code in (RuleCode.OUTAGE_TOLERANCE, RuleCode.OUTAGE_PERIOD, RuleCode.OUTAGE_EXTENSION)]
    if None in found:
        return None
    return OutageRules(*(rule_duration(rule) for rule in found))


def platform_unavailable(*, start: datetime, end: datetime, lot: Lot | None = None,
                         tolerance: timedelta | None = None) -> Unavailability:
    """Was the platform unavailable during [``start``, ``end``) for longer than the tolerance? The
    tolerance is ``tolerance``, else ``lot``'s outage rule; ``.exceeded`` answers, ``.outages``
    names the outages. For a window of the opening (the decryption window): an outage recorded in
    it makes a bid that stayed locked the platform's fault (电子招标投标办法 Art 31)."""
    if tolerance is None and lot is not None:
        rules = lot_outage_rules(lot=lot)
        tolerance = rules.tolerance if rules else None
    return unavailability_between(start=start, end=end, tolerance=tolerance)


def lot_spent_until(*, lot: Lot) -> datetime | None:
    """When ``lot``'s deadline was last extended: unavailability before then is spent (it counted
    for that extension, or came after the deadline the extension moved from now on) and never
    counts again."""
    return (DeadlineExtension.objects.filter(lot=lot).order_by("-extended_at")
            .values_list("extended_at", flat=True).first())


def lot_deadline_unavailability(*, lot: Lot, rules: OutageRules, now: datetime) -> Unavailability | None:
    """The unavailability the outage rule counts for ``lot``'s bid deadline at ``now``: within the
    rule's period before the deadline, after what earlier extensions counted, until the deadline or
    now. None when that stretch is empty."""
    deadline = lot.bid_deadline
    start = deadline - rules.period
    spent = lot_spent_until(lot=lot)
    if spent is not None:
        start = max(start, spent)
    end = min(deadline, now)
    if end <= start:
        return None
    return unavailability_between(start=start, end=end, tolerance=rules.tolerance)


def parts_state() -> list[PartState]:
    return list(PartState.objects.order_by("part"))


def outage_list(*, source: str = "", since: datetime | None = None, until: datetime | None = None):
    """Outages and incidents, the latest first, each with the extensions it caused counted
    (``extension_count``) and its lots' extensions prefetched."""
    outages = Outage.objects.prefetch_related(
        Prefetch("extensions", queryset=DeadlineExtension.objects.select_related("lot__project")))
    if source:
        outages = outages.filter(source=source)
    if since is not None:
        outages = outages.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=since))
    if until is not None:
        outages = outages.filter(started_at__lt=until)
    return outages


def incident_list_public():
    """Incidents staff declared: public, as a lot's extension may rest on them."""
    return Outage.objects.filter(source=Outage.Source.DECLARED)


def incident_get(*, incident_id: int) -> Outage | None:
    return Outage.objects.filter(pk=incident_id, source=Outage.Source.DECLARED).first()


def lot_incidents(*, lot: Lot) -> list[Outage]:
    """Incidents staff declared while ``lot`` took bids (from bidding's opening to its deadline)."""
    start = lot.bidding_opens_at or lot.documents_from
    if lot.is_listing or start is None or lot.bid_deadline is None:
        return []
    return list(incident_list_public().filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start),
                                              started_at__lt=lot.bid_deadline).order_by("started_at", "pk"))


def extension_list(*, limit: int = 100):
    """The latest deadline extensions of every lot."""
    return (DeadlineExtension.objects.select_related("lot__project").prefetch_related("outages")
            .order_by("-extended_at", "-pk")[:limit])


def lot_extensions(*, lot: Lot) -> list[DeadlineExtension]:
    return list(DeadlineExtension.objects.filter(lot=lot).prefetch_related("outages").order_by("extended_at", "pk"))
