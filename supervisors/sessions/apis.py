"""Thin REST views of a supervisor's rights in a session, their observation reports and officials'
check-ins (under ``/api/v1/``). Writes are open to anyone signed in so that the services refuse the
wrong people with their own codes and audit each refusal; reads follow ``selectors``."""
import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from supervisors.registry.models import SessionKind
from supervisors.sessions.models import (LiaisonQuestion, ObservationReport, OfficialCheckIn, SessionObjection,
                                         StopRequest)
from supervisors.sessions.rules import ATTACHMENTS_MAX, REPORT_TEXT_MAX, TEXT_MAX
from supervisors.sessions.selectors import (PUBLIC_SUPERVISOR, lot_is_major, major_threshold, objections_for_staff,
                                            questions_for_staff, questions_of, reads_names, report_file,
                                            report_get_for_user, stop_requests_for_staff, stop_requests_of_lot)
from supervisors.sessions.services import (liaison_question_answer, liaison_question_ask, observation_report_submit,
                                           official_check_in, session_objection_record, stop_request_answer,
                                           stop_request_raise)
from trading.models import Lot
from trading.permissions import IsStaffOrRegulator, IsStaffRole
from trading.selectors_documents import lot_get_visible
from trading.serializers import ErrorSerializer


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


class _Named(serializers.ModelSerializer):
    """A supervisor's name for staff and regulators, ``social_supervisor`` for everyone else."""
    supervisor = serializers.SerializerMethodField()
    session = serializers.CharField(source="session_kind", read_only=True)

    def get_supervisor(self, row) -> str:
        return str(row.supervisor) if self.context.get("names") else PUBLIC_SUPERVISOR


class StopRequestSerializer(_Named):
    class Meta:
        model = StopRequest
        fields = ["id", "lot", "session", "supervisor", "reason", "raised_at", "answer_due_at", "decision", "answer",
                  "answered_at"]


class StopRequestRaiseSerializer(serializers.Serializer):
    session = serializers.ChoiceField(choices=SessionKind.choices)
    reason = serializers.CharField(max_length=TEXT_MAX)


class StopRequestAnswerSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=StopRequest.Decision.choices)
    answer = serializers.CharField(max_length=TEXT_MAX)


class SessionObjectionSerializer(_Named):
    class Meta:
        model = SessionObjection
        fields = ["id", "lot", "session", "supervisor", "text", "at"]


class SessionObjectionRecordSerializer(serializers.Serializer):
    session = serializers.ChoiceField(choices=SessionKind.choices)
    text = serializers.CharField(max_length=TEXT_MAX)


class LiaisonQuestionSerializer(serializers.ModelSerializer):
    supervisor = serializers.CharField(source="supervisor.__str__", read_only=True)

    class Meta:
        model = LiaisonQuestion
        fields = ["id", "lot", "supervisor", "text", "asked_at", "answer", "answered_at"]


class LiaisonQuestionAskSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX)


class LiaisonAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=TEXT_MAX)


class ReportSerializer(serializers.ModelSerializer):
    lot = serializers.IntegerField(source="assignment.lot_id", read_only=True)
    session = serializers.CharField(source="session_kind", read_only=True)
    late = serializers.SerializerMethodField()

    class Meta:
        model = ObservationReport
        fields = ["id", "assignment", "lot", "session", "checklist", "issues", "rating", "text", "attachments",
                  "signed_off", "refusal_reason", "due_at", "submitted_at", "late", "signature"]

    def get_late(self, report) -> bool:
        return report.due_at is not None and report.submitted_at > report.due_at


