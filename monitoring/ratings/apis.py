"""Thin REST views of the service ratings (included under ``/api/v1/``): a party lists its services
and rates them; the centre's staff (and regulators, reading) list the ratings, bad ones awaiting an
answer first; staff answer (the service refuses anyone else)."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.ratings.models import BAD_LEVELS, Level, Rating, Service
from monitoring.ratings.selectors import (RATERS, rating_get, rating_list, service_get_own, service_list_own,
                                          services_with_windows)
from monitoring.ratings.services import rating_answer, rating_give
from trading import clock
from trading.accounts.selectors import actor_names
from trading.models import Market
from trading.permissions import IsStaffOrRegulator, holds_role
from trading.serializers import ErrorSerializer
from trading.text import TEXT_MAX

SHOW = ["", "bad", "unanswered"]


def _errors(*statuses: int) -> dict:
    return {code: OpenApiResponse(ErrorSerializer) for code in statuses}


class IsRater(permissions.BasePermission):
    """A person of an organisation that services are rendered to: its bidders and administrator."""

    def has_permission(self, request, view):
        return holds_role(request.user, *RATERS) and request.user.organisation_id is not None


# --- the party's side ---------------------------------------------------------------------------------

class OwnRatingSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display")
    rated_by = serializers.CharField(source="rated_by.__str__", help_text="The rater's name (real-name rating).")

    class Meta:
        model = Rating
        fields = ["id", "level", "level_label", "comment", "rated_by", "rated_at", "answer_due_at", "answer",
                  "answered_at"]


class OwnServiceSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    lot_code = serializers.SerializerMethodField()
    lot_title = serializers.SerializerMethodField()
    rate_until = serializers.DateTimeField(source="closes_at", help_text=(
        "The end of the time to rate (rule rating_default); unrated by then, the service counts as satisfied."))
    may_rate = serializers.BooleanField(help_text="Unrated, and its time to rate not over.")
    rating = OwnRatingSerializer(source="given", allow_null=True, help_text="Null until rated.")

    class Meta:
        model = Service
        fields = ["id", "kind", "kind_label", "ref", "lot", "lot_code", "lot_title", "market", "rendered_at",
                  "rate_until", "may_rate", "rating"]

    def get_lot_code(self, service) -> str:
        return service.lot.code if service.lot else ""

    def get_lot_title(self, service) -> str:
        return service.lot.display_title if service.lot else ""


class RatingGiveSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices, help_text=(
        "5 very satisfied, 4 satisfied, 3 basically satisfied, 2 dissatisfied, 1 very dissatisfied."))
    comment = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="",
                                    help_text="Required for levels 2 and 1 (the centre answers it).")


class OwnServiceListApi(GenericAPIView):
    serializer_class = OwnServiceSerializer
    permission_classes = [IsRater]

    @extend_schema(responses={200: OwnServiceSerializer(many=True), **_errors(401, 403)},
                   summary="The services rendered to my organisation, newest first, each with its rating")
    def get(self, request):
        page = self.paginate_queryset(service_list_own(organisation_id=request.user.organisation_id))
        services = services_with_windows(page, now=clock.now())
        return self.get_paginated_response(OwnServiceSerializer(services, many=True).data)


class RateApi(APIView):
    permission_classes = [IsRater]

    @extend_schema(request=RatingGiveSerializer,
                   responses={201: OwnServiceSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Rate a service rendered to my organisation (once, within its time to rate)")
    def post(self, request, service_id: int):
        data = RatingGiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating_give(service_id=service_id, user=request.user, **data.validated_data)
        service = service_get_own(service_id=service_id, organisation_id=request.user.organisation_id)
        (service,) = services_with_windows([service], now=clock.now())
        return Response(OwnServiceSerializer(service).data, status=status.HTTP_201_CREATED)


# --- the centre's side --------------------------------------------------------------------------------

class RatedServiceSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    lot_code = serializers.SerializerMethodField()
    organisation = serializers.CharField(source="organisation.name", help_text="The party served.")
    rendered_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = ["id", "kind", "kind_label", "ref", "lot", "lot_code", "market", "organisation", "rendered_by",
                  "rendered_by_name", "rendered_at"]

    def get_lot_code(self, service) -> str:
        return service.lot.code if service.lot else ""

    def get_rendered_by_name(self, service) -> str:
        return self.context.get("names", {}).get(service.rendered_by, "")


class ServiceRatingSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display")
    bad = serializers.SerializerMethodField(help_text="Dissatisfied or worse: the centre must answer it.")
    overdue = serializers.SerializerMethodField(help_text="Bad, unanswered and past its answer limit.")
    rated_by = serializers.CharField(source="rated_by.__str__")
    answered_by = serializers.SerializerMethodField()
    service = RatedServiceSerializer()

    class Meta:
        model = Rating
        fields = ["id", "level", "level_label", "bad", "comment", "rated_by", "rated_at", "answer_due_at", "overdue",
                  "answer", "answered_by", "answered_at", "service"]

    def get_bad(self, rating) -> bool:
        return rating.level in BAD_LEVELS

    def get_overdue(self, rating) -> bool:
        return bool(rating.level in BAD_LEVELS and rating.answered_at is None and rating.answer_due_at
                    and clock.now() >= rating.answer_due_at)

    def get_answered_by(self, rating) -> str:
        return str(rating.answered_by) if rating.answered_by else ""


class ServiceRatingFilterSerializer(serializers.Serializer):
    show = serializers.ChoiceField(choices=SHOW, required=False, default="")
    market = serializers.CharField(required=False, default="")

    def validate_market(self, value):
        if value and not Market.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("There is no such market."))
        return value


class RatingAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=TEXT_MAX, help_text="What the centre found and did.")


def _names(ratings) -> dict:
    return {"names": actor_names({rating.service.rendered_by for rating in ratings})}


class RatingListApi(GenericAPIView):
    serializer_class = ServiceRatingSerializer
    permission_classes = [IsStaffOrRegulator]

    @extend_schema(
        parameters=[OpenApiParameter("show", str, enum=SHOW,
                                     description="bad: dissatisfied or worse; unanswered: bad and not yet answered"),
                    OpenApiParameter("market", str, description="A market's code.")],
        responses={200: ServiceRatingSerializer(many=True), **_errors(400, 401, 403)},
        summary="Service ratings, bad ones awaiting an answer first (staff and regulators)")
    def get(self, request):
        filters = ServiceRatingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        show = filters.validated_data["show"]
        page = self.paginate_queryset(rating_list(bad=bool(show), unanswered=show == "unanswered",
                                                  market=filters.validated_data["market"]))
        return self.get_paginated_response(ServiceRatingSerializer(page, many=True, context=_names(page)).data)


class RatingAnswerApi(APIView):
    # Anyone signed in reaches the service, which refuses everyone but the centre's staff.
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=RatingAnswerSerializer,
                   responses={200: ServiceRatingSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Answer a rating (the centre's staff); the rater is told")
    def post(self, request, rating_id: int):
        data = RatingAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating_answer(rating_id=rating_id, user=request.user, answer=data.validated_data["answer"])
        rating = rating_get(rating_id=rating_id)
        return Response(ServiceRatingSerializer(rating, context=_names([rating])).data)
