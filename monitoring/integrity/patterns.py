"""Patterns across lots (docs/integrity_patterns.md): pure functions over plain rows of the
platform's finished lots, no database and no Django.

The nightly analysis (``services_patterns``) reads the whole history into ``LotRow``s with a few
large queries (``selectors_patterns.history_read``) and calls ``analyse``. Five patterns, each
with its definition below and in the docs, and its thresholds in the constants of this module:

- ``cluster``: bidders who keep bidding together (Imhof et al.'s cross-lot screens; the fraud
  examiners' "same bidders every time");
- ``cover``: cover bidding (陪标), a bidder who bids often, never wins, and whose price often sits
  just above the winner's (OCP Cardinal R025 "bids often, rarely wins", sharpened by the distance to
  the winning price);
- ``rotation``: a group that shares one tenderee's wins in turn, each winning while the others bid
  and lose (bid rotation, OECD guidelines on bid rigging);
- ``win_rate``: a bidder who wins far more often than the market's other bidders and than chance;
- ``single_bid``: a tenderee whose lots of a market keep getting a single bid (OCP Cardinal R018
  across lots).

Where a bidder's or tenderee's rate is compared with the others', the threshold is the upper Tukey
fence over the platform's own data (Q3 + 1.5·IQR, quartiles by linear interpolation), never below a
fixed floor, and the fence is reported with the results: a value is beyond it when it is strictly
above the fence and at least the floor. A population smaller than ``FENCE_MIN_POPULATION`` has no
fence; the floor alone decides then (win rates: nothing is compared). Where a count can be set
against chance, it must also be unlikely by chance (``CHANCE``).
"""
from __future__ import annotations

import hashlib
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from itertools import combinations

CLUSTER, COVER, ROTATION, WIN_RATE, SINGLE_BID = "cluster", "cover", "rotation", "win_rate", "single_bid"
PATTERNS = (CLUSTER, COVER, ROTATION, WIN_RATE, SINGLE_BID)

# Tukey's fences.
FENCE_K = 1.5
FENCE_MIN_POPULATION = 8
# Beyond the fence is not enough where a count can be compared with chance: what a bidder or a
# tenderee did must also be unlikely by chance alone: the probability of at least that count at the
# others' rate (or, for wins, under equal chances) at most CHANCE. In a fair market of sixty bidders
# and 200 lots, the fence alone makes some bidder an outlier one history in ten.
CHANCE = 0.0005

# Clusters: a pair bid together in at least CLUSTER_MIN_LOTS lots, and their lots together are
# mostly the same lots (Jaccard: lots together / lots either bid in) beyond the fence over every
# pair that met at least twice, and at least the floor. Lots with more than CLUSTER_MAX_BIDDERS
# bidders add no pairs: meeting there says little, and the pairs grow with the square.
CLUSTER_MIN_LOTS = 5
CLUSTER_JACCARD_FLOOR = 0.5
CLUSTER_FENCE_MIN_LOTS = 2
CLUSTER_MAX_BIDDERS = 40

# Cover bidders: at least COVER_MIN_BIDS opened tender bids in finished lots, no win, and the share
# of the bids in awarded lots priced above the winner's by at most COVER_BAND beyond the fence
# over every bidder with the minimum, at least the floor, and unlikely at the other bidders' share
# of such bids among their losing bids in awarded lots. (An identical price is the opening's flag.)
COVER_MIN_BIDS = 10
COVER_BAND = Decimal("0.03")
COVER_SHARE_FLOOR = 0.5

# Rotation, per tenderee: each member won at least ROTATION_MIN_WINS of its lots, the group at
# least ROTATION_MIN_LOTS together, and in at least ROTATION_PRESENCE of the group's wins every
# other member bid and lost.
ROTATION_MIN_WINS = 2
ROTATION_MIN_LOTS = 6
ROTATION_PRESENCE = 0.8

