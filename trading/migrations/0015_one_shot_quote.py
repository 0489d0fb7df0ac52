"""The one-shot sealed quote (一次报价) of state-owned equity: quotes sealed like tender bids during
the disclosure period, opened by the custodians, the highest valid quote (at or above the listing
price) buys. A tender-kind procedure of a selling market; its rules are the disclosure period (as
the bid preparation) and the exchange's deposit cap, which staff confirm in the rule table."""
from django.db import migrations

DISCLOSURE = "国资委 财政部令第32号 Art 13"
EXCHANGE = "产权交易机构交易规则"


def seed(apps, schema_editor):
    Procedure = apps.get_model("trading", "Procedure")
    Rule = apps.get_model("trading", "Rule")
    procedure, _ = Procedure.objects.update_or_create(
        market_id="property", code="one_shot_quote",
        defaults={"name_zh": "一次报价", "name_en": "One-shot sealed quote", "kind": "tender",
                  "requires_prequalification": True})
    rows = {"bid_preparation": (20, "working_days", "min", DISCLOSURE, 1),
            "deposit_cap": (30, "percent", "max", EXCHANGE, 1)}
    for code, (amount, unit, sense, source, denominator) in rows.items():
        Rule.objects.update_or_create(market_id="property", procedure=procedure, code=code,
                                      defaults={"amount": amount, "unit": unit, "sense": sense, "source": source,
                                                "denominator": denominator, "odd_only": False})


class Migration(migrations.Migration):
    dependencies = [("trading", "0014_auction_countdown_rule")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
