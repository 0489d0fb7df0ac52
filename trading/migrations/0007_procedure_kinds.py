from django.db import migrations

# Listing procedures (quotes, then an auction) and those whose registrations staff approve:
# land and equity bidders' qualification is confirmed before they may quote (竞买资格确认), and an
# invited tender admits only the invited.
LISTING = {("property", "listing_online_bidding"), ("property", "descending_auction"),
           ("land", "listing_timed_bidding"), ("land", "auction")}
PREQUALIFIED = LISTING | {("construction", "invited_tender"), ("procurement", "invited_tender")}


def seed(apps, schema_editor):
    Procedure = apps.get_model("trading", "Procedure")
    for procedure in Procedure.objects.select_related("market"):
        key = (procedure.market.code, procedure.code)
        procedure.kind = "listing" if key in LISTING else "tender"
        procedure.requires_prequalification = key in PREQUALIFIED
        procedure.save(update_fields=["kind", "requires_prequalification"])


class Migration(migrations.Migration):
    dependencies = [("trading", "0006_lots_schedule_announcements_documents_registrations")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
