"""Deposit refunds of the listing markets: bidders other than the winner get their deposit back
within 5 working days after the listing or auction ends (国土资源部令第39号 for land; the
exchange's rules for equity, which staff confirm in the rule table)."""
from django.db import migrations

ROWS = [
    ("land", "国土资源部令第39号"),
    ("property", "产权交易机构交易规则"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("trading", "Rule")
    for market, source in ROWS:
        Rule.objects.update_or_create(market_id=market, procedure=None, code="deposit_refund",
                                      defaults={"amount": 5, "unit": "working_days", "sense": "max", "source": source})


class Migration(migrations.Migration):
    dependencies = [("trading", "0008_seed_rules_non_tender")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
