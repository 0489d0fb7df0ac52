"""REST endpoints of the bidders' own keys (docs/bidder-keys.md): register or replace the key of a
registration, read it back (with the wrapped key file, for the bidder's other browsers), and the key
check. Only bidders of the registration's organisation; everyone else gets 403."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bidding.crypto.canonical import CanonicalError, b64url_decode, b64url_encode
from bidding.errors import BiddingError
from bidding.sealed.models import BidderKey
from bidding.sealed.services.bidder_keys import (
    bidder_key_challenge,
    bidder_key_prove,
    bidder_key_register,
    registration_of_bidder,
)
from trading.apis_lots import ERRORS
from trading.permissions import IsBidderRole


class BidderKeyRegisterSerializer(serializers.Serializer):
    key_file = serializers.CharField(required=False, allow_blank=True, max_length=4096, trim_whitespace=False,
                                     help_text="The key file (JSON text) as made by the browser or "
                                               "`python -m bidding.seal keygen`; its public keys are read from it. "
                                               "Stored as given, so the bidder can fetch it in another browser.")
    encryption_public_key = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                                  help_text="Without a key file: the encryption key, uncompressed "
                                                            "P-256 point, base64url without padding")
    signing_public_key = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                               help_text="Without a key file: the signing key, as above")


class BidderKeySerializer(serializers.Serializer):
    registration = serializers.IntegerField()
    lot = serializers.IntegerField()
    fingerprint = serializers.CharField(help_text="SHA-256 of the encryption key's point, base64url")
    encryption_public_key = serializers.CharField()
    signing_public_key = serializers.CharField()
    key_file = serializers.CharField(help_text="The wrapped key file as uploaded (empty if none was)")
    created_at = serializers.DateTimeField()
    last_proved_at = serializers.DateTimeField(allow_null=True)
    failed_proofs = serializers.IntegerField(help_text="Failed key checks since the last success")
    replaced = serializers.BooleanField(required=False)


class BidderKeyChallengeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    challenge = serializers.UUIDField()
    platform = serializers.CharField()
    lot = serializers.CharField()
    bidder = serializers.CharField()
    fingerprint = serializers.CharField(help_text="The key the challenge is sealed to")
    sealed = serializers.CharField(help_text="HPKE enc ‖ ciphertext of the 32-byte challenge, base64url")
    expires_at = serializers.DateTimeField()


class BidderKeyProofSerializer(serializers.Serializer):
    challenge = serializers.UUIDField()
    answer = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                   help_text="The opened challenge, base64url")
    signature = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                      help_text="ECDSA P-256 SHA-256 signature (r ‖ s, 64 bytes) over the "
                                                "proof document, base64url")
    failure = serializers.ChoiceField(choices=["wrong_passphrase", "wrong_key"], required=False,
                                      help_text="Instead of an answer: the bidder's side could not unlock the key "
                                                "file with the passphrase given, or unlocked another key than the "
                                                "registered one (recorded as a failed check)")


def bidder_key_data(key: BidderKey, *, replaced: bool | None = None) -> dict:
    data = {"registration": key.registration_id, "lot": key.registration.lot_id, "fingerprint": key.fingerprint,
            "encryption_public_key": b64url_encode(bytes(key.encryption_public_key)),
            "signing_public_key": b64url_encode(bytes(key.signing_public_key)), "key_file": key.key_file,
            "created_at": key.created_at, "last_proved_at": key.last_proved_at, "failed_proofs": key.failed_proofs}
    if replaced is not None:
        data["replaced"] = replaced
    return data


def _binary(value: str, field: str) -> bytes:
    try:
        return b64url_decode(value)
    except CanonicalError:
        raise BiddingError("bad_proof", _("%(field)s must be base64url without padding.") % {"field": field}) from None


class BidderKeyApi(APIView):
    """The registration's bidder key: read it (GET), register or replace it before the bid deadline (POST)."""

    permission_classes = [IsBidderRole]

    @extend_schema(responses={200: BidderKeySerializer, **ERRORS})
    def get(self, request, registration_id):
        registration = registration_of_bidder(registration_id=registration_id, user=request.user)
        key = BidderKey.objects.select_related("registration").filter(registration=registration).first()
        if key is None:
            raise BiddingError("no_bidder_key", _("No bidder key is registered for this registration yet."), status=404)
        return Response(BidderKeySerializer(bidder_key_data(key)).data)

    @extend_schema(request=BidderKeyRegisterSerializer, responses={201: BidderKeySerializer,
                                                                   200: BidderKeySerializer, **ERRORS})
    def post(self, request, registration_id):
        registration_of_bidder(registration_id=registration_id, user=request.user)  # 403 before reading the body
        data = BidderKeyRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key, replaced = bidder_key_register(registration_id=registration_id, user=request.user, **data.validated_data)
        return Response(BidderKeySerializer(bidder_key_data(key, replaced=replaced)).data,
                        status=200 if replaced else 201)


class BidderKeyChallengeApi(APIView):
    """Start a key check: a challenge sealed to the registered key, to answer within 10 minutes."""

    permission_classes = [IsBidderRole]

    @extend_schema(request=None, responses={201: BidderKeyChallengeSerializer, **ERRORS})
    def post(self, request, registration_id):
        challenge = bidder_key_challenge(registration_id=registration_id, user=request.user)
        return Response(BidderKeyChallengeSerializer(challenge.as_file()).data, status=201)


class BidderKeyProofApi(APIView):
    """Answer a key check: the opened challenge and the signature (or the reported failure)."""

    permission_classes = [IsBidderRole]

    @extend_schema(request=BidderKeyProofSerializer, responses={200: BidderKeySerializer, **ERRORS})
    def post(self, request, registration_id):
        registration_of_bidder(registration_id=registration_id, user=request.user)  # 403 before reading the body
        data = BidderKeyProofSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not values.get("failure") and not (values.get("answer") and values.get("signature")):
            raise BiddingError("bad_proof", _("Send the answer and its signature, or the failure."))
        key = bidder_key_prove(registration_id=registration_id, user=request.user,
                               challenge_id=str(values["challenge"]),
                               answer=_binary(values.get("answer", ""), "answer"),
                               signature=_binary(values.get("signature", ""), "signature"),
                               failure=values.get("failure", ""))
        return Response(BidderKeySerializer(bidder_key_data(key)).data)
