"""REST endpoints of sealed bids. Envelopes are sent as the raw request body and streamed."""
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from bidding.crypto.opening_key import b64url, public_key_load
from bidding.sealed.models import Bid, OpeningKey, OpeningSession
from bidding.sealed.serializers import (
    AnswerSerializer,
    BidSerializer,
    ConfirmSerializer,
    CustodianKeyCreateSerializer,
    CustodianKeySerializer,
    ObjectionSerializer,
    OpeningKeySerializer,
    OpeningResponseSerializer,
    OpeningSessionSerializer,
    PassphraseSerializer,
    PublishSealedSerializer,
)
from bidding.sealed.services.bids import bid_submit, bid_withdraw
from bidding.sealed.services.keys import custodian_key_create, lot_publish_sealed
from bidding.sealed.services.opening import (
    opening_answer,
    opening_confirm,
    opening_object,
    opening_start,
    record_sha256,
    share_present,
)
from monitoring.events import actor_of
from trading.apis_lots import ERRORS
from trading.models import Lot
from trading.serializers import ErrorSerializer
from trading.permissions import IsBidderRole, IsStaffRole
from trading.ratelimits import rate_limited_api
from trading.serializers_lots import LotSerializer


FINGERPRINT_HEADER = "X-Device-Fingerprint"


class EnvelopeParser(BaseParser):
    """Accepts an envelope body without reading it: the view streams it from the request."""

    media_type = "application/octet-stream"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream


class LotPublishSealedApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=PublishSealedSerializer, responses={200: LotSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = PublishSealedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lot_publish_sealed(lot_id=lot_id, actor=actor_of(request.user), **data.validated_data)
        return Response(LotSerializer(Lot.objects.select_related("project__market", "project__procedure")
                                      .get(pk=lot_id)).data)


class OpeningKeyApi(APIView):
    """The lot's published opening public key, which bidders seal their envelopes to."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: OpeningKeySerializer, 404: ERRORS[404]})
    def get(self, request, lot_id):
        key = OpeningKey.objects.filter(lot_id=lot_id).first()
        if key is None:
            raise Http404
        raw = bytes(key.public_key_raw)
        pem = public_key_load(raw).public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
        return Response({"lot": lot_id, "public_key": b64url(raw), "public_key_pem": pem,
                         "threshold": key.threshold, "custodians": key.shares.count()})


@rate_limited_api("bid")
class BidSubmitApi(APIView):
    """Submit (or replace) the organisation's sealed envelope for a lot: the raw envelope bytes as
    the body (``Content-Type: application/octet-stream``). Answers with the signed receipt.

    The connection's address and the ``X-Device-Fingerprint`` header are kept with the bid for the
    integrity rules, never shown to other bidders or the public (docs/integrity.md). The address is
    ``REMOTE_ADDR`` only: behind the proxy, the server (``runplatform``) has already put the
    client's address there from ``X-Forwarded-For`` of the trusted peers
    (``PLATFORM_FORWARDED_ALLOW_IPS``); a forwarded header reaching Django is the client's claim."""

    permission_classes = [IsBidderRole]
    parser_classes = [EnvelopeParser]

    @extend_schema(request={"application/octet-stream": OpenApiTypes.BINARY},
                   parameters=[OpenApiParameter(
                       FINGERPRINT_HEADER, str, OpenApiParameter.HEADER, required=False,
                       description="The sealer's device fingerprint: SHA-256 in lowercase hex (64 digits), as "
                                   "`python -m bidding.device` prints it. Anything else is ignored, never refused.")],
                   responses={201: BidSerializer, **ERRORS, 429: ErrorSerializer})
    def post(self, request, lot_id):
        length = request.META.get("CONTENT_LENGTH")
        bid = bid_submit(lot_id=lot_id, user=request.user, stream=request._request,
                         length=int(length) if length else None, client_ip=request.META.get("REMOTE_ADDR"),
                         device_fingerprint=request.headers.get(FINGERPRINT_HEADER))
        return Response(BidSerializer(bid).data, status=201)


class BidListMineApi(APIView):
    permission_classes = [IsBidderRole]

