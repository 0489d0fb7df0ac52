"""Evaluation and award through the API: input shapes, and what each reader may see."""
from rest_framework import serializers

from bidding.evaluation.models import (
    AwardProposal,
    Candidate,
    CandidateObjection,
    Contract,
    Evaluation,
    Notice,
    PanelMember,
    ScoreSheet,
)
from bidding.sealed.models import Bid


class ItemSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    max = serializers.DecimalField(max_digits=5, decimal_places=2)


class EvaluationCreateSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=Evaluation.Method.choices)
    category = serializers.ChoiceField(choices=Evaluation.Category.choices)
    panel_size = serializers.IntegerField(min_value=1, max_value=99)
    representatives = serializers.IntegerField(min_value=0, max_value=99, default=0)
    items = ItemSerializer(many=True, required=False, default=list)
    price_weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default=0)
    price_formula = serializers.ChoiceField(choices=Evaluation.PriceFormula.choices, required=False, default="")
    trim_outliers = serializers.BooleanField(default=False)
    above_deduction = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default="1")
    below_deduction = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default="0.5")

    def validate_items(self, items):
        return [{"code": i["code"], "name": i["name"], "max": str(i["max"])} for i in items]


class MemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.__str__")
    specialty = serializers.CharField(source="draw.specialty_id", default=None)
    sheet_submitted = serializers.SerializerMethodField()

    class Meta:
        model = PanelMember
        fields = ["id", "name", "kind", "status", "specialty", "answered_at", "reason", "sheet_submitted"]

    def get_sheet_submitted(self, member) -> bool:
        try:
            return member.sheet.submitted_at is not None
        except ScoreSheet.DoesNotExist:
            return False


class EvaluationSerializer(serializers.ModelSerializer):
    members = MemberSerializer(many=True)

    class Meta:
        model = Evaluation
        fields = ["id", "lot", "status", "method", "category", "panel_size", "representatives", "items",
                  "price_weight", "price_formula", "trim_outliers", "created_at", "reported_at", "members"]


class DrawSerializer(serializers.Serializer):
    specialties = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=99))


class RepresentativeSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()


class SeatAnswerSerializer(serializers.Serializer):
    no_conflict = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class SeatDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class EvaluatedBidSerializer(serializers.ModelSerializer):
    """What a seated member judges: the opened bid's declared price form and its files."""

    bidder = serializers.CharField(source="organisation.name")
    bidder_uscc = serializers.CharField(source="organisation.uscc")
    price = serializers.DecimalField(source="opening.price", max_digits=16, decimal_places=2)
    period_days = serializers.IntegerField(source="opening.period_days")
    items = serializers.JSONField(source="opening.items")
    files = serializers.JSONField(source="opening.files")

    class Meta:
        model = Bid
        fields = ["id", "receipt_id", "bidder", "bidder_uscc", "price", "period_days", "items", "files", "received_at"]


class SheetSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoreSheet
        fields = ["entries", "submitted_at"]


class SheetSubmitSerializer(serializers.Serializer):
    entries = serializers.JSONField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CandidateSerializer(serializers.ModelSerializer):
    bidder = serializers.CharField(source="organisation.name")
    bidder_uscc = serializers.CharField(source="organisation.uscc")

    class Meta:
        model = Candidate
        fields = ["rank", "bidder", "bidder_uscc", "price", "technical", "price_score", "total"]


class AwardSerializer(serializers.ModelSerializer):
    winner = serializers.CharField(source="candidate.organisation.name")
    winner_uscc = serializers.CharField(source="candidate.organisation.uscc")
    price = serializers.DecimalField(source="candidate.price", max_digits=16, decimal_places=2)
    contract_due_at = serializers.DateTimeField(source="contract.due_at")
    contract_signed_on = serializers.DateField(source="contract.signed_on")

    class Meta:
        model = AwardProposal
        fields = ["winner", "winner_uscc", "price", "reviewed_at", "contract_due_at", "contract_signed_on"]


class ResultSerializer(serializers.Serializer):
    method = serializers.CharField()
    reported_at = serializers.DateTimeField(allow_null=True)
    publicity_end = serializers.DateTimeField(allow_null=True)
    candidates = CandidateSerializer(many=True)
    award = AwardSerializer(allow_null=True)
    panel = serializers.ListField(child=serializers.CharField())


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class CandidateObjectionReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=5000)


class CandidateObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CandidateObjection
        fields = ["id", "lot", "text", "filed_at", "reply_due_at", "reply", "replied_at"]


class ProposalSerializer(serializers.ModelSerializer):
    lot_code = serializers.CharField(source="lot.code")
    lot_title = serializers.CharField(source="lot.title")
    candidate = CandidateSerializer()

    class Meta:
        model = AwardProposal
        fields = ["id", "lot", "lot_code", "lot_title", "status", "candidate", "note", "proposed_at", "reviewed_at",
                  "review_reasons"]


class ProposalNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reasons = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=["declined", "not_signed", "disqualified"])
    retender = serializers.BooleanField(default=False)
    detail = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contract
        fields = ["due_at", "signed_on", "amount", "reference", "recorded_at"]


class ContractRecordSerializer(serializers.Serializer):
    signed_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    reference = serializers.CharField(max_length=100)


class ResultNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notice
        fields = ["id", "kind", "issued_at", "document"]
