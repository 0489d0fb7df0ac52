"""A lot's documents: versioned uploads into the configured object store, recorded downloads by
registered bidders through short-lived links, the page and the API."""
import hashlib
import io
import random
import threading
import zoneinfo
from datetime import timedelta

import pytest
import requests
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring.models import AuditEntry
from tests.fixtures import PASSWORD
from trading import clock
from trading.errors import TradingError
from trading.models import Announcement, DocumentDownload, Lot, LotDocument
from trading.services.documents import document_download_link, document_upload
from trading.services.lots import lot_publish, lot_submit
from trading.services.moves import lot_transition
from trading.services.registrations import registration_create
from trading.storage import LocalStorage, S3Storage, get_storage

ACTOR = "user:1"
MiB = 1024 * 1024


class SocketLikeStream:
    """``size`` random bytes handed out in pieces, never all at once; fails a reader that asks for the
    whole body (``read()`` / ``read(-1)``), which would hold the file in memory."""

    def __init__(self, size: int, *, seed: int = 3):
        self._random = random.Random(seed)
        self._left = size
        self.sha256 = hashlib.sha256()
        self.data = bytearray()

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size >= 0, "the whole body was asked for at once"
        piece = self._random.randbytes(min(size, self._left, 64 * 1024))
        self._left -= len(piece)
        self.sha256.update(piece)
        self.data += piece
        return piece


def refused(code, call, **kwargs):
    with pytest.raises(TradingError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def upload(lot, name="招标文件.pdf", data=b"%PDF-1.7 tender documents", **kwargs):
    return document_upload(lot_id=lot.pk, name=name, stream=io.BytesIO(data), length=len(data),
                           content_type="application/pdf", actor=ACTOR, **kwargs)


@pytest.fixture
def lot(make_lot):
    """A construction open tender, published and open for bids; documents on sale for 25 days."""
    lot = make_lot("construction")
    lot_submit(lot_id=lot.pk, actor=ACTOR)
    lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor=ACTOR)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING
    return lot


@pytest.fixture
def registered(lot, bidder_a):
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    assert registration.status == registration.Status.APPROVED
    return bidder_a


@pytest.mark.django_db
def test_upload_streams_into_the_configured_store_and_round_trips(lot):
    storage = get_storage()
    assert isinstance(storage, S3Storage), "the session's S3 server is the default store in tests"
    events = AuditEntry.objects.filter(kind="document.uploaded").count()
    stream = SocketLikeStream(6 * MiB + 123)  # more than one multipart part, length unknown

    document = document_upload(lot_id=lot.pk, name="工程量清单.xlsx", stream=stream, content_type="application/vnd.ms-excel",
                               actor=ACTOR)

    assert document.sha256 == stream.sha256.hexdigest() and document.size == 6 * MiB + 123
    assert document.version == 1 and document.storage_key.startswith(f"lots/{lot.pk}/documents/")
    with storage.get(document.storage_key) as chunks:
        assert hashlib.sha256(b"".join(chunks)).hexdigest() == document.sha256
    assert storage.stat(document.storage_key).content_type == "application/vnd.ms-excel"
    event = AuditEntry.objects.filter(kind="document.uploaded").latest("id")
    assert AuditEntry.objects.filter(kind="document.uploaded").count() == events + 1
    assert event.subject == f"lot:{lot.pk}" and event.data["sha256"] == document.sha256


@pytest.mark.django_db
def test_versions_increment_per_name_and_an_amendment_can_come_with_one(lot):
    first = upload(lot, data=b"v1")
    other = upload(lot, name="图纸.zip", data=b"drawings")
    second = upload(lot, data=b"v2", amend=True, title="关于招标文件的修改", body="第3章已更新。")

    assert (first.version, other.version, second.version) == (1, 1, 2)
    assert first.storage_key != second.storage_key
    amendment = Announcement.objects.get(lot=lot, kind=Announcement.Kind.AMENDMENT)
    assert amendment.title == "关于招标文件的修改"
    assert AuditEntry.objects.filter(kind="document.uploaded").latest("id").data["amendment"] == amendment.pk