class ChecklistField(serializers.JSONField):
    """An object, given as JSON or (in a multipart form) as a JSON text."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("invalid")
        return super().to_internal_value(data)


class ReportSubmitSerializer(serializers.Serializer):
    checklist = ChecklistField(help_text="Each item of the session's checklist: yes, no or na.")
    issues = serializers.CharField(required=False, allow_blank=True, default="", max_length=REPORT_TEXT_MAX)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=REPORT_TEXT_MAX)
    signed_off = serializers.BooleanField()
    refusal_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)
    session = serializers.ChoiceField(choices=SessionKind.choices, required=False, default="",
                                      help_text="Only for a staff-assigned seat, which names no session.")
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                        max_length=ATTACHMENTS_MAX)


class CheckInSerializer(serializers.ModelSerializer):
    session = serializers.CharField(source="session_kind", read_only=True)
    official = serializers.CharField(source="official.__str__", read_only=True)

    class Meta:
        model = OfficialCheckIn
        fields = ["id", "lot", "session", "official", "at"]


class CheckInRequestSerializer(serializers.Serializer):
    session = serializers.ChoiceField(choices=SessionKind.choices)


class OfficialsSerializer(serializers.Serializer):
    major = serializers.BooleanField()
    threshold = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True,
                                         help_text="The estimate in yuan from which the lot's sessions are major.")
    check_ins = CheckInSerializer(many=True)


def _public_lot(request, lot_id: int) -> Lot:
    return lot_get_visible(lot_id=lot_id, user=request.user)


class LotStopRequestsApi(GenericAPIView):
    serializer_class = StopRequestSerializer

    def get_permissions(self):
        return [permissions.IsAuthenticated()] if self.request.method == "POST" else [permissions.AllowAny()]

    @extend_schema(responses={200: StopRequestSerializer(many=True), **_errors(404)},
                   summary="A lot's stop requests and their answers; supervisors named for staff and regulators")
    def get(self, request, lot_id: int):
        _public_lot(request, lot_id)
        page = self.paginate_queryset(stop_requests_of_lot(lot_id=lot_id))
        return self.get_paginated_response(
            StopRequestSerializer(page, many=True, context={"names": reads_names(request.user)}).data)

    @extend_schema(request=StopRequestRaiseSerializer, responses={201: StopRequestSerializer,
                                                                  **_errors(400, 401, 403, 404, 409)},
                   summary="Ask staff to stop the live session (a supervisor seated on it)")
    def post(self, request, lot_id: int):
        data = StopRequestRaiseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stop = stop_request_raise(lot_id=lot_id, session_kind=data.validated_data["session"], user=request.user,
                                  reason=data.validated_data["reason"])
        return Response(StopRequestSerializer(stop, context={"names": True}).data, status=201)


class StopRequestsApi(GenericAPIView):
    serializer_class = StopRequestSerializer
    permission_classes = [IsStaffOrRegulator]

    @extend_schema(responses={200: StopRequestSerializer(many=True), **_errors(401, 403)},
                   summary="Every stop request, unanswered first (staff, regulators)")
    def get(self, request):
        page = self.paginate_queryset(stop_requests_for_staff())
        return self.get_paginated_response(StopRequestSerializer(page, many=True, context={"names": True}).data)


class StopRequestAnswerApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=StopRequestAnswerSerializer, responses={200: StopRequestSerializer,
                                                                   **_errors(400, 401, 403, 404, 409)},
                   summary="Answer a stop request on the record: stopped (the lot is held) or continued (staff)")
    def post(self, request, stop_request_id: int):
        data = StopRequestAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stop = stop_request_answer(stop_request_id=stop_request_id, user=request.user, **data.validated_data)
        return Response(StopRequestSerializer(stop, context={"names": True}).data)


class LotObjectionsApi(GenericAPIView):
    serializer_class = SessionObjectionSerializer

    def get_permissions(self):
        return [permissions.IsAuthenticated()] if self.request.method == "POST" else [permissions.AllowAny()]

    @extend_schema(responses={200: SessionObjectionSerializer(many=True), **_errors(404)},
                   summary="Supervisors' objections during a lot's sessions")
    def get(self, request, lot_id: int):
        _public_lot(request, lot_id)
        page = self.paginate_queryset(SessionObjection.objects.filter(lot_id=lot_id).select_related("supervisor"))
        return self.get_paginated_response(
            SessionObjectionSerializer(page, many=True, context={"names": reads_names(request.user)}).data)

    @extend_schema(request=SessionObjectionRecordSerializer, responses={201: SessionObjectionSerializer,
                                                                 **_errors(400, 401, 403, 404, 409)},
                   summary="Record an objection during the live session (a supervisor seated on it)")
    def post(self, request, lot_id: int):
        data = SessionObjectionRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = session_objection_record(lot_id=lot_id, session_kind=data.validated_data["session"],
                                             user=request.user, text=data.validated_data["text"])
        return Response(SessionObjectionSerializer(objection, context={"names": True}).data, status=201)


class LotQuestionsApi(GenericAPIView):
    serializer_class = LiaisonQuestionSerializer
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: LiaisonQuestionSerializer(many=True), **_errors(401, 404)},
                   summary="Questions to the liaison on a lot: all for staff and regulators, your own otherwise")
    def get(self, request, lot_id: int):
        _public_lot(request, lot_id)
        questions = (LiaisonQuestion.objects.filter(lot_id=lot_id).select_related("supervisor")
                     if reads_names(request.user) else questions_of(lot_id=lot_id, user_id=request.user.pk)
                     .select_related("supervisor"))
        page = self.paginate_queryset(questions)
        return self.get_paginated_response(LiaisonQuestionSerializer(page, many=True).data)

    @extend_schema(request=LiaisonQuestionAskSerializer,
                   responses={201: LiaisonQuestionSerializer, **_errors(400, 401, 403, 404)},
                   summary="Ask the centre's liaison a question on the record (a supervisor seated on the lot)")
    def post(self, request, lot_id: int):
        data = LiaisonQuestionAskSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = liaison_question_ask(lot_id=lot_id, user=request.user, text=data.validated_data["text"])
        return Response(LiaisonQuestionSerializer(question).data, status=201)


class QuestionsApi(GenericAPIView):
    serializer_class = LiaisonQuestionSerializer
    permission_classes = [IsStaffRole]

    @extend_schema(responses={200: LiaisonQuestionSerializer(many=True), **_errors(401, 403)},
                   summary="Supervisors' questions to the liaison, unanswered first (staff)")
    def get(self, request):
        page = self.paginate_queryset(questions_for_staff())
        return self.get_paginated_response(LiaisonQuestionSerializer(page, many=True).data)


class QuestionAnswerApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=LiaisonAnswerSerializer,
                   responses={200: LiaisonQuestionSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Answer a supervisor's question on the record (staff)")
    def post(self, request, question_id: int):
        data = LiaisonAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = liaison_question_answer(question_id=question_id, user=request.user,
                                           answer=data.validated_data["answer"])
        return Response(LiaisonQuestionSerializer(question).data)


class ObjectionsApi(GenericAPIView):
    serializer_class = SessionObjectionSerializer
    permission_classes = [IsStaffOrRegulator]

    @extend_schema(responses={200: SessionObjectionSerializer(many=True), **_errors(401, 403)},
                   summary="Supervisors' objections during sessions, newest first (staff, regulators)")
    def get(self, request):
        page = self.paginate_queryset(objections_for_staff())
        return self.get_paginated_response(SessionObjectionSerializer(page, many=True, context={"names": True}).data)


class ReportSubmitApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": ReportSubmitSerializer, "application/json": ReportSubmitSerializer},
                   responses={201: ReportSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="File your observation report on the seat's session: locked and signed once filed")
    def post(self, request, assignment_id: int):
        data = ReportSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        report = observation_report_submit(
            assignment_id=assignment_id, user=request.user, checklist=values["checklist"], issues=values["issues"],
            rating=values["rating"], text=values["text"], attachments=values["attachments"],
            signed_off=values["signed_off"], refusal_reason=values["refusal_reason"], session_kind=values["session"])
        return Response(ReportSerializer(report).data, status=201)


class ReportApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: ReportSerializer, **_errors(401, 403, 404)},
                   summary="An observation report (its author, staff, regulators)")
    def get(self, request, report_id: int):
        return Response(ReportSerializer(report_get_for_user(report_id=report_id, user=request.user)).data)


class ReportFileApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT, **_errors(401, 403, 404)},
                   summary="The signed report file; check it with `python -m supervisors.verify report FILE --key "
                           "platform-key.pem`")
    def get(self, request, report_id: int):
        report = report_get_for_user(report_id=report_id, user=request.user)
        response = HttpResponse(report_file(report=report), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="observation-report-{report.pk}.json"'
        return response


class LotOfficialsApi(APIView):
    def get_permissions(self):
        return [permissions.IsAuthenticated()] if self.request.method == "POST" else [permissions.AllowAny()]

    @extend_schema(responses={200: OfficialsSerializer, **_errors(404)},
                   summary="Whether the lot's sessions are major, and the officials checked in to each")
    def get(self, request, lot_id: int):
        lot = _public_lot(request, lot_id)
        lot = get_object_or_404(Lot.objects.select_related("project__market", "project__procedure"), pk=lot.pk)
        check_ins = OfficialCheckIn.objects.filter(lot=lot).select_related("official").order_by("at", "pk")
        return Response(OfficialsSerializer({"major": lot_is_major(lot=lot), "threshold": major_threshold(lot=lot),
                                             "check_ins": check_ins}).data)

    @extend_schema(request=CheckInRequestSerializer, responses={201: CheckInSerializer,
                                                                **_errors(400, 401, 403, 404, 409)},
                   summary="Check in to a session's room as the official present (a regulator)")
    def post(self, request, lot_id: int):
        data = CheckInRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check_in = official_check_in(lot_id=lot_id, session_kind=data.validated_data["session"], user=request.user)
        return Response(CheckInSerializer(check_in).data, status=201)
