"""The rule table: every default of DESIGN §2 seeded with its number and legal source, and the override
order of the selector. Changes of the numbers (two people, within the law) are in test_rule_changes.py."""
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from trading.errors import TradingError
from trading.models import Procedure, Rule, RuleCode
from trading.selectors_calendar import rule_get

pytestmark = pytest.mark.django_db

IMPL = "招标投标法实施条例"
# code: amount, denominator, unit, sense, odd only, source — written from DESIGN §2 and the statutes.
EXPECTED = {
    "documents_on_sale": (5, 1, "calendar_days", "min", False, f"{IMPL} Art 16"),
    "bid_preparation": (20, 1, "calendar_days", "min", False, "招标投标法 Art 24"),
    "amendment_notice": (15, 1, "calendar_days", "min", False, f"{IMPL} Art 21"),
    "documents_objection": (10, 1, "calendar_days", "min", False, f"{IMPL} Art 22"),
    "documents_objection_reply": (3, 1, "calendar_days", "max", False, f"{IMPL} Art 22"),
    "deposit_cap": (2, 1, "percent", "max", False, f"{IMPL} Art 26"),
    "deposit_refund": (5, 1, "calendar_days", "max", False, f"{IMPL} Art 57"),
    "min_bidders": (3, 1, "count", "min", False, f"{IMPL} Art 44"),
    "committee_size": (5, 1, "count", "min", True, "招标投标法 Art 37"),
    "committee_experts": (2, 3, "fraction", "min", False, "招标投标法 Art 37"),
    "candidates_max": (3, 1, "count", "max", False, f"{IMPL} Art 53"),
    "candidates_publicity_start": (3, 1, "calendar_days", "max", False, f"{IMPL} Art 54"),
    "candidates_publicity_length": (3, 1, "calendar_days", "min", False, f"{IMPL} Art 54"),
    "candidates_objection_reply": (3, 1, "calendar_days", "max", False, f"{IMPL} Art 54"),
    "complaint_filing": (10, 1, "calendar_days", "max", False, f"{IMPL} Art 60"),
    "complaint_acceptance": (3, 1, "working_days", "max", False, f"{IMPL} Art 61"),
    "complaint_decision": (30, 1, "working_days", "max", False, f"{IMPL} Art 61"),
    "challenge_filing": (7, 1, "working_days", "max", False, "政府采购法 Art 52"),
    "challenge_reply": (7, 1, "working_days", "max", False, "政府采购法 Art 53"),
    "contract_signing": (30, 1, "calendar_days", "max", False, "Art 46"),
    "listing_period": (10, 1, "calendar_days", "min", False, "39号"),
    "listing_notice": (20, 1, "calendar_days", "min", False, "39号"),
    "disclosure_period": (20, 1, "working_days", "min", False, "32号"),
    "opening_response_window": (30, 1, "minutes", "max", False, "实施条例 Art 44"),
    "auction_countdown": (5, 1, "minutes", "min", False, "国土资源部令第39号"),
    "supervisors_per_session": (2, 1, "count", "min", False, "本平台规则"),
    "supervisor_term": (730, 1, "calendar_days", "max", False, "本平台规则"),
    "supervisor_term_notice": (30, 1, "calendar_days", "min", False, "本平台规则"),
    "stop_request_answer": (10, 1, "minutes", "max", False, "本平台规则"),
    "observation_report": (2, 1, "working_days", "max", False, "本平台规则"),
    "major_session": (5000, 1, "wan_yuan", "min", False, "本平台规则"),
    "alert_yellow": (1, 1, "working_days", "min", False, "本平台规则"),
    "inquiry_answer": (5, 1, "working_days", "max", False, "本平台规则"),
    "flag_ceiling_band": (1, 1, "percent", "max", False, "本平台规则"),
    "flag_price_pattern": (1, 1000, "fraction", "max", False, "本平台规则"),
    "flag_price_gap": (20, 1, "percent", "min", False, "R058"),
    "flag_submission_gap": (60, 1, "seconds", "max", False, "本平台规则"),
    "flag_short_period": (20, 1, "calendar_days", "min", False, "R003"),
    "rating_answer": (15, 1, "working_days", "max", False, "国办发〔2019〕51号"),
    "rating_default": (5, 1, "working_days", "min", False, "国办发〔2019〕51号"),
    "archive_retention": (10, 1, "years", "min", False, "第十一条"),
    "outage_tolerance": (30, 1, "minutes", "max", False, "电子招标投标办法 Art 29"),
    "outage_period": (120, 1, "minutes", "max", False, "KONEPS"),
    "outage_extension": (120, 1, "minutes", "min", False, "KONEPS"),
    "opening_check_in": (30, 1, "minutes", "min", False, "本平台规则"),
    "decryption_window": (30, 1, "minutes", "min", False, "电子招标投标办法 Art 31"),
    "window_outage_tolerance": (5, 1, "minutes", "max", False, "本平台规则"),
    "revoked_deposit": (1, 1, "count", "max", False, "招标投标法实施条例 Art 35"),
    "withdrawn_deposit": (0, 1, "count", "max", False, "电子招标投标办法 Art 31"),
}
# Integrity, ratings: the platform's own numbers, per market (the archive's retention is the law's).
INTEGRITY_RULES = {"flag_ceiling_band", "flag_price_pattern", "flag_price_gap", "flag_submission_gap",
                   "flag_short_period", "rating_answer", "rating_default"}
