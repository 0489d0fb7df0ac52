"""The red flags of one lot (docs/integrity.md "Red flags at the opening"): each rule with its id, its
source, the threshold it reads from the rule table, and a pure function over plain data.

A rule's function takes the lot's facts (``LotFacts``, one ``BidFacts`` per bid) and the thresholds
(``Thresholds``, the rule table's numbers as they stood at the lot's publication) and returns the
evidence — which bids, which values — when it fires, else None. Nothing here reads the database,
so the rules' cost is measured on its own (benchmarks/bench_flags.py) and each edge is a unit test.

Evidence is JSON: ``{"values": {...}, "groups": [{"value": ..., "bids": [bid, ...]}, ...]}`` where
each bid is ``{"receipt", "bidder" (USCC), "name"}`` plus the value that put it in the group (its
price, file, time). Prices are strings of yuan with 2 places, shares percentages with 2 places,
tolerances the rule table's fractions ("1/1000"), times ISO 8601. The rules compute exactly (prices
in whole cents, thresholds as fractions); only the ratio of a geometric progression is a float.
"""
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import get_language, gettext_lazy as _

from trading.citations import legal_citation
from trading.models import RuleCode

OPENING, AWARD = "opening", "award"  # monitoring.integrity.models.Stage's values
LOWEST_PRICE = "lowest_price"  # bidding.evaluation.models.Evaluation.Method.LOWEST_PRICE
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@dataclass(frozen=True, slots=True)
class FileFacts:
    name: str
    size: int
    sha256: str
    author: str = ""
    software: str = ""
    created: str = ""


@dataclass(frozen=True, slots=True)
class BidFacts:
    """One bid as the rules see it. ``price`` is None for an envelope that did not open; ``status``
    and ``reasons`` are the evaluation's (valid or rejected, and why) at the award."""
    receipt: str
    bidder: str
    name: str
    received_at: datetime
    price: Decimal | None = None
    client_ip: str | None = None
    device: str = ""
    files: tuple[FileFacts, ...] = ()
    status: str = ""
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class LotFacts:
    """``sells``: the highest price wins (land, equity), so "best" is the highest and there is no
    ceiling. ``known_files`` and ``known_meta`` are the hashes and metadata of the lot's own
    documents, which bidders may include unchanged or fill in. ``winner`` and ``method`` are set at
    the award."""
    lot: int
    sells: bool
    ceiling: Decimal | None
    published_at: datetime | None
    bid_deadline: datetime | None
    bids: tuple[BidFacts, ...]
    known_files: frozenset[str] = frozenset()
    known_meta: frozenset[tuple[str, str, str]] = frozenset()
    method: str = ""
    winner: str = ""  # the winning bid's receipt


@dataclass(frozen=True)
class Thresholds:
    """The rule table's numbers for the lot (None where the market has no such rule: its rule does
    not run)."""
    ceiling_band: Fraction | None = None
    price_pattern: Fraction | None = None
    price_gap: Fraction | None = None
    submission_gap: timedelta | None = None
    short_period: timedelta | None = None


@dataclass(frozen=True)
class FlagRule:
    id: str
    stage: str
    label: str
    source: str
    check: Callable[[LotFacts, Thresholds], dict | None]
    # The rule table's code of its threshold ("" where the rule has none).
    threshold: str = ""
    # A source that is not a law's article: a screen from the literature, in words.
    screen: str = ""


# --- evidence helpers --------------------------------------------------------------------------------

def ref(bid: BidFacts, **values) -> dict:
    return {"receipt": bid.receipt, "bidder": bid.bidder, "name": bid.name, **values}


def money(value: Decimal | Fraction) -> str:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{value.quantize(Decimal('0.01'))}"


def share(value: Fraction) -> str:
    """A share as a percentage with 2 decimals (exact input, rounded only for reading)."""
    return f"{Decimal(value.numerator * 100) / Decimal(value.denominator):.2f}%"


def fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _groups(bids: Iterable[BidFacts], key: Callable[[BidFacts], Iterable], shown=str) -> list[dict]:
    """Bids of different bidders sharing a value: ``key`` yields each bid's values with the detail
    to show beside the bid; ``shown`` makes a value JSON. Largest groups first. A bid's reference is
    built only for the groups kept (most values are one bidder's own)."""
    seen: dict = defaultdict(dict)
    for bid in bids:
        for value, detail in key(bid):
            seen[value].setdefault(bid.bidder, (bid, detail))
    found = [(value, members) for value, members in seen.items() if len(members) > 1]
    found.sort(key=lambda item: (-len(item[1]), str(item[0])))
    return [{"value": shown(value), "bids": [ref(bid, **detail) for bid, detail in members.values()]}
            for value, members in found]


