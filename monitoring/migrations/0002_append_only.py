"""The audit head row, and on PostgreSQL triggers keeping the chain and its checkpoints append-only."""
from django.db import migrations

TABLES = ["monitoring_auditentry", "monitoring_checkpoint"]

# Django's test runner empties test databases with one TRUNCATE of every table after each transactional
# test, so TRUNCATE is let through for a session that sets platform.allow_truncate = 'on', which only
# the test harness does (tests/fixtures.py). UPDATE and DELETE are refused everywhere.
FUNCTION = r"""
CREATE FUNCTION monitoring_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND coalesce(current_setting('platform.allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation',
              HINT = 'Audit entries and checkpoints are never changed or removed; record a new event instead.';
END
$$
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION monitoring_append_only()"
        )


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS monitoring_append_only()")


def head_create(apps, schema_editor):
    apps.get_model("monitoring", "AuditHead").objects.using(schema_editor.connection.alias).get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [
        migrations.RunPython(head_create, migrations.RunPython.noop),
        migrations.RunPython(protect, unprotect),
    ]