# The platform's own rules: no statutory limit (supervision's are per market, for every procedure).
SUPERVISION_RULES = {"supervisors_per_session", "supervisor_term", "supervisor_term_notice", "stop_request_answer",
                     "observation_report", "major_session", "alert_yellow", "inquiry_answer"}
# The outage rule (docs/availability.md): the platform's own numbers, per market.
OUTAGE_RULES = {"outage_tolerance", "outage_period", "outage_extension"}
# The opening hall (docs/opening-hall.md): the platform's own numbers, per market.
HALL_RULES = {"opening_check_in", "decryption_window", "window_outage_tolerance", "revoked_deposit", "withdrawn_deposit"}
PLATFORM_RULES = ({"opening_response_window", "auction_countdown"} | SUPERVISION_RULES | INTEGRITY_RULES | OUTAGE_RULES
                  | HALL_RULES)
# Where each rule must be found: (market, procedure).
WHERE = {
    **{code: [("construction", "open_tender"), ("construction", "invited_tender"), ("procurement", "open_tender"),
              ("procurement", "invited_tender"), ("hr", "open_tender")]
       for code in ["documents_on_sale", "bid_preparation", "amendment_notice", "documents_objection",
                    "documents_objection_reply", "deposit_cap", "deposit_refund", "min_bidders", "committee_size",
                    "committee_experts", "candidates_max", "candidates_publicity_start",
                    "candidates_publicity_length", "candidates_objection_reply"]},
    **{code: [("construction", "open_tender"), ("construction", "invited_tender"), ("hr", "open_tender")]
       for code in ["complaint_filing", "complaint_acceptance", "complaint_decision"]},
    "challenge_filing": [("procurement", p) for p in ("open_tender", "inquiry", "single_source")],
    "challenge_reply": [("procurement", p) for p in ("invited_tender", "competitive_negotiation")],
    "contract_signing": [("construction", "open_tender"), ("procurement", "inquiry"), ("hr", "open_tender")],
    "listing_period": [("land", "listing_timed_bidding")],
    "listing_notice": [("land", "listing_timed_bidding"), ("land", "auction")],
    "disclosure_period": [("property", "listing_online_bidding"), ("property", "descending_auction")],
    "opening_response_window": [("construction", "open_tender"), ("procurement", "open_tender"), ("hr", "open_tender")],
    "auction_countdown": [("land", "listing_timed_bidding"), ("land", "auction"), ("property", "listing_online_bidding")],
    **{code: [("construction", "open_tender"), ("procurement", "inquiry"), ("property", "listing_online_bidding")]
       for code in SUPERVISION_RULES - {"major_session"}},
    "major_session": [("construction", "open_tender"), ("construction", "invited_tender")],
    **{code: [("construction", "open_tender"), ("procurement", "inquiry"), ("land", "auction"), ("hr", "open_tender")]
       for code in INTEGRITY_RULES},
    "archive_retention": [("construction", "open_tender"), ("land", "auction"), ("hr", "open_tender")],
    **{code: [("construction", "open_tender"), ("procurement", "inquiry"), ("land", "auction"),
              ("property", "listing_online_bidding"), ("hr", "open_tender")] for code in OUTAGE_RULES | HALL_RULES},
}


