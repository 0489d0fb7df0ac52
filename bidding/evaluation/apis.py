"""Evaluation and award through the API: thin views over ``services.panel``, ``services.evaluation``
and ``services.awards``. Refusals come back as ``{"code", "detail"}`` with a 4xx status.

``LotOpenObjectionsApi`` lists a lot's objections awaiting an answer, of every kind, for staff (who
answer each at its own endpoint, ``answer_url``) and regulators (who read them). Not for bidders or
the public: who objected stays with the centre."""
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bidding.errors import BiddingError
from bidding.evaluation import selectors
from bidding.evaluation.models import Evaluation, PanelMember
from bidding.evaluation.selectors import CANDIDATES, DOCUMENTS, KINDS, OPENING, objections_open
from bidding.evaluation.serializers import (
    CandidateObjectionReplySerializer,
    CandidateObjectionSerializer,
    ContractRecordSerializer,
    ContractSerializer,
    DrawSerializer,
    EvaluatedBidSerializer,
    EvaluationCreateSerializer,
    EvaluationSerializer,
    MemberSerializer,
    ProposalNoteSerializer,
    ProposalSerializer,
    RepresentativeSerializer,
    ResultNoticeSerializer,
    ResultSerializer,
    ReviewSerializer,
    SeatAnswerSerializer,
    SeatDeclineSerializer,
    SheetSerializer,
    SheetSubmitSerializer,
    TextSerializer,
    WithdrawSerializer,
)
from bidding.evaluation.services import awards, evaluation as services, panel
from monitoring.events import actor_of
from trading.apis_lots import ERRORS
from trading.models import Lot, User
from trading.permissions import IsBidderRole, IsRegulatorRole, IsStaffOrRegulator, IsStaffRole
from trading.selectors import lot_get_public
from trading.serializers import ErrorSerializer


def _evaluation(evaluation_id: int) -> Evaluation:
    return get_object_or_404(Evaluation.objects.select_related("lot"), pk=evaluation_id)


def _valid(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


class LotEvaluationApi(APIView):
    """GET: the evaluation, its panel and who has handed in (staff, regulators, the panel's members).
    POST: staff set the method and the panel's size."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: EvaluationSerializer, **ERRORS})
    def get(self, request, lot_id):
        evaluation = selectors.evaluation_of_lot(lot_id=lot_id)
        if evaluation is None or not selectors.evaluation_readable_by(evaluation=evaluation, user=request.user):
            raise Http404
        return Response(EvaluationSerializer(evaluation).data)

    @extend_schema(request=EvaluationCreateSerializer, responses={201: EvaluationSerializer, **ERRORS})
    def post(self, request, lot_id):
        if not IsStaffRole().has_permission(request, self):
            self.permission_denied(request)
        evaluation = services.evaluation_create(lot_id=lot_id, actor=actor_of(request.user),
                                                **_valid(EvaluationCreateSerializer, request))
        return Response(EvaluationSerializer(evaluation).data, status=201)


class PanelDrawApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=DrawSerializer, responses={201: MemberSerializer(many=True), **ERRORS})
    def post(self, request, evaluation_id):
        members = panel.panel_draw(evaluation_id=evaluation_id, actor=actor_of(request.user),
                                      **_valid(DrawSerializer, request))
        return Response(MemberSerializer(members, many=True).data, status=201)


class PanelRepresentativeApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=RepresentativeSerializer, responses={201: MemberSerializer, **ERRORS})
    def post(self, request, evaluation_id):
        user = User.objects.filter(pk=_valid(RepresentativeSerializer, request)["user_id"]).first()
        if user is None:
            raise BiddingError("user_not_found", _("There is no such person."), status=404)
        member = panel.panel_representative_add(evaluation_id=evaluation_id, user=user,
                                                    actor=actor_of(request.user))
        return Response(MemberSerializer(member).data, status=201)


class SeatAnswerApi(APIView):
    """A drawn member declares no conflict (and is seated) or a conflict with its reason."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=SeatAnswerSerializer, responses={200: MemberSerializer, **ERRORS})
    def post(self, request, member_id):
        member = panel.member_answer(member_id=member_id, user=request.user, **_valid(SeatAnswerSerializer, request))
        return Response(MemberSerializer(member).data)


class SeatDeclineApi(APIView):
    """Staff record that a drawn expert cannot serve; a replacement is drawn."""

    permission_classes = [IsStaffRole]

    @extend_schema(request=SeatDeclineSerializer, responses={200: MemberSerializer, **ERRORS})
    def post(self, request, member_id):
        member = panel.member_decline(member_id=member_id, actor=actor_of(request.user),
                                         **_valid(SeatDeclineSerializer, request))
        return Response(MemberSerializer(member).data)


def _seated(evaluation: Evaluation, user) -> PanelMember:
    seat = selectors.seat_of(evaluation=evaluation, user=user)
    if seat is None or seat.status != PanelMember.Status.SEATED:
        raise BiddingError("not_seated", _("Only seated members who declared no conflict see the bids."),
                           status=403)
    return seat


class EvaluatedBidsApi(APIView):
    """The bids to judge, for seated members only (a member declares before seeing any bid)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: EvaluatedBidSerializer(many=True), **ERRORS})
    def get(self, request, evaluation_id):
        evaluation = _evaluation(evaluation_id)
        _seated(evaluation, request.user)
        return Response(EvaluatedBidSerializer(services.evaluated_bids(evaluation), many=True).data)


class SheetApi(APIView):
    """GET: the member's own sheet. PUT: hand it in (again, with a reason, before the report)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: SheetSerializer, **ERRORS})
    def get(self, request, evaluation_id):
        sheet = selectors.sheet_of(evaluation=_evaluation(evaluation_id), user=request.user)
        if sheet is None:
            raise Http404
        return Response(SheetSerializer(sheet).data)

    @extend_schema(request=SheetSubmitSerializer, responses={200: SheetSerializer, **ERRORS})
    def put(self, request, evaluation_id):
        sheet = services.sheet_submit(evaluation_id=evaluation_id, user=request.user,
                                      **_valid(SheetSubmitSerializer, request))
        return Response(SheetSerializer(sheet).data)


class EvaluationConcludeApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=None, responses={200: EvaluationSerializer, **ERRORS})
    def post(self, request, evaluation_id):
        evaluation = services.evaluation_conclude(evaluation_id=evaluation_id, actor=actor_of(request.user))
        return Response(EvaluationSerializer(evaluation).data)


