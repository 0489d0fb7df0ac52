"""Thin REST views for companies: sign-up and the address check, the company's own page and people,
staff's reviews."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from trading.accounts.apis.companies_serializers import (CompanyChangeSerializer, CompanyDecisionSerializer,
                                                         CompanyParticularsSerializer, CompanyPersonSerializer,
                                                         CompanySerializer, CompanySignUpSerializer,
                                                         CompanyUserAddSerializer, CompanyUserRemoveSerializer,
                                                         EmailTokenSerializer, company_detail)
from trading.accounts.selectors import company_of, company_reviews_pending
from trading.ratelimits import rate_limited_api
from trading.accounts.services.companies import (LicenceUpload, company_change_request, company_resubmit,
                                                 company_review, company_sign_up, company_user_add,
                                                 company_user_remove, email_verification_send, email_verify)
from trading.errors import AccountError
from trading.models import User
from trading.permissions import IsStaffRole
from trading.serializers import ErrorSerializer

TAG = "companies"


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


def _licence(upload) -> LicenceUpload | None:
    return LicenceUpload(stream=upload, name=upload.name, length=upload.size) if upload else None


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _company(request):
    organisation = company_of(request.user)
    if organisation is None:
        raise AccountError("no_company", _("Your account belongs to no company."), status=404)
    return organisation


def _particulars(request) -> dict:
    data = CompanyParticularsSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = dict(data.validated_data)
    values["licence"] = _licence(values.pop("licence", None))
    return values


@rate_limited_api("sign_up")
class CompanySignUpApi(APIView):
    """Anyone may sign a company up; nobody is signed in yet, so no session and no CSRF."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(tags=[TAG], request={"multipart/form-data": CompanySignUpSerializer},
                   responses={201: CompanyChangeSerializer, **_errors(400, 409, 429)},
                   summary="Sign a company up (staff review it; the contact confirms their address)")
    def post(self, request):
        data = CompanySignUpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["licence"] = _licence(values.pop("licence", None))
        change = company_sign_up(**values, base_url=_base_url(request))
        return Response(CompanyChangeSerializer(change).data, status=201)


class EmailVerifyApi(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(tags=[TAG], request=EmailTokenSerializer,
                   responses={200: CompanyPersonSerializer, **_errors(400, 410)},
                   summary="Confirm an email address with the token of the mailed link")
    def post(self, request):
        data = EmailTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = email_verify(token=data.validated_data["token"])
        return Response(CompanyPersonSerializer(user).data)


class EmailVerificationSendApi(APIView):
    @extend_schema(tags=[TAG], request=None, responses={202: None, **_errors(400, 401, 409)},
                   summary="Mail a fresh address-check link to the signed-in person")
    def post(self, request):
        email_verification_send(user=request.user, base_url=_base_url(request))
        return Response(status=202)


class MyCompanyApi(APIView):
    @extend_schema(tags=[TAG], responses={200: CompanySerializer, **_errors(401, 404)},
                   summary="The signed-in person's company: particulars, status, history, people")
    def get(self, request):
        return Response(CompanySerializer(company_detail(_company(request))).data)


class CompanyChangeApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(tags=[TAG], request={"multipart/form-data": CompanyParticularsSerializer},
                   responses={201: CompanyChangeSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Ask staff to change the name, legal representative or licence (company administrator)")
    def post(self, request):
        change = company_change_request(organisation=_company(request), user=request.user, **_particulars(request))
        return Response(CompanyChangeSerializer(change).data, status=201)


class CompanyResubmitApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(tags=[TAG], request={"multipart/form-data": CompanyParticularsSerializer},
                   responses={201: CompanyChangeSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Correct a refused sign-up and submit it again")
    def post(self, request):
        change = company_resubmit(organisation=_company(request), user=request.user, **_particulars(request))
        return Response(CompanyChangeSerializer(change).data, status=201)


class CompanyUsersApi(APIView):
    @extend_schema(tags=[TAG], request=CompanyUserAddSerializer,
                   responses={201: CompanyPersonSerializer, **_errors(400, 401, 403, 409)},
                   summary="Add a person to the company, as a bidder (company administrator)")
    def post(self, request):
        data = CompanyUserAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = company_user_add(admin=request.user, base_url=_base_url(request), **data.validated_data)
        return Response(CompanyPersonSerializer(person).data, status=201)


class CompanyUserApi(APIView):
    @extend_schema(tags=[TAG], request=CompanyUserRemoveSerializer,
                   responses={204: None, **_errors(400, 401, 403, 404, 409)},
                   summary="Remove a person from the company: roles revoked, account closed (company administrator)")
    def delete(self, request, user_id: int):
        data = CompanyUserRemoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = User.objects.filter(pk=user_id).first()
        if person is None:
            raise AccountError("not_company_member", _("This person is not one of your company's people."), status=404)
        company_user_remove(admin=request.user, user=person, reason=data.validated_data["reason"])
        return Response(status=204)


class CompanyReviewListApi(ListAPIView):
    permission_classes = [IsStaffRole]
    serializer_class = CompanyChangeSerializer

    def get_queryset(self):
        return company_reviews_pending()

    @extend_schema(tags=[TAG], responses={200: CompanyChangeSerializer(many=True), **_errors(401, 403)},
                   summary="Sign-ups and changes awaiting review, the oldest first (staff)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CompanyReviewDecisionApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(tags=[TAG], request=CompanyDecisionSerializer,
                   responses={200: CompanyChangeSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Approve or refuse a sign-up or change (staff; a refusal says why)")
    def post(self, request, change_id: int):
        data = CompanyDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = company_review(change_id=change_id, reviewer=request.user, **data.validated_data)
        return Response(CompanyChangeSerializer(change).data)
