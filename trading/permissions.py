"""Who may call what: role checks shared by the API and the pages.

A page that a role may not open is refused with a reason (``role_required``), and the pages that
link to it ask the same rule first (``may_open``, the ``may_open`` template filter of ``access``),
so nobody is shown a link that answers 403."""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rest_framework import permissions

from trading.models import Role

# The roles that may open each role-gated page that other pages link to, by URL name. The views
# refuse everyone else with these, and the links are shown by them.
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "registration-lot": (Role.BIDDER,),
    "bid-page": (Role.BIDDER,),
    "lot-objections": (Role.BIDDER, Role.STAFF),
    "lot-complaints": (Role.BIDDER,),
}


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


def holds_role(user, *roles: str) -> bool:
    return user.is_authenticated and any(user.has_role(role) for role in roles)


def may_open(user, page: str) -> bool:
    """Whether ``user`` (signed in) holds a role that may open ``page``, a URL name of PAGE_ROLES."""
    return holds_role(user, *PAGE_ROLES[page])


def role_required(user, *roles: str) -> None:
    """For pages: refuse (403) unless the signed-in user holds one of ``roles``, saying whose page it is."""
    if holds_role(user, *roles):
        return
    names = {"roles": _(", ").join(str(Role(role).label) for role in roles)}
    if user.is_authenticated:
        raise PermissionDenied(_("This page is only for: %(roles)s. Your account does not hold that role.") % names)
    raise PermissionDenied(_("This page is only for: %(roles)s. Sign in with an account that holds that role.")
                           % names)
