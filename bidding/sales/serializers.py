"""Listings, descending-auction acceptance and deal confirmations in the API. Bidders appear by
number only; the reserve only once revealed."""
from rest_framework import serializers

from bidding.sales.models import Auction


class ListingCreateSerializer(serializers.Serializer):
    starting_price = serializers.DecimalField(max_digits=16, decimal_places=2)
    increment = serializers.DecimalField(max_digits=16, decimal_places=2)
    auction_delay_minutes = serializers.IntegerField(min_value=0, max_value=7 * 24 * 60, default=30)
    auction_free_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, default=10)


class ListingQuoteLadderSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    bidder = serializers.IntegerField(source="bidder.number")
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    at = serializers.DateTimeField()


class ListingSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot_id")
    status = serializers.CharField()
    outcome = serializers.CharField()
    starting_price = serializers.DecimalField(max_digits=16, decimal_places=2)
    increment = serializers.DecimalField(max_digits=16, decimal_places=2)
    listing_start = serializers.DateTimeField(source="lot.listing_start")
    listing_end = serializers.DateTimeField(source="lot.listing_end")
    current_price = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    leader_number = serializers.IntegerField(allow_null=True)
    accepted_quotes = serializers.IntegerField()
    reserve_sealed = serializers.BooleanField()
    reserve = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True,
                                       help_text="Only once revealed at the result.")
    auction = serializers.IntegerField(allow_null=True)
    ladder = ListingQuoteLadderSerializer(many=True)


class ListingQuoteSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class ListingQuoteAnswerSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=16, decimal_places=2)
    position = serializers.IntegerField()
    bidder_number = serializers.IntegerField()
    at = serializers.DateTimeField()


class ListingContinueAnswerSerializer(serializers.Serializer):
    bidder_number = serializers.IntegerField(source="number")
    continues_at = serializers.DateTimeField()


class ReserveSealSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    witness_username = serializers.CharField(max_length=150)
    witness_password = serializers.CharField(max_length=200, style={"input_type": "password"})


class ReserveSealedSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot_id")
    envelope_sha256 = serializers.CharField()
    witness = serializers.IntegerField(source="witness_id")
    entered_at = serializers.DateTimeField()


class AuctionAcceptAnswerSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=16, decimal_places=2)
    bidder_number = serializers.IntegerField()


class DealConfirmationSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot_id")
    bidder_number = serializers.IntegerField()
    buyer = serializers.CharField(source="organisation.name")
    price = serializers.DecimalField(max_digits=16, decimal_places=2)
    method = serializers.CharField()
    issued_at = serializers.DateTimeField()
    document = serializers.JSONField(help_text="The signed deal confirmation (verify with the platform's key).")


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
