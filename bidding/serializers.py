from rest_framework import serializers

from bidding.models import Auction, Bid


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


class OpeningResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    at = serializers.DateTimeField()
    answer = serializers.CharField()


class AuctionCreateSerializer(serializers.Serializer):
    """English: ``increment``, ``free_minutes``, optional ``reserve_price``. Descending: ``floor_price``,
    ``decrement``, ``step_seconds``. The service says what is missing."""
    method = serializers.ChoiceField(choices=Auction.Method.choices, default=Auction.Method.ENGLISH)
    starting_price = serializers.DecimalField(max_digits=16, decimal_places=2)
    starts_at = serializers.DateTimeField()
    increment = serializers.DecimalField(max_digits=16, decimal_places=2, required=False)
    reserve_price = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    free_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, default=0)
    floor_price = serializers.DecimalField(max_digits=16, decimal_places=2, required=False)
    decrement = serializers.DecimalField(max_digits=16, decimal_places=2, required=False)
    step_seconds = serializers.IntegerField(min_value=1, max_value=24 * 3600, required=False)


class AuctionBidLadderSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    bidder = serializers.IntegerField(source="bidder.number")
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    at = serializers.DateTimeField()


class AuctionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lot = serializers.IntegerField(source="lot_id")
    method = serializers.CharField()
    status = serializers.CharField()
    starting_price = serializers.DecimalField(max_digits=16, decimal_places=2)
    increment = serializers.DecimalField(max_digits=16, decimal_places=2)
    starts_at = serializers.DateTimeField()
    free_until = serializers.DateTimeField()
    countdown_seconds = serializers.IntegerField()
    current_price = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    leader_number = serializers.IntegerField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    floor_price = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    decrement = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    step_seconds = serializers.IntegerField(allow_null=True)
    ladder = AuctionBidLadderSerializer(many=True)


class AuctionBidSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class AuctionBidAnswerSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=16, decimal_places=2)
    position = serializers.IntegerField()
    bidder_number = serializers.IntegerField()
    ends_at = serializers.DateTimeField(allow_null=True)
