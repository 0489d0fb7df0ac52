"""Thin REST views for registrations, deposits, refunds and the bank's deposit notifications."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.events import actor_of
from trading import bank, clock
from trading.errors import TradingError
from trading.models import Deposit, Registration
from trading.permissions import IsBidderRole, IsStaffRole
from trading.selectors_registrations import deposits_refund_due, deposits_refund_overdue, registration_get_for_user
from trading.serializers import ErrorSerializer
from trading.services.deposits import deposit_bank_notify, deposit_confirm, deposit_refunded
from trading.services.registrations import registration_create, registration_decide, registration_withdraw

TAG = "registrations"


def _not_registered() -> TradingError:
    return TradingError("registration_not_found", _("Your organisation has not registered for this lot."), status=404)


class DepositSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Deposit
        fields = ["id", "registration", "amount", "currency", "source", "reference", "received_at", "status",
                  "refund_due_at", "refunded_at", "refund_reference", "overdue"]

    def get_overdue(self, deposit) -> bool:
        return (deposit.status == Deposit.Status.REFUND_DUE and deposit.refund_due_at is not None
                and deposit.refund_due_at <= clock.now())


class RegistrationSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    uscc = serializers.CharField(source="organisation.uscc", read_only=True)
    deposit = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = ["id", "lot", "organisation", "uscc", "status", "registered_at", "decided_at", "reason", "deposit"]

    @extend_schema(responses=DepositSerializer(allow_null=True))
    def get_deposit(self, registration) -> dict | None:
        deposit = getattr(registration, "deposit", None)
        return DepositSerializer(deposit).data if deposit is not None else None


class RefundSerializer(DepositSerializer):
    lot = serializers.IntegerField(source="registration.lot_id")
    lot_code = serializers.CharField(source="registration.lot.code")
    organisation = serializers.CharField(source="registration.organisation.name")

    class Meta(DepositSerializer.Meta):
        fields = DepositSerializer.Meta.fields + ["lot", "lot_code", "organisation"]


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DepositConfirmSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    reference = serializers.CharField(max_length=100)


class RefundedSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100)


class BankNotificationSerializer(serializers.Serializer):
    """The body the bank signs (docs/bank.md); documented only, the raw bytes are verified as sent."""

    nonce = serializers.CharField(min_length=16, max_length=64)
    timestamp = serializers.DateTimeField(help_text="ISO 8601 with a zone offset, e.g. 2026-12-01T09:30:00+08:00")
    lot = serializers.CharField(help_text="The lot's id (a JSON number) or its code <project code>-<lot number>")
    uscc = serializers.CharField(min_length=18, max_length=18)
    amount = serializers.CharField(help_text="Decimal string, at most 2 places, e.g. \"50000.00\"")
    reference = serializers.CharField(max_length=100)


class BankReceiptSerializer(serializers.Serializer):
    deposit = serializers.IntegerField()
    status = serializers.CharField()


def _errors(*codes: int) -> dict:
    return {code: ErrorSerializer for code in codes}


class LotRegistrationApi(APIView):
    """The signed-in bidder's registration for a lot."""

    permission_classes = [IsBidderRole]

    @extend_schema(tags=[TAG], responses={200: RegistrationSerializer, **_errors(401, 403, 404)})
    def get(self, request, lot_id: int):
        registration = registration_get_for_user(lot_id=lot_id, user=request.user)
        if registration is None:
            raise _not_registered()
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(tags=[TAG], request=None, responses={201: RegistrationSerializer, **_errors(401, 403, 404, 409)})
    def post(self, request, lot_id: int):
        registration = registration_create(lot_id=lot_id, user=request.user)
        return Response(RegistrationSerializer(registration).data, status=201)


class LotRegistrationWithdrawApi(APIView):
    permission_classes = [IsBidderRole]

    @extend_schema(tags=[TAG], request=None, responses={200: RegistrationSerializer, **_errors(401, 403, 404, 409)})
    def post(self, request, lot_id: int):
        registration = registration_get_for_user(lot_id=lot_id, user=request.user)
        if registration is None:
            raise _not_registered()
        registration = registration_withdraw(registration_id=registration.pk, user=request.user)
        return Response(RegistrationSerializer(registration_get_for_user(lot_id=lot_id, user=request.user)).data)


class RegistrationDecisionApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(tags=[TAG], request=DecisionSerializer,
                   responses={200: RegistrationSerializer, **_errors(400, 401, 403, 404, 409)})
    def post(self, request, registration_id: int):
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = registration_decide(registration_id=registration_id, actor=actor_of(request.user),
                                           **data.validated_data)
        return Response(RegistrationSerializer(registration).data)


class RegistrationDepositApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(tags=[TAG], request=DepositConfirmSerializer,
                   responses={201: DepositSerializer, **_errors(400, 401, 403, 404, 409)})
    def post(self, request, registration_id: int):
        data = DepositConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deposit = deposit_confirm(registration_id=registration_id, actor=actor_of(request.user),
                                  **data.validated_data)
        return Response(DepositSerializer(deposit).data, status=201)


class RefundListApi(ListAPIView):
    """Deposits due for refund, the most urgent first; ``?overdue=true`` keeps only those past due."""

    permission_classes = [IsStaffRole]
    serializer_class = RefundSerializer

    def get_queryset(self):
        overdue = self.request.query_params.get("overdue", "").lower() in ("1", "true", "yes")
        return deposits_refund_overdue() if overdue else deposits_refund_due()

    @extend_schema(tags=[TAG], parameters=[OpenApiParameter("overdue", OpenApiTypes.BOOL, required=False)],
                   responses={200: RefundSerializer(many=True), **_errors(401, 403, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DepositRefundedApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(tags=[TAG], request=RefundedSerializer,
                   responses={200: DepositSerializer, **_errors(400, 401, 403, 404, 409)})
    def post(self, request, deposit_id: int):
        data = RefundedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deposit = deposit_refunded(deposit_id=deposit_id, reference=data.validated_data["reference"],
                                   actor=actor_of(request.user))
        return Response(DepositSerializer(deposit).data)


class BankDepositApi(APIView):
    """A deposit arrived at the bank. Authenticated by the HMAC signature alone (docs/bank.md)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=["bank"], request=BankNotificationSerializer,
        parameters=[OpenApiParameter(bank.SIGNATURE_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
                                     description="sha256=<hex HMAC-SHA256 of the raw body>")],
        responses={201: BankReceiptSerializer, **_errors(400, 401, 404, 409, 503)},
        examples=[OpenApiExample("notification", request_only=True, value={
            "nonce": "b1f0c7e2a9d84c3e", "timestamp": "2026-12-01T09:30:00+08:00", "lot": "GC2026-001-1",
            "uscc": "91330100MA0000001X", "amount": "50000.00", "reference": "ICBC20261201000123"})],
    )
    def post(self, request):
        # The raw bytes, never request.data: the signature covers the body exactly as sent.
        deposit = deposit_bank_notify(body=request.body, signature=request.headers.get(bank.SIGNATURE_HEADER))
        return Response({"deposit": deposit.pk, "status": deposit.status}, status=201)
