"""One contract for every object-store backend: local files and S3 (moto_server over HTTPS).

moto does not check presigned-URL signatures or expiry and accepts shortening a COMPLIANCE retention
(NOTES, Object storage), so no test here claims those of S3; expiry is tested on the local backend.
"""
import contextlib
import datetime as dt
import hashlib
import io
import random
import time
import tracemalloc
import uuid

import pytest
import requests
import time_machine
from minio import Minio

from trading.storage import LocalStorage, S3Storage, StorageError, StorageErrorCode, get_storage

MiB = 1024 * 1024
BAD_KEYS = ["../x", "a/../b", "/abs", "a//b", "a/", "./a", "", "a\\b", "a\nb", "é" * 513]


class GeneratedStream:
    """``size`` pseudo-random bytes made on demand, in pieces smaller than asked for, as a socket
    would give them. Remembers the largest read so a test can tell the body was not read whole."""

    def __init__(self, size: int, *, seed: int = 7):
        self._random = random.Random(seed)
        self._left = size
        self.sha256 = hashlib.sha256()
        self.largest_read = 0

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size >= 0, "the backend asked for the whole body at once"
        self.largest_read = max(self.largest_read, size)
        piece = self._random.randbytes(min(size, self._left, 256 * 1024))
        self._left -= len(piece)
        self.sha256.update(piece)
        return piece


def s3_backend(url: str) -> S3Storage:
    return S3Storage(
        endpoint_url=url, public_endpoint_url=url, access_key="testing", secret_key="testing",
        bucket=f"contract-{uuid.uuid4().hex[:16]}", region="us-east-1", verify_tls=False,
    )


@pytest.fixture
def local_storage(tmp_path, settings):
    # The presigned-download view serves get_storage(), so the settings name the same directory.
    settings.S3_ENDPOINT_URL = ""
    settings.PLATFORM_STORAGE_DIR = tmp_path / "objects"
    return LocalStorage(root=tmp_path / "objects")


@pytest.fixture(params=["local", "s3"])
def storage(request):
    if request.param == "local":
        return request.getfixturevalue("local_storage")
    return s3_backend(request.getfixturevalue("s3_server"))


def put_bytes(storage, key: str, data: bytes, **kwargs):
    return storage.put(key, io.BytesIO(data), length=len(data), **kwargs)


def read_all(storage, key: str) -> bytes:
    with storage.get(key) as chunks:
        return b"".join(chunks)


def error_code(call) -> StorageErrorCode:
    with pytest.raises(StorageError) as caught:
        call()
    return caught.value.code


def wait_until_past(storage, moment: dt.datetime):
    """Local retention follows the Django clock, which time-machine moves; moto runs in another
    process on the real clock, so there the test really waits."""
    if isinstance(storage, LocalStorage):
        return time_machine.travel(moment + dt.timedelta(seconds=1), tick=False)
    time.sleep(max(0.0, (moment - dt.datetime.now(dt.UTC)).total_seconds()) + 1.0)
    return contextlib.nullcontext()


def test_stream_of_unknown_length_round_trips_without_being_held_in_memory(storage):
    size = 20 * MiB
    stream = GeneratedStream(size)
    tracemalloc.start()
    try:
        info = storage.put("tenders/2026/bid.bin", stream)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert info.size == size
    assert stream.largest_read < size and peak < size
    digest = hashlib.sha256()
    for chunk in storage.get("tenders/2026/bid.bin"):
        digest.update(chunk)
    assert digest.hexdigest() == stream.sha256.hexdigest()


def test_a_stored_object_reads_as_a_file_in_any_sizes_and_streams_into_another(storage):
    data = random.Random(7).randbytes(3 * MiB + 17)
    storage.put("tenders/2026/source.bin", io.BytesIO(data), length=len(data))

    with storage.get("tenders/2026/source.bin") as reader:
        parts = [reader.read(1), reader.read(MiB + 5), reader.read(0), reader.read(-1), reader.read(10)]
    assert b"".join(parts) == data and parts[2] == b"" and parts[4] == b""
    with storage.get("tenders/2026/source.bin") as reader:
        info = storage.put("tenders/2026/copy.bin", reader, length=len(data))
    assert info.size == len(data) and b"".join(storage.get("tenders/2026/copy.bin")) == data


def test_a_known_length_is_all_that_is_stored_and_a_shorter_stream_is_refused(storage):
    assert storage.put("k", io.BytesIO(b"0123456789"), length=4).size == 4
    assert read_all(storage, "k") == b"0123"

    assert error_code(lambda: storage.put("short", io.BytesIO(b"abc"), length=10)) == StorageErrorCode.INCOMPLETE
    assert not storage.exists("short")


