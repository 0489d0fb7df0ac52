"""Refusals before any view: a NUL character in the path or the query string. No text column of
PostgreSQL can hold one, so a view that looked such a value up would fail in the database; the
request is refused as a bad request instead (``trading.apierrors.request_refusal``: JSON under
``/api/``, the 400 page elsewhere). Bodies need no such check: every form and serializer field
refuses NUL characters itself."""
from urllib.parse import unquote_plus

from django.core.exceptions import SuspiciousOperation


class NulCharacterSent(SuspiciousOperation):
    """The path or the query string holds a NUL character."""


class NulRefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in unquote_plus(request.META.get("QUERY_STRING", "")):
            raise NulCharacterSent("NUL character in the path or the query string")
        return self.get_response(request)
