"""Objects as files under one directory, for the embedded mode and for tests.

Layout: each key maps to ``<root>/<h[:2]>/<h>.json`` with ``h`` the SHA-256 of the key, so no key can
name a path outside the root and keys such as ``a`` and ``a/b`` never collide as file and directory.
The JSON sidecar names the data file (``<h>.<random>.blob``) and is the commit point: a put streams
into a fresh blob, then replaces the sidecar atomically, so readers see the old object or the new
one, never a mix. A crash may leave an unreferenced blob behind, never a half-written object.
"""
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core import signing
from django.urls import reverse

from trading import clock
from trading.storage.base import ObjectInfo, ObjectReader, Storage, StorageError, StorageErrorCode

CHUNK_SIZE = 1024 * 1024
SIGNING_SALT = "trading.storage.local.presigned-get"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy(stream: BinaryIO, target: BinaryIO, *, length: int | None) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while length is None or size < length:
        chunk = stream.read(CHUNK_SIZE if length is None else min(CHUNK_SIZE, length - size))
        if not chunk:
            break
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


class LocalStorage(Storage):
    def __init__(self, *, root: Path):
        self.root = Path(root)

    @classmethod
    def from_settings(cls) -> "LocalStorage":
        return cls(root=settings.PLATFORM_STORAGE_DIR)

    def _paths(self, key: str) -> tuple[Path, Path, str]:
        name = hashlib.sha256(key.encode()).hexdigest()
        folder = self.root / name[:2]
        return folder, folder / f"{name}.json", name

    @contextlib.contextmanager
    def _locked(self, *, exclusive: bool):
        """One lock for the whole root, across threads and processes. Writers hold it only to check
        retention and swap the sidecar, readers only when a blob went between reading its sidecar
        and opening it (``open``), so it is never held for long."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield

    def _meta(self, key: str) -> dict | None:
        try:
            return json.loads(self._paths(key)[1].read_text())
        except FileNotFoundError:
            return None

    @staticmethod
    def _info(meta: dict) -> ObjectInfo:
        until = meta["retain_until"]
        return ObjectInfo(
            key=meta["key"], size=meta["size"], content_type=meta["content_type"], etag=meta["sha256"],
            sha256=meta["sha256"], retain_until=dt.datetime.fromisoformat(until) if until else None,
        )

    def _refuse_if_retained(self, key: str, meta: dict | None) -> None:
        if meta is not None:
            info = self._info(meta)
            if info.retained_at(clock.now()):
                raise StorageError(StorageErrorCode.RETAINED, key=key, until=info.retain_until)

    def _put(self, key, stream, *, length, content_type, retain_until):
        # Checked again under the lock at commit; this early check spares streaming a body for nothing.
        self._refuse_if_retained(key, self._meta(key))
        folder, meta_path, name = self._paths(key)
        folder.mkdir(parents=True, exist_ok=True)
        fd, blob = tempfile.mkstemp(dir=folder, prefix=f"{name}.", suffix=".blob")
        committed = False
        try:
            with os.fdopen(fd, "wb") as target:
                size, sha256 = _copy(stream, target, length=length)
                target.flush()
                os.fsync(target.fileno())
            if length is not None and size < length:
                raise StorageError(StorageErrorCode.INCOMPLETE, key=key)
            meta = {
                "key": key, "blob": Path(blob).name, "size": size, "sha256": sha256,
                "content_type": content_type,
                "retain_until": retain_until.isoformat() if retain_until else None,
            }
            with self._locked(exclusive=True):
                previous = self._meta(key)
                self._refuse_if_retained(key, previous)
                fd, staged = tempfile.mkstemp(dir=folder, prefix=f"{name}.", suffix=".json-new")
                with os.fdopen(fd, "w") as sidecar:
                    json.dump(meta, sidecar)
                    sidecar.flush()
                    os.fsync(sidecar.fileno())
                os.replace(staged, meta_path)
                _fsync_dir(folder)
                committed = True
        finally:
            if not committed:
                Path(blob).unlink(missing_ok=True)
        if previous is not None:
            (folder / previous["blob"]).unlink(missing_ok=True)
        return self._info(meta)

    def _retain(self, key, *, until):
        folder, meta_path, name = self._paths(key)
        with self._locked(exclusive=True):
            meta = self._meta(key)
            if meta is None:
                raise StorageError(StorageErrorCode.NOT_FOUND, key=key)
            meta["retain_until"] = until.isoformat()
            fd, staged = tempfile.mkstemp(dir=folder, prefix=f"{name}.", suffix=".json-new")
            with os.fdopen(fd, "w") as sidecar:
                json.dump(meta, sidecar)
                sidecar.flush()
                os.fsync(sidecar.fileno())
            os.replace(staged, meta_path)
            _fsync_dir(folder)
        return self._info(meta)

    def open(self, key: str) -> tuple[ObjectInfo, BinaryIO]:
        """The object's description and its data file, of the same version even while another
        request replaces the object. A blob never changes once written, so a sidecar and the blob it
        names belong together whenever that blob still opens: the lock is taken only when the object
        was replaced or deleted between the two reads (an opening reads a thousand envelopes, and the
        lock file cost as much as reading each)."""
        folder = self._paths(key)[0]
        meta = self._meta(key)
        if meta is not None:
            with contextlib.suppress(FileNotFoundError):
                return self._info(meta), open(folder / meta["blob"], "rb")
        with self._locked(exclusive=False):
            meta = self._meta(key)
            if meta is None:
                raise StorageError(StorageErrorCode.NOT_FOUND, key=key)
            return self._info(meta), open(folder / meta["blob"], "rb")

    def _get(self, key):
        source = self.open(key)[1]
        return ObjectReader(iter(lambda: source.read(CHUNK_SIZE), b""), close=source.close, read=source.read)

    def _stat(self, key):
        meta = self._meta(key)
        if meta is None:
            raise StorageError(StorageErrorCode.NOT_FOUND, key=key)
        return self._info(meta)

    def _delete(self, key):
        folder, meta_path, _name = self._paths(key)
        with self._locked(exclusive=True):
            meta = self._meta(key)
            if meta is None:
                raise StorageError(StorageErrorCode.NOT_FOUND, key=key)
            self._refuse_if_retained(key, meta)
            meta_path.unlink()
            _fsync_dir(folder)
        (folder / meta["blob"]).unlink(missing_ok=True)

    def _presigned_get(self, key, *, expires):
        token = signing.TimestampSigner(salt=SIGNING_SALT).sign_object(
            {"key": key, "ttl": int(expires.total_seconds())}
        )
        return reverse("storage-object", kwargs={"token": token})

    @staticmethod
    def key_for_token(token: str) -> str:
        """The key a presigned token grants; ``signing.BadSignature`` (or its subclass
        ``SignatureExpired``) when it was tampered with or has expired."""
        signer = signing.TimestampSigner(salt=SIGNING_SALT)
        # The lifetime is read from the payload, so the signature is checked before it is trusted.
        payload = signer.unsign_object(token)
        signer.unsign_object(token, max_age=payload["ttl"])
        return payload["key"]
