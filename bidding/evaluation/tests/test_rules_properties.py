"""Properties of the evaluation's formulas (``bidding.evaluation.rules``) over generated prices and
scores (hypothesis): what a bidder can check on a published report whatever the numbers."""
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import given, strategies as st

from bidding.evaluation.rules import CENT, Standing, item_average, points, price_scores, ranking

prices = st.decimals(min_value=Decimal("1000.00"), max_value=Decimal("9999999999.99"), places=2)
price_lists = st.lists(prices, min_size=1, max_size=30)
weights = st.decimals(min_value=Decimal("1"), max_value=Decimal("100"), places=0)
scores = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)


def _keyed(values):
    return {f"bid-{n}": value for n, value in enumerate(values)}


@given(values=price_lists, weight=weights)
def test_lowest_price_first_gives_the_lowest_full_marks_and_less_to_every_higher_price(values, weight):
    result = price_scores(_keyed(values), formula="low_price_first", weight=weight)
    lowest = min(values)
    for key, value in _keyed(values).items():
        # A price far above the lowest may round to no points at all (0.00), never below.
        assert Decimal(0) <= result[key] <= weight and result[key] == result[key].quantize(CENT)
        if value == lowest:
            assert result[key] == weight
    ordered = sorted(_keyed(values).items(), key=lambda item: item[1])
    assert all(result[a] >= result[b] for (a, _), (b, _) in zip(ordered, ordered[1:]))


@given(values=price_lists, weight=weights,
       above=st.decimals(min_value=Decimal("0"), max_value=Decimal("5"), places=1),
       below=st.decimals(min_value=Decimal("0"), max_value=Decimal("5"), places=1))
def test_the_average_formula_stays_within_its_points_and_loses_more_the_further_from_the_mean(
        values, weight, above, below):
    keyed = _keyed(values)
    result = price_scores(keyed, formula="average", weight=weight, above=above, below=below)
    mean = sum(values) / len(values)
    for key, value in keyed.items():
        assert Decimal(0) <= result[key] <= weight and result[key] == result[key].quantize(CENT)
    # On each side of the mean, the further a price is from it, the fewer points it has.
    for side in (lambda v: v >= mean, lambda v: v <= mean):
        same_side = sorted((abs(value - mean), key) for key, value in keyed.items() if side(value))
        assert all(result[a] >= result[b] for (_, a), (_, b) in zip(same_side, same_side[1:]))


@given(values=st.lists(scores, min_size=1, max_size=15), trim=st.booleans(), seed=st.randoms())
def test_an_item_average_lies_between_its_scores_and_ignores_their_order(values, trim, seed):
    average = item_average(values, trim=trim)
    assert min(values) - CENT <= average <= max(values) + CENT and average == average.quantize(CENT)
    shuffled = list(values)
    seed.shuffle(shuffled)
    assert item_average(shuffled, trim=trim) == average
    if trim and len(values) >= 3:
        kept = sorted(values)[1:-1]
        assert average == points(sum(kept) / len(kept))


standings = st.lists(st.tuples(prices, scores, scores), min_size=1, max_size=20)


@given(rows=standings, method=st.sampled_from(["lowest_price", "comprehensive"]), seed=st.randoms())
def test_the_ranking_is_one_order_whatever_the_order_bids_arrive_in(rows, method, seed):
    start = datetime(2026, 12, 7, 9, 30)
    items = [Standing(key=n, price=price, received=start + timedelta(seconds=n), technical=technical,
                      price_score=score) for n, (price, technical, score) in enumerate(rows)]
    shuffled = list(items)
    seed.shuffle(shuffled)
    ranked = ranking(items, method=method)
    assert ranking(shuffled, method=method) == ranked and sorted(s.key for s in ranked) == list(range(len(items)))
    for better, worse in zip(ranked, ranked[1:]):
        if method == "lowest_price":
            assert (better.price, better.received) < (worse.price, worse.received)
        else:
            assert better.total >= worse.total
            if better.total == worse.total:
                assert better.price <= worse.price
