"""Thin REST views of a lot's documents and enquiries (included under ``/api/v1/``)."""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.events import actor_of
from trading.models import Enquiry, LotDocument
from trading.permissions import IsBidderRole, IsStaffRole
from trading.selectors_documents import document_list, enquiry_list_pending, enquiry_list_public, lot_get_visible
from trading.serializers import ErrorSerializer
from trading.services.documents import NAME_MAX, document_download_link, document_upload
from trading.services.enquiries import enquiry_answer, enquiry_ask
from trading.text import TEXT_MAX


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = LotDocument
        fields = ["id", "name", "version", "size", "sha256", "content_type", "uploaded_at"]


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    name = serializers.CharField(max_length=NAME_MAX, required=False,
                                 help_text="The document's name; the uploaded file's name when left out.")
    amend = serializers.BooleanField(default=False, help_text="Publish an amendment with this version.")
    title = serializers.CharField(max_length=200, required=False, default="")
    body = serializers.CharField(required=False, default="")
    bid_deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)


class DocumentLinkSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Valid for five minutes.")


class EnquiryPublicSerializer(serializers.ModelSerializer):
    """What everyone reads: the question and its answer, never who asked."""

    class Meta:
        model = Enquiry
        fields = ["id", "question", "asked_at", "answer", "answered_at", "amendment"]


class EnquiryReceivedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enquiry
        fields = ["id", "question", "asked_at"]


class EnquiryPendingSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")
    asked_by = serializers.CharField(source="asked_by.username")

    class Meta:
        model = Enquiry
        fields = ["id", "question", "asked_at", "organisation", "asked_by"]


class EnquiryAskSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=TEXT_MAX)


class EnquiryAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=TEXT_MAX)
    as_amendment = serializers.BooleanField(default=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    bid_deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


def _ip(request) -> str | None:
    # REMOTE_ADDR only: a forwarded-for header is the client's claim unless a trusted proxy set it.
    return request.META.get("REMOTE_ADDR") or None


class DocumentListApi(GenericAPIView):
    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_permissions(self):
        return [IsStaffRole()] if self.request.method == "POST" else [permissions.AllowAny()]

    @extend_schema(responses={200: DocumentSerializer(many=True), **_errors(404)},
                   summary="Every version of every document of a lot")
    def get(self, request, lot_id: int):
        lot = lot_get_visible(lot_id=lot_id, user=request.user)
        page = self.paginate_queryset(document_list(lot=lot))
        return self.get_paginated_response(DocumentSerializer(page, many=True).data)

    @extend_schema(request={"multipart/form-data": DocumentUploadSerializer},
                   responses={201: DocumentSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Upload the next version of a document (staff)")
    def post(self, request, lot_id: int):
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        document = document_upload(
            lot_id=lot_id, name=data.validated_data.get("name") or upload.name, stream=upload,
            length=upload.size, content_type=upload.content_type, actor=actor_of(request.user),
            amend=data.validated_data["amend"], title=data.validated_data["title"],
            body=data.validated_data["body"], bid_deadline=data.validated_data["bid_deadline"],
        )
        return Response(DocumentSerializer(document).data, status=201)


class DocumentLinkApi(APIView):
    @extend_schema(request=None, responses={200: DocumentLinkSerializer, **_errors(401, 403, 404, 409)},
                   summary="A five-minute download link (registered bidders while on sale; staff)")
    def post(self, request, document_id: int):
        url = document_download_link(document_id=document_id, user=request.user, ip=_ip(request))
        return Response({"url": request.build_absolute_uri(url)})


class EnquiryListApi(GenericAPIView):
    serializer_class = EnquiryPublicSerializer

    def get_permissions(self):
        return [IsBidderRole()] if self.request.method == "POST" else [permissions.AllowAny()]

    @extend_schema(responses={200: EnquiryPublicSerializer(many=True), **_errors(404)},
                   summary="Answered questions of a lot, without who asked")
    def get(self, request, lot_id: int):
        lot = lot_get_visible(lot_id=lot_id, user=request.user)
        page = self.paginate_queryset(enquiry_list_public(lot=lot))
        return self.get_paginated_response(EnquiryPublicSerializer(page, many=True).data)

    @extend_schema(request=EnquiryAskSerializer,
                   responses={201: EnquiryReceivedSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Ask a question (bidders of registered organisations)")
    def post(self, request, lot_id: int):
        data = EnquiryAskSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enquiry = enquiry_ask(lot_id=lot_id, user=request.user, question=data.validated_data["question"])
        return Response(EnquiryReceivedSerializer(enquiry).data, status=201)


class EnquiryPendingApi(GenericAPIView):
    serializer_class = EnquiryPendingSerializer
    permission_classes = [IsStaffRole]

    @extend_schema(responses={200: EnquiryPendingSerializer(many=True), **_errors(401, 403, 404)},
                   summary="Unanswered questions with who asked (staff)")
    def get(self, request, lot_id: int):
        lot = lot_get_visible(lot_id=lot_id, user=request.user)
        page = self.paginate_queryset(enquiry_list_pending(lot=lot))
        return self.get_paginated_response(EnquiryPendingSerializer(page, many=True).data)


class EnquiryAnswerApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=EnquiryAnswerSerializer,
                   responses={200: EnquiryPublicSerializer, **_errors(400, 401, 403, 404, 409)},
                   summary="Answer a question publicly, optionally as an amendment (staff)")
    def post(self, request, enquiry_id: int):
        data = EnquiryAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enquiry = enquiry_answer(enquiry_id=enquiry_id, actor=actor_of(request.user), **data.validated_data)
        return Response(EnquiryPublicSerializer(enquiry).data)
