"""Thin REST views of inquiries, suspension orders and public reports (included under ``/api/v1/``).

Anyone files a report (multipart, no sign-in) and follows and rates it by its private token;
regulators read reports with the reporter's identity and contact, triage, answer and close them,
ask inquiries and order and lift suspensions; those asked read and answer their inquiries. The
regulators' acts take any signed-in caller and leave the refusal to the service, which audits it.
"""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from supervisors.regulation.errors import RegulationError
from supervisors.regulation.errors import RegulationErrorCode as Code
from supervisors.regulation.models import Inquiry, PublicReport
from supervisors.regulation.selectors import (INQUIRY_STATES, inquiry_list_for_addressee, inquiry_list_for_regulator,
                                              report_get, report_get_by_token, report_list)
from supervisors.regulation.services import (CONTACT_MAX, TEXT_MAX, EvidenceUpload, inquiry_answer, inquiry_ask,
                                             lot_suspension_lift, lot_suspension_order, public_report_answer,
                                             public_report_close, public_report_file, public_report_rate,
                                             public_report_triage)
from trading.models import LotHold, Organisation, Role
from trading.permissions import IsRegulatorRole
from trading.ratelimits import rate_limited_api
from trading.serializers import ErrorSerializer

TAG = "regulation"


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


class InquirySerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", allow_null=True, default=None,
                                         help_text="The party asked; null for the trading centre.")
    asked_by = serializers.CharField(source="asked_by.username")
    answered_by = serializers.CharField(source="answered_by.username", allow_null=True, default=None)

    class Meta:
        model = Inquiry
        fields = ["id", "lot", "organisation", "question", "due_at", "asked_by", "asked_at", "answer", "answered_by",
                  "answered_at"]


class InquiryAskSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=TEXT_MAX)
    organisation = serializers.IntegerField(required=False, allow_null=True, default=None,
                                            help_text="A party of the lot (its tenderee or a registered "
                                                      "organisation); omit for the trading centre.")
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                       help_text="Omit for the rule table's working days from now.")


class AnswerTextSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=TEXT_MAX)


class OrderReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=TEXT_MAX)


class HoldSerializer(serializers.ModelSerializer):
    class Meta:
        model = LotHold
        fields = ["id", "lot", "reason", "held_at", "held_by", "released_at", "released_by"]


class ReportFileSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX)
    lot = serializers.IntegerField(required=False, allow_null=True, default=None)
    contact = serializers.CharField(max_length=CONTACT_MAX, required=False, allow_blank=True, default="",
                                    help_text="Required unless signed in; seen by regulators only.")
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                     help_text="Up to 5 files: PDF, JPEG or PNG, 10 MB each.")


class ReportFiledSerializer(serializers.ModelSerializer):
    follow_url = serializers.SerializerMethodField()

    class Meta:
        model = PublicReport
        fields = ["case_number", "follow_token", "follow_url", "status", "received_at"]

    def get_follow_url(self, report) -> str:
        return reverse("report-follow", args=[report.follow_token])


class ReportFollowSerializer(serializers.ModelSerializer):
    """The case as its reporter follows it: nobody's identity or contact."""

    class Meta:
        model = PublicReport
        fields = ["case_number", "lot", "status", "received_at", "text", "answer", "answered_at", "rating", "rated_at",
                  "closed_at"]


class ReportRegulatorSerializer(serializers.ModelSerializer):
    reporter = serializers.CharField(source="reporter.username", allow_null=True, default=None)
    evidence = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = PublicReport
        fields = ["id", "case_number", "lot", "status", "received_at", "reporter", "contact", "text", "evidence",
                  "triaged_by", "triaged_at", "triage_note", "answer", "answered_by", "answered_at", "rating",
                  "rated_at", "closed_at"]


class RatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)


class TriageSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="",
                                   help_text="Required when the case closes unanswered.")


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


# --- inquiries --------------------------------------------------------------------------------------

class LotInquiriesApi(APIView):
    @extend_schema(request=InquiryAskSerializer, responses={201: InquirySerializer, **_errors(400, 401, 403, 404)},
                   summary="Ask the centre or a party of the lot an inquiry (问询; regulators)", tags=[TAG])
    def post(self, request, lot_id: int):
        values = _valid(InquiryAskSerializer, request)
        organisation = None
        if values["organisation"] is not None:
            organisation = Organisation.objects.filter(pk=values["organisation"]).first()
            if organisation is None:
                raise RegulationError(Code.NOT_A_PARTY, _("There is no such organisation."), status=400)
        inquiry = inquiry_ask(lot_id=lot_id, regulator=request.user, question=values["question"],
                              organisation=organisation, due_at=values["due_at"])
        return Response(InquirySerializer(inquiry).data, status=201)


class InquiryListApi(GenericAPIView):
    serializer_class = InquirySerializer

    @extend_schema(parameters=[OpenApiParameter("state", str, enum=list(INQUIRY_STATES))],
                   responses={200: InquirySerializer(many=True), **_errors(401)}, tags=[TAG],
                   summary="Inquiries: every one to regulators, those addressed to you (or the centre) to others")
    def get(self, request):
        if request.user.has_role(Role.REGULATOR):
            state = request.query_params.get("state", "")
            inquiries = inquiry_list_for_regulator(state=state if state in INQUIRY_STATES else "")
        else:
            inquiries = inquiry_list_for_addressee(user=request.user)
        page = self.paginate_queryset(inquiries)
        return self.get_paginated_response(InquirySerializer(page, many=True).data)


