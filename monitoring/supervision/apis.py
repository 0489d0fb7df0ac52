"""Thin REST views of the alerts (included under ``/api/v1/``): staff and regulators read them;
regulators acknowledge (the service refuses anyone else, on the record)."""
from datetime import UTC, datetime, time

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.supervision.models import Alert
from monitoring.supervision.rules import RULES
from monitoring.supervision.selectors import alert_get, alert_list
from monitoring.supervision.services import AlertError, alert_acknowledge, alert_is_event
from trading.models import Market
from trading.permissions import IsStaffOrRegulator
from trading.serializers import ErrorSerializer
from trading.text import TEXT_MAX
from trading.workdays import CHINA, day_end

STATES = [*Alert.State.values, "unresolved"]


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


class AlertSerializer(serializers.ModelSerializer):
    rule_label = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    kind = serializers.SerializerMethodField(help_text="time (a step's limit) or event (an audit event)")
    lot_code = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = ["id", "rule", "rule_label", "source", "kind", "subject", "lot", "lot_code", "market", "level",
                  "state", "data", "due_at", "raised_at", "escalated_at", "acknowledged_by", "acknowledged_at",
                  "acknowledgement", "resolved_by", "resolved_at"]

    def get_rule_label(self, alert) -> str:
        rule = RULES.get(alert.rule)
        return str(rule.label) if rule else alert.rule

    def get_source(self, alert) -> str:
        rule = RULES.get(alert.rule)
        return str(rule.source) if rule else ""

    def get_kind(self, alert) -> str:
        return "event" if alert_is_event(alert) else "time"

    def get_lot_code(self, alert) -> str:
        return alert.lot.code if alert.lot else ""


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantField(serializers.Field):
    """An ISO 8601 date-time (a naive one is China time), or a date: its day in China, from 00:00
    (``end_of_day``: to 24:00)."""

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        text = value.strip() if isinstance(value, str) else ""
        try:
            day = parse_date(text) if len(text) == 10 else None  # parse_datetime takes a bare date as 00:00
            instant = None if day else parse_datetime(text)
        except ValueError:  # well-formed but no such day or time
            day = instant = None
        if day is not None:
            return day_end(day) if self.end_of_day else datetime.combine(day, time.min, tzinfo=CHINA)
        if instant is None:
            raise serializers.ValidationError(_("Give an ISO 8601 date or date-time."))
        instant = instant if instant.tzinfo else instant.replace(tzinfo=CHINA)
        try:  # in UTC: PostgreSQL takes no offset beyond 15:59 (Python takes up to 23:59)
            return instant.astimezone(UTC)
        except OverflowError:  # the first or last day a datetime can hold, moved past it
            raise serializers.ValidationError(_("Give an ISO 8601 date or date-time.")) from None

    def to_representation(self, value):
        return value.isoformat()


class AlertFilterSerializer(serializers.Serializer):
    market = serializers.CharField(required=False, default="")
    level = serializers.ChoiceField(choices=Alert.Level.values, required=False, default="")
    state = serializers.ChoiceField(choices=STATES, required=False, default="")
    since = InstantField(required=False, default=None)
    until = InstantField(required=False, default=None, end_of_day=True)

    def validate_market(self, value):
        if value and not Market.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("There is no such market."))
        return value


class AcknowledgeSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=TEXT_MAX, help_text="What the regulator found or did.")


class AlertListApi(GenericAPIView):
    serializer_class = AlertSerializer
    permission_classes = [IsStaffOrRegulator]

    @extend_schema(
        parameters=[OpenApiParameter("market", str, description="A market's code."),
                    OpenApiParameter("level", str, enum=Alert.Level.values),
                    OpenApiParameter("state", str, enum=STATES, description="unresolved: open or acknowledged"),
                    OpenApiParameter("since", OpenApiTypes.DATETIME,
                                     description="Raised at or after (a date: from 00:00 China time)."),
                    OpenApiParameter("until", OpenApiTypes.DATETIME,
                                     description="Raised before (a date: to the end of that day, China time).")],
        responses={200: AlertSerializer(many=True), **_errors(400, 401, 403)},
        summary="Alerts of electronic supervision, newest first (staff and regulators)")
    def get(self, request):
        filters = AlertFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(alert_list(**filters.validated_data))
        return self.get_paginated_response(AlertSerializer(page, many=True).data)


class AlertDetailApi(APIView):
    permission_classes = [IsStaffOrRegulator]

    @extend_schema(responses={200: AlertSerializer, **_errors(401, 403, 404)},
                   summary="One alert (staff and regulators)")
    def get(self, request, alert_id: int):
        alert = alert_get(alert_id=alert_id)
        if alert is None:
            raise AlertError("alert_not_found", _("There is no such alert."), status=404)
        return Response(AlertSerializer(alert).data)


class AlertAcknowledgeApi(APIView):
    # Anyone signed in reaches the service, which refuses everyone but regulators and records it.
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=AcknowledgeSerializer, responses={200: AlertSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Acknowledge an alert with a comment (regulators)")
    def post(self, request, alert_id: int):
        data = AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert_acknowledge(alert_id=alert_id, user=request.user, comment=data.validated_data["comment"])
        return Response(AlertSerializer(alert_get(alert_id=alert_id)).data)
