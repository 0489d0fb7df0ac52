"""Thin REST views of the platform's availability (docs/availability.md): the record of outages and
the parts' state for staff and regulators; declared incidents, public, declared and changed by staff
(``trading.services.availability``, which refuses and records anyone else); the unavailability in a
stretch of time; and each lot's deadline extensions, public."""
from datetime import UTC, datetime

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from trading.errors import TradingError
from trading.models import DeadlineExtension, Outage, Part, PartState
from trading.permissions import IsStaffOrRegulator
from trading.selectors import lot_get_public
from trading.selectors_availability import (
    incident_get,
    incident_list_public,
    lot_extensions,
    outage_list,
    parts_state,
    unavailability_between,
)
from trading.serializers import ErrorSerializer
from trading.services.availability import REASON_MAX, incident_change, incident_declare

TAG = "availability"
SOURCES = "probe (found by the probe) or declared (an incident staff declared)"
PARTS = "database, redis, storage, sweeps or platform (the whole platform)"


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


class OutageSerializer(serializers.ModelSerializer):
    """An outage or incident; ``ended_at`` null while it goes on; ``duration_seconds`` so far."""

    source = serializers.CharField(help_text=SOURCES)
    part = serializers.CharField(help_text=PARTS)
    duration_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Outage
        fields = ["id", "source", "part", "started_at", "ended_at", "duration_seconds", "reason", "failures",
                  "declared_by", "declared_at", "changed_by", "changed_at"]

    def get_duration_seconds(self, outage) -> int:
        return int(outage.duration.total_seconds())


class IncidentSerializer(OutageSerializer):
    """A declared incident as the public reads it: who declared it is the centre."""

    class Meta(OutageSerializer.Meta):
        fields = ["id", "part", "started_at", "ended_at", "duration_seconds", "reason", "declared_at", "changed_at"]


class PartStateSerializer(serializers.ModelSerializer):
    part = serializers.CharField(help_text=PARTS)

    class Meta:
        model = PartState
        fields = ["part", "failures", "failing_since", "last_error", "last_checked_at", "last_ok_at"]


class ExtensionSerializer(serializers.ModelSerializer):
    outages = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = DeadlineExtension
        fields = ["id", "lot", "old_deadline", "new_deadline", "extended_at", "counted_from", "counted_until",
                  "unavailable_seconds", "tolerance_minutes", "period_minutes", "extension_minutes", "outages"]


class IncidentDeclareSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField(help_text="ISO 8601; without an offset, China time.")
    ended_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                         help_text="Empty while the incident goes on.")
    part = serializers.ChoiceField(choices=Part.values, default=Part.PLATFORM, help_text=PARTS)
    reason = serializers.CharField(max_length=REASON_MAX)


class IncidentChangeSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField(required=False)
    ended_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Null: it goes on.")
    reason = serializers.CharField(required=False, max_length=REASON_MAX)
    why = serializers.CharField(max_length=REASON_MAX, help_text="Why it changes; on the record.")


class UnavailabilitySerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    unavailable_seconds = serializers.IntegerField()
    outages = OutageSerializer(many=True)


class OutageListApi(ListAPIView):
    """Every outage the probe found and every incident staff declared, the latest first."""

    serializer_class = OutageSerializer
    permission_classes = [IsStaffOrRegulator]

    def get_queryset(self):
        source = self.request.query_params.get("source", "")
        return outage_list(source=source if source in Outage.Source.values else "")

    @extend_schema(tags=[TAG], parameters=[OpenApiParameter("source", str, description=SOURCES)],
                   responses={200: OutageSerializer(many=True), **_errors(401, 403)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PartStateApi(APIView):
    permission_classes = [IsStaffOrRegulator]

    @extend_schema(tags=[TAG], responses={200: PartStateSerializer(many=True), **_errors(401, 403)})
    def get(self, request):
        """What the probe last found of each part."""
        return Response(PartStateSerializer(parts_state(), many=True).data)


class IncidentListApi(ListAPIView):
    """Declared incidents, public; staff declare one with a POST."""

    serializer_class = IncidentSerializer

    def get_permissions(self):
        return [permissions.AllowAny()] if self.request.method == "GET" else [permissions.IsAuthenticated()]

    def get_queryset(self):
        return incident_list_public()

    @extend_schema(tags=[TAG], responses={200: IncidentSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=[TAG], request=IncidentDeclareSerializer,
                   responses={201: OutageSerializer, **_errors(400, 401, 403)})
    def post(self, request):
        data = IncidentDeclareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = incident_declare(person=request.user, **data.validated_data)
        return Response(OutageSerializer(incident).data, status=201)


class IncidentDetailApi(APIView):
    def get_permissions(self):
        return [permissions.AllowAny()] if self.request.method == "GET" else [permissions.IsAuthenticated()]

    @extend_schema(tags=[TAG], responses={200: IncidentSerializer, **_errors(404)})
    def get(self, request, incident_id: int):
        incident = incident_get(incident_id=incident_id)
        if incident is None:
            raise Http404
        return Response(IncidentSerializer(incident).data)

    @extend_schema(tags=[TAG], request=IncidentChangeSerializer,
                   responses={200: OutageSerializer, **_errors(400, 401, 403, 404)})
    def patch(self, request, incident_id: int):
        """Correct or close (``ended_at``) an incident; ``why`` goes on the record."""
        data = IncidentChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = incident_change(person=request.user, incident_id=incident_id, **data.validated_data)
        return Response(OutageSerializer(incident).data)


# The years a stretch may span: before 1901 Beijing's offset was local mean time (+08:05:43), which
# no RFC 3339 date-time can carry, and the platform has no record from before 2000 anyway.
STRETCH_FROM = datetime(2000, 1, 1, tzinfo=UTC)
STRETCH_UNTIL = datetime(2100, 1, 1, tzinfo=UTC)


class UnavailabilityApi(APIView):
    permission_classes = [IsStaffOrRegulator]

    @extend_schema(tags=[TAG], parameters=[
        OpenApiParameter("start", OpenApiTypes.DATETIME, required=True),
        OpenApiParameter("end", OpenApiTypes.DATETIME, required=True)],
        responses={200: UnavailabilitySerializer, **_errors(400, 401, 403)})
    def get(self, request):
        """How long the platform was unavailable in [start, end) (the union of every outage and
        incident, up to now), and which outages made it so."""
        field = serializers.DateTimeField()
        try:
            start = field.to_internal_value(request.query_params.get("start", ""))
            end = field.to_internal_value(request.query_params.get("end", ""))
        except serializers.ValidationError:
            start = end = None
        if start is None or end <= start or not (STRETCH_FROM <= start and end <= STRETCH_UNTIL):
            raise TradingError("stretch_invalid", _("Give start and end as ISO 8601 date-times between the years "
                                                    "2000 and 2100, the end after the start."))
        found = unavailability_between(start=start, end=end)
        return Response(UnavailabilitySerializer({"start": start, "end": end, "outages": found.outages,
                                                  "unavailable_seconds": int(found.total.total_seconds())}).data)


class LotExtensionsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(tags=[TAG], responses={200: ExtensionSerializer(many=True), **_errors(404)})
    def get(self, request, lot_id: int):
        """A public lot's bid deadline extensions under the outage rule, oldest first."""
        lot = lot_get_public(lot_id=lot_id)
        if lot is None:
            raise Http404
        return Response(ExtensionSerializer(lot_extensions(lot=lot), many=True).data)
