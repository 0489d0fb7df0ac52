"""Supervision in the admin: to read. Assignments are made and revoked on the staff pages and the
API, which audit them; a note's text stays its author's (the audit event holds only its digest).
Challenges and complaints move only through their services, which audit every step."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from supervisors.complaints.models import Challenge, Complaint
from supervisors.models import Assignment, ObservationNote
from trading.admin import ReadOnlyAdmin


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "lot", "supervisor", "assigned_at", "assigned_by", "revoked_at", "revoked_by")
    list_filter = ("revoked_at",)
    list_select_related = ("lot__project", "supervisor")
    search_fields = ("=lot__id", "supervisor__username")
    ordering = ("-assigned_at",)


@admin.register(ObservationNote)
class ObservationNoteAdmin(ReadOnlyAdmin):
    list_display = ("id", "lot", "supervisor", "updated_at", "length")
    list_select_related = ("lot__project", "supervisor")
    fields = ("lot", "supervisor", "updated_at")
    ordering = ("-updated_at",)

    @admin.display(description=_("characters"))
    def length(self, note):
        return len(note.text)


@admin.register(Challenge)
class ChallengeAdmin(ReadOnlyAdmin):
    list_display = ("id", "lot", "organisation", "matter", "status", "filed_at", "reply_due_at", "replied_at")
    list_filter = ("status",)
    list_select_related = ("lot__project", "organisation")
    search_fields = ("=lot__id", "organisation__name")
    ordering = ("-filed_at",)


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ("id", "lot", "organisation", "act", "status", "filed_at", "acceptance_due_at", "decision_due_at",
                    "outcome")
    list_filter = ("status", "outcome")
    list_select_related = ("lot__project", "organisation")
    search_fields = ("=lot__id", "organisation__name")
    ordering = ("-filed_at",)
