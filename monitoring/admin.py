"""The audit chain in the admin: to read, never to edit (PostgreSQL would refuse it anyway)."""
from django.contrib import admin
from django.utils.translation import pgettext_lazy

from monitoring.event_words import actor_names, event_description
from monitoring.models import AuditEntry, Checkpoint
from trading.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "what", "who", "subject", "subject_seq")
    # Exact subject only: it is served by the (subject, subject_seq) index, a substring search is not.
    search_fields = ("=subject",)
    ordering = ("-id",)
    # The admin's "show all" count would scan the whole chain.
    show_full_result_count = False

    def get_changelist_instance(self, request):
        # The page's people in one query, kept on the rows (the admin object serves every request).
        changelist = super().get_changelist_instance(request)
        names = actor_names(entry.actor for entry in changelist.result_list)
        for entry in changelist.result_list:
            entry.actor_name = names[entry.actor]
        return changelist

    @admin.display(description=pgettext_lazy("audit entry", "What happened"), ordering="kind")
    def what(self, entry):
        return event_description(entry.kind, entry.data)

    @admin.display(description=pgettext_lazy("audit entry", "Who"), ordering="actor")
    def who(self, entry):
        return getattr(entry, "actor_name", None) or actor_names([entry.actor])[entry.actor]


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("entry", "head_hash", "at")
    ordering = ("-entry",)
