"""The defaults of DESIGN §2, written where the law applies them.

A rule goes on the market-wide row when it holds for every procedure of the market, else on each
procedure it holds for. Tender rules hold for open and invited tenders; procurement's negotiation,
inquiry and single source, and HR inquiry, follow other limits, so they get no tender rows (asking
for one raises ``rule_missing`` until staff add it).
"""
from django.db import migrations

IMPL = "招标投标法实施条例"

# code: (amount, unit, sense, source, denominator, odd_only)
DEFAULTS = {
    "documents_on_sale": (5, "calendar_days", "min", f"{IMPL} Art 16", 1, False),
    "bid_preparation": (20, "calendar_days", "min", "招标投标法 Art 24; 政府采购法 Art 35", 1, False),
    "amendment_notice": (15, "calendar_days", "min", f"{IMPL} Art 21", 1, False),
    "documents_objection": (10, "calendar_days", "min", f"{IMPL} Art 22", 1, False),
    "documents_objection_reply": (3, "calendar_days", "max", f"{IMPL} Art 22", 1, False),
    "deposit_cap": (2, "percent", "max", f"{IMPL} Art 26", 1, False),
    "deposit_refund": (5, "calendar_days", "max", f"{IMPL} Art 57", 1, False),
    "min_bidders": (3, "count", "min", f"{IMPL} Art 44", 1, False),
    "committee_size": (5, "count", "min", "招标投标法 Art 37", 1, True),
    "committee_experts": (2, "fraction", "min", f"招标投标法 Art 37; {IMPL} Art 46", 3, False),
    "candidates_max": (3, "count", "max", f"{IMPL} Art 53", 1, False),
    "candidates_publicity_start": (3, "calendar_days", "max", f"{IMPL} Art 54", 1, False),
    "candidates_publicity_length": (3, "calendar_days", "min", f"{IMPL} Art 54", 1, False),
    "candidates_objection_reply": (3, "calendar_days", "max", f"{IMPL} Art 54", 1, False),
    "complaint_filing": (10, "calendar_days", "max", f"{IMPL} Art 60", 1, False),
    "complaint_acceptance": (3, "working_days", "max", f"{IMPL} Art 61", 1, False),
    "complaint_decision": (30, "working_days", "max", f"{IMPL} Art 61", 1, False),
    "challenge_filing": (7, "working_days", "max", "政府采购法 Art 52", 1, False),
    "challenge_reply": (7, "working_days", "max", "政府采购法 Art 53", 1, False),
    "contract_signing": (30, "calendar_days", "max", "招标投标法 Art 46", 1, False),
    "listing_period": (10, "calendar_days", "min", "国土资源部令第39号 Art 19", 1, False),
    "listing_notice": (20, "calendar_days", "min", "国土资源部令第39号 Art 10", 1, False),
    "disclosure_period": (20, "working_days", "min", "国资委 财政部令第32号 Art 13", 1, False),
}

TENDER = [
    "documents_on_sale", "bid_preparation", "amendment_notice", "documents_objection", "documents_objection_reply",
    "deposit_cap", "deposit_refund", "min_bidders", "committee_size", "committee_experts", "candidates_max",
    "candidates_publicity_start", "candidates_publicity_length", "candidates_objection_reply",
]
COMPLAINTS = ["complaint_filing", "complaint_acceptance", "complaint_decision"]

# (market, procedure or None for market-wide): codes, with a source that differs from DEFAULTS
SCOPES = [
    (("construction", None), TENDER + COMPLAINTS + ["contract_signing"], {}),
    (("procurement", None), ["challenge_filing", "challenge_reply", "contract_signing"],
     {"contract_signing": "政府采购法 Art 46"}),
    (("procurement", "open_tender"), TENDER, {}),
    (("procurement", "invited_tender"), TENDER, {}),
    (("hr", "open_tender"), TENDER + COMPLAINTS + ["contract_signing"], {}),
    (("land", None), ["listing_notice"], {}),
    (("land", "listing_timed_bidding"), ["listing_period"], {}),
    (("property", None), ["disclosure_period"], {}),
]


def seed(apps, schema_editor):
    Procedure = apps.get_model("trading", "Procedure")
    Rule = apps.get_model("trading", "Rule")
    for (market, procedure_code), codes, sources in SCOPES:
        procedure = Procedure.objects.get(market_id=market, code=procedure_code) if procedure_code else None
        for code in codes:
            amount, unit, sense, source, denominator, odd_only = DEFAULTS[code]
            Rule.objects.update_or_create(
                market_id=market, procedure=procedure, code=code,
                defaults={"amount": amount, "unit": unit, "sense": sense, "source": sources.get(code, source),
                          "denominator": denominator, "odd_only": odd_only},
            )


class Migration(migrations.Migration):
    dependencies = [("trading", "0003_rules_calendar")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
