"""Thin REST views of the staff assessment (included under ``/api/v1/``). Staff and staff managers
read the indicator table; staff managers set the weights and open, enter and finalise assessments
(the services refuse anyone else, with a code); an assessment is shown to its person and its
manager only."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.assessment.errors import AssessmentError
from monitoring.assessment.errors import AssessmentErrorCode as Code
from monitoring.assessment.models import Assessment, Indicator
from monitoring.assessment.selectors import (assessment_get, assessment_visible, assessments_for_user,
                                             breakdown_build, indicator_list)
from monitoring.assessment.services import assessment_finalise, assessment_open, assessment_score, indicator_weights_set
from trading.models import Role
from trading.serializers import ErrorSerializer
from trading.text import TEXT_MAX


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


class IsStaffOrStaffManager(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.is_authenticated and (request.user.has_role(Role.STAFF)
                                                  or request.user.has_role(Role.STAFF_MANAGER))


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["code", "name_zh", "name_en", "source", "dimension", "weight", "veto", "position", "updated_by",
                  "updated_at"]


class WeightsSerializer(serializers.Serializer):
    weights = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2),
        help_text="Indicator code → weight in points of 100 (two decimals at most). Indicators left out keep "
                  "theirs; the weighted indicators must then add up to exactly 100, and the veto carries none.")


class BreakdownItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    source = serializers.CharField(help_text="computed or entered")
    dimension = serializers.CharField(help_text="de, neng, qin or ji (德、能、勤、绩)")
    weight = serializers.CharField(help_text="Points of 100, as a decimal string (the veto: 0)")
    veto = serializers.BooleanField()
    value = serializers.CharField(allow_null=True, help_text="0–100 as a decimal string; null when not entered "
                                                             "and for the veto")
    points = serializers.CharField(allow_null=True, help_text="weight × value ÷ 100, unrounded")
    raw = serializers.DictField(help_text="The figures the value comes from: counts of steps, alerts, complaints, "
                                          "ratings; for entered indicators the note, who entered it and when; for "
                                          "the veto whether it is met")


@extend_schema_field(BreakdownItemSerializer(many=True, allow_null=True))
class BreakdownField(serializers.Field):
    """The stored breakdown of a final assessment; for its manager, the breakdown as it stands of an
    open one; else null."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, assessment):
        if assessment.status == Assessment.Status.FINAL:
            return assessment.breakdown
        preview = self.context.get("preview")
        return preview.items if preview is not None else None


class AssessmentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.__str__", read_only=True)
    manager_name = serializers.CharField(source="manager.__str__", read_only=True)
    breakdown = BreakdownField()

    class Meta:
        model = Assessment
        fields = ["id", "person", "person_name", "manager", "manager_name", "period_start", "period_end", "status",
                  "score", "failed", "breakdown", "created_at", "finalised_at"]


class AssessmentDetailSerializer(AssessmentSerializer):
    missing = serializers.SerializerMethodField(help_text="For the manager of an open assessment: the weighted "
                                                          "indicators still to enter")
    preview_score = serializers.SerializerMethodField(help_text="For the manager of an open assessment: the "
                                                                "result as it stands, once nothing is missing")

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "missing", "preview_score"]

    def get_missing(self, assessment) -> list[str]:
        preview = self.context.get("preview")
        return [indicator.code for indicator in preview.missing] if preview is not None else []

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_preview_score(self, assessment):
        preview = self.context.get("preview")
        return None if preview is None or preview.score is None else str(preview.score)


class OpenSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="The staff member's user id")
    period_start = serializers.DateField(help_text="The period's first day (China time)")
    period_end = serializers.DateField(help_text="The period's last day, included")


class ScoreSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=40, help_text="An entered indicator's code")
    value = serializers.CharField(max_length=20, help_text="0–100 with two decimals at most; for the veto 1 (met) "
                                                           "or 0 (not met)")
    note = serializers.CharField(max_length=TEXT_MAX, help_text="Why: required")


class IndicatorListApi(APIView):
    permission_classes = [IsStaffOrStaffManager]

    @extend_schema(responses={200: IndicatorSerializer(many=True), **_errors(401, 403)},
                   summary="The assessment's indicators with their weights (staff and staff managers)")
    def get(self, request):
        return Response(IndicatorSerializer(indicator_list(), many=True).data)


class WeightsApi(APIView):
    # Anyone signed in reaches the service, which refuses all but staff managers.
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=WeightsSerializer, responses={200: IndicatorSerializer(many=True), **_errors(400, 401, 403)},
                   summary="Set the indicators' weights; they must add up to 100 (staff managers)")
    def post(self, request):
        data = WeightsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        indicators = indicator_weights_set(weights=data.validated_data["weights"], user=request.user)
        return Response(IndicatorSerializer(indicators, many=True).data)


class AssessmentListApi(GenericAPIView):
    serializer_class = AssessmentSerializer
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: AssessmentSerializer(many=True), **_errors(401)},
                   summary="The assessments you may see: your own and those you manage, newest period first")
    def get(self, request):
        page = self.paginate_queryset(assessments_for_user(user=request.user))
        return self.get_paginated_response(AssessmentSerializer(page, many=True).data)

    @extend_schema(request=OpenSerializer, responses={201: AssessmentSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Open the assessment of a staff member for a period (staff managers)")
    def post(self, request):
        data = OpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = assessment_open(person_id=data.validated_data["person"], manager=request.user,
                                     period_start=data.validated_data["period_start"],
                                     period_end=data.validated_data["period_end"])
        return Response(AssessmentSerializer(assessment).data, status=201)


def _visible(request, assessment_id: int) -> Assessment:
    assessment = assessment_get(assessment_id=assessment_id)
    if assessment is None:
        raise AssessmentError(Code.ASSESSMENT_NOT_FOUND, _("There is no such assessment."), status=404)
    if not assessment_visible(user=request.user, assessment=assessment):
        raise AssessmentError(Code.NOT_VISIBLE, _("Only the person assessed and their manager see this assessment."),
                              status=403)
    return assessment


def _detail(request, assessment: Assessment) -> dict:
    managing_open = assessment.status == Assessment.Status.OPEN and assessment.manager_id == request.user.pk
    preview = breakdown_build(assessment=assessment) if managing_open else None
    return AssessmentDetailSerializer(assessment, context={"preview": preview}).data


class AssessmentDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: AssessmentDetailSerializer, **_errors(401, 403, 404)},
                   summary="One assessment with its breakdown (the person assessed and their manager)")
    def get(self, request, assessment_id: int):
        return Response(_detail(request, _visible(request, assessment_id)))


class AssessmentScoreApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ScoreSerializer,
                   responses={200: AssessmentDetailSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Enter a qualitative indicator or the veto, with a note (the assessment's manager)")
    def post(self, request, assessment_id: int):
        data = ScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment_score(assessment_id=assessment_id, user=request.user, indicator_code=data.validated_data["indicator"],
                         value=data.validated_data["value"], note=data.validated_data["note"])
        return Response(_detail(request, assessment_get(assessment_id=assessment_id)))


class AssessmentFinaliseApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={200: AssessmentDetailSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Finalise: the result and its breakdown are fixed (the assessment's manager)")
    def post(self, request, assessment_id: int):
        assessment = assessment_finalise(assessment_id=assessment_id, user=request.user)
        return Response(_detail(request, assessment))
