"""The audit chain in the admin: to read, never to edit (PostgreSQL would refuse it anyway)."""
from django.contrib import admin

from monitoring.models import AuditEntry, Checkpoint
from trading.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "kind", "actor", "subject", "subject_seq")
    # Exact subject only: it is served by the (subject, subject_seq) index, a substring search is not.
    search_fields = ("=subject",)
    ordering = ("-id",)
    # The admin's "show all" count would scan the whole chain.
    show_full_result_count = False


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("entry", "head_hash", "at")
    ordering = ("-entry",)
