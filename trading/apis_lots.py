"""REST endpoints of lots: public reads, staff writes. Each write calls one service."""
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.events import actor_of
from trading.filters import AnnouncementFilter, LotFilter
from trading.models import Lot, Project
from trading.permissions import IsStaffRole
from trading.selectors import announcement_list_public, lot_get_public, lot_list_public, lot_timeline
from trading.serializers import ErrorSerializer
from trading.serializers_lots import (
    AmendSerializer,
    AnnouncementSerializer,
    LotSerializer,
    LotUpdateSerializer,
    LotWriteSerializer,
    NoticeSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
    PublishSerializer,
    ReasonSerializer,
    ResumeSerializer,
    TimelineItemSerializer,
)
from trading.services import announcements as announcement_services
from trading.services import lots as lot_services
from trading.services.retender import lot_retender

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer,
          409: ErrorSerializer}
class LotListApi(ListAPIView):
    """Lots the public may see, with the portal's search filters (market, procedure, status, tenderee,
    region, publication dates, lot code, keyword); a filter given a value it cannot read answers 400."""

    serializer_class = LotSerializer
    permission_classes = [permissions.AllowAny]
    filter_backends = [DjangoFilterBackend]
    filterset_class = LotFilter

    def get_queryset(self):
        return lot_list_public()


class LotDetailApi(RetrieveAPIView):
    serializer_class = LotSerializer
    permission_classes = [permissions.AllowAny]

    def get_object(self):
        lot = lot_get_public(lot_id=self.kwargs["lot_id"])
        if lot is None:
            raise Http404
        return lot

    @extend_schema(responses={200: LotSerializer, 404: ErrorSerializer, 409: ErrorSerializer})
    def patch(self, request, lot_id):
        """Staff edit a draft lot."""
        if not IsStaffRole().has_permission(request, self):
            self.permission_denied(request)
        data = LotUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        lot = lot_services.lot_update(lot_id=lot_id, actor=actor_of(request.user), **data.validated_data)
        return Response(LotSerializer(lot).data)


class LotTimelineApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: TimelineItemSerializer(many=True), 404: ErrorSerializer})
    def get(self, request, lot_id):
        lot = lot_get_public(lot_id=lot_id)
        if lot is None:
            raise Http404
        return Response(TimelineItemSerializer(lot_timeline(lot=lot), many=True).data)


class AnnouncementListApi(ListAPIView):
    """Announcements, newest first, with the same filters as the portal's announcement list."""

    serializer_class = AnnouncementSerializer
    permission_classes = [permissions.AllowAny]
    filter_backends = [DjangoFilterBackend]
    filterset_class = AnnouncementFilter

    def get_queryset(self):
        return announcement_list_public()


class LotAnnouncementApi(APIView):
    """Staff publish a failure notice, candidate publicity or result for a lot in the matching status."""

    permission_classes = [IsStaffRole]

    @extend_schema(request=NoticeSerializer, responses={201: AnnouncementSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = NoticeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        announcement = announcement_services.announcement_publish(lot_id=lot_id, actor=actor_of(request.user),
                                                                  **data.validated_data)
        return Response(AnnouncementSerializer(announcement).data, status=201)


class AnnouncementCorrectApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=PublishSerializer, responses={201: AnnouncementSerializer, **ERRORS})
    def post(self, request, announcement_id):
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        correction = announcement_services.announcement_correct(
            announcement_id=announcement_id, actor=actor_of(request.user), **data.validated_data)
        return Response(AnnouncementSerializer(correction).data, status=201)


class ProjectCreateApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=ProjectCreateSerializer, responses={201: ProjectSerializer, **ERRORS})
    def post(self, request):
        data = ProjectCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = lot_services.project_create(actor=actor_of(request.user), **data.validated_data)
        return Response(ProjectSerializer(project).data, status=201)


class ProjectLotCreateApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=LotWriteSerializer, responses={201: LotSerializer, **ERRORS})
    def post(self, request, project_id):
        project = get_object_or_404(Project, pk=project_id)
        data = LotWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lot = lot_services.lot_create(project=project, actor=actor_of(request.user), **data.validated_data)
        return Response(LotSerializer(lot).data, status=201)


def _lot_action(service, serializer_class=None):
    """A staff endpoint that runs one lot service and answers with the lot (or the announcement)."""

    class LotActionApi(APIView):
        permission_classes = [IsStaffRole]

        @extend_schema(request=serializer_class, responses={200: LotSerializer, **ERRORS},
                       operation_id=f"lot_{service.__name__.removeprefix('lot_')}")
        def post(self, request, lot_id):
            arguments = {}
            if serializer_class is not None:
                data = serializer_class(data=request.data)
                data.is_valid(raise_exception=True)
                arguments = data.validated_data
            service(lot_id=lot_id, actor=actor_of(request.user), **arguments)
            lot = Lot.objects.select_related("project__market", "project__procedure").get(pk=lot_id)
            return Response(LotSerializer(lot).data)

    LotActionApi.__name__ = f"Lot{service.__name__.title().replace('_', '')}Api"
    return LotActionApi


class LotRetenderApi(APIView):
    """Staff tender a failed lot again: answers with the new lot, a draft (``lot_retender``)."""

    permission_classes = [IsStaffRole]

    @extend_schema(request=None, responses={201: LotSerializer, **ERRORS}, operation_id="lot_retender")
    def post(self, request, lot_id):
        lot = lot_retender(lot_id=lot_id, actor=actor_of(request.user))
        return Response(LotSerializer(lot).data, status=201)


LotSubmitApi = _lot_action(lot_services.lot_submit)
LotReturnApi = _lot_action(lot_services.lot_return, ReasonSerializer)
LotAmendApi = _lot_action(lot_services.lot_amend, AmendSerializer)
LotSuspendApi = _lot_action(lot_services.lot_suspend, ReasonSerializer)
LotResumeApi = _lot_action(lot_services.lot_resume, ResumeSerializer)
