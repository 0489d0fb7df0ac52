"""Objects in an S3 bucket with object lock, through the minio SDK.

Only the plain S3 API is used (no MinIO admin calls), so any S3 server with object lock can serve.
Retention is COMPLIANCE mode: nobody, the root account included, can delete a locked version before
its date. Object-lock buckets are versioned, so a put adds a version and a plain DELETE only adds a
delete marker; this backend therefore deletes by version and prunes the versions a put replaced.
"""
import contextlib
import datetime as dt
import threading
from typing import BinaryIO
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.error import MinioException, S3Error
from minio.retention import Retention

from trading import clock
from trading.storage.base import ObjectInfo, ObjectReader, Storage, StorageError, StorageErrorCode

# Parts of uploads of unknown length: the S3 minimum, since the SDK holds about three parts in memory
# per upload (measured: 16 MiB peak for 20 and 40 MiB bodies alike). At most 10,000 parts make an
# object, so a body of unknown length may reach ~48 GiB.
PART_SIZE = 5 * 1024 * 1024
CHUNK_SIZE = 1024 * 1024
RETAIN_UNTIL_HEADER = "x-amz-object-lock-retain-until-date"
_NOT_FOUND_CODES = {"NoSuchKey", "NoSuchVersion", "NoSuchObject"}


def _client(*, url: str, access_key: str, secret_key: str, region: str, verify_tls: bool) -> Minio:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ImproperlyConfigured(f"An S3 endpoint is scheme://host[:port] with no path, not {url!r}.")
    # region= spares a GetBucketLocation round trip, which presigning would otherwise make.
    return Minio(
        parts.netloc, access_key=access_key, secret_key=secret_key, secure=parts.scheme == "https",
        region=region, cert_check=verify_tls,
    )


