"""The roles API: a person's notices; the security administrator's people, grants, revocations,
locks, second-person decisions and the grant history."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from trading.accounts.selectors import may_manage_roles, notifications_for, people_list, role_changes_list
from trading.accounts.services.people import user_lock, user_unlock
from trading.accounts.services.roles import role_change_approve, role_grant, role_revoke
from trading.accounts.services.second_factor import second_factor_reset
from trading.models import Notification, Role, RoleChange, User
from trading.serializers import ErrorSerializer
from trading.services.notifications import notification_read

REFUSALS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer,
            409: ErrorSerializer}


class IsSecurityAdmin(permissions.BasePermission):
    message = _("Only security administrators manage roles.")

    def has_permission(self, request, view):
        return may_manage_roles(request.user)


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]


class PersonSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    organisation = serializers.CharField(source="organisation.name", default=None, read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "organisation", "is_active", "locked_at", "locked_reason", "roles"]

    def get_roles(self, person) -> list[str]:
        return sorted(grant.role for grant in person.roles.all())


class RoleChangeSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = RoleChange
        fields = ["id", "user", "person", "role", "action", "status", "reason", "proposed_by", "proposed_at",
                  "decided_by", "decided_at", "decision_reason"]


class GrantRequestSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    reason = serializers.CharField(max_length=2000)


class RoleReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RoleDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class NotificationListApi(ListAPIView):
    """My notices, newest first."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        return notifications_for(user=self.request.user,
                                 unread_only=self.request.query_params.get("unread") in ("1", "true"))

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only notices not read yet.")],
                   responses={200: NotificationSerializer(many=True), 401: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses={200: NotificationSerializer, **REFUSALS})
    def post(self, request, notification_id: int):
        notice = get_object_or_404(Notification, pk=notification_id, user=request.user)
        notification_read(user=request.user, notification_id=notice.pk)
        notice.refresh_from_db()
        return Response(NotificationSerializer(notice).data)


class PeopleApi(ListAPIView):
    permission_classes = [IsSecurityAdmin]
    serializer_class = PersonSerializer

    def get_queryset(self):
        role = self.request.query_params.get("role", "")
        return people_list(query=self.request.query_params.get("q", "").strip(),
                           role=role if role in Role.values else "")

    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("role", str, enum=Role.values)],
                   responses={200: PersonSerializer(many=True), 401: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PersonRolesApi(APIView):
    """Grant a role (``POST``): done at once, or ``proposed`` for a role that takes two people."""

    permission_classes = [IsSecurityAdmin]

    @extend_schema(request=GrantRequestSerializer, responses={201: RoleChangeSerializer, **REFUSALS})
    def post(self, request, user_id: int):
        data = GrantRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = role_grant(user=get_object_or_404(User, pk=user_id), role=data.validated_data["role"],
                            reason=data.validated_data["reason"], grantor=request.user)
        return Response(RoleChangeSerializer(change).data, status=201)


class PersonRoleRevokeApi(APIView):
    permission_classes = [IsSecurityAdmin]

    @extend_schema(request=RoleReasonSerializer, responses={201: RoleChangeSerializer, **REFUSALS})
    def post(self, request, user_id: int, role: str):
        data = RoleReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = role_revoke(user=get_object_or_404(User, pk=user_id), role=role,
                             reason=data.validated_data["reason"], grantor=request.user)
        return Response(RoleChangeSerializer(change).data, status=201)


class PersonLockApi(APIView):
    """Lock (``POST``) or unlock (``DELETE``) an account, with a reason."""

    permission_classes = [IsSecurityAdmin]

    @extend_schema(request=RoleReasonSerializer, responses={200: PersonSerializer, **REFUSALS})
    def post(self, request, user_id: int):
        data = RoleReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = user_lock(user=get_object_or_404(User, pk=user_id), by=request.user,
                           reason=data.validated_data["reason"])
        return Response(PersonSerializer(person).data)

    @extend_schema(request=RoleReasonSerializer, responses={200: PersonSerializer, **REFUSALS})
    def delete(self, request, user_id: int):
        data = RoleReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = user_unlock(user=get_object_or_404(User, pk=user_id), by=request.user,
                             reason=data.validated_data["reason"])
        return Response(PersonSerializer(person).data)


class PersonSecondFactorResetApi(APIView):
    """Remove a person's authenticator and recovery codes (a lost phone); they set a new one up."""

    permission_classes = [IsSecurityAdmin]

    @extend_schema(request=RoleReasonSerializer, responses={204: None, **REFUSALS})
    def post(self, request, user_id: int):
        data = RoleReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        second_factor_reset(user=get_object_or_404(User, pk=user_id), by=request.user,
                            reason=data.validated_data["reason"])
        return Response(status=204)


class RoleChangeListApi(ListAPIView):
    """The grant history, newest first."""

    permission_classes = [IsSecurityAdmin]
    serializer_class = RoleChangeSerializer

    def get_queryset(self):
        params = self.request.query_params
        status, role = params.get("status", ""), params.get("role", "")
        return role_changes_list(status=status if status in RoleChange.Status.values else "",
                                 role=role if role in Role.values else "")

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=RoleChange.Status.values),
                               OpenApiParameter("role", str, enum=Role.values)],
                   responses={200: RoleChangeSerializer(many=True), 401: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RoleChangeDecisionApi(APIView):
    """The second person's decision on a proposed grant."""

    permission_classes = [IsSecurityAdmin]

    @extend_schema(request=RoleDecisionSerializer, responses={200: RoleChangeSerializer, **REFUSALS})
    def post(self, request, change_id: int):
        data = RoleDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = role_change_approve(change_id=change_id, approver=request.user, **data.validated_data)
        return Response(RoleChangeSerializer(change).data)
