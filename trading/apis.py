"""Thin REST views of the trading app."""
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.authtoken.models import Token
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.events import actor_of
from trading.accounts.services.second_factor import second_factor_check
from trading.models import Organisation
from trading.permissions import IsStaffRole
from trading.serializers import (
    ErrorSerializer,
    MeSerializer,
    OrganisationCreateSerializer,
    OrganisationSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from trading.services import login_check, organisation_create


class MeApi(APIView):
    @extend_schema(responses={200: MeSerializer, 401: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class TokenApi(APIView):
    """Exchange a username and password for an API token (throttled like the sign-in page). The roles
    that need a second factor on the pages need it here too: ``otp``, a current authenticator code or
    an unused recovery code; 401 ``second_factor_required`` without it, ``second_factor_invalid``
    when wrong, 429 ``second_factor_throttled`` after too many wrong codes."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(request=TokenRequestSerializer,
                   responses={200: TokenSerializer, 400: ErrorSerializer, 401: ErrorSerializer, 429: ErrorSerializer})
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = login_check(request=request._request, username=data.validated_data["username"],
                           password=data.validated_data["password"])
        second_factor_check(request._request, user, data.validated_data.get("otp", ""))
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class OrganisationListApi(ListAPIView):
    """Organisations are public parties of the record; staff register new ones."""

    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.order_by("name")

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsStaffRole()]
        return [permissions.AllowAny()]

    @extend_schema(request=OrganisationCreateSerializer,
                   responses={201: OrganisationSerializer, 400: ErrorSerializer, 401: ErrorSerializer,
                              403: ErrorSerializer})
    def post(self, request):
        data = OrganisationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = organisation_create(actor=actor_of(request.user), **data.validated_data)
        return Response(OrganisationSerializer(organisation).data, status=201)
