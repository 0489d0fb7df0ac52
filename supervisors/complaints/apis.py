"""Thin REST views of challenges and complaints (included under ``/api/v1/``).

Bidders file challenges (procurement) and complaints and read their organisation's own; staff read
challenges and reply; regulators read every complaint and accept, refuse, order a suspension and
decide. Nothing here is public.
"""
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.events import actor_of
from supervisors.complaints.selectors import (challenge_list_for_staff, challenge_list_own,
                                              complaint_list_for_regulator, complaint_list_own)
from supervisors.complaints.services import (challenge_file, challenge_reply, complaint_accept, complaint_decide,
                                             complaint_file, complaint_refuse, complaint_suspend, TEXT_MAX, TITLE_MAX)
from supervisors.complaints.models import Challenge, Complaint
from trading import clock
from trading.permissions import IsBidderRole, IsRegulatorRole, IsStaffRole
from trading.serializers import ErrorSerializer


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


class ChallengeSerializer(serializers.ModelSerializer):
    """A challenge as its supplier and staff read it."""

    reply_last_day = serializers.DateField(read_only=True)
    overdue = serializers.SerializerMethodField()
    replied_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Challenge
        fields = ["id", "lot", "status", "matter", "grounds", "known_on", "filed_at", "reply_due_at", "reply_last_day",
                  "reply_due_provisional", "overdue", "reply", "replied_at", "replied_late"]

    def get_overdue(self, challenge) -> bool:
        return challenge.status == Challenge.Status.FILED and challenge.reply_due_at <= self.context["now"]


class ChallengeStaffSerializer(ChallengeSerializer):
    organisation = serializers.CharField(source="organisation.name")
    filed_by = serializers.CharField(source="filed_by.username")

    class Meta(ChallengeSerializer.Meta):
        fields = [*ChallengeSerializer.Meta.fields, "organisation", "filed_by", "replied_by"]


class ComplaintSerializer(serializers.ModelSerializer):
    """A complaint as its complainant reads it: where it stands and what was decided."""

    acceptance_last_day = serializers.DateField(read_only=True)
    decision_last_day = serializers.DateField(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["id", "lot", "challenge", "status", "act", "grounds", "known_on", "filed_at", "acceptance_due_at",
                  "acceptance_last_day", "acceptance_due_provisional", "reviewed_at", "refusal_reasons",
                  "decision_due_at", "decision_last_day", "decision_due_provisional", "decided_at", "outcome",
                  "decision_reasons", "terminated_lot", "overdue"]

    def get_overdue(self, complaint) -> bool:
        return complaint.is_overdue(self.context["now"])


class ComplaintRegulatorSerializer(ComplaintSerializer):
    organisation = serializers.CharField(source="organisation.name")
    filed_by = serializers.CharField(source="filed_by.username")

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "organisation", "filed_by", "reviewed_by", "decided_by"]


class ChallengeFileSerializer(serializers.Serializer):
    matter = serializers.CharField(max_length=TITLE_MAX, help_text="What is challenged: the document, step or result.")
    grounds = serializers.CharField(max_length=TEXT_MAX)
    known_on = serializers.DateField(help_text="The day the supplier knew or should have known (China time).")


class ComplaintFileSerializer(serializers.Serializer):
    act = serializers.CharField(max_length=TITLE_MAX, help_text="The act complained of.")
    grounds = serializers.CharField(max_length=TEXT_MAX)
    known_on = serializers.DateField(help_text="The day the complainant knew or should have known (China time).")
    challenge = serializers.IntegerField(required=False, allow_null=True, default=None,
                                         help_text="Procurement: the id of your challenge the complaint follows.")


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=TEXT_MAX)


class AcceptSerializer(serializers.Serializer):
    suspend = serializers.BooleanField(default=False, help_text="Also order the lot suspended until the decision.")


class ReasonsSerializer(serializers.Serializer):
    reasons = serializers.CharField(max_length=TEXT_MAX)


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Complaint.Outcome.choices)
    reasons = serializers.CharField(max_length=TEXT_MAX)
    terminate = serializers.BooleanField(default=False, help_text="Upheld only: terminate the lot.")


def _context() -> dict:
    return {"now": clock.now()}


