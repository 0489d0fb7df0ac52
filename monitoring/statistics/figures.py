"""The centre's figures (docs/statistics.md): by market, period and tenderee type, read only from
finished facts and recomputed from the database on every call; nothing is entered by hand.

A lot counts once it is decided: awarded with its award standing (awarded or under contract now),
or failed (流标). It belongs to the period of that decision in Beijing time. A few set-wise queries
read one row of facts per decided lot of the span asked (``lot_facts``); every figure is a sum over
such rows, so a figure and the list of lots behind it (the regulator's drill-down) come from the same
rows and always agree. The satisfaction rate is not about lots: it is the ratings' own
(``monitoring.ratings.selectors.satisfaction``).
"""
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from bidding.evaluation.models import AwardProposal
from bidding.sales.models import AuctionBidder, ListingBidder
from bidding.sealed.models import Bid
from monitoring.ratings.selectors import satisfaction
from monitoring.statistics.periods import YEAR, Period, periods_of
from trading import clock
from trading.models import Lot, LotStatusChange, Market, Organisation

AWARDED, CONTRACTED, FAILED = Lot.Status.AWARDED, Lot.Status.CONTRACTED, Lot.Status.FAILED
DEAL_STATUSES = (AWARDED, CONTRACTED)  # the award stands
FINISHED = (*DEAL_STATUSES, FAILED)
# A bid that stood at the deadline: neither replaced by the same bidder's newer one nor withdrawn.
_NOT_STANDING = (Bid.Status.REPLACED, Bid.Status.WITHDRAWN)

RATE_PLACES = Decimal("0.0001")  # rates and changes as fractions: 0.2440 is 24.40 %
AVERAGE_PLACES = Decimal("0.01")
DAYS_PLACES = Decimal("0.1")
DAY_SECONDS = Decimal(86_400)

# What a figure is, for its format and for its year-on-year change: a rate changes by percentage
# points, everything else by a percentage of last year's figure.
COUNT, AMOUNT, RATE, AVERAGE, DAYS = "count", "amount", "rate", "average", "days"

UNSPECIFIED = "unspecified"  # a tenderee whose sector nobody entered
BY_MARKET, BY_SECTOR = "market", "sector"
TOTAL = ""  # the key of the row over every market (or every sector)


@dataclass(frozen=True, slots=True)
class LotFact:
    """What the statistics know of one decided lot."""

    lot_id: int
    project_id: int
    market: str
    sells: bool
    sector: str
    outcome: str  # the lot's status: awarded, contracted or failed
    decided_at: datetime  # awarded (the award that stands) or failed
    published_at: datetime | None
    estimate: Decimal  # the ceiling or budget where the market buys; the listing price where it sells
    investment: Decimal | None  # the project's total investment, where stated
    deal: Decimal | None  # the winning price; None for a failed lot or a deal with no price recorded
    starting: Decimal | None  # where the market sells: the starting price
    appraised: Decimal | None  # where the market sells: the appraised value, else the starting price
    bidders: int | None  # None where the caller did not ask (``lot_facts(bidders=False)``)

    @property
    def is_deal(self) -> bool:
        return self.outcome in DEAL_STATUSES

    @property
    def priced(self) -> bool:
        return self.deal is not None

    @property
    def cycle(self) -> timedelta | None:
        """Publication to award, for a deal."""
        if not self.is_deal or self.published_at is None:
            return None
        return self.decided_at - self.published_at

    @property
    def savings(self) -> Decimal | None:
        return self.estimate - self.deal if self.priced and not self.sells else None

    @property
    def increase(self) -> Decimal | None:
        return self.deal - self.starting if self.priced and self.sells else None

    @property
    def appreciation(self) -> Decimal | None:
        return self.deal - self.appraised if self.priced and self.sells else None


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str
    # The lots a figure is computed from (the drill-down lists them); None for a figure that is not
    # about lots (satisfaction).
    basis: Callable[[LotFact], bool] | None
    definition: str


def _deal(fact):
    return fact.is_deal


def _buying_deal(fact):
    return fact.is_deal and not fact.sells


def _priced(fact):
    return fact.priced


def _priced_buying(fact):
    return fact.priced and not fact.sells


def _priced_selling(fact):
    return fact.priced and fact.sells


def _any(fact):
    return True


