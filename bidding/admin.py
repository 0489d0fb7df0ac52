"""The expert pool in the admin: staff keep specialties, experts' employers, declared relations,
penalties and availability here. Panels, sheets and awards move only through their services, which
audit every step, so the admin does not list them."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from bidding.evaluation.models import Expert, ExpertPenalty, ExpertRelation, Specialty
from trading.admin import CODE_AND_NAMES, AuditedAdmin, LabelledAdmin


@admin.register(Specialty)
class SpecialtyAdmin(AuditedAdmin, LabelledAdmin):
    list_display = ("code", "name_zh", "name_en")
    labels = CODE_AND_NAMES


class ExpertRelationInline(admin.TabularInline):
    model = ExpertRelation
    extra = 0
    autocomplete_fields = ("organisation",)


class ExpertPenaltyInline(admin.TabularInline):
    model = ExpertPenalty
    extra = 0


@admin.register(Expert)
class ExpertAdmin(AuditedAdmin, LabelledAdmin):
    list_display = ("user", "employer_name", "available", "unavailable_until")
    labels = {"user": _("Account")}
    list_filter = ("available", "specialties")
    search_fields = ("user__username", "user__display_name", "employer_name")
    filter_horizontal = ("specialties",)
    autocomplete_fields = ("user", "employer")
    inlines = [ExpertRelationInline, ExpertPenaltyInline]
