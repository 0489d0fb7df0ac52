from rest_framework import serializers

from trading.models import Announcement, Lot, Market, Organisation, Procedure
from trading.services.announcements import KIND_REQUIRES_STATUS


class LotSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    project = serializers.CharField(source="project.code", read_only=True)
    project_title = serializers.CharField(source="project.title", read_only=True)
    market = serializers.CharField(source="project.market_id", read_only=True)
    procedure = serializers.CharField(source="project.procedure.code", read_only=True)
    procedure_kind = serializers.CharField(source="project.procedure.kind", read_only=True)

    class Meta:
        model = Lot
        fields = ["id", "code", "project", "project_title", "market", "procedure", "procedure_kind", "number",
                  "title", "status", "currency", "estimate", "deposit", "appraised_value", "documents_from",
                  "documents_until",
                  "bidding_opens_at", "bid_deadline", "listing_start", "listing_end", "publicity_end"]
        read_only_fields = fields


class AnnouncementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Announcement
        fields = ["id", "lot", "kind", "title", "body", "schedule", "supersedes", "published_at"]
        read_only_fields = fields


class ProjectCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=200)
    market = serializers.SlugRelatedField(slug_field="code", queryset=Market.objects.all())
    procedure = serializers.CharField(max_length=40)
    tenderee = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    region = serializers.CharField(max_length=40, required=False)
    investment = serializers.DecimalField(max_digits=16, decimal_places=2, required=False)

    def validate(self, data):
        procedure = Procedure.objects.filter(market=data["market"], code=data["procedure"]).first()
        if procedure is None:
            raise serializers.ValidationError({"procedure": "unknown procedure for this market"}, code="invalid")
        return {**data, "procedure": procedure}


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


class LotWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    estimate = serializers.DecimalField(max_digits=16, decimal_places=2)
    deposit = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    appraised_value = serializers.DecimalField(max_digits=16, decimal_places=2, required=False)
    documents_from = serializers.DateTimeField(required=False)
    documents_until = serializers.DateTimeField(required=False)
    bidding_opens_at = serializers.DateTimeField(required=False)
    bid_deadline = serializers.DateTimeField(required=False)
    listing_start = serializers.DateTimeField(required=False)
    listing_end = serializers.DateTimeField(required=False)


class LotUpdateSerializer(LotWriteSerializer):
    title = serializers.CharField(max_length=200, required=False)
    estimate = serializers.DecimalField(max_digits=16, decimal_places=2, required=False)


class PublishSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()


class NoticeSerializer(PublishSerializer):
    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in KIND_REQUIRES_STATUS])


class AmendSerializer(PublishSerializer):
    bid_deadline = serializers.DateTimeField(required=False)
    documents_until = serializers.DateTimeField(required=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ResumeSerializer(serializers.Serializer):
    bid_deadline = serializers.DateTimeField(required=False)


class TimelineItemSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    label = serializers.CharField()
