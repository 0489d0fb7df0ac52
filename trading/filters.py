"""The portal's search filters, defined once: the lot list and the announcement list pages use them,
and the lot list of the API (``DjangoFilterBackend``). Every filter is a GET parameter, so a search is
a URL that can be bookmarked and shared.

The filters of a lot (market, procedure, status, tenderee, region) reach the lot from the filtered
model through ``lot_path`` ("" from a lot, "lot__" from an announcement). Dates are days in China
time (the active time zone), both ends included."""
import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.fields import DateRangeField
from django_filters.widgets import SuffixedMultiWidget

from trading.models import Announcement, Lot, Market, Procedure
from trading.selectors import PUBLIC_STATUSES, lot_code_expression
from trading.selectors_calendar import PUBLICATION_KINDS

STATUS_CHOICES = [(value, label) for value, label in Lot.Status.choices if value in PUBLIC_STATUSES]


def procedure_choices() -> list[tuple[str, str]]:
    """Each procedure code once (open tender is a procedure of several markets), named in the active
    language, in the markets' order."""
    chinese = (get_language() or "zh-hans").startswith("zh")
    choices: dict[str, str] = {}
    for code, name_zh, name_en in Procedure.objects.order_by("market__position", "id").values_list(
            "code", "name_zh", "name_en"):
        choices.setdefault(code, name_zh if chinese else name_en)
    return list(choices.items())


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DayRangeWidget(SuffixedMultiWidget):
    """Two date inputs, ``<name>_from`` and ``<name>_to``."""

    suffixes = ["from", "to"]

    def __init__(self, attrs=None):
        super().__init__((DateInput, DateInput), attrs)

    def decompress(self, value):
        return [value.start, value.stop] if value else [None, None]


class DayRangeField(DateRangeField):
    widget = DayRangeWidget


class DayRangeFilter(django_filters.DateFromToRangeFilter):
    """From the start of one day to the end of another, in the active time zone; either may be left
    out."""

    field_class = DayRangeField


def _between(days: slice) -> dict:
    """``published_at`` lookups for a range of ``DayRangeField`` (either end may be None)."""
    lookups = {}
    if days.start is not None:
        lookups["published_at__gte"] = days.start
    if days.stop is not None:
        lookups["published_at__lte"] = days.stop
    return lookups


class _LotFilters(django_filters.FilterSet):
    lot_path = ""

    q = django_filters.CharFilter(label=_("Keyword"), method="keyword_filter", max_length=100,
                                  help_text=_("Words of the title, or a project's or lot's code."))
    market = django_filters.ModelChoiceFilter(label=_("Market"), queryset=Market.objects.all(), to_field_name="code",
                                              method="market_filter", empty_label=_("All markets"))
    procedure = django_filters.ChoiceFilter(label=_("Procedure"), choices=procedure_choices,
                                            method="procedure_filter", empty_label=_("All procedures"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES, method="status_filter",
                                         empty_label=_("Any status"))
    tenderee = django_filters.CharFilter(label=_("Tenderee or transferor"), method="tenderee_filter", max_length=100)
    region = django_filters.CharFilter(label=_("Region"), method="region_filter", max_length=40)
    published = DayRangeFilter(label=_("Published between"), method="published_filter")

    def _lot(self, queryset: QuerySet, **lookups) -> QuerySet:
        return queryset.filter(**{f"{self.lot_path}{name}": value for name, value in lookups.items()})

    def market_filter(self, queryset: QuerySet, name: str, value: Market) -> QuerySet:
        return self._lot(queryset, project__market=value)

    def procedure_filter(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self._lot(queryset, project__procedure__code=value)

    def status_filter(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self._lot(queryset, status=value)

    def tenderee_filter(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self._lot(queryset, project__tenderee__name__icontains=value.strip())

    def region_filter(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self._lot(queryset, project__region__icontains=value.strip())


class LotFilter(_LotFilters):
    """Lots; a lot's publication is its tender or listing announcement."""

    code = django_filters.CharFilter(label=_("Lot code"), method="code_filter", max_length=60,
                                     help_text=_("As the announcement prints it, e.g. GC2026-001-1."))

    class Meta:
        model = Lot
        fields = ["q", "code", "market", "procedure", "status", "tenderee", "region", "published"]

    def keyword_filter(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.alias(lot_code=lot_code_expression()).filter(
            Q(title__icontains=value) | Q(project__title__icontains=value) | Q(project__code__icontains=value)
            | Q(lot_code__icontains=value))

    def code_filter(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.alias(lot_code=lot_code_expression()).filter(lot_code__iexact=value.strip())

    def published_filter(self, queryset: QuerySet, name: str, value) -> QuerySet:
        announced = Announcement.objects.filter(lot=OuterRef("pk"), kind__in=PUBLICATION_KINDS, **_between(value))
        return queryset.filter(Exists(announced))


class AnnouncementFilter(_LotFilters):
    """Announcements, by their own kind and date and by their lot's particulars."""

    lot_path = "lot__"

    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Announcement.Kind.choices,
                                       empty_label=_("All types"))

    class Meta:
        model = Announcement
        fields = ["q", "market", "kind", "procedure", "status", "tenderee", "region", "published"]

    def keyword_filter(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.alias(lot_code=lot_code_expression("lot__")).filter(
            Q(title__icontains=value) | Q(body__icontains=value) | Q(lot__project__code__icontains=value)
            | Q(lot_code__icontains=value))

    def published_filter(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(**_between(value))
