from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from trading import models


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