@pytest.mark.django_db
def test_a_refused_amendment_leaves_no_version_and_no_object(lot, monkeypatch):
    upload(lot, data=b"v1")
    storage = get_storage()
    removed = []
    delete = storage.delete
    monkeypatch.setattr(storage, "delete", lambda key: (removed.append(key), delete(key)))
    with time_machine.travel(lot.bid_deadline - timedelta(days=5), tick=False):
        # Too close to the deadline: the rule table wants it moved, so nothing of the upload stays.
        refused("amendment_notice", upload, lot=lot, data=b"v2", amend=True, title="修改")
    assert list(LotDocument.objects.values_list("version", flat=True)) == [1]
    assert len(removed) == 1 and removed[0].startswith(f"lots/{lot.pk}/documents/")
    assert not storage.exists(removed[0]) and storage.exists(LotDocument.objects.get().storage_key)


@pytest.mark.django_db
def test_documents_are_frozen_once_bidding_has_closed(lot):
    lot_transition(lot_id=lot.pk, transition="close_bidding", actor=ACTOR)
    written = S3Storage.objects_written
    refused("documents_frozen", upload, lot=lot)
    assert not LotDocument.objects.exists() and S3Storage.objects_written == written


@pytest.mark.django_db
def test_a_registered_bidders_download_is_recorded_and_the_link_works(lot, registered):
    data = b"%PDF-1.7 " + bytes(range(256)) * 40
    document = upload(lot, data=data)

    url = document_download_link(document_id=document.pk, user=registered, ip="203.0.113.7")

    download = DocumentDownload.objects.get()
    assert (download.document, download.user, download.organisation, download.ip) == (
        document, registered, registered.organisation, "203.0.113.7")
    event = AuditEntry.objects.filter(kind="document.downloaded").get()
    assert event.actor == "withheld" and event.data["by"] == f"user:{registered.pk}"
    assert event.data["document"] == document.pk
    assert registered.organisation.name not in str(event.data)
    fetched = requests.get(url, verify=False, timeout=10)
    assert fetched.status_code == 200 and fetched.content == data
    assert hashlib.sha256(fetched.content).hexdigest() == document.sha256


@pytest.mark.django_db
def test_an_unregistered_bidder_is_refused_and_nothing_is_recorded(lot, registered, bidder_b, supervisor):
    document = upload(lot)
    events = AuditEntry.objects.count()
    for user in (bidder_b, supervisor):
        refused("not_registered", document_download_link, document_id=document.pk, user=user, ip=None)
    api = APIClient()
    api.force_authenticate(bidder_b)
    response = api.post(reverse("api-document-link", args=[document.pk]))
    assert response.status_code == 403 and response.json()["code"] == "not_registered"
    assert not DocumentDownload.objects.exists() and AuditEntry.objects.count() == events


@pytest.mark.django_db
def test_bidders_download_only_while_on_sale_staff_always(make_lot, bidder_a, staff):
    lot = make_lot("construction", documents_until=clock.now() + timedelta(days=6))
    lot_submit(lot_id=lot.pk, actor=ACTOR)
    lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor=ACTOR)
    registration_create(lot_id=lot.pk, user=bidder_a)
    document = upload(lot)
    with time_machine.travel(clock.now() + timedelta(days=7), tick=False):
        refused("documents_not_on_sale", document_download_link, document_id=document.pk, user=bidder_a, ip=None)
        assert document_download_link(document_id=document.pk, user=staff, ip=None)
    assert list(DocumentDownload.objects.values_list("user__username", flat=True)) == ["staff"]


@pytest.mark.django_db
def test_the_local_backend_link_streams_the_file_through_the_site(lot, registered, client, settings, tmp_path):
    settings.S3_ENDPOINT_URL = None
    settings.PLATFORM_STORAGE_DIR = tmp_path
    assert isinstance(get_storage(), LocalStorage)
    data = b"local bytes " * 1000
    document = upload(lot, data=data)
    client.login(username=registered.username, password=PASSWORD)

    response = client.post(reverse("lot-document-download", args=[lot.pk, document.pk]))

    assert response.status_code == 302 and response["Location"].startswith("/objects/")
    served = client.get(response["Location"])
    assert served.status_code == 200 and b"".join(served.streaming_content) == data
    assert DocumentDownload.objects.get().user == registered


