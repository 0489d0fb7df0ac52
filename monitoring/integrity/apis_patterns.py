"""Thin REST views of the patterns across lots (included under ``/api/v1/``): regulators read the
latest analysis and its findings, and refer a finding for an inquiry (the service refuses anyone
else, on the record)."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.integrity.models import Finding, PatternRun
from monitoring.integrity.patterns import PATTERNS
from monitoring.integrity.selectors_patterns import finding_get, finding_list, run_latest
from monitoring.integrity.services_patterns import PatternError, finding_refer
from monitoring.integrity.views_patterns import pattern_label
from trading.permissions import IsRegulatorRole
from trading.serializers import ErrorSerializer
from trading.text import TEXT_MAX
from trading.workdays import CHINA


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


class RunSerializer(serializers.ModelSerializer):
    thresholds = serializers.JSONField(help_text="The fixed thresholds and the Tukey fences the run used, by pattern.")

    class Meta:
        model = PatternRun
        fields = ["id", "day", "started_at", "finished_at", "lots", "bids", "findings", "thresholds"]


class FindingSerializer(serializers.ModelSerializer):
    pattern_label = serializers.SerializerMethodField()
    tenderee_uscc = serializers.SerializerMethodField()
    organisations = serializers.JSONField(help_text="[{id, uscc, name, role}], the most concerned first.")
    lots = serializers.JSONField(help_text="[{id, code}] in time order.")
    evidence = serializers.JSONField(help_text="The figures, per pattern (docs/integrity_patterns.md).")

    class Meta:
        model = Finding
        fields = ["id", "run", "pattern", "pattern_label", "key", "market", "tenderee", "tenderee_uscc",
                  "organisations", "lots", "evidence", "inquiry", "referred_at"]

    def get_pattern_label(self, finding) -> str:
        return pattern_label(finding.pattern)

    def get_tenderee_uscc(self, finding) -> str:
        return finding.tenderee.uscc if finding.tenderee else ""


class PatternsSerializer(serializers.Serializer):
    run = RunSerializer(allow_null=True)
    findings = FindingSerializer(many=True)


class ReferSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(required=False, allow_null=True, default=None,
                                            help_text="Whom to ask: one of the finding's organisations or its "
                                                      "tenderee; empty for the trading centre.")
    question = serializers.CharField(max_length=TEXT_MAX)
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None, default_timezone=CHINA,
                                       help_text="When the answer is due; empty for the rule table's working days.")


class PatternListApi(APIView):
    permission_classes = [IsRegulatorRole]

    @extend_schema(operation_id="integrity_patterns_latest",
                   parameters=[OpenApiParameter("pattern", str, enum=list(PATTERNS))],
                   responses={200: PatternsSerializer, **_errors(400, 401, 403)},
                   summary="The latest analysis of patterns across lots and its findings (regulators)")
    def get(self, request):
        pattern = request.query_params.get("pattern", "")
        if pattern and pattern not in PATTERNS:
            raise PatternError("pattern_unknown", _("There is no such pattern."),
                               fields={"pattern": [str(_("Choose one of: %(p)s.") % {"p": ", ".join(PATTERNS)})]})
        run = run_latest()
        findings = finding_list(run=run, pattern=pattern) if run else Finding.objects.none()
        return Response({"run": RunSerializer(run).data if run else None,
                         "findings": FindingSerializer(findings, many=True).data})


class FindingApi(APIView):
    permission_classes = [IsRegulatorRole]

    @extend_schema(operation_id="integrity_pattern_retrieve",
                   responses={200: FindingSerializer, **_errors(401, 403, 404)},
                   summary="One finding of the patterns across lots (regulators)")
    def get(self, request, finding_id: int):
        finding = finding_get(finding_id=finding_id)
        if finding is None:
            raise PatternError("finding_not_found", _("There is no such finding."), status=404)
        return Response(FindingSerializer(finding).data)


class FindingReferApi(APIView):
    # Anyone signed in reaches the service, which refuses everyone but regulators and records it.
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ReferSerializer, responses={200: FindingSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Turn a finding into an inquiry to the organisation concerned (regulators)")
    def post(self, request, finding_id: int):
        data = ReferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding_refer(finding_id=finding_id, regulator=request.user, question=data.validated_data["question"],
                      organisation_id=data.validated_data["organisation"], due_at=data.validated_data["due_at"])
        return Response(FindingSerializer(finding_get(finding_id=finding_id)).data)
