"""Each red-flag rule on plain data (monitoring/integrity/flags.py): where it fires, where it stops
just short, and the evidence it gives."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation

from monitoring.integrity import flags
from monitoring.integrity.flags import AWARD, OPENING, BidFacts, FileFacts, LotFacts, Thresholds, rules_run

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
# The rule table's seeded numbers (trading/migrations/0023).
LIMITS = Thresholds(ceiling_band=Fraction(1, 100), price_pattern=Fraction(1, 1000), price_gap=Fraction(20, 100),
                    submission_gap=timedelta(seconds=60), short_period=timedelta(days=20))


def bid(n: int, price: str | None = None, *, minutes: int | None = None, **fields) -> BidFacts:
    return BidFacts(receipt=f"r{n}", bidder=f"USCC{n:014d}", name=f"第{n}投标有限公司",
                    received_at=T0 + timedelta(minutes=10 * n if minutes is None else minutes),
                    price=Decimal(price) if price is not None else None, **fields)


def lot(*bids: BidFacts, **fields) -> LotFacts:
    values = {"lot": 1, "sells": False, "ceiling": Decimal("1000000.00"), "published_at": T0 - timedelta(days=25),
              "bid_deadline": T0 + timedelta(days=1), "bids": bids}
    values.update(fields)
    return LotFacts(**values)


def receipts(evidence: dict) -> list[list[str]]:
    return [[member["receipt"] for member in group["bids"]] for group in evidence["groups"]]


def test_a_clean_lot_fires_no_rule_at_either_stage():
    clean = lot(bid(1, "900000.00"), bid(2, "935500.00"), bid(3, "978300.00"), method="lowest_price", winner="r1")
    assert rules_run(stage=OPENING, facts=clean, limits=LIMITS) == {}
    assert rules_run(stage=AWARD, facts=clean, limits=LIMITS) == {}


def test_one_ip_or_one_device_across_bidders_but_not_a_missing_one():
    facts = lot(bid(1, client_ip="203.0.113.7", device="a" * 64), bid(2, client_ip="203.0.113.7", device="b" * 64),
                bid(3, client_ip="198.51.100.1", device="a" * 64), bid(4), bid(5))
    assert receipts(flags.same_ip(facts, LIMITS)) == [["r1", "r2"]]
    assert flags.same_ip(facts, LIMITS)["groups"][0]["value"] == "203.0.113.7"
    assert receipts(flags.same_device(facts, LIMITS)) == [["r1", "r3"]]
    # Bids with no address and no fingerprint (sent without one) share nothing.
    assert flags.same_ip(lot(bid(1), bid(2)), LIMITS) is None
    assert flags.same_device(lot(bid(1), bid(2)), LIMITS) is None


def test_identical_files_less_empty_ones_and_the_lots_own_documents():
    form = FileFacts("投标函.docx", 900, "f" * 64)
    shared = FileFacts("技术方案.pdf", 5000, "c" * 64)
    empty = FileFacts("空.txt", 0, flags.EMPTY_SHA256)
    facts = lot(bid(1, files=(shared, form, empty)), bid(2, files=(FileFacts("方案.pdf", 5000, "c" * 64), form, empty)),
                bid(3, files=(form,)), known_files=frozenset({"f" * 64}))
    evidence = flags.same_file(facts, LIMITS)
    assert evidence["groups"] == [{"value": "c" * 64, "bids": [
        {"receipt": "r1", "bidder": "USCC00000000000001", "name": "第1投标有限公司", "file": "技术方案.pdf"},
        {"receipt": "r2", "bidder": "USCC00000000000002", "name": "第2投标有限公司", "file": "方案.pdf"}]}]
    # One bidder's two copies of one file are not "across bidders".
    assert flags.same_file(lot(bid(1, files=(shared, shared)), bid(2)), LIMITS) is None


def test_identical_metadata_needs_all_three_and_skips_the_tenders_template():
    meta = {"author": "王五", "software": "WPS Office 12.1", "created": "2026-10-30T09:00:00+08:00"}
    one, two = FileFacts("a.pdf", 10, "1" * 64, **meta), FileFacts("b.pdf", 10, "2" * 64, **meta)
    evidence = flags.same_metadata(lot(bid(1, files=(one,)), bid(2, files=(two,))), LIMITS)
    assert evidence["groups"][0]["value"] == meta and receipts(evidence) == [["r1", "r2"]]
    no_time = {**meta, "created": ""}
    assert flags.same_metadata(lot(bid(1, files=(FileFacts("a", 1, "1" * 64, **no_time),)),
                                   bid(2, files=(FileFacts("b", 1, "2" * 64, **no_time),))), LIMITS) is None
    template = frozenset({(meta["author"], meta["software"], meta["created"])})
    assert flags.same_metadata(lot(bid(1, files=(one,)), bid(2, files=(two,)), known_meta=template), LIMITS) is None


def test_identical_prices_are_equal_to_the_cent():
    evidence = flags.identical_prices(lot(bid(1, "900000.00"), bid(2, "900000.00"), bid(3, "900000.01")), LIMITS)
    assert evidence["groups"] == [{"value": "900000.00", "bids": [
        {"receipt": "r1", "bidder": "USCC00000000000001", "name": "第1投标有限公司"},
        {"receipt": "r2", "bidder": "USCC00000000000002", "name": "第2投标有限公司"}]}]
    assert flags.identical_prices(lot(bid(1, "900000.00"), bid(2, "900000.01")), LIMITS) is None


def test_an_arithmetic_progression_within_the_tolerance_of_the_lowest_price():
    exact = lot(bid(1, "940000.00"), bid(2, "900000.00"), bid(3, "920000.00"), bid(4, None))
    evidence = flags.price_progression(exact, LIMITS)
    assert evidence["values"] == {"step": "20000.00", "tolerance": "1/1000"}
    assert [member["price"] for member in evidence["groups"][0]["bids"]] == ["900000.00", "920000.00", "940000.00"]
    # 1/1000 of the lowest price is 900 yuan: the middle price may stray that far and no further.
    assert flags.price_progression(lot(bid(1, "900000.00"), bid(2, "920900.00"), bid(3, "940000.00")), LIMITS)
    assert flags.price_progression(lot(bid(1, "900000.00"), bid(2, "920900.01"), bid(3, "940000.00")), LIMITS) is None
    # Two prices are always "in progression": at least three; and near-identical prices are not spaced.
    assert flags.price_progression(lot(bid(1, "900000.00"), bid(2, "920000.00")), LIMITS) is None
    assert flags.price_progression(lot(bid(1, "900000.00"), bid(2, "900400.00"), bid(3, "900800.00")), LIMITS) is None
    assert flags.price_progression(exact, Thresholds()) is None


def test_a_fixed_ratio_is_reported_only_where_it_is_not_an_arithmetic_progression():
    geometric = lot(bid(1, "500000.00"), bid(2, "750000.00"), bid(3, "1125000.00"), ceiling=None)
    evidence = flags.price_ratio(geometric, LIMITS)
    assert evidence["values"] == {"ratio": "1.5000", "tolerance": "1/1000"}
    assert flags.price_progression(geometric, LIMITS) is None
    narrow = lot(bid(1, "900000.00"), bid(2, "918000.00"), bid(3, "936360.00"))  # ×1.02 twice: also nearly arithmetic
    assert flags.price_progression(narrow, LIMITS) is not None and flags.price_ratio(narrow, LIMITS) is None
    assert flags.price_ratio(lot(bid(1, "500000.00"), bid(2, "760000.00"), bid(3, "1125000.00")), LIMITS) is None


def test_every_price_within_the_band_of_the_ceiling():
    near = lot(bid(1, "990000.00"), bid(2, "995000.00"), bid(3, "1000000.00"))
    evidence = flags.prices_near_ceiling(near, LIMITS)
    assert evidence["values"] == {"ceiling": "1000000.00", "band": "1.00%"}
    assert [member["below"] for member in evidence["groups"][0]["bids"]] == ["1.00%", "0.50%", "0.00%"]
    assert flags.prices_near_ceiling(lot(bid(1, "989999.99"), bid(2, "995000.00")), LIMITS) is None
    # One bid is the single-bid rule's; a market that sells has no ceiling.
    assert flags.prices_near_ceiling(lot(bid(1, "999000.00")), LIMITS) is None
    assert flags.prices_near_ceiling(lot(bid(1, "999000.00"), bid(2, "999500.00"), ceiling=None), LIMITS) is None


def test_a_single_bid_counts_bids_that_did_not_open_too():
    assert receipts(flags.single_bid(lot(bid(1, "900000.00")), LIMITS)) == [["r1"]]
    assert flags.single_bid(lot(bid(1, "900000.00"), bid(2, None)), LIMITS) is None


def test_a_period_shorter_than_the_rule_flags_and_one_exactly_as_long_does_not():
    published = T0 - timedelta(days=20)
    evidence = flags.short_period(lot(bid(1), published_at=published + timedelta(seconds=1), bid_deadline=T0), LIMITS)
    assert evidence["values"] == {"published_at": (published + timedelta(seconds=1)).isoformat(),
                                  "bid_deadline": T0.isoformat(), "days": "20.0", "minimum_days": "20"}
    assert flags.short_period(lot(bid(1), published_at=published, bid_deadline=T0), LIMITS) is None
    # A listing lot has no bid deadline; a market without the rule does not run it.
    assert flags.short_period(lot(bid(1), bid_deadline=None), LIMITS) is None
    assert flags.short_period(lot(bid(1), published_at=T0 - timedelta(days=3), bid_deadline=T0), Thresholds()) is None


def test_the_gap_between_the_best_and_the_second_best_price_each_way():
    # Lowest wins: 800,000 is 20 % below 1,000,000 (of the second best), exactly the threshold.
    evidence = flags.price_gap(lot(bid(1, "1000000.00"), bid(2, "800000.00"), bid(3, "1050000.00")), LIMITS)
    assert evidence["values"] == {"gap": "20.00%", "minimum": "20.00%"}
    assert [(m["receipt"], m["place"]) for m in evidence["groups"][0]["bids"]] == [("r2", 1), ("r1", 2)]
    assert flags.price_gap(lot(bid(1, "1000000.00"), bid(2, "800000.01")), LIMITS) is None
    # Highest wins (land, equity): the best 25 % above the second best.
    sale = lot(bid(1, "1000000.00"), bid(2, "1250000.00"), sells=True, ceiling=None)
    assert [m["receipt"] for m in flags.price_gap(sale, LIMITS)["groups"][0]["bids"]] == ["r2", "r1"]
    assert flags.price_gap(lot(bid(1, "1000000.00")), LIMITS) is None


def test_bids_within_the_gap_of_each_other_form_runs():
    facts = lot(bid(1, minutes=0), bid(2, minutes=1), bid(3, minutes=2), bid(4, minutes=10),
                bid(5, minutes=30), bid(6, minutes=31))
    evidence = flags.close_submissions(facts, LIMITS)
    # 0, 1 and 2 minutes apart by exactly 60 s chain into one run; 30 and 31 form another.
    assert receipts(evidence) == [["r1", "r2", "r3"], ["r5", "r6"]]
    assert [group["value"] for group in evidence["groups"]] == ["120", "60"]
    spread = lot(bid(1, minutes=0), bid(2, minutes=2))
    assert flags.close_submissions(spread, LIMITS) is None
    just_over = lot(bid(1, minutes=0), BidFacts("r2", "B", "b", T0 + timedelta(seconds=61)))
    assert flags.close_submissions(just_over, LIMITS) is None


def test_the_winner_above_a_lower_price_under_lowest_price_only():
    lowest = bid(1, "900000.00", status="rejected", reasons=("未按要求提供资格证明文件",))
    facts = lot(lowest, bid(2, "950000.00", status="valid"), bid(3, "980000.00", status="valid"),
                method="lowest_price", winner="r2")
    evidence = flags.winner_not_lowest(facts, LIMITS)
    assert evidence["values"] == {"method": "lowest_price", "winning_price": "950000.00"}
    assert evidence["groups"][1]["bids"] == [{"receipt": "r1", "bidder": "USCC00000000000001",
                                              "name": "第1投标有限公司", "price": "900000.00", "status": "rejected",
                                              "reasons": ["未按要求提供资格证明文件"]}]
    assert flags.winner_not_lowest(lot(*facts.bids, method="comprehensive", winner="r2"), LIMITS) is None
    assert flags.winner_not_lowest(lot(*facts.bids, method="lowest_price", winner="r1"), LIMITS) is None
    assert flags.winner_not_lowest(lot(*facts.bids, method="lowest_price", winner=""), LIMITS) is None


@pytest.mark.parametrize("rule", flags.RULES, ids=lambda rule: rule.id)
def test_every_rule_has_a_label_a_source_and_a_stage(rule):
    assert str(rule.label) and flags.rule_source(rule) and rule.stage in (OPENING, AWARD)
    assert not rule.threshold or rule.threshold.startswith("flag_")


def test_sources_are_cited_as_each_language_cites():
    rule = flags.RULES_BY_ID["same_ip"]
    with translation.override("en"):
        assert flags.rule_source(rule) == ("招标投标法实施条例 Art 40; 财政部令第87号 Art 37; fraud examiners' screens "
                                           "(one address across bidders)")
    with translation.override("zh-hans"):
        assert flags.rule_source(rule).startswith("《招标投标法实施条例》第四十条；财政部令第87号第三十七条；")
