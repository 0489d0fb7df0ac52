"""Thin REST views of the rule table: public reads, and proposals and decisions by the centre's staff
(``trading.services.rules``, which refuses and records anyone else)."""
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from trading.models import Role, Rule, RuleChange
from trading.permissions import holds_role
from trading.selectors_calendar import rule_as_seeded, rule_changes_decided, rule_get_by_id, rule_list, rule_pending
from trading.serializers import ErrorSerializer
from trading.services.rules import REASON_MAX, rule_change_decide, rule_change_propose

TAG = "rules"


class RuleChangeSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text="proposed, approved or refused")

    class Meta:
        model = RuleChange
        fields = ["id", "rule", "amount", "denominator", "odd_only", "previous_amount", "previous_denominator",
                  "previous_odd_only", "reason", "status", "proposed_by", "proposed_at", "decided_by", "decided_at",
                  "decision_reason"]


class RuleSerializer(serializers.ModelSerializer):
    """A rule with the limit the law sets (``legal_limit``, e.g. "at least 20 calendar days"; empty
    for the platform's own rules) and whether the law wants an odd number."""

    market = serializers.CharField(source="market_id")
    procedure = serializers.CharField(source="procedure.code", allow_null=True, default=None)
    code = serializers.CharField()
    name = serializers.CharField(source="get_code_display")
    unit = serializers.CharField(help_text="calendar_days, working_days, minutes, percent, fraction or count")
    sense = serializers.CharField(help_text="min (at least) or max (at most)")
    legal_limit = serializers.SerializerMethodField()
    legal_odd_only = serializers.SerializerMethodField()

    class Meta:
        model = Rule
        fields = ["id", "market", "procedure", "code", "name", "amount", "denominator", "unit", "sense", "odd_only",
                  "legal_limit", "legal_odd_only", "source", "updated_at"]

    def get_legal_limit(self, rule) -> str:
        return rule_as_seeded(rule=rule).legal_text

    def get_legal_odd_only(self, rule) -> bool:
        law = rule_as_seeded(rule=rule)
        return law.legal_amount is not None and law.odd_only


class RuleDetailSerializer(RuleSerializer):
    """With the history (approved and refused changes, the latest first) and, for staff, the
    proposal awaiting a second person."""

    history = serializers.SerializerMethodField()
    pending = serializers.SerializerMethodField()

    class Meta(RuleSerializer.Meta):
        fields = RuleSerializer.Meta.fields + ["history", "pending"]

    @extend_schema_field(RuleChangeSerializer(many=True))
    def get_history(self, rule):
        return RuleChangeSerializer(rule_changes_decided(rule=rule), many=True).data

    @extend_schema_field(RuleChangeSerializer(allow_null=True))
    def get_pending(self, rule):
        if not holds_role(self.context["request"].user, Role.STAFF):
            return None
        pending = rule_pending(rule=rule)
        return RuleChangeSerializer(pending).data if pending else None


class RuleProposalSerializer(serializers.Serializer):
    amount = serializers.IntegerField(min_value=1)
    denominator = serializers.IntegerField(min_value=1, default=1, help_text="Only for fractions.")
    odd_only = serializers.BooleanField(required=False, allow_null=True, default=None,
                                        help_text="Only for counts; left out, the rule's own is kept.")
    reason = serializers.CharField(max_length=REASON_MAX)


class RuleDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=REASON_MAX,
                                   help_text="Needed to refuse.")


def _errors(*codes: int) -> dict:
    return {code: ErrorSerializer for code in codes}


class RuleListApi(ListAPIView):
    """The rule table, public (the law's numbers are), optionally of one market."""

    serializer_class = RuleSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        return rule_list(market=self.request.query_params.get("market", ""))

    @extend_schema(tags=[TAG], parameters=[OpenApiParameter("market", str, description="A market's code")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RuleDetailApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(tags=[TAG], responses={200: RuleDetailSerializer, **_errors(404)})
    def get(self, request, rule_id: int):
        rule = rule_get_by_id(rule_id=rule_id)
        if rule is None:
            raise Http404
        return Response(RuleDetailSerializer(rule, context={"request": request}).data)


class RuleProposalApi(APIView):
    """Staff propose new numbers; a second member of staff decides them (``rule-changes/<id>/decision/``)."""

    @extend_schema(tags=[TAG], request=RuleProposalSerializer,
                   responses={201: RuleChangeSerializer, **_errors(400, 401, 403, 404, 409)})
    def post(self, request, rule_id: int):
        data = RuleProposalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = rule_change_propose(rule_id=rule_id, proposer=request.user, **data.validated_data)
        return Response(RuleChangeSerializer(change).data, status=201)


class RuleChangeDecisionApi(APIView):
    @extend_schema(tags=[TAG], request=RuleDecisionSerializer,
                   responses={200: RuleChangeSerializer, **_errors(400, 401, 403, 404, 409)})
    def post(self, request, change_id: int):
        data = RuleDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = rule_change_decide(change_id=change_id, decider=request.user, **data.validated_data)
        return Response(RuleChangeSerializer(change).data)
