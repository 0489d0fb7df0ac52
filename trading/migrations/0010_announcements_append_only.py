"""On PostgreSQL, published announcements cannot be changed or removed: a correction is a new
announcement that names the one it supersedes. TRUNCATE passes only for a session that sets
platform.allow_truncate = 'on', which only the test harness does (Django empties test databases so)."""
from django.db import migrations

FUNCTION = r"""
CREATE FUNCTION trading_announcement_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND coalesce(current_setting('platform.allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'a published announcement is immutable: % refused', TG_OP
        USING ERRCODE = 'restrict_violation',
              HINT = 'Publish a correction that supersedes it instead.';
END
$$
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(
        "CREATE TRIGGER trading_announcement_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON trading_announcement "
        "FOR EACH STATEMENT EXECUTE FUNCTION trading_announcement_immutable()"
    )


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS trading_announcement_immutable ON trading_announcement")
    schema_editor.execute("DROP FUNCTION IF EXISTS trading_announcement_immutable()")


class Migration(migrations.Migration):
    dependencies = [("trading", "0009_seed_deposit_refund_listing")]
    operations = [migrations.RunPython(protect, unprotect)]
