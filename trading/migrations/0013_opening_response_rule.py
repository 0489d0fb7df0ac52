from django.db import migrations, models


def seed(apps, schema_editor):
    # 实施条例 Art 44: objections to the opening are raised on the spot and answered on the spot; an
    # online opening gives bidders this long after the record appears (staff may change it).
    Rule = apps.get_model("trading", "Rule")
    for market in ("construction", "procurement", "hr"):
        Rule.objects.update_or_create(market_id=market, procedure=None, code="opening_response_window",
                                      defaults={"amount": 30, "unit": "minutes", "sense": "max",
                                                "source": "招标投标法实施条例 Art 44"})


class Migration(migrations.Migration):

    dependencies = [
        ('trading', '0012_lot_award_review'),
    ]

    operations = [
        migrations.AlterField(
            model_name='rule',
            name='code',
            field=models.CharField(choices=[('documents_on_sale', 'Tender documents on sale'), ('bid_preparation', 'Bid preparation (announcement to deadline)'), ('amendment_notice', 'Clarification or amendment before the deadline'), ('documents_objection', 'Objection to tender documents before the deadline'), ('documents_objection_reply', 'Reply to an objection to tender documents'), ('deposit_cap', 'Bid deposit as a share of the estimate'), ('deposit_refund', 'Deposit refund after the contract'), ('min_bidders', 'Bids needed to open'), ('committee_size', 'Evaluation committee size'), ('committee_experts', 'Technical and economic experts on the committee'), ('candidates_max', 'Ranked candidates'), ('candidates_publicity_start', 'Candidate publicity after the evaluation report'), ('candidates_publicity_length', 'Candidate publicity period'), ('candidates_objection_reply', 'Reply to an objection to the candidates'), ('complaint_filing', 'Complaint filing'), ('complaint_acceptance', 'Complaint accepted or refused'), ('complaint_decision', 'Complaint decided'), ('challenge_filing', 'Procurement challenge filing'), ('challenge_reply', 'Reply to a procurement challenge'), ('contract_signing', 'Contract after the award notice'), ('listing_period', 'Listing period'), ('listing_notice', 'Listing notice before the start'), ('disclosure_period', 'Disclosure period'), ('opening_response_window', "Bidders' confirmation or objection after the opening")], max_length=40, verbose_name='rule'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]

