"""REST endpoints of the opening hall (docs/opening-hall.md): its state for anyone (public fields),
check-in with the key proof, the bidder's own envelope header and the release of its part, the
host's pause and resume, questions and answers, and the signed minutes."""
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bidding.crypto.canonical import CanonicalError, b64url_decode, b64url_encode
from bidding.errors import BiddingError
from bidding.sealed.models import HallQuestion, OpeningSession
from bidding.sealed.selectors import hall_state
from bidding.sealed.services.hall import (
    bid_header,
    check_in_opens_at,
    hall_check_in,
    hall_pause,
    hall_resume,
    part_release,
    question_answer,
    question_ask,
)
from monitoring.events import actor_of
from trading.apis_lots import ERRORS
from trading.models import Lot, Role
from trading.permissions import IsBidderRole, IsStaffRole
from trading.selectors import PUBLIC_STATUSES


class HallPresentSerializer(serializers.Serializer):
    bidder = serializers.CharField()
    organisation = serializers.CharField()
    key_proved = serializers.BooleanField()


class HallQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bidder = serializers.CharField()
    organisation = serializers.CharField()
    text = serializers.CharField()
    at = serializers.DateTimeField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)


class HallPauseSerializer(serializers.Serializer):
    paused_at = serializers.DateTimeField()
    reason = serializers.CharField()
    resumed_at = serializers.DateTimeField(allow_null=True)


class HallMeSerializer(serializers.Serializer):
    checked_in_at = serializers.DateTimeField(allow_null=True)
    bid_receipt = serializers.CharField(allow_null=True)
    locks = serializers.IntegerField(allow_null=True, help_text="1: the lot's lock only; 2: with the bidder's own")
    released = serializers.BooleanField()


class HallSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    step = serializers.ChoiceField(choices=["before", "check_in", "custodians", "decryption_window", "price_reading",
                                            "confirmations", "closed"])
    check_in_from = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    paused = serializers.BooleanField()
    window_until = serializers.DateTimeField(allow_null=True)
    responses_until = serializers.DateTimeField(allow_null=True)
    present = HallPresentSerializer(many=True)
    released = serializers.IntegerField()
    locked = serializers.IntegerField()
    questions = HallQuestionSerializer(many=True)
    pauses = HallPauseSerializer(many=True)
    me = HallMeSerializer(allow_null=True)


class HallCheckInSerializer(serializers.Serializer):
    challenge = serializers.CharField(required=False, allow_blank=True, max_length=40,
                                      help_text="A key check issued for the registration (with a bidder key)")
    answer = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="base64url")
    signature = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="base64url")
    failure = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                    help_text="wrong_passphrase or wrong_key, instead of an answer")


class HallCheckInDoneSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    at = serializers.DateTimeField()
    key_fingerprint = serializers.CharField()


class HallHeaderSerializer(serializers.Serializer):
    receipt = serializers.CharField()
    header = serializers.CharField(help_text="The envelope's exact header bytes, base64url")


class HallReleaseSerializer(serializers.Serializer):
    part = serializers.CharField(max_length=64, help_text="The 32-byte bidder part, base64url")


class HallReleasedSerializer(serializers.Serializer):
    receipt = serializers.CharField()
    released_at = serializers.DateTimeField()


class HallReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class HallQuestionAskSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


class HallQuestionAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=2000)


def _b64(value: str, field: str) -> bytes:
    try:
        return b64url_decode(value) if value else b""
    except CanonicalError:
        raise BiddingError("bad_encoding", _("%(field)s is not base64url.") % {"field": field}) from None


def _public_lot(lot_id) -> Lot:
    return get_object_or_404(Lot.objects.select_related("project"), pk=lot_id, status__in=PUBLIC_STATUSES)