# Win rate, per market: at least WIN_MIN_BIDS bids in awarded lots; the rate beyond the market's
# fence, and the wins unlikely under equal chances (each lot won with probability 1 / its bidders).
WIN_MIN_BIDS = 10

# Single bids, per market and tenderee: at least SINGLE_MIN_LOTS lots whose bids were counted, at
# least SINGLE_MIN_SINGLE of them with one bid, the share beyond the fence over the market's
# tenderees with the minimum, at least the floor, and unlikely at the other tenderees' share of
# single bids. Procedures that ask one supplier by design are left out, and so are lots that got no
# bid at all.
SINGLE_MIN_LOTS = 5
SINGLE_MIN_SINGLE = 3
SINGLE_RATE_FLOOR = 0.3
SINGLE_EXPECTED = frozenset({"single_source"})

# Evidence lists at most this many lots in detail (the finding's lots and counts stay whole).
EVIDENCE_LOTS = 100
KEY_MAX = 200
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


# --- rows ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BidRow:
    """One bid of a lot: an opened tender bid with its price, or a sale's bidder (no price)."""
    organisation: int
    price: Decimal | None = None
    valid: bool = True


@dataclass(frozen=True, slots=True)
class LotRow:
    """One finished lot. ``received`` is how many bids (or a sale's bidders) it got, None where
    unknown; ``sells``: the highest price wins (land, equity), else the lowest does."""
    id: int
    code: str
    market: str
    tenderee: int
    status: str
    procedure: str = ""
    sells: bool = False
    received: int | None = None
    bids: tuple[BidRow, ...] = ()
    winner: int | None = None
    winning_price: Decimal | None = None
    at: datetime | None = None
    bidders: frozenset[int] = field(init=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "bidders", frozenset(bid.organisation for bid in self.bids))


@dataclass
class Found:
    """One finding before it is stored: who and which lots it concerns (most concerned first; the
    lots in time order) and its evidence, JSON-ready. ``roles`` says what each organisation is in it."""
    pattern: str
    organisations: list[int]
    roles: dict[int, str]
    lots: list[LotRow]
    evidence: dict
    market: str | None = None
    tenderee: int | None = None

    def key(self, uscc: Mapping[int, str]) -> str:
        """Stable across runs: the pattern and the organisations' credit codes (``cover:<uscc>``)."""
        codes = [uscc[o] for o in self.organisations]
        if self.pattern == CLUSTER:
            key = f"{CLUSTER}:" + "+".join(sorted(codes))
        elif self.pattern == ROTATION:
            key = f"{ROTATION}:{uscc[self.tenderee]}:" + "+".join(sorted(codes))
        elif self.pattern == SINGLE_BID:
            key = f"{SINGLE_BID}:{self.market}:{uscc[self.tenderee]}"
        elif self.pattern == WIN_RATE:
            key = f"{WIN_RATE}:{self.market}:{codes[0]}"
        else:
            key = f"{self.pattern}:{codes[0]}"
        if len(key) > KEY_MAX:
            key = f"{self.pattern}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
        return key


@dataclass
class Analysis:
    lots: int
    bids: int
    findings: list[Found]
    thresholds: dict


# --- Tukey's fences --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fence:
    n: int
    q1: float
    q3: float

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def lower(self) -> float:
        return self.q1 - FENCE_K * self.iqr

    @property
    def upper(self) -> float:
        return self.q3 + FENCE_K * self.iqr

    def as_dict(self) -> dict:
        return {"n": self.n, "q1": _r(self.q1), "q3": _r(self.q3), "iqr": _r(self.iqr), "lower": _r(self.lower),
                "upper": _r(self.upper)}


def tukey(values: list[float]) -> Fence | None:
    """The fences over ``values`` (quartiles by linear interpolation, as numpy and Excel's
    QUARTILE.INC), or None for fewer than ``FENCE_MIN_POPULATION`` values."""
    if len(values) < FENCE_MIN_POPULATION:
        return None
    q1, _median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Fence(len(values), q1, q3)


