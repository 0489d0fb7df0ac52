"""The analysis itself, over plain rows (no database): each pattern found where it is planted into a
competitive history of 200 lots and not where it is not, near misses included; Tukey's fences and
the chance of a count."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from monitoring.integrity import patterns as p
from monitoring.integrity.patterns import BidRow, LotRow, analyse, beyond, chance_at_least, tukey
from monitoring.integrity.tests.patterns_history import (BIDDER_ID, TENDEREE_ID, plan_clean, plan_rows, plant_cluster,
                                                         plant_cover_ring, plant_rotation, plant_single_bids,
                                                         plant_winner)

SEED = 2026


def found(plan, pattern=None):
    findings = analyse(plan_rows(plan)).findings
    return [f for f in findings if pattern is None or f.pattern == pattern]


def ids(indexes):
    return {BIDDER_ID + i for i in indexes}


def test_a_competitive_history_of_200_lots_yields_nothing():
    plan = plan_clean(SEED)
    analysis = analyse(plan_rows(plan))
    assert analysis.lots == 200 and analysis.bids > 900
    assert analysis.findings == []
    # Fences were computed from the history itself and are reported.
    assert analysis.thresholds["cover"]["fence"]["n"] >= p.FENCE_MIN_POPULATION
    assert analysis.thresholds["cluster"]["fence"]["upper"] < p.CLUSTER_JACCARD_FLOOR


@pytest.mark.parametrize("seed", range(10))
def test_other_competitive_histories_yield_no_cover_bidder_and_no_cluster(seed):
    assert not [f for f in found(plan_clean(seed)) if f.pattern in (p.COVER, p.CLUSTER, p.ROTATION)]


def test_a_cover_ring_is_found_with_its_evidence():
    plan = plan_clean(SEED)
    ring = plant_cover_ring(plan, lots=24, covers=3)
    covers = found(plan, p.COVER)
    assert {f.organisations[0] for f in covers} == ids(ring["covers"])
    ring_lots = {n + 1 for n, lot in enumerate(plan.lots) if lot in ring["lots"]}
    winner = BIDDER_ID + ring["winner"]
    for finding in covers:
        e = finding.evidence
        assert e["wins"] == 0 and e["bids"] >= p.COVER_MIN_BIDS and e["close"] == e["priced"] == e["bids"]
        assert e["share"] == 1.0 and e["chance"] < p.CHANCE and e["covered"] == [{"id": winner, "times": e["close"]}]
        assert finding.roles == {finding.organisations[0]: "cover", winner: "winner"}
        assert {lot.id for lot in finding.lots} <= ring_lots
        for lot in e["lots"]:
            gap = (Decimal(lot["price"]) - Decimal(lot["winning_price"])) / Decimal(lot["winning_price"])
            assert 0 < gap <= p.COVER_BAND and lot["winner"] == winner
    # The ring also bids together, and its winner wins far more than chance.
    assert any(set(f.organisations) == ids([ring["winner"], *ring["covers"]]) for f in found(plan, p.CLUSTER))
    assert [f.organisations for f in found(plan, p.WIN_RATE)] == [[winner]]


def test_a_ring_whose_covers_win_once_each_is_no_cover():
    plan = plan_clean(SEED)
    ring = plant_cover_ring(plan, lots=24, covers=3)
    lots = iter(ring["lots"])
    for cover in ring["covers"]:  # each wins a lot of its own
        bid = next(bid for lot in lots for bid in lot.bids if bid.bidder == cover)
        bid.price = Decimal("1.00")
    assert found(plan, p.COVER) == []


def test_where_every_losing_bid_sits_just_above_the_winner_nobody_stands_out_as_cover():
    rows = []
    for n in range(40):
        # Ten firms in turn, prices 1 % apart; firm 99 joins every other lot, second, and never wins.
        bidders = [1 + (n + k) % 10 for k in range(4)] + ([99] if n % 2 else [])
        prices = [Decimal(100) + k for k in range(len(bidders))]
        if n % 2:
            prices[1], prices[-1] = prices[-1], prices[1]
        rows.append(LotRow(n, f"L{n}", "construction", 1 + n % 3, "awarded", winner=bidders[0], winning_price=prices[0],
                           bids=tuple(BidRow(b, price) for b, price in zip(bidders, prices))))
    analysis = analyse(rows)
    assert analysis.thresholds["cover"]["platform_share"] > 0.8
    assert [f for f in analysis.findings if f.pattern == p.COVER] == []


def test_a_group_that_keeps_bidding_together_is_a_cluster():
    plan = plan_clean(SEED)
    group = plant_cluster(plan, lots=10, members=3)
    clusters = found(plan, p.CLUSTER)
    assert [set(f.organisations) for f in clusters] == [ids(group["members"])]
    e = clusters[0].evidence
    assert e["together"] == 10 and len(e["lots"]) == 10 and {x["jaccard"] for x in e["pairs"]} == {1.0}
    assert len(e["pairs"]) == 3 and {m["lots"] for m in e["members"]} == {10}


def test_a_group_that_also_bids_widely_apart_is_no_cluster():
    plan = plan_clean(SEED)
    plant_cluster(plan, lots=10, members=3, elsewhere=30)
    assert found(plan, p.CLUSTER) == []


def test_winners_who_take_turns_at_one_tenderee_are_a_rotation():
    plan = plan_clean(SEED)
    planted = plant_rotation(plan, lots=12, members=3)
    rotations = found(plan, p.ROTATION)
    assert len(rotations) == 1
    finding = rotations[0]
    assert set(finding.organisations) == ids(planted["members"])
    assert finding.tenderee == TENDEREE_ID + planted["tenderee"]
    e = finding.evidence
    assert e["group_wins"] == e["awarded"] == 12 and e["presence"] == 1.0 and e["turns"] == 11
    assert [m["wins"] for m in e["members"]] == [4, 4, 4]
    assert all(len(lot["others"]) == 2 for lot in e["lots"])


def test_winners_at_one_tenderee_who_do_not_bid_against_each_other_are_no_rotation():
    plan = plan_clean(SEED)
    planted = plant_rotation(plan, lots=12, members=3)
    for n, lot in enumerate(planted["lots"]):
        turn = planted["members"][n % 3]
        lot.bids = [bid for bid in lot.bids if bid.bidder == turn or bid.bidder not in planted["members"]]
    assert found(plan, p.ROTATION) == []


def test_a_firm_winning_16_of_20_is_a_win_rate_outlier_of_its_market():
    plan = plan_clean(SEED)
    planted = plant_winner(plan, market="construction", lots=20, wins=16)
    outliers = found(plan, p.WIN_RATE)
    assert [(f.organisations, f.market) for f in outliers] == [([BIDDER_ID + planted["firm"]], "construction")]
    e = outliers[0].evidence
    assert (e["bids"], e["wins"], e["rate"]) == (20, 16, 0.8) and e["expected"] < 5 and e["chance"] < p.CHANCE
    fence = analyse(plan_rows(plan)).thresholds["win_rate"]["markets"]["construction"]["fence"]
    assert fence["upper"] < 0.8


def test_winning_every_one_of_few_bids_is_no_win_rate_outlier():
    plan = plan_clean(SEED)
    plant_winner(plan, market="construction", lots=p.WIN_MIN_BIDS - 1, wins=p.WIN_MIN_BIDS - 1)
    assert found(plan, p.WIN_RATE) == []


def test_a_tenderee_whose_lots_keep_getting_one_bid():
    plan = plan_clean(SEED)
    planted = plant_single_bids(plan, lots=8, single=5)
    singles = found(plan, p.SINGLE_BID)
    assert [(f.tenderee, f.market) for f in singles] == [(TENDEREE_ID + planted["tenderee"], "construction")]
    e = singles[0].evidence
    assert (e["counted"], e["single"], e["rate"]) == (8, 5, 0.625) and e["others_share"] < 0.1
    assert len(singles[0].lots) == 5 and all(lot.received == 1 for lot in singles[0].lots)
    assert sum(x["times"] for x in e["bidders"]) == 5


def test_single_source_lots_are_single_by_design():
    plan = plan_clean(SEED)
    plant_single_bids(plan, lots=8, single=5, market="procurement", procedure="single_source")
    assert found(plan, p.SINGLE_BID) == []


def test_keys_are_stable_and_name_the_credit_codes():
    plan = plan_clean(SEED)
    plant_cover_ring(plan)
    findings = analyse(plan_rows(plan)).findings
    uscc = {o: f"USCC{o}" for f in findings for o in (*f.organisations, f.tenderee) if o is not None}
    keys = [f.key(uscc) for f in findings]
    assert len(set(keys)) == len(keys)
    assert all(key.startswith(f"{f.pattern}:") and len(key) <= p.KEY_MAX for key, f in zip(keys, findings))
    assert {k for k in keys if k.startswith("cover:")} == {f"cover:USCC{o}" for f in findings if f.pattern == p.COVER
                                                          for o in f.organisations[:1]}
    long = p.Found(p.CLUSTER, list(range(20)), {}, [], {})
    assert long.key({o: "9" * 18 for o in range(20)}).startswith("cluster:sha256:")


def test_tukey_fences_and_the_floor():
    fence = tukey([0.1, 0.2, 0.2, 0.3, 0.3, 0.3, 0.4, 0.5])
    assert (fence.q1, fence.q3) == pytest.approx((0.2, 0.325))
    assert fence.upper == pytest.approx(0.325 + 1.5 * 0.125)
    assert tukey([0.1] * (p.FENCE_MIN_POPULATION - 1)) is None
    assert beyond(0.52, fence, 0.5) and not beyond(0.51, fence, 0.5) and not beyond(0.6, fence, 0.7)
    assert beyond(0.5, None, 0.5) and not beyond(0.49, None, 0.5)


def test_chance_of_a_count():
    assert chance_at_least(0, [0.5]) == 1.0
    assert chance_at_least(2, [0.5, 0.5]) == pytest.approx(0.25)
    assert chance_at_least(1, [0.5, 0.5]) == pytest.approx(0.75)
    assert chance_at_least(3, [0.2] * 10) == pytest.approx(0.3222004736)  # the binomial tail
    assert chance_at_least(2, [1 / 3, 1 / 4, 1 / 5]) == pytest.approx(1 / 12 + 1 / 15 + 1 / 20 - 2 / 60)


def test_the_analysis_of_lots_without_dates_or_bids():
    at = datetime(2026, 1, 5, tzinfo=timezone.utc)
    rows = [LotRow(1, "A-1", "land", 1, "failed", sells=True, received=0),
            LotRow(2, "A-2", "construction", 1, "awarded", at=at, bids=(BidRow(7, Decimal(5)),), winner=7,
                   winning_price=Decimal(5), received=1),
            LotRow(3, "A-3", "construction", 1, "failed", at=at + timedelta(days=1), received=None)]
    analysis = analyse(rows)
    assert (analysis.lots, analysis.bids, analysis.findings) == (3, 1, [])
    assert set(p.PATTERNS) <= set(analysis.thresholds)
