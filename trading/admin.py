"""The admin is for reference data only (markets, procedures, the expert pool's records). People,
companies, roles and rules change through the platform's pages and services, which audit them
(docs/accounts.md): the admin shows accounts and companies read-only, never a superuser flag, group
or permission, and every change made in it is also recorded on the audit chain."""
from django.contrib import admin
from django.contrib.admin.utils import display_for_field
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from monitoring.events import actor_of, record
from trading import models

admin.site.unregister(Group)


class AuditedAdmin(admin.ModelAdmin):
    """Every addition, change and deletion made in the admin goes on the audit chain, beside
    Django's own admin log."""

    def _audit(self, request, obj, action: str, message="") -> None:
        record(kind=f"admin.{action}", actor=actor_of(request.user),
               subject=f"admin:{obj._meta.label_lower}:{obj.pk}",
               data={"object": str(obj)[:200], "message": str(message)[:500] if message else ""})

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "added", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "changed", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "deleted")
        return super().log_deletions(request, queryset)


class LabelledAdmin(admin.ModelAdmin):
    """Labels in the reader's language for fields whose model names them only by their field name
    ("name zh", "sells"): a model's own ``verbose_name`` changes only with a migration, so the admin
    gives the change form's labels and the list's columns here."""
    labels: dict = {}

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        for name, label in self.labels.items():
            if name in form.base_fields:
                form.base_fields[name].label = label
        return form

    def get_list_display(self, request):
        return [self._column(name) if name in self.labels else name for name in super().get_list_display(request)]

    def _column(self, name: str):
        field = self.model._meta.get_field(name)
        boolean = field.get_internal_type() == "BooleanField"

        def column(obj):
            value = getattr(obj, name)
            # The admin draws a boolean column's icon from the value itself.
            return value if boolean else display_for_field(value, field, self.get_empty_value_display())

        column.short_description = self.labels[name]
        column.admin_order_field = name
        column.boolean = boolean
        column.__name__ = name
        return column


# The columns the reference data's models leave unnamed in Chinese (see LabelledAdmin).
CODE_AND_NAMES = {"code": pgettext_lazy("reference data", "Code"), "name_zh": _("Chinese name"), "name_en": _("English name")}


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records changed only through their services (which audit them): the admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.User)
class UserAdmin(ReadOnlyAdmin):
    """Accounts, read-only, without password hash, superuser flag, groups or permissions: people
    and roles are managed on the security administrator's pages."""

    fields = ("username", "display_name", "email", "email_verified_at", "organisation", "is_active", "locked_at",
              "locked_reason", "date_joined", "last_login")
    list_display = ("username", "display_name", "organisation", "is_active")
    search_fields = ("username", "display_name")


@admin.register(models.Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    """Companies, read-only: sign-ups and changes of particulars are reviewed on the staff's pages."""

    fields = ("name", "uscc", "kind", "sector", "status", "legal_representative", "licence_name", "created_at")
    readonly_fields = ("created_at",)
    list_display = ("name", "uscc", "kind", "sector", "status")
    list_filter = ("kind", "sector", "status")
    search_fields = ("name", "uscc")


@admin.register(models.Market)
class MarketAdmin(AuditedAdmin, LabelledAdmin):
    list_display = ("code", "name_zh", "name_en", "sells", "position")
    labels = {**CODE_AND_NAMES, "sells": _("Highest price wins"), "position": _("Position")}


@admin.register(models.CentreNotice)
class CentreNoticeAdmin(AuditedAdmin, LabelledAdmin):
    """The centre's own notices on the portal; withdrawn by a date, never deleted (the model says why)."""
    list_display = ("title", "published_at", "pinned", "withdrawn_at")
    labels = {"pinned": _("Pinned"), "withdrawn_at": _("Withdrawn at")}
    fields = ("title", "body", "published_at", "pinned", "withdrawn_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.published_by = actor_of(request.user)
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Procedure)
class ProcedureAdmin(AuditedAdmin, LabelledAdmin):
    list_display = ("market", "code", "name_zh", "name_en")
    labels = {"market": _("Market"), **CODE_AND_NAMES}


@admin.register(models.Rule)
class RuleAdmin(ReadOnlyAdmin):
    """Shown for reference: a rule's numbers change only on the rules page, proposed by one member of
    staff and approved by a second within the legal limit (``trading.services.rules``). Rows are
    never deleted: a lot whose rule is gone could not compute its deadlines."""

    list_display = ("market", "procedure", "code", "sense", "amount", "denominator", "unit", "odd_only",
                    "legal_amount", "source", "updated_at")
    list_filter = ("market", "code", "unit")

    def _note(self):
        return format_html('{} <a href="{}">{}</a>', gettext("Numbers change on the rules page, where a second "
                                                             "person approves them within the legal limit:"),
                           reverse("rules"), gettext("the rule table"))

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": ("market", "procedure", "code", "sense", "amount", "denominator", "unit",
                                   "odd_only", "legal_amount", "source", "updated_at", "updated_by"),
                        "description": self._note()})]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": self._note()})


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
