"""A lot may tender a failed one again (重新招标): ``Lot.retender_of``, once per failed lot."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trading', '0017_procurement_complaint_rules'),
    ]

    operations = [
        migrations.AddField(
            model_name='lot',
            name='retender_of',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='retendered_as', to='trading.lot', verbose_name='tenders again'),
        ),
    ]