def priced(facts: LotFacts) -> list[BidFacts]:
    return [bid for bid in facts.bids if bid.price is not None]


# --- the rules at the opening ------------------------------------------------------------------------

def same_ip(facts: LotFacts, limits: Thresholds) -> dict | None:
    groups = _groups(facts.bids, lambda bid: [(bid.client_ip, {})] if bid.client_ip else [])
    return {"values": {}, "groups": groups} if groups else None


def same_device(facts: LotFacts, limits: Thresholds) -> dict | None:
    groups = _groups(facts.bids, lambda bid: [(bid.device, {})] if bid.device else [])
    return {"values": {}, "groups": groups} if groups else None


def same_file(facts: LotFacts, limits: Thresholds) -> dict | None:
    """The same file content (SHA-256) in different bidders' envelopes, less empty files and the
    lot's own documents (a form the tender asks to be returned unchanged)."""
    def files(bid):
        return [(file.sha256, {"file": file.name}) for file in bid.files
                if file.size and file.sha256 != EMPTY_SHA256 and file.sha256 not in facts.known_files]

    groups = _groups(facts.bids, files)
    return {"values": {}, "groups": groups} if groups else None


def same_metadata(facts: LotFacts, limits: Thresholds) -> dict | None:
    """The same author, software and creation time (all three given) in different bidders' files,
    less the metadata of the lot's own documents (a template every bidder fills in keeps it)."""
    def files(bid):
        for file in bid.files:
            key = (file.author, file.software, file.created)
            if all(key) and key not in facts.known_meta:
                yield key, {"file": file.name}

    groups = _groups(facts.bids, files, shown=lambda key: dict(zip(("author", "software", "created"), key)))
    return {"values": {}, "groups": groups} if groups else None


def identical_prices(facts: LotFacts, limits: Thresholds) -> dict | None:
    """Different bidders' prices equal to the cent (OCP Cardinal R028)."""
    groups = _groups(priced(facts), lambda bid: [(money(bid.price), {})])
    return {"values": {}, "groups": groups} if groups else None


def cents(price: Decimal) -> int:
    return int(price * 100)


def _sorted_prices(facts: LotFacts) -> tuple[list[BidFacts], list[int]]:
    """The priced bids from the lowest price up, and their prices in whole cents (exact integers)."""
    bids = sorted(priced(facts), key=lambda bid: (bid.price, bid.receipt))
    return bids, [cents(bid.price) for bid in bids]


def _progression(prices: list[int], tolerance: Fraction) -> Fraction | None:
    """The common step (in cents) when the prices (sorted, 3 or more) lie on an arithmetic
    progression: each within ``tolerance`` × the lowest price of the line from the lowest to the
    highest, and the step itself larger than that (else the prices are near-identical, not spaced).
    In integers: with n − 1 = m, price i deviates by |p_i·m − p_1·m − i·(p_n − p_1)| / m."""
    count, low, high = len(prices), prices[0], prices[-1]
    m, num, den = count - 1, tolerance.numerator, tolerance.denominator
    slack = num * low * m  # the tolerance × the lowest price, scaled by m·den
    if (high - low) * den <= slack:
        return None
    rise = high - low
    if all(abs((price - low) * m - index * rise) * den <= slack for index, price in enumerate(prices)):
        return Fraction(rise, m)
    return None


def price_progression(facts: LotFacts, limits: Thresholds) -> dict | None:
    """Every price on one arithmetic progression (招标投标法实施条例 Art 40 (4): 报价呈规律性差异)."""
    if limits.price_pattern is None:
        return None
    bids, prices = _sorted_prices(facts)
    if len(bids) < 3:
        return None
    step = _progression(prices, limits.price_pattern)
    if step is None:
        return None
    return {"values": {"step": money(step / 100), "tolerance": fraction_text(limits.price_pattern)},
            "groups": [{"value": "", "bids": [ref(bid, price=money(bid.price)) for bid in bids]}]}