def beyond(value: float, fence: Fence | None, floor: float) -> bool:
    """Strictly above the upper fence (where there is one) and at least the floor."""
    return value >= floor and (fence is None or value > fence.upper)


def chance_at_least(k: int, chances: Iterable[float]) -> float:
    """The probability that independent events of these ``chances`` happen at least ``k`` times
    (the Poisson binomial tail; the binomial's when the chances are equal), exactly."""
    if k <= 0:
        return 1.0
    below = [1.0] + [0.0] * k  # below[j]: probability of j so far, j < k; below[k]: k or more
    for p in chances:
        below[k] += below[k - 1] * p
        for j in range(k - 1, 0, -1):
            below[j] = below[j] * (1 - p) + below[j - 1] * p
        below[0] *= 1 - p
    return min(1.0, below[k])


def _threshold(fence: Fence | None, floor: float) -> dict:
    return {"fence": fence.as_dict() if fence else None, "floor": floor,
            "threshold": _r(max(floor, fence.upper) if fence else floor)}


def _r(x: float) -> float:
    return round(x, 4)


def _p(chance: float) -> float:
    """A small probability to three significant figures."""
    return float(f"{chance:.3g}")


# --- the analysis ----------------------------------------------------------------------------------

def analyse(rows: Iterable[LotRow]) -> Analysis:
    """Every pattern over the finished lots ``rows``; the findings in pattern order."""
    lots = sorted(rows, key=lambda lot: (lot.at or _EARLIEST, lot.id))
    wins = Counter(lot.winner for lot in lots if lot.winner is not None)
    findings, thresholds = [], {"fence_k": FENCE_K, "fence_min_population": FENCE_MIN_POPULATION}
    for name, pattern in ((CLUSTER, clusters), (COVER, cover_bidders), (ROTATION, rotations),
                          (WIN_RATE, win_rate_outliers), (SINGLE_BID, single_bid_tenderees)):
        found, thresholds[name] = pattern(lots, wins)
        findings.extend(found)
    return Analysis(lots=len(lots), bids=sum(len(lot.bids) for lot in lots), findings=findings,
                    thresholds=thresholds)


def _lot_brief(lot: LotRow, **more) -> dict:
    return {"id": lot.id, "code": lot.code, **more}


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def _one(values: Iterable):
    """The value when all are the same, else None (a finding's market or tenderee)."""
    found = set(values)
    return found.pop() if len(found) == 1 else None


def _components(edges: Iterable[tuple[int, int]]) -> list[set[int]]:
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[root(a)] = root(b)
    groups = defaultdict(set)
    for x in list(parent):
        groups[root(x)].add(x)
    return sorted(groups.values(), key=lambda group: sorted(group))


# --- clusters ----------------------------------------------------------------------------------------

