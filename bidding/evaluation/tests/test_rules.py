"""The evaluation formulas on their own: the draw's order, item averages, price scores, the ranking."""
from decimal import Decimal

import pytest

from bidding.evaluation import rules


def test_the_draw_order_is_fixed_by_the_seed_and_differs_between_seeds():
    ids = list(range(1, 41))
    first = rules.draw_order(seed=b"\x01" * 32, specialty="goods", expert_ids=ids)
    assert rules.draw_order(seed=b"\x01" * 32, specialty="goods", expert_ids=list(reversed(ids))) == first
    assert sorted(first) == ids
    assert rules.draw_order(seed=b"\x02" * 32, specialty="goods", expert_ids=ids) != first
    assert rules.draw_order(seed=b"\x01" * 32, specialty="civil", expert_ids=ids) != first


def test_item_average_drops_one_highest_and_one_lowest_only_when_trimming():
    scores = [Decimal(s) for s in ("10", "30", "30", "31", "29", "30", "40")]
    assert rules.item_average(scores, trim=True) == Decimal("30.00")
    assert rules.item_average(scores, trim=False) == Decimal("28.57")
    assert rules.item_average([Decimal("1"), Decimal("2")], trim=False) == Decimal("1.50")


def test_low_price_first_gives_the_benchmark_full_weight_and_others_in_proportion():
    scores = rules.price_scores({"a": Decimal("800000"), "b": Decimal("900000"), "c": Decimal("1000000")},
                                formula="low_price_first", weight=Decimal("30"))
    assert scores == {"a": Decimal("30.00"), "b": Decimal("26.67"), "c": Decimal("24.00")}


def test_the_average_formula_deducts_above_and_below_the_mean_and_never_goes_negative():
    prices = {"low": Decimal("900000"), "mid": Decimal("1000000"), "high": Decimal("1100000"),
              "wild": Decimal("3000000")}
    # Mean 1,500,000: low is 40 % under (−20 at 0.5), mid 33.33 % under, high 26.67 % under, wild 100 % over.
    scores = rules.price_scores(prices, formula="average", weight=Decimal("50"), above=Decimal("1"),
                                below=Decimal("0.5"))
    assert scores == {"low": Decimal("30.00"), "mid": Decimal("33.33"), "high": Decimal("36.67"),
                      "wild": Decimal("0.00")}
    with pytest.raises(ValueError):
        rules.price_scores(prices, formula="median", weight=Decimal("50"))


def test_ranking_ties_go_to_the_lower_price_then_the_technical_score_then_the_earlier_receipt():
    s = rules.Standing
    standings = [s("late", Decimal("100"), 3, Decimal("50"), Decimal("30")),
                 s("cheap", Decimal("90"), 4, Decimal("45"), Decimal("35")),
                 s("early", Decimal("100"), 1, Decimal("50"), Decimal("30")),
                 s("technical", Decimal("100"), 2, Decimal("55"), Decimal("25")),
                 s("best", Decimal("120"), 5, Decimal("70"), Decimal("20"))]
    assert [x.key for x in rules.ranking(standings, method="comprehensive")] == [
        "best", "cheap", "technical", "early", "late"]
    assert [x.key for x in rules.ranking(standings, method="lowest_price")] == [
        "cheap", "early", "technical", "late", "best"]
