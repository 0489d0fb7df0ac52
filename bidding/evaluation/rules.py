"""The formulas of evaluation: the expert draw's order, item averages, price scores and the ranking.

Pure functions over plain values, so that a report can be recomputed from its own figures.

Rounding: every published figure (an item's average, a technical score, a price score, a total)
is rounded to 2 places, half up, as evaluation reports print them; a total is the sum of the
rounded parts, so the report adds up, and the ranking compares the totals as published."""
import hashlib
import hmac
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def points(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def draw_order(*, seed: bytes, specialty: str, expert_ids: list[int]) -> list[int]:
    """The pool in the order a draw takes it: by HMAC-SHA256 of ``specialty:id`` under the seed.

    The seed comes from the operating system's CSPRNG and is recorded with the eligible pool, so
    anyone can redo a draw and get the same experts, and nobody could have chosen the result without
    choosing the seed."""
    def key(expert_id: int) -> bytes:
        return hmac.new(seed, f"{specialty}:{expert_id}".encode(), hashlib.sha256).digest()
    return sorted(expert_ids, key=key)


def item_average(scores: list[Decimal], *, trim: bool) -> Decimal:
    """One item's score for one bid: the mean of the members' scores; with ``trim`` (a panel of 7 or
    more, where the method says so) without one highest and one lowest score."""
    ordered = sorted(Decimal(score) for score in scores)
    if trim and len(ordered) >= 3:
        ordered = ordered[1:-1]
    return points(sum(ordered) / len(ordered))


def price_scores(prices: dict, *, formula: str, weight: Decimal, above: Decimal = Decimal(1),
                 below: Decimal = Decimal("0.5")) -> dict:
    """Price score of each valid price, out of ``weight`` points.

    ``low_price_first`` (财政部令第87号 Art 55): benchmark = the lowest valid price; score = benchmark
    / price × 100, weighted: benchmark / price × ``weight``. ``average`` (works): benchmark = the mean
    of the valid prices; ``weight`` less ``above`` points per 1 % above it or ``below`` points per
    1 % under it, never under 0."""
    if not prices:
        return {}
    weight = Decimal(weight)
    if formula == "low_price_first":
        benchmark = min(prices.values())
        return {key: points(benchmark / price * weight) for key, price in prices.items()}
    if formula == "average":
        benchmark = sum(prices.values()) / len(prices)
        scores = {}
        for key, price in prices.items():
            percent = (price - benchmark) / benchmark * 100
            lost = percent * Decimal(above) if percent > 0 else -percent * Decimal(below)
            scores[key] = points(max(Decimal(0), weight - lost))
        return scores
    raise ValueError(f"unknown price formula {formula}")


@dataclass(frozen=True)
class Standing:
    key: object
    price: Decimal
    received: object  # the bid's receipt time: anything ordered
    technical: Decimal | None = None
    price_score: Decimal | None = None

    @property
    def total(self) -> Decimal | None:
        if self.technical is None:
            return None
        return self.technical + self.price_score


def ranking(standings: list[Standing], *, method: str) -> list[Standing]:
    """Best first. Lowest evaluated price: the lower price, then the earlier receipt. Comprehensive
    scoring: the higher total, then the lower price (87号令 Art 55), then the higher technical score,
    then the earlier receipt — so no two bids ever share a rank."""
    if method == "lowest_price":
        return sorted(standings, key=lambda s: (s.price, s.received))
    return sorted(standings, key=lambda s: (-s.total, s.price, -s.technical, s.received))