def clusters(lots: list[LotRow], wins: Counter) -> tuple[list[Found], dict]:
    """Bidders who keep bidding together: the pairs that met in at least ``CLUSTER_MIN_LOTS`` lots
    with a Jaccard share beyond the fence, joined into groups (connected pairs)."""
    taking, pairs = Counter(), Counter()
    for lot in lots:
        bidders = sorted(lot.bidders)
        taking.update(bidders)
        if len(bidders) <= CLUSTER_MAX_BIDDERS:
            pairs.update(combinations(bidders, 2))
    jaccard = {pair: together / (taking[pair[0]] + taking[pair[1]] - together)
               for pair, together in pairs.items() if together >= CLUSTER_FENCE_MIN_LOTS}
    fence = tukey(list(jaccard.values()))
    flagged = {pair: share for pair, share in jaccard.items()
               if pairs[pair] >= CLUSTER_MIN_LOTS and beyond(share, fence, CLUSTER_JACCARD_FLOOR)}
    groups = _components(flagged)
    member_of = {o: i for i, group in enumerate(groups) for o in group}
    shared = defaultdict(list)
    for lot in lots:
        hits = Counter(member_of[o] for o in lot.bidders if o in member_of)
        for i in (i for i, n in hits.items() if n >= 2):
            shared[i].append(lot)
    findings = []
    for i, group in enumerate(groups):
        shared_lots = shared[i]
        members = sorted(group, key=lambda o: (-taking[o], o))
        evidence = {
            "together": len(shared_lots),
            "members": [{"id": o, "lots": taking[o], "wins": wins[o]} for o in members],
            "pairs": [{"a": a, "b": b, "together": pairs[(a, b)], "lots_a": taking[a], "lots_b": taking[b],
                       "jaccard": _r(share)} for (a, b), share in sorted(flagged.items()) if a in group],
            "lots": [_lot_brief(lot, members=sorted(lot.bidders & group), bidders=len(lot.bidders),
                                winner=lot.winner) for lot in shared_lots[-EVIDENCE_LOTS:]],
        }
        findings.append(Found(CLUSTER, members, dict.fromkeys(members, "member"), shared_lots, evidence,
                              market=_one(lot.market for lot in shared_lots),
                              tenderee=_one(lot.tenderee for lot in shared_lots)))
    return findings, {"min_lots": CLUSTER_MIN_LOTS, "max_bidders": CLUSTER_MAX_BIDDERS,
                      "fence_min_lots": CLUSTER_FENCE_MIN_LOTS, **_threshold(fence, CLUSTER_JACCARD_FLOOR)}


# --- cover bidders -----------------------------------------------------------------------------------

def cover_bidders(lots: list[LotRow], wins: Counter) -> tuple[list[Found], dict]:
    """Bidders who bid often in tenders, never win, and often sit just above the winner's price."""
    bids, priced, close = Counter(), Counter(), defaultdict(list)
    for lot in lots:
        if lot.sells:
            continue
        for bid in lot.bids:
            bids[bid.organisation] += 1
        if lot.winner is None or not lot.winning_price:
            continue
        for bid in lot.bids:
            if bid.organisation == lot.winner or bid.price is None:
                continue
            priced[bid.organisation] += 1
            gap = (bid.price - lot.winning_price) / lot.winning_price
            if 0 < gap <= COVER_BAND:
                close[bid.organisation].append((lot, bid.price, gap))
    shares = {o: len(close[o]) / priced[o] for o in bids if bids[o] >= COVER_MIN_BIDS and priced[o]}
    fence = tukey(list(shares.values()))
    all_close, all_priced = sum(map(len, close.values())), sum(priced.values())
    findings = []
    for organisation, share in sorted(shares.items()):
        if wins[organisation] or not beyond(share, fence, COVER_SHARE_FLOOR):
            continue
        near = close[organisation]
        # The other bidders' share of close bids sets what chance gives.
        rest = all_priced - priced[organisation]
        others = (all_close - len(near)) / rest if rest else 0.0
        chance = chance_at_least(len(near), [others] * priced[organisation])
        if chance > CHANCE:
            continue
        covered = Counter(lot.winner for lot, _price, _gap in near)
        winners = [o for o, _n in covered.most_common()]
        evidence = {
            "bids": bids[organisation], "wins": 0, "priced": priced[organisation], "close": len(near),
            "share": _r(share), "band": str(COVER_BAND), "others_share": _r(others), "chance": _p(chance),
            "covered": [{"id": o, "times": n} for o, n in covered.most_common()],
            "lots": [_lot_brief(lot, price=_money(price), winner=lot.winner, winning_price=_money(lot.winning_price),
                                gap=_r(float(gap))) for lot, price, gap in near[-EVIDENCE_LOTS:]],
        }
        roles = {organisation: "cover", **dict.fromkeys(winners, "winner")}
        findings.append(Found(COVER, [organisation, *winners], roles, [lot for lot, _p, _g in near], evidence,
                              market=_one(lot.market for lot, _p, _g in near),
                              tenderee=_one(lot.tenderee for lot, _p, _g in near)))
    return findings, {"min_bids": COVER_MIN_BIDS, "band": str(COVER_BAND),
                      "platform_share": _r(all_close / all_priced) if all_priced else 0.0,
                      "chance": CHANCE, **_threshold(fence, COVER_SHARE_FLOOR)}


