"""Thin REST views of the statistics (included under ``/api/v1/``): the figures by market or
tenderee type and period with their year-on-year change, open to anyone like the public page; the
lots behind a figure, for regulators; the yearly reports, which anyone reads and staff or regulators
issue (the service refuses anyone else)."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.statistics.errors import StatisticsError, StatisticsErrorCode
from monitoring.statistics.figures import (AMOUNT, AVERAGE, BY_MARKET, BY_SECTOR, COUNT, DAYS, FIGURES,
                                           LOT_FIGURES, RATE, UNSPECIFIED, figure_lots, statistics_rows)
from monitoring.statistics.models import YearlyReport
from monitoring.statistics.periods import FIRST_YEAR, GRANULARITIES, YEAR, PeriodError, current_year, period_parse
from monitoring.statistics.report import LANGUAGES
from monitoring.statistics.selectors import yearly_report_get, yearly_report_list
from monitoring.statistics.services import yearly_report_issue
from trading.models import Market, Organisation
from trading.permissions import IsRegulatorRole
from trading.serializers import ErrorSerializer

SECTORS = [*Organisation.Sector.values, UNSPECIFIED]


def _errors(*statuses: int) -> dict:
    return {code: OpenApiResponse(ErrorSerializer) for code in statuses}


def _figure_field(kind: str, help_text: str) -> serializers.Field:
    if kind == COUNT:
        return serializers.IntegerField(allow_null=True, help_text=help_text)
    places = {AMOUNT: 2, RATE: 4, AVERAGE: 2, DAYS: 1}[kind]
    return serializers.DecimalField(max_digits=20, decimal_places=places, allow_null=True, help_text=help_text)


def _figures_serializer(name: str, *, change: bool) -> type[serializers.Serializer]:
    """A serializer with one field per figure: its value, or (``change``) its year-on-year change
    as a fraction (a rate's in points: 0.0120 is 1.20 percentage points)."""
    fields = {}
    for figure in FIGURES:
        help_text = str(figure.definition)
        fields[figure.key] = (serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True,
                                                       help_text=f"Change on the year before: {help_text}")
                              if change else _figure_field(figure.kind, help_text))
    return type(name, (serializers.Serializer,), fields)


StatisticsFiguresSerializer = _figures_serializer("StatisticsFiguresSerializer", change=False)
StatisticsChangeSerializer = _figures_serializer("StatisticsChangeSerializer", change=True)


class StatisticsRowSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="2026, 2026-Q3 or 2026-07", source="period.key")
    since = serializers.DateTimeField()
    until = serializers.DateTimeField(help_text="Exclusive; now, while the period runs.")
    key = serializers.CharField(help_text="A market's code or a tenderee type; empty for the total.")
    label = serializers.CharField()
    figures = StatisticsFiguresSerializer()
    previous = StatisticsFiguresSerializer(help_text="The same stretch of the year before.")
    change = StatisticsChangeSerializer()


class StatisticsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    granularity = serializers.CharField()
    by = serializers.CharField()
    market = serializers.CharField(allow_null=True)
    sector = serializers.CharField(allow_null=True)
    rows = StatisticsRowSerializer(many=True)


class StatisticsQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=FIRST_YEAR)
    granularity = serializers.ChoiceField(choices=[value for value, _label in GRANULARITIES], required=False,
                                          default=YEAR)
    by = serializers.ChoiceField(choices=[BY_MARKET, BY_SECTOR], required=False, default=BY_MARKET)
    market = serializers.CharField(required=False, default=None)
    sector = serializers.ChoiceField(choices=SECTORS, required=False, default=None)

    def validate_year(self, value):
        if value > current_year():
            raise StatisticsError(StatisticsErrorCode.BAD_YEAR, _("The figures reach this year at most."))
        return value

    def validate_market(self, value):
        if value and not Market.objects.filter(pk=value).exists():
            raise StatisticsError(StatisticsErrorCode.BAD_MARKET, _("There is no such market."))
        return value or None


_QUERY = [OpenApiParameter("year", int, description="Default: this year (to date)."),
          OpenApiParameter("granularity", str, enum=[value for value, _label in GRANULARITIES],
                           description="Periods of the year: year (default), quarter or month."),
          OpenApiParameter("by", str, enum=[BY_MARKET, BY_SECTOR],
                           description="Rows by market (default) or by tenderee type."),
          OpenApiParameter("market", str, description="Only this market (its code)."),
          OpenApiParameter("sector", str, enum=SECTORS, description="Only tenderees of this type.")]


class StatisticsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=_QUERY, responses={200: StatisticsSerializer, **_errors(400)},
                   summary="The centre's figures by market (or tenderee type) and period, with the change on "
                           "the year before (public; docs/statistics.md defines each)")
    def get(self, request):
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = dict(query.validated_data)
        data["year"] = data.get("year") or current_year()
        rows = statistics_rows(**data)
        return Response(StatisticsSerializer({**data, "rows": rows}).data)


class StatisticsLotSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot_id")
    code = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    market = serializers.CharField()
    sector = serializers.CharField()
    outcome = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField()
    estimate = serializers.DecimalField(max_digits=16, decimal_places=2)
    investment = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    deal = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    starting = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    appraised = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    bidders = serializers.IntegerField()

    def get_code(self, fact) -> str:
        return self.context["lots"][fact.lot_id].code

    def get_title(self, fact) -> str:
        return self.context["lots"][fact.lot_id].display_title