    @extend_schema(responses={200: BidSerializer(many=True), **ERRORS})
    def get(self, request, lot_id):
        bids = Bid.objects.filter(lot_id=lot_id, organisation_id=request.user.organisation_id)
        return Response(BidSerializer(bids, many=True).data)


class BidReceiptApi(APIView):
    """The signed receipt file of one of the organisation's bids (check it with ``bidding.verify``)."""

    permission_classes = [IsBidderRole]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def get(self, request, bid_id):
        bid = get_object_or_404(Bid, pk=bid_id, organisation_id=request.user.organisation_id)
        response = Response(bid.receipt)
        response["Content-Disposition"] = f'attachment; filename="receipt-{bid.receipt_id}.json"'
        return response


class BidWithdrawApi(APIView):
    permission_classes = [IsBidderRole]

    @extend_schema(request=None, responses={200: BidSerializer, **ERRORS})
    def post(self, request, bid_id):
        return Response(BidSerializer(bid_withdraw(bid_id=bid_id, user=request.user)).data)


class CustodianKeyApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=CustodianKeyCreateSerializer, responses={201: CustodianKeySerializer, **ERRORS})
    def post(self, request):
        data = CustodianKeyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = custodian_key_create(user=request.user, passphrase=data.validated_data["passphrase"])
        return Response({"public_key_pem": key.public_key_pem, "created_at": key.created_at}, status=201)


def _session_data(session: OpeningSession) -> dict:
    return {"id": session.pk, "lot_id": session.lot_id, "status": session.status, "started_at": session.started_at,
            "presented": session.presentations.count(), "threshold": session.lot.opening_key.threshold,
            "record_published_at": session.record_published_at, "responses_until": session.responses_until,
            "record": session.record, "record_sha256": record_sha256(session) if session.record else None}


def _session(lot_id) -> OpeningSession:
    return get_object_or_404(OpeningSession.objects.select_related("lot__opening_key"), lot_id=lot_id)


class OpeningApi(APIView):
    """The lot's opening session: its progress and, once published, the signed record."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: OpeningSessionSerializer, 404: ERRORS[404]})
    def get(self, request, lot_id):
        return Response(OpeningSessionSerializer(_session_data(_session(lot_id))).data)


class OpeningStartApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=None, responses={200: OpeningSessionSerializer, 204: None, **ERRORS})
    def post(self, request, lot_id):
        session = opening_start(lot_id=lot_id, actor=actor_of(request.user))
        if session is None:  # too few bids: the lot failed with a notice
            return Response(status=204)
        return Response(OpeningSessionSerializer(_session_data(_session(lot_id))).data)


class OpeningShareApi(APIView):
    """A custodian presents their share with their passphrase (used once, never stored)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=PassphraseSerializer, responses={200: OpeningSessionSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = PassphraseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        share_present(session_id=_session(lot_id).pk, user=request.user, passphrase=data.validated_data["passphrase"])
        return Response(OpeningSessionSerializer(_session_data(_session(lot_id))).data)


class OpeningRecordApi(APIView):
    """The signed opening record file (check it with ``python -m bidding.verify opening``)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: ERRORS[404]})
    def get(self, request, lot_id):
        session = _session(lot_id)
        if session.record is None:
            raise Http404
        response = Response(session.record)
        response["Content-Disposition"] = f'attachment; filename="opening-lot-{lot_id}.json"'
        return response


class OpeningConfirmApi(APIView):
    """Confirm the record; a bidder holding a bidder key signs it (docs/opening-hall.md)."""

    permission_classes = [IsBidderRole]

    @extend_schema(request=ConfirmSerializer, responses={200: OpeningResponseSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(OpeningResponseSerializer(opening_confirm(
            session_id=_session(lot_id).pk, user=request.user,
            signature=data.validated_data.get("signature", ""))).data)


class OpeningObjectApi(APIView):
    permission_classes = [IsBidderRole]

    @extend_schema(request=ObjectionSerializer, responses={201: OpeningResponseSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = ObjectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = opening_object(session_id=_session(lot_id).pk, user=request.user, text=data.validated_data["text"])
        return Response(OpeningResponseSerializer(response).data, status=201)


class OpeningAnswerApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=AnswerSerializer, responses={200: OpeningResponseSerializer, **ERRORS})
    def post(self, request, response_id):
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(OpeningResponseSerializer(opening_answer(
            response_id=response_id, answer=data.validated_data["answer"], actor=actor_of(request.user))).data)
