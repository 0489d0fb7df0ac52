"""Thin REST views of the registry and the draws (under ``/api/v1/``). The services check who may act
(staff, or the supervisor themself) and audit a refusal, so most views only need a signed-in user."""
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from supervisors.registry import serializers as s
from supervisors.registry.errors import RegistryError
from supervisors.registry.errors import RegistryErrorCode as Code
from supervisors.registry.models import Supervisor
from supervisors.registry.selectors import draws_for_lot, supervisor_get, supervisor_list, supervisor_of, workbench
from supervisors.registry.services import accountability, draws, lifecycle, relations
from supervisors.registry.services.documents import upload_of
from trading.models import Lot, Role, User
from trading.permissions import IsStaffRole
from trading.serializers import ErrorSerializer

TAG = "supervisors"
FILE_PARSERS = [MultiPartParser, FormParser]


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


def _read(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _detail(supervisor_id: int) -> Response:
    return Response(s.SupervisorDetailSerializer(supervisor_get(supervisor_id=supervisor_id)).data)


class SupervisorListApi(GenericAPIView):
    serializer_class = s.SupervisorSerializer
    parser_classes = FILE_PARSERS

    def get_permissions(self):
        return [IsStaffRole()] if self.request.method == "GET" else [permissions.IsAuthenticated()]

    @extend_schema(tags=[TAG], summary="The registry, optionally of one status (staff)",
                   parameters=[OpenApiParameter("status", enum=Supervisor.Status.values, required=False)],
                   responses={200: s.SupervisorSerializer(many=True), **_errors(401, 403)})
    def get(self, request):
        page = self.paginate_queryset(supervisor_list(status=request.query_params.get("status", "")))
        return self.get_paginated_response(s.SupervisorSerializer(page, many=True).data)

    @extend_schema(tags=[TAG], summary="Enter a unit's recommendation (staff)", request=s.SupervisorRecommendSerializer,
                   responses={201: s.SupervisorDetailSerializer, **_errors(400, 401, 403, 409)})
    def post(self, request):
        data = _read(s.SupervisorRecommendSerializer, request)
        user = account = None
        if data["user"] is not None:
            user = User.objects.filter(pk=data["user"]).first()
            if user is None:
                raise RegistryError(Code.ACCOUNT_MISSING, _("There is no account with this id."))
        elif data["username"]:
            account = lifecycle.NewAccount(username=data["username"], display_name=data["display_name"],
                                           resident_id=data["resident_id"], password=data["password"])
        supervisor = lifecycle.supervisor_recommend(
            by=request.user, user=user, account=account, unit_name=data["unit_name"], unit_uscc=data["unit_uscc"],
            letter=upload_of(data["letter"]), employer_name=data["employer_name"], employer_id=data["employer"],
            market_codes=data["markets"])
        return Response(s.SupervisorDetailSerializer(supervisor_get(supervisor_id=supervisor.pk)).data, status=201)


class SupervisorNominateApi(APIView):
    @extend_schema(tags=[TAG], summary="Nominate yourself as a social supervisor",
                   request=s.SupervisorNominateSerializer,
                   responses={201: s.SupervisorDetailSerializer, **_errors(400, 401, 409)})
    def post(self, request):
        data = _read(s.SupervisorNominateSerializer, request)
        supervisor = lifecycle.supervisor_nominate(user=request.user, employer_name=data["employer_name"],
                                                   employer_id=data["employer"], market_codes=data["markets"])
        return Response(s.SupervisorDetailSerializer(supervisor_get(supervisor_id=supervisor.pk)).data, status=201)


class SupervisorDetailApi(APIView):
    @extend_schema(tags=[TAG], summary="A supervisor's entry with its history (staff, or the supervisor)",
                   responses={200: s.SupervisorDetailSerializer, **_errors(401, 404)})
    def get(self, request, supervisor_id: int):
        supervisor = supervisor_get(supervisor_id=supervisor_id)
        if supervisor is None or not (request.user.has_role(Role.STAFF) or supervisor.user_id == request.user.pk):
            raise Http404
        return _detail(supervisor_id)


def _action(summary: str, body, service, *, parsers=None):
    """A POST on one supervisor that reads ``body`` and calls ``service(user, supervisor_id, data)``."""
    class ActionApi(APIView):
        parser_classes = parsers or [JSONParser, FormParser, MultiPartParser]

        @extend_schema(tags=[TAG], summary=summary, request=body,
                       responses={200: s.SupervisorDetailSerializer, **_errors(400, 401, 403, 404, 409)})
        def post(self, request, supervisor_id: int):
            service(request.user, supervisor_id, _read(body, request) if body else {})
            return _detail(supervisor_id)
    return ActionApi


SupervisorVetApi = _action("Vet a candidate (staff)", s.SupervisorVetSerializer,
                           lambda by, pk, d: lifecycle.supervisor_vet(supervisor_id=pk, by=by, notes=d["notes"]))
SupervisorAppointApi = _action("Appoint: the signed agreement and the term (staff)", s.SupervisorAppointSerializer,
                               lambda by, pk, d: lifecycle.supervisor_appoint(
                                   supervisor_id=pk, by=by, agreement_signed_on=d["agreement_signed_on"],
                                   agreement=upload_of(d["agreement"]), term_start=d["term_start"],
                                   term_end=d["term_end"]), parsers=FILE_PARSERS)
SupervisorPledgeApi = _action("Accept the duties and the integrity pledge (the supervisor themself)", None,
                              lambda user, pk, d: lifecycle.supervisor_pledge_accept(supervisor_id=pk, user=user))
SupervisorSuspendApi = _action("Suspend (staff)", s.SupervisorReasonSerializer,
                               lambda by, pk, d: lifecycle.supervisor_suspend(supervisor_id=pk, by=by,
                                                                              reason=d["reason"]))
SupervisorReinstateApi = _action("Reinstate (staff)", s.SupervisorReasonSerializer,
                                 lambda by, pk, d: lifecycle.supervisor_reinstate(supervisor_id=pk, by=by,
                                                                                  reason=d["reason"]))
SupervisorDismissApi = _action("Dismiss: the role and every seat revoked (staff)", s.SupervisorReasonSerializer,
                               lambda by, pk, d: lifecycle.supervisor_dismiss(supervisor_id=pk, by=by,
                                                                              reason=d["reason"]))
SupervisorRenewApi = _action("Renew the term (staff)", s.SupervisorReasonSerializer,
                             lambda by, pk, d: lifecycle.supervisor_renew(supervisor_id=pk, by=by, reason=d["reason"]))
SupervisorSanctionApi = _action("Record a sanction: warning, suspension or dismissal (staff)",
                                s.SupervisorSanctionCreateSerializer, lambda by, pk, d: accountability.sanction_impose(
                                    supervisor_id=pk, by=by, kind=d["kind"], reason=d["reason"],
                                    evidence=upload_of(d["evidence"])), parsers=FILE_PARSERS)
SupervisorEvaluateApi = _action("Record the yearly evaluation (staff)", s.SupervisorEvaluationCreateSerializer,
                                lambda by, pk, d: accountability.evaluation_record(
                                    supervisor_id=pk, by=by, year=d["year"], grade=d["grade"], comment=d["comment"]))


class WorkbenchApi(APIView):
    @extend_schema(tags=[TAG], summary="The signed-in supervisor's entry, seats to answer, sessions and reports due",
                   responses={200: s.SupervisorWorkbenchSerializer, **_errors(401)})
    def get(self, request):
        return Response(s.SupervisorWorkbenchSerializer({"supervisor": supervisor_of(user=request.user),
                                               **workbench(user=request.user)}).data)


class LotDrawsApi(APIView):
    def get_permissions(self):
        return [permissions.AllowAny()] if self.request.method == "GET" else [permissions.IsAuthenticated()]

    @extend_schema(tags=[TAG], summary="A lot's supervisor draws: seed, ordered pool, drawn and exclusions",
                   description="Anyone may redo a draw from its seed and pool (docs/supervision.md). Staff see "
                               "the grounds of exclusion in full; everyone else sees a conflict with a party of "
                               "the lot as `conflict`.",
                   responses={200: s.SupervisorDrawSerializer(many=True), **_errors(404)})
    def get(self, request, lot_id: int):
        if not Lot.objects.filter(pk=lot_id).exists():
            raise Http404
        staff = request.user.is_authenticated and request.user.has_role(Role.STAFF)
        return Response(s.SupervisorDrawSerializer(draws_for_lot(lot_id=lot_id), many=True,
                                         context={"full_grounds": staff}).data)

    @extend_schema(tags=[TAG], summary="Draw the supervisors of one session of the lot (staff)",
                   request=s.SupervisorDrawCreateSerializer,
                   responses={201: s.SupervisorDrawSerializer, **_errors(400, 401, 403, 404, 409)})
    def post(self, request, lot_id: int):
        data = _read(s.SupervisorDrawCreateSerializer, request)
        draw = draws.supervisor_draw(lot_id=lot_id, session_kind=data["session_kind"], by=request.user)
        return Response(s.SupervisorDrawSerializer(draw, context={"full_grounds": True}).data, status=201)


class SeatAcceptApi(APIView):
    @extend_schema(tags=[TAG], summary="Accept a drawn seat (the drawn supervisor)", request=None,
                   responses={200: s.SupervisorSeatSerializer, **_errors(401, 403, 404, 409)})
    def post(self, request, assignment_id: int):
        seat = draws.assignment_accept(assignment_id=assignment_id, user=request.user)
        return Response(s.SupervisorSeatSerializer(seat).data)


class SeatRecuseApi(APIView):
    @extend_schema(tags=[TAG], summary="Apply to recuse from a drawn seat (the drawn supervisor)",
                   request=s.SupervisorRecusalApplySerializer,
                   responses={201: s.SupervisorRecusalSerializer, **_errors(400, 401, 403, 404, 409)})
    def post(self, request, assignment_id: int):
        data = _read(s.SupervisorRecusalApplySerializer, request)
        recusal = draws.recusal_apply(assignment_id=assignment_id, user=request.user, reason=data["reason"])
        return Response(s.SupervisorRecusalSerializer(recusal).data, status=201)


class RecusalDecideApi(APIView):
    @extend_schema(tags=[TAG], summary="Decide a recusal: approved, the seat is redrawn (staff)",
                   request=s.SupervisorRecusalDecisionSerializer,
                   responses={200: s.SupervisorRecusalSerializer, **_errors(400, 401, 403, 404, 409)})
    def post(self, request, recusal_id: int):
        data = _read(s.SupervisorRecusalDecisionSerializer, request)
        recusal = draws.recusal_decide(recusal_id=recusal_id, by=request.user, **data)
        return Response(s.SupervisorRecusalSerializer(recusal).data)


class SupervisorRelationsApi(APIView):
    """A supervisor's declared relations (staff, or the supervisor themself), and a new declaration:
    each excludes them from the draws of lots where that organisation is a party."""

    @extend_schema(tags=[TAG], summary="Declare a relation with an organisation (the supervisor, or staff)",
                   request=s.SupervisorRelationDeclareSerializer,
                   responses={201: s.SupervisorRelationSerializer, **_errors(400, 401, 403, 404, 409)})
    def post(self, request, supervisor_id: int):
        data = _read(s.SupervisorRelationDeclareSerializer, request)
        relation = relations.supervisor_relation_declare(supervisor_id=supervisor_id, user=request.user, **data)
        return Response(s.SupervisorRelationSerializer(relation).data, status=201)
