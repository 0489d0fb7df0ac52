"""Each audit entry's random salt, hashed together with its data (docs/audit.md "Canonical form").

An AddField with a one-off default: PostgreSQL fills the new column of any existing rows as part of
ALTER TABLE ... ADD COLUMN ... DEFAULT, which fires no UPDATE trigger, so the append-only guard of
migration 0002 stays in place. (Nothing was deployed with the unsalted format; rows from before this
migration would carry an empty salt and no longer verify.)
"""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_append_only")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="salt",
            field=models.CharField(default="", max_length=32, verbose_name="salt"),
            preserve_default=False,
        ),
    ]