class HallApi(APIView):
    """The hall's state: public fields for anyone; a bidder also gets its own check-in and bid."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: HallSerializer, 404: ERRORS[404]})
    def get(self, request, lot_id):
        lot = _public_lot(lot_id)
        user = request.user
        mine = (user.organisation_id if user.is_authenticated and user.has_role(Role.BIDDER) else None)
        return Response(HallSerializer(hall_state(lot=lot, check_in_from=check_in_opens_at(lot),
                                                  organisation_id=mine)).data)


class HallCheckInApi(APIView):
    permission_classes = [IsBidderRole]

    @extend_schema(request=HallCheckInSerializer, responses={201: HallCheckInDoneSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = HallCheckInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        check_in = hall_check_in(lot_id=lot_id, user=request.user, challenge_id=values.get("challenge", ""),
                                 answer=_b64(values.get("answer", ""), "answer"),
                                 signature=_b64(values.get("signature", ""), "signature"),
                                 failure=values.get("failure", ""))
        return Response(HallCheckInDoneSerializer({"lot": check_in.lot_id, "at": check_in.at,
                                               "key_fingerprint": check_in.key_fingerprint}).data, status=201)


class HallHeaderApi(APIView):
    """The header of the bidder's own v2 envelope: what its key needs to unlock its part."""

    permission_classes = [IsBidderRole]

    @extend_schema(responses={200: HallHeaderSerializer, **ERRORS})
    def get(self, request, lot_id):
        bid, header = bid_header(lot_id=lot_id, user=request.user)
        return Response(HallHeaderSerializer({"receipt": str(bid.receipt_id), "header": b64url_encode(header)}).data)


class HallReleaseApi(APIView):
    permission_classes = [IsBidderRole]

    @extend_schema(request=HallReleaseSerializer, responses={201: HallReleasedSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = HallReleaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        release = part_release(lot_id=lot_id, user=request.user, part=_b64(data.validated_data["part"], "part"))
        return Response(HallReleasedSerializer({"receipt": str(release.bid.receipt_id),
                                            "released_at": release.released_at}).data, status=201)


class HallPauseApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=HallReasonSerializer, responses={200: HallSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = HallReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hall_pause(lot_id=lot_id, actor=actor_of(request.user), reason=data.validated_data["reason"])
        lot = _public_lot(lot_id)
        return Response(HallSerializer(hall_state(lot=lot, check_in_from=check_in_opens_at(lot))).data)


class HallResumeApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=None, responses={200: HallSerializer, **ERRORS})
    def post(self, request, lot_id):
        hall_resume(lot_id=lot_id, actor=actor_of(request.user))
        lot = _public_lot(lot_id)
        return Response(HallSerializer(hall_state(lot=lot, check_in_from=check_in_opens_at(lot))).data)


def _question_data(question: HallQuestion) -> dict:
    return {"id": question.pk, "bidder": question.organisation.uscc, "organisation": question.organisation.name,
            "text": question.text, "at": question.at, "answer": question.answer, "answered_at": question.answered_at}


class HallQuestionApi(APIView):
    permission_classes = [IsBidderRole]

    @extend_schema(request=HallQuestionAskSerializer, responses={201: HallQuestionSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = HallQuestionAskSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = question_ask(lot_id=lot_id, user=request.user, text=data.validated_data["text"])
        return Response(HallQuestionSerializer(_question_data(question)).data, status=201)


class HallAnswerApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=HallQuestionAnswerSerializer, responses={200: HallQuestionSerializer, **ERRORS})
    def post(self, request, question_id):
        data = HallQuestionAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = question_answer(question_id=question_id, answer=data.validated_data["answer"],
                                   actor=actor_of(request.user))
        return Response(HallQuestionSerializer(_question_data(question)).data)


class OpeningMinutesApi(APIView):
    """The signed minutes of a closed opening (check them with ``python -m bidding.verify opening``)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: ERRORS[404]})
    def get(self, request, lot_id):
        session = get_object_or_404(OpeningSession, lot_id=lot_id)
        if session.minutes is None:
            raise Http404
        response = Response(session.minutes)
        response["Content-Disposition"] = f'attachment; filename="opening-minutes-lot-{lot_id}.json"'
        return response
