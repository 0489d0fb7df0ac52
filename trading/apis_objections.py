"""Thin REST views of objections to tender documents (included under ``/api/v1/``).

Bidders file and read their own organisation's objections; staff read the open and the overdue ones,
with who filed them, and reply. Nothing here is public.
"""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.events import actor_of
from trading import clock
from trading.models import DocumentObjection
from trading.permissions import IsBidderRole, IsStaffRole
from trading.selectors_documents import lot_get_visible
from trading.selectors_objections import objection_list_open, objection_list_overdue, objection_list_own
from trading.serializers import ErrorSerializer
from trading.services.objections import objection_file, objection_reply
from trading.text import TEXT_MAX


class ObjectionOwnSerializer(serializers.ModelSerializer):
    """What the objecting organisation reads: its objection and the reply."""

    class Meta:
        model = DocumentObjection
        fields = ["id", "lot", "text", "filed_at", "reply_due_at", "reply", "replied_at"]


class ObjectionStaffSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")
    filed_by = serializers.CharField(source="filed_by.username")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = DocumentObjection
        fields = ["id", "lot", "text", "filed_at", "reply_due_at", "organisation", "filed_by", "overdue", "reply",
                  "replied_at", "replied_by"]

    def get_overdue(self, objection) -> bool:
        return objection.replied_at is None and objection.reply_due_at <= self.context["now"]


class ObjectionFileSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX)


class ObjectionReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=TEXT_MAX)
    bid_deadline = serializers.DateTimeField(
        required=False, allow_null=True, default=None,
        help_text="Only with the reply that resumes the lot: a later deadline under the amendment rule.")


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


class ObjectionListApi(GenericAPIView):
    serializer_class = ObjectionOwnSerializer
    permission_classes = [IsBidderRole]

    @extend_schema(responses={200: ObjectionOwnSerializer(many=True), **_errors(401, 403, 404)},
                   summary="Your organisation's objections to a lot's documents, with replies (bidders)")
    def get(self, request, lot_id: int):
        lot = lot_get_visible(lot_id=lot_id, user=request.user)
        page = self.paginate_queryset(objection_list_own(lot=lot, organisation=request.user.organisation))
        return self.get_paginated_response(ObjectionOwnSerializer(page, many=True).data)

    @extend_schema(request=ObjectionFileSerializer,
                   responses={201: ObjectionOwnSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Object to a lot's tender documents; suspends the procedure (registered bidders)")
    def post(self, request, lot_id: int):
        data = ObjectionFileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = objection_file(lot_id=lot_id, user=request.user, text=data.validated_data["text"])
        return Response(ObjectionOwnSerializer(objection).data, status=201)


class ObjectionOpenApi(GenericAPIView):
    serializer_class = ObjectionStaffSerializer
    permission_classes = [IsStaffRole]

    @extend_schema(responses={200: ObjectionStaffSerializer(many=True), **_errors(401, 403, 404)},
                   summary="Objections to a lot's documents awaiting a reply, with who filed them (staff)")
    def get(self, request, lot_id: int):
        lot = lot_get_visible(lot_id=lot_id, user=request.user)
        page = self.paginate_queryset(objection_list_open(lot=lot))
        return self.get_paginated_response(
            ObjectionStaffSerializer(page, many=True, context={"now": clock.now()}).data)


class ObjectionOverdueApi(GenericAPIView):
    serializer_class = ObjectionStaffSerializer
    permission_classes = [IsStaffRole]

    @extend_schema(responses={200: ObjectionStaffSerializer(many=True), **_errors(401, 403)},
                   summary="Objections on every lot whose reply is overdue (staff)")
    def get(self, request):
        now = clock.now()
        page = self.paginate_queryset(objection_list_overdue(at=now))
        return self.get_paginated_response(ObjectionStaffSerializer(page, many=True, context={"now": now}).data)


class ObjectionReplyApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=ObjectionReplySerializer,
                   responses={200: ObjectionStaffSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Reply to an objection; the last reply resumes the lot (staff)")
    def post(self, request, objection_id: int):
        data = ObjectionReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = objection_reply(objection_id=objection_id, actor=actor_of(request.user), **data.validated_data)
        return Response(ObjectionStaffSerializer(objection, context={"now": clock.now()}).data)