class LotChallengesApi(APIView):
    permission_classes = [IsBidderRole]

    @extend_schema(request=ChallengeFileSerializer,
                   responses={201: ChallengeSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Challenge a procurement lot (质疑; registered suppliers)")
    def post(self, request, lot_id: int):
        data = ChallengeFileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        challenge = challenge_file(lot_id=lot_id, user=request.user, **data.validated_data)
        return Response(ChallengeSerializer(challenge, context=_context()).data, status=201)


class LotComplaintsApi(APIView):
    permission_classes = [IsBidderRole]

    @extend_schema(request=ComplaintFileSerializer,
                   responses={201: ComplaintSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Complain to the regulator about a lot (投诉; registered bidders)")
    def post(self, request, lot_id: int):
        data = ComplaintFileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        complaint = complaint_file(lot_id=lot_id, user=request.user, act=values["act"], grounds=values["grounds"],
                                   known_on=values["known_on"], challenge_id=values["challenge"])
        return Response(ComplaintSerializer(complaint, context=_context()).data, status=201)


class ChallengesMineApi(GenericAPIView):
    serializer_class = ChallengeSerializer
    permission_classes = [IsBidderRole]

    @extend_schema(responses={200: ChallengeSerializer(many=True), **_errors(401, 403)},
                   summary="Your organisation's challenges, newest first (bidders)")
    def get(self, request):
        page = self.paginate_queryset(challenge_list_own(organisation=request.user.organisation))
        return self.get_paginated_response(ChallengeSerializer(page, many=True, context=_context()).data)


class ComplaintsMineApi(GenericAPIView):
    serializer_class = ComplaintSerializer
    permission_classes = [IsBidderRole]

    @extend_schema(responses={200: ComplaintSerializer(many=True), **_errors(401, 403)},
                   summary="Your organisation's complaints, newest first (bidders)")
    def get(self, request):
        page = self.paginate_queryset(complaint_list_own(organisation=request.user.organisation))
        return self.get_paginated_response(ComplaintSerializer(page, many=True, context=_context()).data)


class ChallengeListApi(GenericAPIView):
    serializer_class = ChallengeStaffSerializer
    permission_classes = [IsStaffRole]

    @extend_schema(parameters=[OpenApiParameter("open", bool, description="Only those awaiting a reply.")],
                   responses={200: ChallengeStaffSerializer(many=True), **_errors(401, 403)},
                   summary="Challenges on every lot, those awaiting a reply first by due date (staff)")
    def get(self, request):
        open_only = request.query_params.get("open") in ("1", "true")
        page = self.paginate_queryset(challenge_list_for_staff(open_only=open_only))
        return self.get_paginated_response(ChallengeStaffSerializer(page, many=True, context=_context()).data)


class ChallengeReplyApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=ReplySerializer,
                   responses={200: ChallengeStaffSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Reply to a challenge in writing (staff, for the purchaser or its agency)")
    def post(self, request, challenge_id: int):
        data = ReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        challenge = challenge_reply(challenge_id=challenge_id, reply=data.validated_data["reply"],
                                    actor=actor_of(request.user))
        return Response(ChallengeStaffSerializer(challenge, context=_context()).data)


class ComplaintListApi(GenericAPIView):
    serializer_class = ComplaintRegulatorSerializer
    permission_classes = [IsRegulatorRole]

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=Complaint.Status.values)],
                   responses={200: ComplaintRegulatorSerializer(many=True), **_errors(401, 403)},
                   summary="Every complaint, the open ones first by the due date of their next step (regulators)")
    def get(self, request):
        status = request.query_params.get("status", "")
        page = self.paginate_queryset(
            complaint_list_for_regulator(status=status if status in Complaint.Status.values else ""))
        return self.get_paginated_response(ComplaintRegulatorSerializer(page, many=True, context=_context()).data)


def _complaint_step(service, serializer_class, summary: str):
    """A regulator's endpoint that runs one complaint step and answers with the complaint."""

    class ComplaintStepApi(APIView):
        permission_classes = [IsRegulatorRole]

        @extend_schema(request=serializer_class,
                       responses={200: ComplaintRegulatorSerializer, **_errors(400, 401, 403, 404, 409)},
                       summary=summary, operation_id=service.__name__)
        def post(self, request, complaint_id: int):
            arguments = {}
            if serializer_class is not None:
                data = serializer_class(data=request.data)
                data.is_valid(raise_exception=True)
                arguments = data.validated_data
            complaint = service(complaint_id=complaint_id, actor=actor_of(request.user), **arguments)
            return Response(ComplaintRegulatorSerializer(complaint, context=_context()).data)

    ComplaintStepApi.__name__ = f"{service.__name__.title().replace('_', '')}Api"
    return ComplaintStepApi


ComplaintAcceptApi = _complaint_step(complaint_accept, AcceptSerializer,
                                     "Accept a complaint, optionally ordering the lot suspended (regulators)")
ComplaintRefuseApi = _complaint_step(complaint_refuse, ReasonsSerializer,
                                     "Refuse a complaint with reasons (regulators)")
ComplaintSuspendApi = _complaint_step(
    complaint_suspend, None, "Order the lot of an accepted complaint suspended until the decision (regulators)")
ComplaintDecideApi = _complaint_step(complaint_decide, DecideSerializer,
                                     "Decide a complaint; releases its suspension, or terminates the lot (regulators)")
