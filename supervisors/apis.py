"""Thin REST views of supervision (included under ``/api/v1/``): staff assign and revoke a lot's
social supervisors; an assigned supervisor reads and saves their observation note on the lot and
witnesses the sealing of a listing's reserve."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from bidding.sales.serializers import ReserveSealedSerializer, ReserveSealSerializer
from monitoring.events import actor_of
from supervisors.models import Assignment, ObservationNote
from supervisors.selectors import assignments_for_lot, note_get_for_supervisor
from supervisors.services import (NOTE_MAX, assignment_create, assignment_revoke, observation_note_save,
                                  reserve_seal_witnessed)
from trading.models import Lot, Role
from trading.permissions import IsStaffRole
from trading.serializers import ErrorSerializer


class IsSupervisorRole(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.has_role(Role.SUPERVISOR)


class AssignmentSerializer(serializers.ModelSerializer):
    supervisor_username = serializers.CharField(source="supervisor.username", read_only=True)
    supervisor_name = serializers.CharField(source="supervisor.display_name", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "lot", "supervisor", "supervisor_username", "supervisor_name", "active", "assigned_by",
                  "assigned_at", "revoked_by", "revoked_at"]


class AssignmentCreateSerializer(serializers.Serializer):
    supervisor = serializers.IntegerField(help_text="The id of a user holding the supervisor role.")


class NoteSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot_id")
    text = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField(allow_null=True, help_text="Null until the first save.")


class NoteSaveSerializer(serializers.Serializer):
    # The length is the service's to check, so that the API, the page and the live room refuse with
    # the same code (note_too_long).
    text = serializers.CharField(allow_blank=True, trim_whitespace=False,
                                 help_text=f"The whole note, replacing the saved one; at most {NOTE_MAX} characters.")


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


class LotSupervisorsApi(GenericAPIView):
    serializer_class = AssignmentSerializer
    permission_classes = [IsStaffRole]

    @extend_schema(responses={200: AssignmentSerializer(many=True), **_errors(401, 403, 404)},
                   summary="A lot's supervisor assignments, active first, then revoked (staff)")
    def get(self, request, lot_id: int):
        get_object_or_404(Lot.objects.only("pk"), pk=lot_id)
        page = self.paginate_queryset(assignments_for_lot(lot_id=lot_id))
        return self.get_paginated_response(AssignmentSerializer(page, many=True).data)

    @extend_schema(request=AssignmentCreateSerializer,
                   responses={201: AssignmentSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Assign a social supervisor to a lot (staff)")
    def post(self, request, lot_id: int):
        data = AssignmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = assignment_create(lot_id=lot_id, supervisor_id=data.validated_data["supervisor"],
                                       actor=actor_of(request.user))
        return Response(AssignmentSerializer(assignment).data, status=201)


class AssignmentRevokeApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=None, responses={200: AssignmentSerializer, **_errors(401, 403, 404, 409)},
                   summary="Revoke a supervisor's assignment; they leave the lot's live room (staff)")
    def post(self, request, assignment_id: int):
        assignment = assignment_revoke(assignment_id=assignment_id, actor=actor_of(request.user))
        return Response(AssignmentSerializer(assignment).data)


class ObservationNoteApi(APIView):
    permission_classes = [IsSupervisorRole]

    @extend_schema(responses={200: NoteSerializer, **_errors(401, 403)},
                   summary="Your observation note on a lot; empty before the first save (assigned supervisor)")
    def get(self, request, lot_id: int):
        note = note_get_for_supervisor(lot_id=lot_id, user=request.user)
        return Response(NoteSerializer(note or ObservationNote(lot_id=lot_id, text="", updated_at=None)).data)

    @extend_schema(request=NoteSaveSerializer, responses={200: NoteSerializer, **_errors(400, 401, 403)},
                   summary="Save your observation note on a lot, replacing the last save (assigned supervisor)")
    def put(self, request, lot_id: int):
        data = NoteSaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = observation_note_save(lot_id=lot_id, user=request.user, text=data.validated_data["text"])
        return Response(NoteSerializer(note).data)


class ReserveSealApi(APIView):
    """Staff seal a listing lot's reserve, an assigned supervisor present who confirms with their
    own username and password; the reserve stays sealed to the lot's opening key until the result."""

    permission_classes = [IsStaffRole]

    @extend_schema(request=ReserveSealSerializer, responses={201: ReserveSealedSerializer, 400: ErrorSerializer,
                                                             403: ErrorSerializer, 409: ErrorSerializer})
    def post(self, request, lot_id):
        data = ReserveSealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reserve = reserve_seal_witnessed(lot_id=lot_id, actor=actor_of(request.user), **data.validated_data)
        return Response(ReserveSealedSerializer(reserve).data, status=201)