class EvaluationReportApi(APIView):
    """The signed report (staff, regulators and the panel)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def get(self, request, evaluation_id):
        evaluation = _evaluation(evaluation_id)
        if evaluation.report is None or not selectors.evaluation_readable_by(evaluation=evaluation, user=request.user):
            raise Http404
        return Response(evaluation.report)


class CandidatesPublishApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=None, responses={200: ResultSerializer, **ERRORS})
    def post(self, request, lot_id):
        lot = awards.candidates_publish(lot_id=lot_id, actor=actor_of(request.user))
        return Response(ResultSerializer(selectors.lot_result_public(lot=lot)).data)


class LotResultApi(APIView):
    """Public: the candidates from their publicity on, the winner once approved, then the panel."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: ResultSerializer, **ERRORS})
    def get(self, request, lot_id):
        lot = lot_get_public(lot_id=lot_id)
        result = selectors.lot_result_public(lot=lot) if lot else None
        if result is None:
            raise Http404
        return Response(ResultSerializer(result).data)


class CandidateObjectionApi(APIView):
    permission_classes = [IsBidderRole]

    @extend_schema(request=TextSerializer, responses={201: CandidateObjectionSerializer, **ERRORS})
    def post(self, request, lot_id):
        objection = awards.candidate_objection_file(lot_id=lot_id, user=request.user, **_valid(TextSerializer, request))
        return Response(CandidateObjectionSerializer(objection).data, status=201)


class CandidateObjectionReplyApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=CandidateObjectionReplySerializer, responses={200: CandidateObjectionSerializer, **ERRORS})
    def post(self, request, objection_id):
        objection = awards.candidate_objection_reply(objection_id=objection_id, actor=actor_of(request.user),
                                                     **_valid(CandidateObjectionReplySerializer, request))
        return Response(CandidateObjectionSerializer(objection).data)


class AwardProposeApi(APIView):
    """Staff propose the best candidate still in line; it goes to the regulator's queue."""

    permission_classes = [IsStaffRole]

    @extend_schema(request=ProposalNoteSerializer, responses={201: ProposalSerializer, **ERRORS})
    def post(self, request, lot_id):
        proposal = awards.award_propose(lot_id=lot_id, actor=actor_of(request.user), **_valid(ProposalNoteSerializer, request))
        return Response(ProposalSerializer(proposal).data, status=201)


class ReviewQueueApi(APIView):
    permission_classes = [IsRegulatorRole]

    @extend_schema(responses={200: ProposalSerializer(many=True), **ERRORS})
    def get(self, request):
        return Response(ProposalSerializer(selectors.proposals_under_review(), many=True).data)


class ReviewApi(APIView):
    permission_classes = [IsRegulatorRole]

    @extend_schema(request=ReviewSerializer, responses={200: ProposalSerializer, **ERRORS})
    def post(self, request, proposal_id):
        proposal = awards.award_review(proposal_id=proposal_id, user=request.user, **_valid(ReviewSerializer, request))
        return Response(ProposalSerializer(proposal).data)


class AwardWithdrawApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=WithdrawSerializer, responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def post(self, request, lot_id):
        lot = awards.award_withdraw(lot_id=lot_id, actor=actor_of(request.user), **_valid(WithdrawSerializer, request))
        return Response({"lot": lot.pk, "status": lot.status})


class ContractApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=ContractRecordSerializer, responses={201: ContractSerializer, **ERRORS})
    def post(self, request, lot_id):
        contract = awards.contract_record(lot_id=lot_id, actor=actor_of(request.user),
                                          **_valid(ContractRecordSerializer, request))
        return Response(ContractSerializer(contract).data, status=201)


class NoticesMineApi(APIView):
    """The signed notices addressed to the caller's organisation for a lot."""

    permission_classes = [IsBidderRole]

    @extend_schema(responses={200: ResultNoticeSerializer(many=True), **ERRORS})
    def get(self, request, lot_id):
        return Response(ResultNoticeSerializer(selectors.notices_of(lot_id=lot_id, organisation_id=request.user.organisation_id),
                                         many=True).data)


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
