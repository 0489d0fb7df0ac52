"""Thin REST views of the red flags (included under ``/api/v1/``): regulators and superusers read
the flags with their evidence, and the checks with the thresholds they used; nobody else."""
from datetime import datetime, time

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.integrity.flags import RULES, RULES_BY_ID, rule_source
from monitoring.integrity.models import Flag, FlagCheck, Stage
from monitoring.integrity.selectors_flags import check_list, flag_get, flag_list, flags_visible_to
from trading.models import Market
from trading.serializers import ErrorSerializer
from trading.workdays import CHINA, day_end

RULE_IDS = [rule.id for rule in RULES]


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


class IsRegulatorOrSuperuser(permissions.BasePermission):
    message = _("Red flags are shown to regulators only.")

    def has_permission(self, request, view):
        return flags_visible_to(request.user)


class FlagSerializer(serializers.ModelSerializer):
    lot_code = serializers.SerializerMethodField()
    market = serializers.SerializerMethodField()
    rule_label = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    evidence = serializers.JSONField(
        help_text='{"values": {...}, "groups": [{"value": ..., "bids": [{"receipt", "bidder" (USCC), "name", '
                  '...}]}]}: which bids, which values (docs/integrity.md)')

    class Meta:
        model = Flag
        fields = ["id", "lot", "lot_code", "market", "stage", "rule", "rule_label", "source", "evidence", "raised_at"]

    def get_lot_code(self, flag) -> str:
        return flag.lot.code

    def get_market(self, flag) -> str:
        return flag.lot.project.market_id

    def get_rule_label(self, flag) -> str:
        rule = RULES_BY_ID.get(flag.rule)
        return str(rule.label) if rule else flag.rule

    def get_source(self, flag) -> str:
        rule = RULES_BY_ID.get(flag.rule)
        return rule_source(rule) if rule else ""


class CheckSerializer(serializers.ModelSerializer):
    lot_code = serializers.SerializerMethodField()
    thresholds = serializers.JSONField(
        help_text='The rule table\'s numbers used: {code: {"amount", "denominator", "unit", "sense"}}')

    class Meta:
        model = FlagCheck
        fields = ["lot", "lot_code", "stage", "checked_at", "flags", "thresholds"]

    def get_lot_code(self, check) -> str:
        return check.lot.code


class FlagFilterSerializer(serializers.Serializer):
    lot = serializers.IntegerField(required=False, default=None, min_value=1, max_value=2**63 - 1)
    rule = serializers.ChoiceField(choices=RULE_IDS, required=False, default="")
    stage = serializers.ChoiceField(choices=Stage.values, required=False, default="")
    market = serializers.CharField(required=False, default="")
    since = serializers.DateField(required=False, default=None)
    until = serializers.DateField(required=False, default=None)

    def validate_market(self, value):
        if value and not Market.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("There is no such market."))
        return value

    def filters(self) -> dict:
        """The selector's arguments: the days as instants (``until`` takes its whole day)."""
        data = dict(self.validated_data)
        since, until = data["since"], data["until"]
        data["since"] = datetime.combine(since, time.min, tzinfo=CHINA) if since else None
        data["until"] = day_end(until) if until else None
        return data


FILTERS = [
    OpenApiParameter("lot", int, description="A lot's id."),
    OpenApiParameter("rule", str, enum=RULE_IDS),
    OpenApiParameter("stage", str, enum=Stage.values),
    OpenApiParameter("market", str, description="A market's code."),
    OpenApiParameter("since", OpenApiTypes.DATE, description="Raised on or after this day (China time)."),
    OpenApiParameter("until", OpenApiTypes.DATE, description="Raised on or before this day (China time)."),
]


class FlagListApi(GenericAPIView):
    serializer_class = FlagSerializer
    permission_classes = [IsRegulatorOrSuperuser]

    @extend_schema(parameters=FILTERS, responses={200: FlagSerializer(many=True), **_errors(400, 401, 403)},
                   summary="Red flags with their evidence, newest first (regulators)")
    def get(self, request):
        filters = FlagFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(flag_list(**filters.filters()))
        return self.get_paginated_response(FlagSerializer(page, many=True).data)


class FlagDetailApi(APIView):
    permission_classes = [IsRegulatorOrSuperuser]

    @extend_schema(responses={200: FlagSerializer, **_errors(401, 403, 404)}, summary="One red flag (regulators)")
    def get(self, request, flag_id: int):
        flag = flag_get(flag_id=flag_id)
        if flag is None:
            raise NotFound(_("There is no such red flag."))
        return Response(FlagSerializer(flag).data)


class CheckListApi(GenericAPIView):
    serializer_class = CheckSerializer
    permission_classes = [IsRegulatorOrSuperuser]

    @extend_schema(parameters=[OpenApiParameter("lot", int, description="A lot's id.")],
                   responses={200: CheckSerializer(many=True), **_errors(400, 401, 403)},
                   summary="Which lots were checked, at which stage, with which thresholds (regulators)")
    def get(self, request):
        filters = FlagFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(check_list(lot=filters.validated_data["lot"]))
        return self.get_paginated_response(CheckSerializer(page, many=True).data)