FIGURES = [
    Figure("lots", _("Lots decided"), COUNT, _any, _("Lots awarded (the award standing) or failed in the period.")),
    Figure("deals", _("Deals"), COUNT, _deal, _("Lots awarded in the period whose award stands (awarded or under "
                                                "contract).")),
    Figure("projects", _("Projects"), COUNT, _deal, _("Projects with at least one deal in the period.")),
    Figure("investment", _("Total investment"), AMOUNT, lambda f: f.is_deal and f.investment is not None,
           _("The total investment the projects of the period's deals state (each project once).")),
    Figure("budget", _("Budget (ceilings)"), AMOUNT, _buying_deal,
           _("The ceilings or budgets of the deals where the lowest price wins.")),
    Figure("deal_value", _("Deal value"), AMOUNT, _priced,
           _("The winning prices: the approved candidate's price of a tender, the price of a sale's deal "
             "confirmation.")),
    Figure("savings", _("Savings"), AMOUNT, _priced_buying, _("Ceiling or budget less the winning price, where the "
                                                             "lowest price wins.")),
    Figure("savings_rate", _("Savings rate"), RATE, _priced_buying, _("Savings over the ceilings of the same deals.")),
    Figure("starting_value", _("Starting prices"), AMOUNT, _priced_selling,
           _("The starting prices of the sales (land, equity).")),
    Figure("increase", _("Net increase of state assets"), AMOUNT, _priced_selling,
           _("Deal price less starting price, over the sales.")),
    Figure("increase_rate", _("Average increase rate"), RATE, _priced_selling,
           _("The net increase over the starting prices of the same sales.")),
    Figure("appraised_value", _("Appraised value"), AMOUNT, _priced_selling,
           _("The appraised values of the sales (the starting price where none was filed).")),
    Figure("appreciation", _("Appreciation"), AMOUNT, _priced_selling,
           _("Deal price less appraised value, over the sales.")),
    Figure("appreciation_rate", _("Appreciation rate"), RATE, _priced_selling,
           _("The appreciation over the appraised values of the same sales.")),
    Figure("failed", _("Failed lots"), COUNT, lambda f: not f.is_deal, _("Lots that failed (流标) in the period.")),
    Figure("failed_rate", _("Failed-lot rate"), RATE, _any, _("Failed lots over lots decided.")),
    Figure("bidders_per_lot", _("Bidders per lot"), AVERAGE, _any,
           _("Bidders of the lots decided (bids standing at the deadline; a sale's bidders) over those lots.")),
    Figure("cycle_days", _("Average cycle (days)"), DAYS, lambda f: f.cycle is not None,
           _("Calendar days from the publication to the award, over the deals.")),
    Figure("satisfaction", _("Satisfaction rate"), RATE, None,
           _("Services rated satisfied, or unrated past the time limit, over services counted (好差评).")),
]
FIGURE_KEYS = {figure.key: figure for figure in FIGURES}
# The figures whose drill-down is a list of lots (all but satisfaction).
LOT_FIGURES = [figure.key for figure in FIGURES if figure.basis is not None]


def _sum(values: Iterable) -> Decimal | None:
    total = None
    for value in values:
        total = value if total is None else total + value
    return total


def _ratio(part, whole, places=RATE_PLACES) -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(places, rounding=ROUND_HALF_UP)


