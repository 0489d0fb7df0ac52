"""Complaints in government procurement follow a challenge (质疑) and have their own limits:
filed within 15 working days after the challenge's reply period ends or the reply is given
(政府采购法 Art 55; 财政部令第94号 Art 17), accepted or refused within 5 working days of receipt
(财政部令第94号 Art 21), decided within 30 working days of receipt (政府采购法 Art 56; 财政部令第94号
Art 28). Market-wide rows: every procurement procedure takes challenges and complaints."""
from django.db import migrations

ORDER_94 = "财政部令第94号"
ROWS = {
    "complaint_filing": (15, f"政府采购法 Art 55; {ORDER_94} Art 17"),
    "complaint_acceptance": (5, f"{ORDER_94} Art 21"),
    "complaint_decision": (30, f"政府采购法 Art 56; {ORDER_94} Art 28"),
}


def seed(apps, schema_editor):
    Rule = apps.get_model("trading", "Rule")
    for code, (amount, source) in ROWS.items():
        Rule.objects.update_or_create(
            market_id="procurement", procedure=None, code=code,
            defaults={"amount": amount, "unit": "working_days", "sense": "max", "source": source,
                      "denominator": 1, "odd_only": False})


def unseed(apps, schema_editor):
    apps.get_model("trading", "Rule").objects.filter(market_id="procurement", procedure=None, code__in=ROWS).delete()


class Migration(migrations.Migration):
    dependencies = [("trading", "0016_lot_holds")]
    operations = [migrations.RunPython(seed, unseed)]
