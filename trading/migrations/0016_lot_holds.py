"""Holds on lots: one row per reason a lot stays suspended (objections, complaints, orders).

Lots suspended before holds existed get theirs here: one hold per unanswered objection to the
documents (as ``objection_file`` makes them), and a staff order for a lot suspended with none open.
"""
import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

OBJECTIONS_ACTOR = "system:objections"  # trading.services.objections.SYSTEM


def holds_for_suspended_lots(apps, schema_editor):
    Lot = apps.get_model("trading", "Lot")
    LotHold = apps.get_model("trading", "LotHold")
    DocumentObjection = apps.get_model("trading", "DocumentObjection")
    LotStatusChange = apps.get_model("trading", "LotStatusChange")
    for lot in Lot.objects.filter(status="suspended").order_by("pk"):
        objections = DocumentObjection.objects.filter(lot=lot, replied_at__isnull=True).order_by("filed_at", "pk")
        for objection in objections:
            LotHold.objects.create(lot=lot, reason="documents_objection", subject=f"objection:{objection.pk}",
                                   held_at=objection.filed_at, held_by=OBJECTIONS_ACTOR)
        if not objections:
            suspended = LotStatusChange.objects.filter(lot=lot, transition="suspend").order_by("-at", "-pk").first()
            LotHold.objects.create(lot=lot, reason="order", subject=f"lot:{lot.pk}",
                                   held_at=suspended.at if suspended else timezone.now(),
                                   held_by=suspended.actor if suspended else "system:migration")


class Migration(migrations.Migration):

    dependencies = [
        ('trading', '0015_one_shot_quote'),
    ]

    operations = [
        migrations.CreateModel(
            name='LotHold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(choices=[('documents_objection', 'Objection to the tender documents'), ('candidates_objection', 'Objection to the candidates'), ('complaint', 'Complaint'), ('order', 'Suspension order')], max_length=32, verbose_name='reason')),
                ('subject', models.CharField(max_length=64, verbose_name='what holds it')),
                ('held_at', models.DateTimeField(verbose_name='held at')),
                ('held_by', models.CharField(max_length=64, verbose_name='held by')),
                ('released_at', models.DateTimeField(blank=True, null=True, verbose_name='released at')),
                ('released_by', models.CharField(blank=True, max_length=64, verbose_name='released by')),
                ('lot', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='trading.lot', verbose_name='lot')),
            ],
            options={
                'verbose_name': 'lot hold',
                'verbose_name_plural': 'lot holds',
                'ordering': ['held_at', 'id'],
                'indexes': [models.Index(fields=['lot', 'released_at'], name='lot_hold_lot_open')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('released_at__isnull', True)), fields=('lot', 'subject'), name='lot_hold_open_once_per_subject'), models.CheckConstraint(condition=models.Q(models.Q(('released_at__isnull', True), ('released_by', '')), models.Q(('released_at__isnull', False), models.Q(('released_by', ''), _negated=True)), _connector='OR'), name='lot_hold_released_by_whom')],
            },
        ),
        migrations.RunPython(holds_for_suspended_lots, migrations.RunPython.noop),
    ]
