"""The object store's interface, its value types and its one error family.

Every backend subclasses ``Storage`` and implements the underscored methods; the public methods here
check keys, retention dates and expiries first, so all backends refuse exactly the same input.
"""
import abc
import dataclasses
import datetime as dt
import enum
from collections.abc import Callable, Iterator
from typing import BinaryIO

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from trading import clock
from trading.errors import PlatformError

MAX_KEY_BYTES = 1024  # the S3 limit, applied to every backend
# SigV4 presigned URLs cannot live longer than a week; the local backend keeps the same bounds.
MIN_EXPIRY = dt.timedelta(seconds=1)
MAX_EXPIRY = dt.timedelta(days=7)


class StorageErrorCode(enum.StrEnum):
    NOT_FOUND = "not_found"
    RETAINED = "retained"
    BAD_KEY = "bad_key"
    BAD_RETENTION = "bad_retention"
    BAD_EXPIRY = "bad_expiry"
    INCOMPLETE = "incomplete"
    BACKEND = "backend"


_MESSAGES = {
    StorageErrorCode.NOT_FOUND: (404, _("No object is stored under “{key}”.")),
    StorageErrorCode.RETAINED: (
        409,
        _("The object “{key}” is under retention until {until}: it cannot be deleted or replaced before then."),
    ),
    StorageErrorCode.BAD_KEY: (
        400,
        _("“{key}” is not a valid object key: use at most 1024 bytes of printable text in segments separated "
          "by “/”, with no empty, “.” or “..” segment and no leading or trailing “/”."),
    ),
    StorageErrorCode.BAD_RETENTION: (
        400,
        _("A retention date must be a time-zone-aware moment in the future; {until} is not."),
    ),
    StorageErrorCode.BAD_EXPIRY: (400, _("A download link must expire after between one second and seven days.")),
    StorageErrorCode.INCOMPLETE: (400, _("The upload of “{key}” ended before its declared length.")),
    StorageErrorCode.BACKEND: (503, _("The object store failed while handling “{key}”; try again later.")),
}


class StorageError(PlatformError):
    def __init__(self, code: StorageErrorCode, *, key: str = "", until: object = ""):
        status, message = _MESSAGES[code]
        super().__init__(code, format_lazy(message, key=key, until=until), status=status)
        self.key = key