class InquiryAnswerApi(APIView):
    @extend_schema(request=AnswerTextSerializer, responses={200: InquirySerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Answer an inquiry addressed to you (staff for the centre)", tags=[TAG])
    def post(self, request, inquiry_id: int):
        inquiry = inquiry_answer(inquiry_id=inquiry_id, user=request.user,
                                 answer=_valid(AnswerTextSerializer, request)["answer"])
        return Response(InquirySerializer(inquiry).data)


# --- suspension orders ------------------------------------------------------------------------------

class LotSuspensionOrderApi(APIView):
    @extend_schema(request=OrderReasonSerializer, responses={201: HoldSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Order the lot suspended (regulators); it resumes when a regulator lifts the order "
                           "and no other hold remains", tags=[TAG])
    def post(self, request, lot_id: int):
        hold = lot_suspension_order(lot_id=lot_id, regulator=request.user,
                                    reason=_valid(OrderReasonSerializer, request)["reason"])
        return Response(HoldSerializer(hold).data, status=201)


class SuspensionLiftApi(APIView):
    @extend_schema(request=OrderReasonSerializer, responses={200: HoldSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Lift a regulators' suspension order (regulators)", tags=[TAG])
    def post(self, request, hold_id: int):
        hold = lot_suspension_lift(hold_id=hold_id, regulator=request.user,
                                   reason=_valid(OrderReasonSerializer, request)["reason"])
        return Response(HoldSerializer(hold).data)


# --- public reports ---------------------------------------------------------------------------------

@rate_limited_api("report")
class ReportsApi(GenericAPIView):
    """Anyone files; regulators list."""

    serializer_class = ReportRegulatorSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_permissions(self):
        return [permissions.AllowAny()] if self.request.method == "POST" else [IsRegulatorRole()]

    @extend_schema(request={"multipart/form-data": ReportFileSerializer},
                   responses={201: ReportFiledSerializer, **_errors(400, 404, 429)}, tags=[TAG],
                   summary="Report a suspected violation (网上举报; anyone, no sign-in needed)")
    def post(self, request):
        values = _valid(ReportFileSerializer, request)
        report = public_report_file(
            text=values["text"], lot_id=values["lot"], reporter=request.user, contact=values["contact"],
            evidence=[EvidenceUpload(stream=f, name=f.name, length=f.size) for f in values["evidence"]])
        return Response(ReportFiledSerializer(report).data, status=201)

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=PublicReport.Status.values)],
                   responses={200: ReportRegulatorSerializer(many=True), **_errors(401, 403)}, tags=[TAG],
                   summary="Public reports with their reporters, those waiting for a step first (regulators)")
    def get(self, request):
        status = request.query_params.get("status", "")
        page = self.paginate_queryset(report_list(status=status if status in PublicReport.Status.values else ""))
        return self.get_paginated_response(ReportRegulatorSerializer(page, many=True).data)


class ReportApi(APIView):
    permission_classes = [IsRegulatorRole]

    @extend_schema(responses={200: ReportRegulatorSerializer, **_errors(401, 403, 404)}, tags=[TAG],
                   summary="One public report with its reporter (regulators)")
    def get(self, request, report_id: int):
        report = report_get(report_id=report_id)
        if report is None:
            raise RegulationError(Code.REPORT_NOT_FOUND, _("There is no such report."), status=404)
        return Response(ReportRegulatorSerializer(report).data)


def _report_step(service, serializer_class, summary: str):
    """A regulator's endpoint that runs one step of a report and answers with the report."""

    class ReportStepApi(APIView):
        @extend_schema(request=serializer_class,
                       responses={200: ReportRegulatorSerializer, **_errors(400, 401, 403, 404, 409)},
                       summary=summary, operation_id=service.__name__, tags=[TAG])
        def post(self, request, report_id: int):
            report = service(report_id=report_id, regulator=request.user, **_valid(serializer_class, request))
            return Response(ReportRegulatorSerializer(report).data)

    ReportStepApi.__name__ = f"{service.__name__.title().replace('_', '')}Api"
    return ReportStepApi


ReportTriageApi = _report_step(public_report_triage, TriageSerializer, "Take a public report up (regulators)")
ReportAnswerApi = _report_step(public_report_answer, AnswerTextSerializer, "Answer the reporter (regulators)")
ReportCloseApi = _report_step(public_report_close, CloseSerializer,
                              "Close a public report; one closed unanswered needs the answer (regulators)")


class ReportFollowApi(APIView):
    """The reporter's private view of their case, by token."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: ReportFollowSerializer, **_errors(404)}, tags=[TAG],
                   summary="Follow your report by its private token (no sign-in)")
    def get(self, request, token: str):
        report = report_get_by_token(token=token)
        if report is None:
            raise RegulationError(Code.REPORT_NOT_FOUND, _("There is no such report."), status=404)
        return Response(ReportFollowSerializer(report).data)


class ReportRatingApi(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=RatingSerializer, responses={200: ReportFollowSerializer, **_errors(400, 404, 409)},
                   summary="Rate the answer to your report 1–5, once (no sign-in)", tags=[TAG])
    def post(self, request, token: str):
        report = public_report_rate(token=token, rating=_valid(RatingSerializer, request)["rating"])
        return Response(ReportFollowSerializer(report).data)