def test_stat_describes_what_put_stored(storage):
    data = "开标记录".encode() * 1000
    put_info = put_bytes(storage, "records/开标.txt", data, content_type="text/plain; charset=utf-8")

    info = storage.stat("records/开标.txt")
    assert info == put_info
    assert (info.key, info.size, info.content_type) == ("records/开标.txt", len(data), "text/plain; charset=utf-8")
    assert info.etag and info.retain_until is None
    if isinstance(storage, LocalStorage):
        assert info.sha256 == hashlib.sha256(data).hexdigest()


def test_missing_objects_are_not_found(storage):
    assert not storage.exists("nothing/here")
    assert error_code(lambda: storage.get("nothing/here")) == StorageErrorCode.NOT_FOUND
    assert error_code(lambda: storage.stat("nothing/here")) == StorageErrorCode.NOT_FOUND
    assert error_code(lambda: storage.delete("nothing/here")) == StorageErrorCode.NOT_FOUND


def test_delete_removes_the_object_and_the_key_can_be_reused(storage):
    put_bytes(storage, "draft", b"first")
    assert storage.exists("draft")

    storage.delete("draft")

    assert not storage.exists("draft")
    assert error_code(lambda: storage.get("draft")) == StorageErrorCode.NOT_FOUND
    put_bytes(storage, "draft", b"second")
    assert read_all(storage, "draft") == b"second"


def test_put_replaces_an_object_without_retention(storage):
    put_bytes(storage, "notice", b"old text", content_type="text/plain")

    info = put_bytes(storage, "notice", b"new, longer text", content_type="text/markdown")

    assert read_all(storage, "notice") == b"new, longer text"
    assert storage.stat("notice") == info
    assert (info.size, info.content_type) == (16, "text/markdown")


def test_an_object_under_retention_can_be_neither_deleted_nor_replaced(storage):
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    put_bytes(storage, "bids/sealed", b"sealed bid", retain_until=until)
    # Unknown length and more than one part: a multipart upload on S3, whose lock headers moto drops.
    large = GeneratedStream(6 * MiB)
    storage.put("bids/sealed-large", large, retain_until=until)

    for key in ("bids/sealed", "bids/sealed-large"):
        assert storage.stat(key).retain_until == until.replace(microsecond=0) + dt.timedelta(seconds=1)
        assert error_code(lambda: storage.delete(key)) == StorageErrorCode.RETAINED
        assert error_code(lambda: put_bytes(storage, key, b"forged")) == StorageErrorCode.RETAINED
    assert read_all(storage, "bids/sealed") == b"sealed bid"
    assert hashlib.sha256(read_all(storage, "bids/sealed-large")).digest() == large.sha256.digest()


def test_an_object_stored_plainly_can_be_put_under_retention_afterwards(storage):
    """Checked first, locked after: what a bid submission does with an envelope."""
    put_bytes(storage, "bids/checked", b"checked envelope")
    assert storage.stat("bids/checked").retain_until is None
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    info = storage.retain("bids/checked", until=until)

    assert info.retain_until == storage.stat("bids/checked").retain_until >= until
    assert error_code(lambda: storage.delete("bids/checked")) == StorageErrorCode.RETAINED
    assert error_code(lambda: put_bytes(storage, "bids/checked", b"forged")) == StorageErrorCode.RETAINED
    assert error_code(lambda: storage.retain("bids/checked", until=until - dt.timedelta(days=1))) == \
        StorageErrorCode.RETAINED
    assert read_all(storage, "bids/checked") == b"checked envelope"
    assert error_code(lambda: storage.retain("bids/missing", until=until)) == StorageErrorCode.NOT_FOUND


def test_an_object_whose_retention_has_passed_can_be_replaced_and_deleted(storage):
    until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    put_bytes(storage, "bids/opened", b"sealed bid", retain_until=until)
    retained_until = storage.stat("bids/opened").retain_until

    with wait_until_past(storage, retained_until):
        put_bytes(storage, "bids/opened", b"replacement")
        assert read_all(storage, "bids/opened") == b"replacement"
        storage.delete("bids/opened")
        assert not storage.exists("bids/opened")


@pytest.mark.parametrize("until", [dt.datetime(2099, 1, 1), dt.datetime(2020, 1, 1, tzinfo=dt.UTC)])
def test_a_retention_date_must_be_aware_and_in_the_future(storage, until):
    assert error_code(lambda: put_bytes(storage, "k", b"x", retain_until=until)) == StorageErrorCode.BAD_RETENTION
    assert not storage.exists("k")


