"""The error pages, in the site's layout and language, each with a reason and a way back.

``handler403`` and ``handler404`` render ``403.html`` and ``404.html`` with the request: a 403 says
why when the refusal says so (``PermissionDenied(reason)``, as ``trading.permissions.role_required``
raises it) and offers to sign in to someone anonymous; a 404 gives a general reason. ``500.html``,
``400.html`` (through ``trading.apierrors.bad_request``) and ``403_csrf.html`` are rendered by
Django without the request, so they need neither the database nor a context processor: they
show the site's header without the account part (``error_plain.html``).

Under ``/api/`` these handlers answer ``{"code", "detail"}`` JSON instead: DRF answers what its views
raise itself; these only see what never reached a view (an unknown path) or escaped it (a 500).
"""
from urllib.parse import urlsplit

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from trading.apierrors import API_PREFIX
from trading.ratelimits import RATE_LIMITED


def _api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _back(request) -> str:
    """The page the person came from, when it is a page of this site other than this one."""
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.netloc != request.get_host() or not referer.path or referer.path == request.path:
        return ""
    return referer.path + (f"?{referer.query}" if referer.query else "")


@requires_csrf_token
def permission_denied(request, exception=None):
    """A refusal, with the reason it was given."""
    if _api(request):
        return JsonResponse({"code": "permission_denied",
                             "detail": _("You do not have permission to perform this action.")}, status=403)
    reason = str(exception.args[0]) if exception is not None and exception.args and exception.args[0] else ""
    return render(request, "403.html", {"reason": reason, "back": _back(request)}, status=403)


def rate_limited(request, exception=None):
    """``RATELIMIT_VIEW`` (trading.ratelimits): too many attempts of one kind; nothing was done."""
    if _api(request):
        return JsonResponse({"code": "rate_limited", "detail": str(RATE_LIMITED)}, status=429)
    return render(request, "429.html", {"back": _back(request)}, status=429)


@requires_csrf_token
def page_not_found(request, exception=None):
    if _api(request):
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return render(request, "404.html", {"back": _back(request)}, status=404)


def server_error(request):
    if _api(request):
        return JsonResponse({"code": "server_error",
                             "detail": _("The server failed to answer; the error is logged.")}, status=500)
    return defaults.server_error(request)