def price_ratio(facts: LotFacts, limits: Thresholds) -> dict | None:
    """Every price a fixed ratio above the one below it (a geometric progression), within the same
    tolerance; not reported where the prices are an arithmetic progression already (over a narrow
    spread the two coincide)."""
    if limits.price_pattern is None:
        return None
    bids, prices = _sorted_prices(facts)
    if len(bids) < 3 or prices[0] <= 0 or _progression(prices, limits.price_pattern) is not None:
        return None
    count, low, high = len(prices), float(prices[0]), float(prices[-1])
    ratio = (high / low) ** (1 / (count - 1))
    slack = float(limits.price_pattern) * low
    if (ratio - 1) * low <= slack:
        return None
    if not all(abs(float(price) - low * ratio ** index) <= slack for index, price in enumerate(prices)):
        return None
    return {"values": {"ratio": f"{ratio:.4f}", "tolerance": fraction_text(limits.price_pattern)},
            "groups": [{"value": "", "bids": [ref(bid, price=money(bid.price)) for bid in bids]}]}


def prices_near_ceiling(facts: LotFacts, limits: Thresholds) -> dict | None:
    """Two or more prices, every one within the band of the ceiling (最高投标限价)."""
    bids = priced(facts)
    if limits.ceiling_band is None or facts.ceiling is None or facts.ceiling <= 0 or len(bids) < 2:
        return None
    ceiling, num, den = cents(facts.ceiling), limits.ceiling_band.numerator, limits.ceiling_band.denominator
    if any(abs(ceiling - cents(bid.price)) * den > num * ceiling for bid in bids):
        return None
    return {"values": {"ceiling": money(facts.ceiling), "band": share(limits.ceiling_band)},
            "groups": [{"value": "", "bids": [
                ref(bid, price=money(bid.price), below=share(Fraction(ceiling - cents(bid.price), ceiling)))
                for bid in sorted(bids, key=lambda bid: (bid.price, bid.receipt))]}]}


def single_bid(facts: LotFacts, limits: Thresholds) -> dict | None:
    """One bid came to the opening (OCP Cardinal R018: a single bid in an open procedure)."""
    if len(facts.bids) != 1:
        return None
    return {"values": {"bids": 1}, "groups": [{"value": "", "bids": [ref(facts.bids[0])]}]}


def short_period(facts: LotFacts, limits: Thresholds) -> dict | None:
    """Publication to the bid deadline shorter than the rule's days (OCP Cardinal R003)."""
    if limits.short_period is None or facts.published_at is None or facts.bid_deadline is None:
        return None
    period = facts.bid_deadline - facts.published_at
    if period >= limits.short_period:
        return None
    return {"values": {"published_at": facts.published_at.isoformat(), "bid_deadline": facts.bid_deadline.isoformat(),
                       "days": f"{period / timedelta(days=1):.1f}",
                       "minimum_days": f"{limits.short_period / timedelta(days=1):g}"},
            "groups": []}


def price_gap(facts: LotFacts, limits: Thresholds) -> dict | None:
    """The best price at least the rule's share better than the second best (OCP Cardinal R058:
    the winner far below the runner-up): below it where the lowest price wins, above it where the
    highest does. The share is of the second best price."""
    bids = priced(facts)
    if limits.price_gap is None or len(bids) < 2:
        return None
    ordered = sorted(bids, key=lambda bid: (bid.price, bid.receipt), reverse=facts.sells)
    best, second = ordered[0], ordered[1]
    if second.price <= 0:
        return None
    gap = abs(Fraction(second.price) - Fraction(best.price)) / Fraction(second.price)
    if gap < limits.price_gap:
        return None
    return {"values": {"gap": share(gap), "minimum": share(limits.price_gap)},
            "groups": [{"value": "", "bids": [ref(best, price=money(best.price), place=1),
                                              ref(second, price=money(second.price), place=2)]}]}


def close_submissions(facts: LotFacts, limits: Thresholds) -> dict | None:
    """Different bidders' bids received within the rule's seconds of each other: each group is a
    run of bids, in order of receipt, each within the gap of the one before."""
    if limits.submission_gap is None or len(facts.bids) < 2:
        return None
    ordered = sorted(facts.bids, key=lambda bid: (bid.received_at, bid.receipt))
    runs, run = [], [ordered[0]]
    for before, bid in zip(ordered, ordered[1:]):
        if bid.received_at - before.received_at <= limits.submission_gap:
            run.append(bid)
            continue
        runs.append(run)
        run = [bid]
    runs.append(run)
    groups = [{"value": f"{(run[-1].received_at - run[0].received_at).total_seconds():g}",
               "bids": [ref(bid, at=bid.received_at.isoformat()) for bid in run]}
              for run in runs if len({bid.bidder for bid in run}) > 1]
    if not groups:
        return None
    return {"values": {"seconds": f"{limits.submission_gap.total_seconds():g}"}, "groups": groups}


# --- the rule at the award ---------------------------------------------------------------------------