@pytest.mark.django_db
def test_the_documents_page_lists_versions_in_shanghai_time(lot, registered, client, staff, bidder_b):
    first = upload(lot, data=b"v1")
    second = upload(lot, data=b"v2")
    local = second.uploaded_at.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")

    page = client.get(reverse("lot-documents", args=[lot.pk])).content.decode()
    assert first.sha256 in page and second.sha256 in page and local in page
    assert "upload-form" not in page and reverse("lot-document-download", args=[lot.pk, first.pk]) not in page

    client.login(username=bidder_b.username, password=PASSWORD)
    assert reverse("lot-document-download", args=[lot.pk, first.pk]) not in client.get(
        reverse("lot-documents", args=[lot.pk])).content.decode()
    client.login(username=registered.username, password=PASSWORD)
    page = client.get(reverse("lot-documents", args=[lot.pk])).content.decode()
    assert reverse("lot-document-download", args=[lot.pk, first.pk]) in page and "upload-form" not in page

    client.login(username=staff.username, password=PASSWORD)
    assert "upload-form" in client.get(reverse("lot-documents", args=[lot.pk])).content.decode()
    response = client.post(reverse("lot-documents", args=[lot.pk]), {
        "file": SimpleUploadedFile("招标文件.pdf", b"v3", content_type="application/pdf"),
        "amend": "on", "title": "第二次修改", "body": "更新",
    })
    assert response.status_code == 302
    assert LotDocument.objects.filter(name="招标文件.pdf").latest("version").version == 3
    assert Announcement.objects.filter(lot=lot, kind=Announcement.Kind.AMENDMENT, title="第二次修改").exists()


@pytest.mark.django_db
def test_drafts_are_not_public(make_lot, client):
    lot = make_lot("construction")
    assert client.get(reverse("lot-documents", args=[lot.pk])).status_code == 404
    assert APIClient().get(reverse("api-lot-documents", args=[lot.pk])).json()["code"] == "lot_not_found"


@pytest.mark.django_db
def test_the_api_uploads_lists_and_links(lot, registered, staff, django_assert_num_queries):
    api = APIClient()
    payload = {"file": io.BytesIO(b"api bytes"), "name": "答疑纪要.pdf"}
    api.force_authenticate(registered)
    assert api.post(reverse("api-lot-documents", args=[lot.pk]), payload, format="multipart").status_code == 403
    api.force_authenticate(staff)
    for _ in range(3):
        payload["file"] = io.BytesIO(b"api bytes")
        created = api.post(reverse("api-lot-documents", args=[lot.pk]), payload, format="multipart")
        assert created.status_code == 201, created.json()
    assert created.json()["version"] == 3 and created.json()["sha256"] == hashlib.sha256(b"api bytes").hexdigest()

    anonymous = APIClient()
    with django_assert_num_queries(3):  # the lot, the count, the page
        body = anonymous.get(reverse("api-lot-documents", args=[lot.pk])).json()
    assert body["count"] == 3 and [d["version"] for d in body["results"]] == [3, 2, 1]
    assert "uploaded_by" not in body["results"][0]

    api.force_authenticate(registered)
    link = api.post(reverse("api-document-link", args=[created.json()["id"]]))
    assert link.status_code == 200
    assert requests.get(link.json()["url"], verify=False, timeout=10).content == b"api bytes"


@pytest.mark.django_db
def test_the_openapi_schema_documents_these_endpoints():
    response = APIClient().get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    for path in ("/api/v1/lots/{lot_id}/documents/", "/api/v1/documents/{document_id}/link/",
                 "/api/v1/lots/{lot_id}/enquiries/", "/api/v1/lots/{lot_id}/enquiries/pending/",
                 "/api/v1/enquiries/{enquiry_id}/answer/"):
        assert path in paths, path
    upload_op = paths["/api/v1/lots/{lot_id}/documents/"]["post"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    assert {"201", "400", "403", "409"} <= set(upload_op["responses"])
    assert set(paths["/api/v1/documents/{document_id}/link/"]["post"]["responses"]) >= {"200", "403", "409"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_uploads_of_one_name_get_consecutive_versions(lot):
    barrier = threading.Barrier(2)
    versions, errors = [], []

    def run(data):
        try:
            barrier.wait(timeout=10)
            versions.append(upload(lot, data=data).version)
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(data,)) for data in (b"one", b"two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and sorted(versions) == [1, 2]
