"""Who may call what: role checks shared by the API and the pages."""
from django.core.exceptions import PermissionDenied
from rest_framework import permissions

from trading.models import Role


class _HasRole(permissions.BasePermission):
    role: str

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.has_role(self.role)


class IsStaffRole(_HasRole):
    role = Role.STAFF


class IsBidderRole(_HasRole):
    role = Role.BIDDER


class IsExpertRole(_HasRole):
    role = Role.EXPERT


class IsRegulatorRole(_HasRole):
    role = Role.REGULATOR


class IsStaffOrRegulator(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.is_authenticated and (request.user.has_role(Role.STAFF)
                                                  or request.user.has_role(Role.REGULATOR))


def role_required(user, *roles: str) -> None:
    """For pages: refuse (403) unless the signed-in user holds one of ``roles``."""
    if not user.is_authenticated or not any(user.has_role(role) for role in roles):
        raise PermissionDenied