# --- rotation ----------------------------------------------------------------------------------------

def rotations(lots: list[LotRow], wins: Counter) -> tuple[list[Found], dict]:
    """Per tenderee, groups whose members each win in turn while the others bid and lose."""
    awarded = defaultdict(list)
    for lot in lots:
        if lot.winner is not None:
            awarded[lot.tenderee].append(lot)
    findings = []
    for tenderee, its_lots in sorted(awarded.items()):
        won = Counter(lot.winner for lot in its_lots)
        eligible = {o for o, n in won.items() if n >= ROTATION_MIN_WINS}
        if len(eligible) < 2:
            continue
        present = defaultdict(Counter)  # winner -> member -> the winner's lots where the member bid
        for lot in its_lots:
            if lot.winner in eligible:
                present[lot.winner].update(lot.bidders & eligible - {lot.winner})
        edges = [(a, b) for a, b in combinations(sorted(eligible), 2)
                 if present[a][b] >= ROTATION_PRESENCE * won[a] and present[b][a] >= ROTATION_PRESENCE * won[b]]
        for group in _components(edges):
            theirs = [lot for lot in its_lots if lot.winner in group]
            full = [lot for lot in theirs if group - {lot.winner} <= lot.bidders]
            if len(theirs) < ROTATION_MIN_LOTS or len(full) < ROTATION_PRESENCE * len(theirs):
                continue
            members = sorted(group, key=lambda o: (-won[o], o))
            sequence = [lot.winner for lot in theirs]
            evidence = {
                "awarded": len(its_lots), "group_wins": len(theirs), "presence": _r(len(full) / len(theirs)),
                "turns": sum(1 for a, b in zip(sequence, sequence[1:]) if a != b),
                "members": [{"id": o, "wins": won[o]} for o in members],
                "lots": [_lot_brief(lot, winner=lot.winner, winning_price=_money(lot.winning_price),
                                    others=sorted(lot.bidders & group - {lot.winner}))
                         for lot in theirs[-EVIDENCE_LOTS:]],
            }
            findings.append(Found(ROTATION, members, dict.fromkeys(members, "member"), theirs, evidence,
                                  market=_one(lot.market for lot in theirs), tenderee=tenderee))
    return findings, {"min_wins": ROTATION_MIN_WINS, "min_lots": ROTATION_MIN_LOTS, "presence": ROTATION_PRESENCE}


# --- win-rate outliers -------------------------------------------------------------------------------

