"""API errors as ``{"code": ..., "detail": ...}`` with stable codes (plus ``fields`` for input errors).

Two ways in: ``exception_handler`` (DRF's) for what views raise, and ``bad_request`` (the project's
``handler400``) for what Django refuses as a suspicious request: a body over
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``request_too_large``, 413), too many form fields or files
(``too_many_fields``, 413), anything else such as a disallowed host (``bad_request``, 400). Django
raises those when a view, a parser or a middleware first reads the body or the host, and turns them
into the 400 page itself (``django.core.handlers.exception``) without asking DRF, so under ``/api/``
the handler answers them as JSON; other paths keep Django's 400 page. ``schema_body_refusals`` puts
the 400 and 413 answers into the OpenAPI schema of every operation that takes a JSON or form body.
"""
from django.conf import settings
from django.core.exceptions import (PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent,
                                    ValidationError)
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from django_ratelimit.exceptions import Ratelimited

from trading.errors import PlatformError
from trading.ratelimits import RATE_LIMITED
from trading.middleware import NulCharacterSent

API_PREFIX = "/api/"
# Bodies Django reads (and limits) itself; an octet-stream body (a sealed envelope) is streamed by its view.
_READ_BODIES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


def _flatten(detail):
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [str(item) if not isinstance(item, (dict, list)) else _flatten(item) for item in detail]
    return str(detail)


def _first(detail):
    while isinstance(detail, (dict, list)) and detail:
        detail = next(iter(detail.values())) if isinstance(detail, dict) else detail[0]
    return detail


def exception_handler(exc, context):
    if isinstance(exc, PlatformError):
        body = {"code": exc.code, "detail": str(exc.message)}
        if exc.fields:
            body["fields"] = exc.fields
        return Response(body, status=exc.status)
    if isinstance(exc, ValidationError):
        exc = PlatformError.from_validation(exc)
        return exception_handler(exc, context)
    if isinstance(exc, Ratelimited):  # trading.ratelimits: before PermissionDenied, its base
        return Response({"code": "rate_limited", "detail": str(RATE_LIMITED)}, status=429)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        first = _first(exc.detail)
        response.data = {
            "code": getattr(first, "code", None) or "invalid",
            "detail": str(first),
            "fields": _flatten(exc.detail) if isinstance(exc.detail, dict) else {},
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {"code": codes if isinstance(codes, str) else "error", "detail": str(exc.detail)}
    return response


def request_refusal(exception) -> PlatformError:
    """The API's answer to a request Django refused before a view could read it."""
    if isinstance(exception, RequestDataTooBig):
        return PlatformError("request_too_large", _("The request body is too large: at most %(limit)s bytes are "
                                                    "read.") % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
                             status=413)
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        return PlatformError("too_many_fields", _("The request has too many form fields or files."), status=413)
    if isinstance(exception, NulCharacterSent):
        return PlatformError("nul_character", _("The request has a NUL character, which no field can hold."))
    return PlatformError("bad_request", _("The request cannot be read."))


def bad_request(request, exception=None):
    """``handler400``: JSON under ``/api/``, Django's 400 page elsewhere."""
    if not request.path_info.startswith(API_PREFIX):
        return defaults.bad_request(request, exception)
    error = request_refusal(exception)
    return JsonResponse({"code": error.code, "detail": str(error.message)}, status=error.status)


def schema_body_refusals(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation that takes a JSON or form body may be
    refused with 400 (unreadable) or 413 (too large), as ``bad_request`` answers."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            if not any(media_type in content for media_type in _READ_BODIES):
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", {**error, "description": "The body cannot be read (code `parse_error`, "
                                                                 "`bad_request`) or is invalid."})
            responses.setdefault("413", {**error, "description": "The body is too large (code `request_too_large`"
                                                                 ", `too_many_fields`)."})
    return result


def schema_common_refusals(result, generator, request, public):
    """drf-spectacular post-processing hook: the refusals any operation of its kind may answer,
    whatever its view declares. Without a session or token where one is needed (every change, and
    reading what is not public): 401 (``not_authenticated``, with ``WWW-Authenticate: Token``), and
    403 for who is signed in and may not; an
    id in the path that names nothing the asker may see, or a page past the last: 404; a query
    parameter out of its range: 400."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if method != "get" or {} not in operation.get("security", [{}]):
                responses.setdefault("401", {**error, "description": "Not signed in (code `not_authenticated`)."})
                responses.setdefault("403", {**error, "description": "Signed in, but not allowed to."})
            places = {parameter.get("in") for parameter in operation.get("parameters", [])}
            if "path" in places or "query" in places:
                responses.setdefault("404", {**error, "description": "Nothing the asker may see has this id, or "
                                                                     "the page is past the last (code `not_found`)."})
            if "query" in places:
                responses.setdefault("400", {**error, "description": "A query parameter is invalid."})
    return result
