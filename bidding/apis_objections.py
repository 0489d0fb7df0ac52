"""A lot's objections awaiting an answer, of every kind, for staff (who answer each at its own
endpoint, ``answer_url``) and regulators (who read them). Not for bidders or the public: who objected
stays with the centre."""
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bidding.selectors_objections import CANDIDATES, DOCUMENTS, KINDS, OPENING, objections_open
from trading.models import Lot
from trading.permissions import IsStaffOrRegulator
from trading.serializers import ErrorSerializer

# Where staff answer each kind (each endpoint takes the objection's id).
ANSWER_ENDPOINTS = {OPENING: "api-opening-answer", CANDIDATES: "api-candidate-objection-reply",
                    DOCUMENTS: "api-objection-reply"}


class OpenObjectionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS),
                                   help_text="opening: to the opening record; candidates: to the published "
                                             "candidates; documents: to the tender documents")
    id = serializers.IntegerField(help_text="The objection's id among those of its kind")
    lot = serializers.IntegerField(source="lot_id")
    organisation = serializers.CharField()
    organisation_uscc = serializers.CharField()
    text = serializers.CharField()
    filed_at = serializers.DateTimeField()
    reply_due_at = serializers.DateTimeField(allow_null=True,
                                             help_text="None for an objection at the opening, answered in the session")
    overdue = serializers.BooleanField()
    answer_url = serializers.SerializerMethodField(help_text="Where staff POST the answer")

    def get_answer_url(self, objection) -> str:
        return reverse(ANSWER_ENDPOINTS[objection.kind], args=[objection.id])


class LotOpenObjectionsApi(APIView):
    permission_classes = [IsStaffOrRegulator]

    @extend_schema(responses={200: OpenObjectionSerializer(many=True), 401: ErrorSerializer, 403: ErrorSerializer,
                              404: ErrorSerializer},
                   summary="A lot's objections awaiting an answer: to the opening record, the candidates and the "
                           "tender documents, oldest first, with who filed them (staff; regulators read them)")
    def get(self, request, lot_id: int):
        lot = get_object_or_404(Lot, pk=lot_id)
        return Response(OpenObjectionSerializer(objections_open(lot=lot), many=True).data)
