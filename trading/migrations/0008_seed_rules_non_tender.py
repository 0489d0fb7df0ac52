"""Rules of the procurement and HR procedures that are not tenders (政府采购非招标采购方式管理办法):
responses due at least 3 working days after the notice for competitive negotiation (Art 29) and
inquiry (Art 45), single-source publicity of at least 5 working days (Art 38), and the 2 % deposit
cap of every procurement procedure (政府采购法实施条例 Art 33)."""
from django.db import migrations

NON_TENDER = "政府采购非招标采购方式管理办法"
ROWS = [
    ("procurement", "competitive_negotiation", "bid_preparation", 3, "working_days", "min", f"{NON_TENDER} Art 29"),
    ("procurement", "inquiry", "bid_preparation", 3, "working_days", "min", f"{NON_TENDER} Art 45"),
    ("procurement", "single_source", "bid_preparation", 5, "working_days", "min", f"{NON_TENDER} Art 38"),
    ("hr", "inquiry", "bid_preparation", 3, "working_days", "min", f"{NON_TENDER} Art 45"),
    ("procurement", None, "deposit_cap", 2, "percent", "max", "政府采购法实施条例 Art 33"),
    ("hr", None, "deposit_cap", 2, "percent", "max", "政府采购法实施条例 Art 33"),
]


def seed(apps, schema_editor):
    Procedure = apps.get_model("trading", "Procedure")
    Rule = apps.get_model("trading", "Rule")
    for market, procedure_code, code, amount, unit, sense, source in ROWS:
        procedure = Procedure.objects.get(market_id=market, code=procedure_code) if procedure_code else None
        Rule.objects.update_or_create(market_id=market, procedure=procedure, code=code,
                                      defaults={"amount": amount, "unit": unit, "sense": sense, "source": source})


class Migration(migrations.Migration):
    dependencies = [("trading", "0007_procedure_kinds")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