@dataclasses.dataclass(frozen=True, kw_only=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str
    # Opaque version tag: the server's ETag on S3, the SHA-256 hex digest on local files.
    etag: str
    sha256: str | None = None
    retain_until: dt.datetime | None = None

    def retained_at(self, moment: dt.datetime) -> bool:
        return self.retain_until is not None and moment < self.retain_until


class ObjectReader:
    """An object's bytes as an iterator of chunks, or as a file through ``read()`` (one or the
    other on one reader, not both).

    Reading or iterating to the end releases the file or connection; call ``close()`` (or use
    ``with``) when stopping early. Django's streaming responses call ``close()`` themselves.
    """

    def __init__(self, chunks: Iterator[bytes], *, close: Callable[[], None],
                 read: Callable[[int], bytes] | None = None):
        """``read``, where the backend has one (a file's own), serves ``read()`` directly, without
        the buffer below: an opening reads each envelope segment by segment."""
        self._chunks = chunks
        self._close = close
        self._closed = False
        self._buffer = bytearray()
        self._read = read

    def __iter__(self) -> "ObjectReader":
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except StopIteration:
            self.close()
            raise

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative); fewer only at the end. Lets one
        object stream into another, or an envelope open as it streams in."""
        if self._read is not None:
            data = b"" if self._closed else self._read(size)
            if size < 0 or len(data) < size:
                self.close()
            return data
        while size < 0 or len(self._buffer) < size:
            chunk = next(self, None)
            if chunk is None:
                break
            self._buffer += chunk
        size = len(self._buffer) if size < 0 else min(size, len(self._buffer))
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._close()

    def __enter__(self) -> "ObjectReader":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def validate_key(key: str) -> None:
    valid = (
        isinstance(key, str)
        and key.isprintable()  # also refuses lone surrogates, which have no UTF-8 form
        and 0 < len(key.encode()) <= MAX_KEY_BYTES
        and "\\" not in key
        and all(segment not in ("", ".", "..") for segment in key.split("/"))
    )
    if not valid:
        raise StorageError(StorageErrorCode.BAD_KEY, key=str(key)[:200])


def normalise_retain_until(retain_until: dt.datetime | None) -> dt.datetime | None:
    """UTC, rounded up to a whole second: S3 servers keep whole seconds at best, and rounding down
    would end a retention earlier than asked."""
    if retain_until is None:
        return None
    if retain_until.tzinfo is None or retain_until.utcoffset() is None:
        raise StorageError(StorageErrorCode.BAD_RETENTION, until=retain_until)
    moment = retain_until.astimezone(dt.UTC)
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + dt.timedelta(seconds=1)
    if moment <= clock.now():
        raise StorageError(StorageErrorCode.BAD_RETENTION, until=retain_until)
    return moment


class Storage(abc.ABC):
    """Write-once-capable object storage: an object put with ``retain_until`` can be neither deleted
    nor replaced before that moment."""

    def put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        length: int | None = None,
        content_type: str = "application/octet-stream",
        retain_until: dt.datetime | None = None,
    ) -> ObjectInfo:
        """Store what ``stream.read(n)`` yields, chunk by chunk, never the whole body at once.

        With ``length`` only that many bytes are read, and a shorter stream fails with ``incomplete``.
        Replacing an object under retention fails with ``retained`` before anything is read.
        """
        validate_key(key)
        if length is not None and length < 0:
            raise ValueError("length must be None or >= 0")
        return self._put(
            key, stream, length=length, content_type=content_type or "application/octet-stream",
            retain_until=normalise_retain_until(retain_until),
        )

    def get(self, key: str) -> ObjectReader:
        validate_key(key)
        return self._get(key)

    def stat(self, key: str) -> ObjectInfo:
        validate_key(key)
        return self._stat(key)

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except StorageError as exc:
            if exc.code == StorageErrorCode.NOT_FOUND:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        """Remove the object for good (every stored version of it)."""
        validate_key(key)
        self._delete(key)

    def retain(self, key: str, *, until: dt.datetime) -> ObjectInfo:
        """Put a stored object under write-once retention until ``until`` (or extend it).

        For what must be checked before it is locked: store it plainly, check, then retain. A
        retention is never shortened: an earlier ``until`` than the current one is refused.
        """
        validate_key(key)
        until = normalise_retain_until(until)
        current = self.stat(key)
        if current.retain_until is not None and current.retain_until > until:
            raise StorageError(StorageErrorCode.RETAINED, key=key, until=current.retain_until)
        return self._retain(key, until=until)

    def presigned_get(self, key: str, *, expires: dt.timedelta) -> str:
        """A URL that lets its holder GET the object until ``expires`` from now, without logging in:
        absolute on S3 (on ``S3_PUBLIC_ENDPOINT_URL``), a path on this site for local files.

        It does not check that the object exists: fetching a missing one answers 404.
        """
        validate_key(key)
        if not MIN_EXPIRY <= expires <= MAX_EXPIRY:
            raise StorageError(StorageErrorCode.BAD_EXPIRY, key=key)
        return self._presigned_get(key, expires=expires)

    @abc.abstractmethod
    def _put(
        self, key: str, stream: BinaryIO, *, length: int | None, content_type: str,
        retain_until: dt.datetime | None,
    ) -> ObjectInfo: ...

    @abc.abstractmethod
    def _get(self, key: str) -> ObjectReader: ...

    @abc.abstractmethod
    def _stat(self, key: str) -> ObjectInfo: ...

    @abc.abstractmethod
    def _delete(self, key: str) -> None: ...

    @abc.abstractmethod
    def _presigned_get(self, key: str, *, expires: dt.timedelta) -> str: ...

    @abc.abstractmethod
    def _retain(self, key: str, *, until: dt.datetime) -> ObjectInfo: ...