def winner_not_lowest(facts: LotFacts, limits: Thresholds) -> dict | None:
    """Under the lowest evaluated price, the award went to a bid with a higher price than another
    opened bid (OCP Cardinal R036-like: the lowest bid set aside under lowest price). The evidence
    lists the lower bids with the evaluation's finding on each."""
    if facts.method != LOWEST_PRICE:
        return None
    winner = next((bid for bid in facts.bids if bid.receipt == facts.winner and bid.price is not None), None)
    if winner is None:
        return None
    lower = sorted((bid for bid in priced(facts) if bid.price < winner.price), key=lambda bid: (bid.price, bid.receipt))
    if not lower:
        return None
    return {"values": {"method": facts.method, "winning_price": money(winner.price)},
            "groups": [{"value": "winner", "bids": [ref(winner, price=money(winner.price))]},
                       {"value": "lower", "bids": [ref(bid, price=money(bid.price), status=bid.status,
                                                       reasons=list(bid.reasons)) for bid in lower]}]}


# Sources: a citation in the form of trading/citations.py (the law, then "Art N"), which each
# language prints as it cites, and a screen from the literature in words (translated);
# docs/integrity.md says what each rule takes from its source.
COLLUSION_DEEMED = "招标投标法实施条例 Art 40; 财政部令第87号 Art 37"
ONE_ADDRESS = _("fraud examiners' screens (one address across bidders)")
SPACED_PRICES = _("Imhof et al., collusion screens (regular spacing of prices)")
RULES: tuple[FlagRule, ...] = (
    FlagRule("same_ip", OPENING, _("Several bidders from one IP address"), COLLUSION_DEEMED, same_ip,
             screen=ONE_ADDRESS),
    FlagRule("same_device", OPENING, _("Several bidders from one device"), COLLUSION_DEEMED, same_device,
             screen=ONE_ADDRESS),
    FlagRule("same_file", OPENING, _("Identical files in different bidders' bids"), COLLUSION_DEEMED, same_file),
    FlagRule("same_metadata", OPENING, _("Identical document metadata in different bidders' files"),
             COLLUSION_DEEMED, same_metadata),
    FlagRule("identical_prices", OPENING, _("Identical prices from different bidders"), "OCP Cardinal R028",
             identical_prices),
    FlagRule("price_progression", OPENING, _("Prices in arithmetic progression"), COLLUSION_DEEMED,
             price_progression, RuleCode.FLAG_PRICE_PATTERN, screen=SPACED_PRICES),
    FlagRule("price_ratio", OPENING, _("Prices at a fixed ratio"), COLLUSION_DEEMED, price_ratio,
             RuleCode.FLAG_PRICE_PATTERN, screen=SPACED_PRICES),
    FlagRule("prices_near_ceiling", OPENING, _("Every price within a hair of the ceiling"), "", prices_near_ceiling,
             RuleCode.FLAG_CEILING_BAND, screen=_("fraud examiners' screens (bids bunched together)")),
    FlagRule("single_bid", OPENING, _("A single bid"), "OCP Cardinal R018", single_bid),
    FlagRule("short_period", OPENING, _("A short bidding period"), "OCP Cardinal R003; 招标投标法 Art 24",
             short_period, RuleCode.FLAG_SHORT_PERIOD),
    FlagRule("price_gap", OPENING, _("The best price far from the second best"), "OCP Cardinal R058", price_gap,
             RuleCode.FLAG_PRICE_GAP),
    FlagRule("close_submissions", OPENING, _("Different bidders' bids submitted within seconds"), "",
             close_submissions, RuleCode.FLAG_SUBMISSION_GAP,
             screen=_("fraud examiners' screens (bids prepared and sent together)")),
    FlagRule("winner_not_lowest", AWARD, _("The winner is not the lowest price under lowest-price evaluation"),
             "OCP Cardinal R036; 招标投标法实施条例 Art 55", winner_not_lowest),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}


def rules_run(*, stage: str, facts: LotFacts, limits: Thresholds) -> dict[str, dict]:
    """Every rule of ``stage`` on the lot: ``{rule id: evidence}`` of those that fired."""
    found = {}
    for rule in RULES:
        if rule.stage == stage:
            evidence = rule.check(facts, limits)
            if evidence is not None:
                found[rule.id] = evidence
    return found


def rule_source(rule: FlagRule) -> str:
    """The rule's sources as the reader's language cites them: the citations, then the screen."""
    chinese = not (get_language() or "").startswith("en")
    parts = [part for part in (legal_citation(rule.source), str(rule.screen)) if part]
    return ("；" if chinese else "; ").join(parts)
