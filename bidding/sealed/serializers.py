""""""
from rest_framework import serializers

from bidding.sealed.models import Bid


class PublishSealedSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    custodian_ids = serializers.ListField(child=serializers.IntegerField(), min_length=2)
    threshold = serializers.IntegerField(min_value=2, required=False)


class OpeningKeySerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    public_key = serializers.CharField(help_text="Uncompressed P-256 point, base64url without padding")
    public_key_pem = serializers.CharField()
    threshold = serializers.IntegerField()
    custodians = serializers.IntegerField(help_text="n: how many shares exist")


class BidSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bid
        fields = ["id", "lot", "status", "envelope_sha256", "envelope_size", "received_at", "receipt_id",
                  "replaces", "closed_at", "receipt"]
        read_only_fields = fields


class CustodianKeyCreateSerializer(serializers.Serializer):
    passphrase = serializers.CharField(min_length=12, style={"input_type": "password"})


class CustodianKeySerializer(serializers.Serializer):
    public_key_pem = serializers.CharField()
    created_at = serializers.DateTimeField()


class PassphraseSerializer(serializers.Serializer):
    passphrase = serializers.CharField(style={"input_type": "password"})


class ObjectionSerializer(serializers.Serializer):
    text = serializers.CharField()


class ConfirmSerializer(serializers.Serializer):
    signature = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                      help_text="With a bidder key: the ECDSA P-256 signature (r ‖ s, base64url) of "
                                                "the confirmation document of the record's SHA-256 "
                                                "(docs/opening-hall.md)")


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()


class OpeningSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lot = serializers.IntegerField(source="lot_id")
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    presented = serializers.IntegerField()
    threshold = serializers.IntegerField()
    record_published_at = serializers.DateTimeField(allow_null=True)
    responses_until = serializers.DateTimeField(allow_null=True)
    record = serializers.JSONField(allow_null=True)
    record_sha256 = serializers.CharField(allow_null=True, required=False,
                                          help_text="What a confirming bidder signs (docs/opening-hall.md)")


class OpeningResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    at = serializers.DateTimeField()
    answer = serializers.CharField()