def test_a_presigned_url_serves_the_object(storage, client):
    data = b"%PDF-1.7 tender document" * 4096
    put_bytes(storage, "docs/tender.pdf", data, content_type="application/pdf")

    url = storage.presigned_get("docs/tender.pdf", expires=dt.timedelta(minutes=5))

    if isinstance(storage, LocalStorage):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == data
    else:
        response = requests.get(url, verify=False, timeout=10)
        assert response.status_code == 200
        assert response.content == data


@pytest.mark.parametrize("expires", [dt.timedelta(0), dt.timedelta(days=7, seconds=1)])
def test_a_presigned_url_lives_between_a_second_and_a_week(storage, expires):
    assert error_code(lambda: storage.presigned_get("k", expires=expires)) == StorageErrorCode.BAD_EXPIRY


@pytest.mark.parametrize("key", BAD_KEYS)
def test_both_backends_refuse_the_same_bad_keys(storage, key):
    data = io.BytesIO(b"x")
    for call in (
        lambda: storage.put(key, data), lambda: storage.get(key), lambda: storage.stat(key),
        lambda: storage.exists(key), lambda: storage.delete(key),
        lambda: storage.presigned_get(key, expires=dt.timedelta(minutes=1)),
    ):
        assert error_code(call) == StorageErrorCode.BAD_KEY


def test_local_keys_stay_inside_the_root(local_storage, tmp_path):
    assert error_code(lambda: put_bytes(local_storage, "../escape", b"x")) == StorageErrorCode.BAD_KEY
    put_bytes(local_storage, "..a/b..", b"dots inside segments are fine")

    assert not (tmp_path / "escape").exists()
    assert all(path.is_relative_to(tmp_path / "objects") for path in tmp_path.rglob("*") if path.is_file())
    assert read_all(local_storage, "..a/b..") == b"dots inside segments are fine"


def test_a_local_read_racing_a_replacement_gets_one_whole_version(local_storage, monkeypatch):
    # Reads take no lock: the sidecar read first may name a blob the replacement has removed since.
    put_bytes(local_storage, "notice", b"old text")
    stale = local_storage._meta("notice")
    put_bytes(local_storage, "notice", b"new, longer text")
    read_first = iter([stale])
    current = local_storage._meta
    monkeypatch.setattr(local_storage, "_meta", lambda key: next(read_first, None) or current(key))

    info, blob = local_storage.open("notice")

    with blob:
        assert (blob.read(), info.size) == (b"new, longer text", 16)


def test_a_tampered_local_token_is_forbidden(local_storage, client):
    put_bytes(local_storage, "docs/a", b"a")
    put_bytes(local_storage, "docs/b", b"b")
    prefix, token = local_storage.presigned_get("docs/a", expires=dt.timedelta(minutes=5)).rsplit("/", 1)
    other = local_storage.presigned_get("docs/b", expires=dt.timedelta(minutes=5)).rsplit("/", 1)[1]
    payload, timestamp, signature = token.split(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")

    assert client.get(f"{prefix}/{other.split(':')[0]}:{timestamp}:{signature}").status_code == 403
    assert client.get(f"{prefix}/{payload}:{timestamp}:{flipped}").status_code == 403
    assert client.get(f"{prefix}/{token}").status_code == 200


def test_an_expired_local_token_is_forbidden(local_storage, client):
    put_bytes(local_storage, "docs/a", b"a")
    url = local_storage.presigned_get("docs/a", expires=dt.timedelta(minutes=5))

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=4), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6), tick=False):
        assert client.get(url).status_code == 403


def test_a_local_token_for_a_deleted_object_is_not_found(local_storage, client):
    put_bytes(local_storage, "docs/a", b"a")
    url = local_storage.presigned_get("docs/a", expires=dt.timedelta(minutes=5))
    local_storage.delete("docs/a")

    assert client.get(url).status_code == 404


def test_s3_keeps_one_version_per_object_and_none_after_delete(s3_server):
    storage = s3_backend(s3_server)
    put_bytes(storage, "doc", b"one")
    put_bytes(storage, "doc", b"two")
    raw = Minio(s3_server.removeprefix("https://"), access_key="testing", secret_key="testing",
                region="us-east-1", cert_check=False)

    def versions():
        return [v.version_id for v in raw.list_objects(storage.bucket, prefix="doc", include_version=True)]

    assert len(versions()) == 1
    storage.delete("doc")
    assert versions() == []


def test_get_storage_follows_the_settings(settings, s3_server, tmp_path):
    storage = get_storage()
    assert isinstance(storage, S3Storage) and storage.bucket == settings.S3_BUCKET
    assert get_storage() is storage

    settings.S3_ENDPOINT_URL = ""
    settings.PLATFORM_STORAGE_DIR = tmp_path

    local = get_storage()
    assert isinstance(local, LocalStorage) and local.root == tmp_path
