"""Thin REST views of the archive register (included under ``/api/v1/``): staff and regulators list
the sealed archives and download one."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.views import APIView

from monitoring.archive.models import LotArchive
from monitoring.archive.selectors import OUTCOMES, archive_get, archive_list
from monitoring.archive.views import download_response
from trading.errors import PlatformError
from trading.models import Market
from trading.permissions import IsStaffOrRegulator
from trading.serializers import ErrorSerializer

OUTCOME_VALUES = [str(outcome) for outcome in OUTCOMES]


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


class ArchiveSerializer(serializers.ModelSerializer):
    lot_code = serializers.SerializerMethodField()
    lot_title = serializers.SerializerMethodField()
    market = serializers.SerializerMethodField()
    outcome = serializers.CharField(help_text="The lot's status when it ended: " + ", ".join(OUTCOME_VALUES))
    download = serializers.SerializerMethodField(help_text="Where the archive (a ZIP file) is downloaded.")

    class Meta:
        model = LotArchive
        fields = ["id", "lot", "lot_code", "lot_title", "market", "outcome", "sealed_at", "retain_until", "files",
                  "size", "sha256", "download"]

    def get_lot_code(self, archive) -> str:
        return archive.lot.code

    def get_lot_title(self, archive) -> str:
        return archive.lot.display_title

    def get_market(self, archive) -> str:
        return archive.lot.project.market_id

    def get_download(self, archive) -> str:
        path = reverse("api-archive-download", args=[archive.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ArchiveFilterSerializer(serializers.Serializer):
    market = serializers.CharField(required=False, default="")
    outcome = serializers.ChoiceField(choices=OUTCOME_VALUES, required=False, default="")
    year = serializers.IntegerField(required=False, default=None, min_value=2000, max_value=9998)

    def validate_market(self, value):
        if value and not Market.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("There is no such market."))
        return value


class ArchiveListApi(GenericAPIView):
    serializer_class = ArchiveSerializer
    permission_classes = [IsStaffOrRegulator]

    @extend_schema(
        parameters=[OpenApiParameter("market", str, description="A market's code."),
                    OpenApiParameter("outcome", str, enum=OUTCOME_VALUES, description="How the lot ended."),
                    OpenApiParameter("year", int, description="The year (Beijing time) the archive was sealed.")],
        responses={200: ArchiveSerializer(many=True), **_errors(400, 401, 403)},
        summary="The archive register: each finished lot's sealed archive, newest first (staff and regulators)")
    def get(self, request):
        filters = ArchiveFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(archive_list(**filters.validated_data))
        return self.get_paginated_response(ArchiveSerializer(page, many=True, context={"request": request}).data)


class ArchiveDownloadApi(APIView):
    permission_classes = [IsStaffOrRegulator]

    def perform_content_negotiation(self, request, force=False):
        # The archive is a ZIP file whatever the client accepts; a refusal is JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={(200, "application/zip"): OpenApiResponse(
            OpenApiTypes.BINARY, description="The archive; check it offline with "
                                             "`python -m bidding.verify archive FILE --key platform-key.pem`."),
            **_errors(401, 403, 404)},
        summary="Download one archive (staff and regulators)")
    def get(self, request, archive_id: int):
        archive = archive_get(archive_id=archive_id)
        if archive is None:
            raise PlatformError("archive_not_found", _("There is no such archive."), status=404)
        return download_response(archive)