def win_rate_outliers(lots: list[LotRow], wins: Counter) -> tuple[list[Found], dict]:
    """Per market, bidders whose share of wins in awarded lots is beyond the market's fence and
    beyond chance."""
    bids, won = defaultdict(Counter), defaultdict(Counter)
    chances = defaultdict(list)  # (market, bidder) -> its chance in each lot under equal chances
    won_lots = defaultdict(list)
    for lot in lots:
        bidders = lot.bidders
        if lot.winner is None or not bidders:
            continue
        p = 1 / len(bidders)
        for o in bidders:
            bids[lot.market][o] += 1
            chances[(lot.market, o)].append(p)
        won[lot.market][lot.winner] += 1
        won_lots[(lot.market, lot.winner)].append(lot)
    findings, markets = [], {}
    for market in sorted(bids):
        rates = {o: won[market][o] / n for o, n in bids[market].items() if n >= WIN_MIN_BIDS}
        fence = tukey(list(rates.values()))
        # With too few to compare, nothing is compared: no threshold.
        markets[market] = _threshold(fence, 0.0) if fence else {"fence": None, "floor": None, "threshold": None}
        for organisation, rate in sorted(rates.items()):
            if fence is None or not beyond(rate, fence, 0.0):
                continue
            own = chances[(market, organisation)]
            chance = chance_at_least(won[market][organisation], own)
            if chance > CHANCE:
                continue
            theirs = won_lots[(market, organisation)]
            evidence = {
                "bids": bids[market][organisation], "wins": won[market][organisation], "rate": _r(rate),
                "expected": _r(sum(own)), "chance": _p(chance),
                "lots": [_lot_brief(lot, bidders=len(lot.bidders), winning_price=_money(lot.winning_price))
                         for lot in theirs[-EVIDENCE_LOTS:]],
            }
            findings.append(Found(WIN_RATE, [organisation], {organisation: "winner"}, theirs, evidence, market=market,
                                  tenderee=_one(lot.tenderee for lot in theirs)))
    return findings, {"min_bids": WIN_MIN_BIDS, "chance": CHANCE, "markets": markets}


# --- single bids -------------------------------------------------------------------------------------

def single_bid_tenderees(lots: list[LotRow], wins: Counter) -> tuple[list[Found], dict]:
    """Per market, tenderees whose lots keep getting one bid (procedures that ask one supplier by
    design aside), compared with the market's other tenderees."""
    counted, single = defaultdict(list), defaultdict(list)
    for lot in lots:
        if lot.received is None or lot.received < 1 or lot.procedure in SINGLE_EXPECTED:
            continue
        counted[(lot.market, lot.tenderee)].append(lot)
        if lot.received == 1:
            single[(lot.market, lot.tenderee)].append(lot)
    findings, markets = [], {}
    for market in sorted({market for market, _t in counted}):
        rates = {t: len(single[(m, t)]) / len(its) for (m, t), its in counted.items()
                 if m == market and len(its) >= SINGLE_MIN_LOTS}
        fence = tukey(list(rates.values()))
        ones = sum(len(its) for (m, _t), its in single.items() if m == market)
        total = sum(len(its) for (m, _t), its in counted.items() if m == market)
        markets[market] = {"market_share": _r(ones / total), **_threshold(fence, SINGLE_RATE_FLOOR)}
        for tenderee, rate in sorted(rates.items()):
            theirs, its = single[(market, tenderee)], counted[(market, tenderee)]
            if len(theirs) < SINGLE_MIN_SINGLE or not beyond(rate, fence, SINGLE_RATE_FLOOR):
                continue
            # The other tenderees' share sets what chance gives (the market's own, with no other).
            share = (ones - len(theirs)) / (total - len(its)) if total > len(its) else ones / total
            chance = chance_at_least(len(theirs), [share] * len(its))
            if chance > CHANCE:
                continue
            sole = Counter(bid.organisation for lot in theirs for bid in lot.bids)
            bidders = [o for o, _n in sole.most_common()]
            evidence = {
                "counted": len(counted[(market, tenderee)]), "single": len(theirs), "rate": _r(rate),
                "others_share": _r(share), "chance": _p(chance),
                "bidders": [{"id": o, "times": n} for o, n in sole.most_common()],
                "lots": [_lot_brief(lot, status=lot.status, bidder=lot.bids[0].organisation if lot.bids else None)
                         for lot in theirs[-EVIDENCE_LOTS:]],
            }
            findings.append(Found(SINGLE_BID, bidders, dict.fromkeys(bidders, "sole_bidder"), theirs, evidence,
                                  market=market, tenderee=tenderee))
    return findings, {"min_lots": SINGLE_MIN_LOTS, "min_single": SINGLE_MIN_SINGLE, "floor": SINGLE_RATE_FLOOR,
                      "chance": CHANCE, "expected": sorted(SINGLE_EXPECTED), "markets": markets}