class StatisticsLotsSerializer(serializers.Serializer):
    figure = serializers.CharField()
    period = serializers.CharField()
    previous = serializers.BooleanField()
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    value = serializers.CharField(allow_null=True, help_text="The figure computed from these lots.")
    lots = StatisticsLotSerializer(many=True)


class StatisticsLotsQuerySerializer(serializers.Serializer):
    figure = serializers.ChoiceField(choices=LOT_FIGURES)
    period = serializers.CharField(help_text="2026, 2026-Q3 or 2026-07")
    previous = serializers.BooleanField(required=False, default=False)
    by = serializers.ChoiceField(choices=[BY_MARKET, BY_SECTOR], required=False, default=BY_MARKET)
    key = serializers.CharField(required=False, default="", allow_blank=True)
    market = serializers.CharField(required=False, default=None)
    sector = serializers.ChoiceField(choices=SECTORS, required=False, default=None)

    def validate_market(self, value):
        if value and not Market.objects.filter(pk=value).exists():
            raise StatisticsError(StatisticsErrorCode.BAD_MARKET, _("There is no such market."))
        return value or None

    def validate(self, data):
        keys = set(Market.objects.values_list("code", flat=True)) if data["by"] == BY_MARKET else set(SECTORS)
        if data["key"] and data["key"] not in keys:
            raise StatisticsError(StatisticsErrorCode.BAD_FIGURE, _("There is no such market or tenderee type."))
        return data

    def validate_period(self, value):
        try:
            return period_parse(value)
        except PeriodError:
            raise StatisticsError(StatisticsErrorCode.BAD_PERIOD,
                                  _("Not a period: give a year (2026), a quarter (2026-Q3) or a month (2026-07).")
                                  ) from None


class StatisticsLotsApi(APIView):
    permission_classes = [IsRegulatorRole]

    @extend_schema(
        parameters=[OpenApiParameter("figure", str, enum=LOT_FIGURES, required=True),
                    OpenApiParameter("period", str, required=True, description="2026, 2026-Q3 or 2026-07"),
                    OpenApiParameter("previous", bool, description="The same stretch of the year before."),
                    OpenApiParameter("by", str, enum=[BY_MARKET, BY_SECTOR]),
                    OpenApiParameter("key", str, description="The row: a market's code or a tenderee type; "
                                                             "empty for the total."),
                    OpenApiParameter("market", str), OpenApiParameter("sector", str, enum=SECTORS)],
        responses={200: StatisticsLotsSerializer, **_errors(400, 401, 403)},
        summary="The lots behind one figure (regulators)")
    def get(self, request):
        query = StatisticsLotsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        behind = figure_lots(**data)
        lots = {fact.lot_id: lot for fact, lot in behind.lots}
        body = {"figure": behind.figure.key, "period": behind.period.key, "previous": behind.previous,
                "since": behind.since, "until": behind.until,
                "value": None if behind.value is None else str(behind.value),
                "lots": [fact for fact, _lot in behind.lots]}
        return Response(StatisticsLotsSerializer(body, context={"lots": lots}).data)


class YearlyReportSerializer(serializers.ModelSerializer):
    pdf = serializers.SerializerMethodField(help_text="Where to download the signed PDF.")
    signed_document = serializers.JSONField(source="figures", help_text=(
        "The signed document the PDF is drawn from: {document: {v, kind: yearly-report, body}, signature}, "
        "the signature Ed25519 by the platform's key over the document's canonical JSON."))

    class Meta:
        model = YearlyReport
        fields = ["id", "year", "language", "issued_at", "issued_by", "text", "sha256", "signature", "pdf",
                  "signed_document"]

    def get_pdf(self, report) -> str:
        return reverse("statistics-report-pdf", args=[report.pk])


class IssueSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    language = serializers.ChoiceField(choices=LANGUAGES)


class YearlyReportListApi(APIView):
    # Anyone reads; the service refuses issuing to all but staff and regulators, with a 403.
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: YearlyReportSerializer(many=True)},
                   summary="Issued yearly reports, the latest first (public)")
    def get(self, request):
        return Response(YearlyReportSerializer(yearly_report_list(), many=True).data)

    @extend_schema(request=IssueSerializer, responses={201: YearlyReportSerializer, **_errors(400, 401, 403)},
                   summary="Issue the yearly report of a year in a language (staff and regulators)")
    def post(self, request):
        if not request.user.is_authenticated:
            raise StatisticsError(StatisticsErrorCode.NOT_ALLOWED, _("Sign in to issue a report."), status=401)
        data = IssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = yearly_report_issue(user=request.user, **data.validated_data)
        return Response(YearlyReportSerializer(report).data, status=status.HTTP_201_CREATED)


class YearlyReportDetailApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: YearlyReportSerializer, **_errors(404)}, summary="One yearly report (public)")
    def get(self, request, report_id: int):
        report = yearly_report_get(report_id=report_id)
        if report is None:
            raise StatisticsError(StatisticsErrorCode.REPORT_NOT_FOUND, _("There is no such report."), status=404)
        return Response(YearlyReportSerializer(report).data)