def figures_compute(facts: Iterable[LotFact]) -> dict[str, int | Decimal | None]:
    """Every lot figure over ``facts`` (satisfaction is added by the caller): counts as ints, amounts
    in yuan, rates as fractions to 4 places, averages to 2 places, days to 1. A figure with nothing
    to count is None (no budget where every deal was a sale), never a misleading 0."""
    facts = list(facts)
    deals = [fact for fact in facts if fact.is_deal]
    priced = [fact for fact in deals if fact.priced]
    buying = [fact for fact in priced if not fact.sells]
    selling = [fact for fact in priced if fact.sells]
    projects = {fact.project_id: fact.investment for fact in deals}
    ceilings = _sum(fact.estimate for fact in buying)
    starting = _sum(fact.starting for fact in selling)
    appraised = _sum(fact.appraised for fact in selling)
    savings = _sum(fact.savings for fact in buying)
    increase = _sum(fact.increase for fact in selling)
    appreciation = _sum(fact.appreciation for fact in selling)
    cycles = [fact.cycle for fact in deals if fact.cycle is not None]
    cycle_seconds = sum((cycle.total_seconds() for cycle in cycles), 0.0)
    return {
        "lots": len(facts),
        "deals": len(deals),
        "projects": len(projects),
        "investment": _sum(value for value in projects.values() if value is not None),
        "budget": _sum(fact.estimate for fact in deals if not fact.sells),
        "deal_value": _sum(fact.deal for fact in priced),
        "savings": savings,
        "savings_rate": _ratio(savings, ceilings),
        "starting_value": starting,
        "increase": increase,
        "increase_rate": _ratio(increase, starting),
        "appraised_value": appraised,
        "appreciation": appreciation,
        "appreciation_rate": _ratio(appreciation, appraised),
        "failed": len(facts) - len(deals),
        "failed_rate": _ratio(len(facts) - len(deals), len(facts)),
        "bidders_per_lot": (None if any(fact.bidders is None for fact in facts)
                            else _ratio(sum(fact.bidders for fact in facts), len(facts), AVERAGE_PLACES)),
        "cycle_days": (_ratio(Decimal(cycle_seconds) / DAY_SECONDS, len(cycles), DAYS_PLACES) if cycles else None),
    }