class _FullReader:
    """Reads exactly ``size`` bytes per call unless the stream ends. The SDK collects each part by
    concatenating whatever ``read`` returns, which is quadratic for streams that answer in small
    pieces; a bytearray filled in place is not."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.count = 0

    def read(self, size: int) -> bytes:
        buffer = bytearray()
        while len(buffer) < size:
            chunk = self._stream.read(size - len(buffer))
            if not chunk:
                break
            buffer += chunk
        self.count += len(buffer)
        return bytes(buffer)


@contextlib.contextmanager
def _translated(key: str):
    try:
        yield
    except S3Error as exc:
        code = StorageErrorCode.NOT_FOUND if exc.code in _NOT_FOUND_CODES else StorageErrorCode.BACKEND
        raise StorageError(code, key=key) from exc
    except (MinioException, urllib3.exceptions.HTTPError) as exc:
        raise StorageError(StorageErrorCode.BACKEND, key=key) from exc


class S3Storage(Storage):
    # Objects written by every instance of this process, for the test session's summary line.
    objects_written = 0
    _written_lock = threading.Lock()

    def __init__(
        self, *, endpoint_url: str, access_key: str, secret_key: str, bucket: str, region: str,
        verify_tls: bool = True, public_endpoint_url: str | None = None,
    ):
        credentials = {"access_key": access_key, "secret_key": secret_key, "region": region}
        self._client = _client(url=endpoint_url, verify_tls=verify_tls, **credentials)
        # Browsers may reach the store under another name than the server does; the signature covers
        # the host, so their URLs are signed by a client configured with that name.
        self._public = _client(url=public_endpoint_url or endpoint_url, verify_tls=verify_tls, **credentials)
        self.bucket = bucket
        self._region = region
        self._bucket_ready = False
        self._bucket_lock = threading.Lock()

    @classmethod
    def from_settings(cls) -> "S3Storage":
        return cls(
            endpoint_url=settings.S3_ENDPOINT_URL, access_key=settings.S3_ACCESS_KEY,
            secret_key=settings.S3_SECRET_KEY, bucket=settings.S3_BUCKET, region=settings.S3_REGION,
            verify_tls=settings.S3_VERIFY_TLS, public_endpoint_url=settings.S3_PUBLIC_ENDPOINT_URL,
        )

    def _ensure_bucket(self) -> None:
        with self._bucket_lock:
            if self._bucket_ready:
                return
            with _translated(self.bucket):
                if not self._client.bucket_exists(self.bucket):
                    try:
                        self._client.make_bucket(self.bucket, location=self._region, object_lock=True)
                    except S3Error as exc:
                        if exc.code != "BucketAlreadyOwnedByYou":  # another process created it first
                            raise
                try:
                    self._client.get_object_lock_config(self.bucket)
                except S3Error as exc:
                    if exc.code == "ObjectLockConfigurationNotFoundError":
                        raise ImproperlyConfigured(
                            f"S3 bucket {self.bucket!r} exists without object lock, so retention cannot be "
                            "enforced; object lock can only be chosen when a bucket is created."
                        ) from exc
                    raise
            self._bucket_ready = True

    def _stat_version(self, key: str, version_id: str | None = None) -> ObjectInfo:
        with _translated(key):
            obj = self._client.stat_object(self.bucket, key, version_id=version_id)
        # The SDK's get_object_retention cannot parse moto's answer; the HEAD headers carry the same date.
        until = (obj.metadata or {}).get(RETAIN_UNTIL_HEADER)
        return ObjectInfo(
            key=key, size=obj.size, content_type=obj.content_type or "application/octet-stream",
            etag=obj.etag, retain_until=dt.datetime.fromisoformat(until) if until else None,
        )

    def _versions(self, key: str) -> list:
        with _translated(key):
            found = self._client.list_objects(self.bucket, prefix=key, include_version=True)
            return [obj for obj in found if obj.object_name == key]

    def _refuse_if_retained(self, info: ObjectInfo) -> None:
        if info.retained_at(clock.now()):
            raise StorageError(StorageErrorCode.RETAINED, key=info.key, until=info.retain_until)

    def _put(self, key, stream, *, length, content_type, retain_until):
        self._ensure_bucket()
        # The server keeps a locked version whatever happens; this check keeps a newer version from
        # hiding it. A put racing this one may still slip in between: the locked bytes stay stored.
        existed = True
        try:
            self._refuse_if_retained(self._stat_version(key))
        except StorageError as exc:
            if exc.code != StorageErrorCode.NOT_FOUND:
                raise
            existed = False
        retention = Retention(COMPLIANCE, retain_until) if retain_until else None
        reader = _FullReader(stream)
        with _translated(key):
            try:
                result = self._client.put_object(
                    self.bucket, key, reader, -1 if length is None else length, content_type=content_type,
                    part_size=PART_SIZE if length is None else 0, num_parallel_uploads=1, retention=retention,
                )
            except OSError as exc:
                if length is not None and reader.count < length:
                    raise StorageError(StorageErrorCode.INCOMPLETE, key=key) from exc
                raise
            info = self._stat_version(key, result.version_id)
            if retain_until and info.retain_until != retain_until:
                # Some servers (moto among them) drop the lock headers of CreateMultipartUpload.
                self._client.set_object_retention(self.bucket, key, retention, version_id=result.version_id)
                info = self._stat_version(key, result.version_id)
        with self._written_lock:
            S3Storage.objects_written += 1
        if existed:
            # A replaced version that is still locked lost the race described above; the server keeps
            # it. A key that was new has nothing to replace, so most puts (every bid, every document
            # version) skip listing versions, which costs a round trip and, on some servers, memory
            # that grows with the bucket.
            replaced = [v for v in self._versions(key) if v.version_id != result.version_id]
            self._remove_versions(key, replaced, tolerate_locked=True)
        return info

    def _remove_versions(self, key: str, versions: list, *, tolerate_locked: bool) -> None:
        # Older versions first: should one refuse, the object readers see stays the newest one.
        for version in sorted(versions, key=lambda v: v.is_latest == "true"):
            try:
                with _translated(key):
                    self._client.remove_object(self.bucket, key, version_id=version.version_id)
            except StorageError as exc:
                locked = isinstance(exc.__cause__, S3Error) and exc.__cause__.code == "AccessDenied"
                if not locked:
                    raise
                if not tolerate_locked:
                    until = self._stat_version(key, version.version_id).retain_until
                    raise StorageError(StorageErrorCode.RETAINED, key=key, until=until) from exc.__cause__

    def _retain(self, key, *, until):
        self._ensure_bucket()
        info = self._stat_version(key)
        with _translated(key):
            self._client.set_object_retention(self.bucket, key, Retention(COMPLIANCE, until))
        return self._stat_version(key) if info.retain_until != until else info

    def _get(self, key):
        self._ensure_bucket()
        with _translated(key):
            response = self._client.get_object(self.bucket, key)

        def release() -> None:
            response.close()
            response.release_conn()

        return ObjectReader(response.stream(CHUNK_SIZE), close=release)

    def _stat(self, key):
        self._ensure_bucket()
        return self._stat_version(key)

    def _delete(self, key):
        self._ensure_bucket()
        versions = self._versions(key)
        stored = [v for v in versions if not v.is_delete_marker]
        if not stored:
            raise StorageError(StorageErrorCode.NOT_FOUND, key=key)
        for version in stored:
            self._refuse_if_retained(self._stat_version(key, version.version_id))
        self._remove_versions(key, versions, tolerate_locked=False)

    def _presigned_get(self, key, *, expires):
        with _translated(key):
            return self._public.presigned_get_object(self.bucket, key, expires=expires)