def test_every_rule_code_has_a_default_and_a_place():
    assert set(EXPECTED) == set(WHERE) == set(RuleCode.values)


@pytest.mark.parametrize("code", list(EXPECTED))
def test_each_default_is_seeded_with_its_number_and_source(code):
    amount, denominator, unit, sense, odd_only, source = EXPECTED[code]
    for market, procedure in WHERE[code]:
        rule = rule_get(market=market, procedure=procedure, code=code)
        assert (rule.amount, rule.denominator, rule.unit, rule.sense, rule.odd_only) == \
               (amount, denominator, unit, sense, odd_only), (market, procedure)
        assert source in rule.source
        # The seeded numbers are the law's; the platform's own rules have no legal limit.
        assert rule.legal_amount == (None if code in PLATFORM_RULES else amount), (market, procedure)


def test_procurement_contracts_cite_the_procurement_law():
    assert rule_get(market="procurement", procedure="inquiry", code="contract_signing").source == "政府采购法 Art 46"
    assert "政府采购法 Art 35" in rule_get(market="procurement", procedure="open_tender", code="bid_preparation").source


@pytest.mark.parametrize("market, procedure, code", [
    ("procurement", "inquiry", "documents_on_sale"),  # inquiry follows its own limits
    ("land", "listing_timed_bidding", "complaint_filing"),  # sales have no complaint rule of their own
    ("hr", "inquiry", "min_bidders"),
    ("land", "auction", "listing_period"),
])
def test_a_rule_not_set_is_missing_rather_than_guessed(market, procedure, code):
    with pytest.raises(TradingError) as missing:
        rule_get(market=market, procedure=procedure, code=code)
    assert missing.value.code == "rule_missing"


def test_a_procedure_row_overrides_the_market_row(django_assert_num_queries):
    open_tender = Procedure.objects.get(market="construction", code="open_tender")
    Rule.objects.create(market_id="construction", procedure=open_tender, code="bid_preparation", amount=25,
                        unit="calendar_days", sense="min", source="本市规定", legal_amount=20)
    market = open_tender.market
    with django_assert_num_queries(1):
        assert rule_get(market=market, procedure=open_tender, code="bid_preparation").amount == 25
    assert rule_get(market="construction", procedure="invited_tender", code="bid_preparation").amount == 20
    assert rule_get(market="construction", procedure=None, code="bid_preparation").amount == 20


def _other_markets_procedure(rule):
    rule.procedure = Procedure.objects.get(market="land", code="auction")


def _second_market_row(rule):
    rule.pk, rule.procedure = None, None


@pytest.mark.parametrize("spoil, code", [
    (_other_markets_procedure, "rule_procedure_market"), (_second_market_row, "rule_duplicate"),
])
def test_a_rule_in_the_wrong_place_is_refused(spoil, code):
    rule = rule_get(market="construction", procedure=None, code="committee_size")
    spoil(rule)
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert code in [error.code for errors in refused.value.error_dict.values() for error in errors]


def test_shares_and_counts_are_checked_exactly():
    experts = rule_get(market="construction", procedure="open_tender", code="committee_experts")
    assert experts.allows(Fraction(6, 9)) and experts.allows(Fraction(4, 5)) and not experts.allows(Fraction(3, 5))
    size = rule_get(market="construction", procedure="open_tender", code="committee_size")
    assert [n for n in range(3, 10) if size.allows(n)] == [5, 7, 9]
    deposit = rule_get(market="construction", procedure="open_tender", code="deposit_cap")
    assert deposit.allows(Decimal("0.02")) and not deposit.allows(Decimal("0.0201"))


def test_procurement_archives_are_kept_fifteen_years_the_others_ten():
    """政府采购法 Art 42 keeps procurement files at least 15 years; the announcements' rule 10."""
    procurement = rule_get(market="procurement", procedure="open_tender", code="archive_retention")
    assert (procurement.amount, procurement.unit, procurement.legal_amount) == (15, "years", 15)
    assert "第四十二条" in procurement.source
    assert rule_get(market="property", procedure=None, code="archive_retention").amount == 10
