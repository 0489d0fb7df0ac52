from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from trading import models
from trading.services_calendar import rule_save


class UserRoleInline(admin.TabularInline):
    model = models.UserRole
    extra = 0


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    inlines = [UserRoleInline]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Platform", {"fields": ("display_name", "resident_id", "organisation")}),
    )
    list_display = ("username", "display_name", "organisation", "is_active")


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "kind")
    search_fields = ("name", "uscc")


@admin.register(models.Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "sells", "position")


@admin.register(models.Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("market", "code", "name_zh", "name_en")


@admin.register(models.Rule)
class RuleAdmin(admin.ModelAdmin):
    """Staff edit the numbers here; every save is audited through ``rule_save``. Rows are not deleted:
    a lot whose rule is gone could not compute its deadlines."""

    list_display = ("market", "procedure", "code", "sense", "amount", "denominator", "unit", "odd_only", "source")
    list_filter = ("market", "code", "unit")
    readonly_fields = ("updated_at", "updated_by")

    def save_model(self, request, obj, form, change):
        rule_save(rule=obj, actor=f"user:{request.user.pk}")

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records changed only through their services (which audit them): the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CalendarReadOnlyAdmin(ReadOnlyAdmin):
    """Shown for reference; days are corrected and years confirmed on the calendar page, which audits them."""


@admin.register(models.CalendarDay)
class CalendarDayAdmin(CalendarReadOnlyAdmin):
    list_display = ("day", "is_working_day", "name", "source", "updated_by")
    date_hierarchy = "day"


@admin.register(models.CalendarYear)
class CalendarYearAdmin(CalendarReadOnlyAdmin):
    list_display = ("year", "confirmed", "confirmed_by", "confirmed_at")


@admin.register(models.CalendarAlert)
class CalendarAlertAdmin(CalendarReadOnlyAdmin):
    list_display = ("year", "reason", "raised_at", "acknowledged_by", "acknowledged_at")


@admin.register(models.LotHold)
class LotHoldAdmin(ReadOnlyAdmin):
    """Holds are taken and released by the steps that own them (objections, complaints, orders)."""

    list_display = ("lot", "reason", "subject", "held_at", "held_by", "released_at", "released_by")
    list_filter = ("reason", "released_at")
    list_select_related = ("lot__project",)
    search_fields = ("=lot__id", "subject")