def figure_change(key: str, now, before) -> Decimal | None:
    """The year-on-year change of figure ``key``: percentage points for a rate (0.0120 is 1.20
    points), else the change as a fraction of last year's figure (0.8000 is up 80 %); None where
    either year has no figure or last year's is zero."""
    if now is None or before is None:
        return None
    if FIGURE_KEYS[key].kind == RATE:
        return (Decimal(now) - Decimal(before)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    if not before:
        return None
    return ((Decimal(now) - Decimal(before)) / abs(Decimal(before))).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


# --- the facts ----------------------------------------------------------------------------------------------
# Six set-wise queries over the lots decided in a span, each a join or a grouped count the database
# does in one pass (measured 2.5 times faster than one query with a correlated subquery per fact,
# benchmarks/bench_report.py), merged here by lot.

def _decided(*, since: datetime, until: datetime, market: str | None, sector: str | None) -> QuerySet:
    """The ids of the finished lots with a decision in [since, until), as a subquery."""
    moves = LotStatusChange.objects.filter(target__in=(AWARDED, FAILED), at__gte=since, at__lt=until,
                                           lot__status__in=FINISHED)
    if market:
        moves = moves.filter(lot__project__market_id=market)
    if sector:
        moves = moves.filter(lot__project__tenderee__sector="" if sector == UNSPECIFIED else sector)
    return moves.values("lot_id")


def _counts(queryset, lot: str, counted: str = "pk", *, distinct: bool = False) -> dict[int, int]:
    return dict(queryset.order_by().values(lot).annotate(n=Count(counted, distinct=distinct)).values_list(lot, "n"))


def lot_facts(*, since: datetime, until: datetime, market: str | None = None, sector: str | None = None,
              bidders: bool = True) -> list[LotFact]:
    """The facts of every lot decided in [since, until) (of one market and one tenderee sector,
    ``UNSPECIFIED`` for a tenderee without one), the earliest decision first. Six queries; three
    without the ``bidders`` (each fact's is None then).

    A lot's decision is its latest move to awarded or failed (a re-awarded lot counts at the award
    that stands, even if an earlier award fell in the span); a failed lot never moves again, and
    neither does a lot under contract."""
    ids = _decided(since=since, until=until, market=market, sector=sector)
    decided, published = {}, {}
    for lot_id, target, at in (LotStatusChange.objects.filter(lot_id__in=ids, target__in=(Lot.Status.PUBLISHED,
                                                                                          AWARDED, FAILED))
                               .order_by().values_list("lot_id", "target", "at")):
        if target == Lot.Status.PUBLISHED:
            published[lot_id] = min(at, published.get(lot_id, at))
        else:
            decided[lot_id] = max(at, decided.get(lot_id, at))
    # The approved award of a tender (at most one stands; the latest reviewed, should there be more).
    awards = dict(AwardProposal.objects.filter(lot_id__in=ids, status=AwardProposal.Status.APPROVED)
                  .order_by("lot_id", "reviewed_at", "pk").values_list("lot_id", "candidate__price"))
    bids, listing_bidders, auction_bidders = {}, {}, {}
    if bidders:
        bids = _counts(Bid.objects.filter(lot_id__in=ids).exclude(status__in=_NOT_STANDING), "lot_id",
                       "organisation", distinct=True)
        listing_bidders = _counts(ListingBidder.objects.filter(listing__lot_id__in=ids), "listing__lot_id")
        auction_bidders = _counts(AuctionBidder.objects.filter(auction__lot_id__in=ids), "auction__lot_id")
    facts = []
    for (pk, project, market_code, sells, sector_code, status, estimate, investment, appraised, sale_price,
         listing_start, auction_start) in Lot.objects.filter(pk__in=ids).values_list(*_LOT_FIELDS):
        decided_at = decided[pk]
        if not since <= decided_at < until:
            continue  # awarded in the span, but the award that stands came later
        award_price = awards.get(pk)
        deal = (sale_price if sale_price is not None else award_price) if status in DEAL_STATUSES else None
        # Where the market sells: the listing's starting price, else a directly scheduled auction's,
        # else the lot's listing price (a one-shot sealed quote's floor).
        starting = (listing_start if listing_start is not None else auction_start if auction_start is not None
                    else estimate) if sells else None
        # A sale's bidders: the listing's (an auction that follows it admits some of them), else a
        # direct auction's; a tender's, and a one-shot sealed quote's, are its standing bids.
        count = (bids.get(pk, 0) + (listing_bidders[pk] if pk in listing_bidders else auction_bidders.get(pk, 0))
                 if bidders else None)
        facts.append(LotFact(
            lot_id=pk, project_id=project, market=market_code, sells=sells, sector=sector_code or UNSPECIFIED,
            outcome=status, decided_at=decided_at, published_at=published.get(pk), estimate=estimate,
            investment=investment, deal=deal, starting=starting,
            appraised=(appraised if appraised is not None else starting) if sells else None, bidders=count))
    facts.sort(key=lambda fact: (fact.decided_at, fact.lot_id))
    return facts


_LOT_FIELDS = ("pk", "project_id", "project__market_id", "project__market__sells", "project__tenderee__sector",
               "status", "estimate", "project__investment", "appraised_value", "deal_confirmation__price",
               "listing__starting_price", "auction__starting_price")


def _within(facts: list[LotFact], since: datetime, until: datetime) -> list[LotFact]:
    """The facts decided in [since, until); ``facts`` in decision order."""
    moments = [fact.decided_at for fact in facts]
    return facts[bisect_left(moments, since):bisect_left(moments, until)]


# --- tables of figures ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """The figures of one market (or sector; ``TOTAL``: all of them) in one period, beside the same
    stretch of the year before and the change."""

    key: str
    label: str
    period: Period
    since: datetime
    until: datetime
    figures: dict
    previous: dict
    change: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    key: str
    label: str


def sectors() -> list[Group]:
    return [*(Group(value, label) for value, label in Organisation.Sector.choices),
            Group(UNSPECIFIED, _("Not stated"))]


def groups_of(*, by: str, market: str | None = None, sector: str | None = None) -> list[Group]:
    """The rows of a table: each market (or the one asked) or each sector, then the total where
    there is more than one."""
    if by == BY_SECTOR:
        found = [group for group in sectors() if not sector or group.key == sector]
    else:
        found = [Group(m.code, m.name) for m in Market.objects.all() if not market or m.code == market]
    if len(found) > 1:
        found.append(Group(TOTAL, _("All markets") if by == BY_MARKET else _("All tenderees")))
    return found


def _key_of(fact: LotFact, by: str) -> str:
    return fact.sector if by == BY_SECTOR else fact.market


def year_facts(*, year: int, market: str | None = None, sector: str | None = None,
               now: datetime | None = None) -> list[LotFact]:
    """The facts ``statistics_rows`` needs for ``year``: the lots decided from the start of the
    year before to the end of ``year`` (or now). Six queries."""
    now = now or clock.now()
    start = Period(year - 1).start
    return lot_facts(since=start, until=max(start, min(Period(year).end, now)), market=market, sector=sector)


def statistics_rows(*, year: int, granularity: str = YEAR, by: str = BY_MARKET, market: str | None = None,
                    sector: str | None = None, now: datetime | None = None, facts: list[LotFact] | None = None,
                    rated: bool = True) -> list[Row]:
    """The figures of ``year`` by period of ``granularity`` (year, quarter, month) and by market
    (or by tenderee sector), each beside the same stretch of the year before, with the change.

    Ordered by period, then as ``groups_of``. Six queries for the lots of both years (none where the
    caller passes ``year_facts`` of the same arguments). The satisfaction rate, by market only
    (ratings know no tenderee sector) and unless ``rated`` is false, costs the ratings' own queries
    for each market and period (``monitoring.ratings.selectors.satisfaction``)."""
    now = now or clock.now()
    if facts is None:
        facts = year_facts(year=year, market=market, sector=sector, now=now)
    groups = groups_of(by=by, market=market, sector=sector)
    rated = rated and by == BY_MARKET and not sector
    rows = []
    for period in periods_of(year=year, granularity=granularity):
        since, until = period.bounds(now=now)
        before = period.bounds(previous=True, now=now)
        current = _grouped(_within(facts, since, until), by)
        previous = _grouped(_within(facts, *before), by)
        for group in groups:
            figures = figures_compute(current.get(group.key, []) if group.key else _flat(current))
            earlier = figures_compute(previous.get(group.key, []) if group.key else _flat(previous))
            code = group.key or None
            figures["satisfaction"] = _satisfaction(since, until, code) if rated else None
            earlier["satisfaction"] = _satisfaction(*before, code) if rated else None
            rows.append(Row(key=group.key, label=str(group.label), period=period, since=since, until=until,
                            figures=figures, previous=earlier,
                            change={key: figure_change(key, figures[key], earlier[key]) for key in FIGURE_KEYS}))
    return rows


def figures_by_market(*, since: datetime, until: datetime) -> dict[str, dict]:
    """The lot figures of each market (by code; ``TOTAL``: all of them) for the lots decided in
    [since, until), without the bidders, the comparison or the satisfaction: for a page that shows
    only the deals of the year (the portal's home). Three queries. A market with no lot decided has
    the figures of none."""
    facts = _grouped(lot_facts(since=since, until=until, bidders=False), BY_MARKET)
    found = defaultdict(lambda: figures_compute([]))
    found.update({code: figures_compute(market_facts) for code, market_facts in facts.items()})
    found[TOTAL] = figures_compute(_flat(facts))
    return found


def _grouped(facts: list[LotFact], by: str) -> dict[str, list[LotFact]]:
    grouped = defaultdict(list)
    for fact in facts:
        grouped[_key_of(fact, by)].append(fact)
    return grouped


def _flat(grouped: dict[str, list[LotFact]]) -> list[LotFact]:
    return [fact for facts in grouped.values() for fact in facts]


def _satisfaction(since: datetime, until: datetime, market: str | None) -> Decimal | None:
    if since >= until:
        return None
    rate = satisfaction(since=since, until=until, market=market).rate
    return None if rate is None else rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


# --- the drill-down --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Behind:
    """The lots behind one figure, each with its facts and its lot (code, title), and the figure
    computed from them."""

    figure: Figure
    period: Period
    previous: bool
    since: datetime
    until: datetime
    value: object
    lots: list[tuple[LotFact, Lot]]


def figure_lots(*, figure: str, period: Period, previous: bool = False, by: str = BY_MARKET, key: str = TOTAL,
                market: str | None = None, sector: str | None = None, now: datetime | None = None) -> Behind:
    """The lots that figure ``figure`` of ``period`` (or the same stretch a year before) sums, for
    one market or sector (``key``; ``TOTAL`` for all) and the filters of the table. Seven queries."""
    chosen = FIGURE_KEYS[figure]
    since, until = period.bounds(previous=previous, now=now)
    facts = [fact for fact in lot_facts(since=since, until=until, market=market, sector=sector)
             if not key or _key_of(fact, by) == key]
    value = figures_compute(facts).get(figure)
    behind = [fact for fact in facts if chosen.basis(fact)]
    lots = {lot.pk: lot for lot in Lot.objects.filter(pk__in=[fact.lot_id for fact in behind])
            .select_related("project__market", "project__tenderee")}
    return Behind(figure=chosen, period=period, previous=previous, since=since, until=until, value=value,
                  lots=[(fact, lots[fact.lot_id]) for fact in behind])
