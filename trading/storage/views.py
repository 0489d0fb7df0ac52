"""Presigned downloads of the local-file backend (S3 serves its own presigned URLs)."""
from django.core import signing
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.views.decorators.http import require_safe

from trading.storage import LocalStorage, StorageError, StorageErrorCode, get_storage


@require_safe
def object_get(request, token: str):
    storage = get_storage()
    if not isinstance(storage, LocalStorage):
        raise Http404
    try:
        key = storage.key_for_token(token)
    except signing.BadSignature:
        return HttpResponseForbidden()
    try:
        info, data = storage.open(key)
    except StorageError as exc:
        if exc.code == StorageErrorCode.NOT_FOUND:
            raise Http404 from exc
        raise
    # Uploads come from bidders and are served from the platform's own origin: always a download,
    # sandboxed, so an uploaded HTML page cannot run script with the platform's cookies.
    response = FileResponse(
        data, content_type=info.content_type, as_attachment=True, filename=key.rsplit("/", 1)[-1]
    )
    response["ETag"] = f'"{info.etag}"'
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
