"""Bodies the API cannot take (too large, malformed, undecodable) are answered as every API error is,
JSON ``{"code", "detail"}``, on every path under ``/api/``; pages keep Django's plain 400."""
import asyncio
import json

import pytest
from channels.testing import HttpCommunicator
from django.conf import settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

BANK = "/api/v1/bank/deposits/"


def _too_large() -> bytes:
    """A JSON body one byte over Django's memory limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MiB)."""
    envelope = b'{"nonce":"n-0000000000000001","reference":""}'
    padding = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1 - len(envelope)
    body = envelope[:-2] + b"x" * padding + envelope[-2:]
    assert len(body) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    return body


def _refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["detail"], body
    return body


@pytest.mark.django_db
def test_an_oversized_bank_notification_is_refused_as_json(settings):
    settings.PLATFORM_BANK_HMAC_SECRET = "test-bank-secret-3f9a"
    response = APIClient().post(BANK, data=_too_large(), content_type="application/json",
                                HTTP_X_SIGNATURE="sha256=" + "0" * 64)
    _refused(response, 413, "request_too_large")


@pytest.mark.django_db
def test_an_oversized_body_is_refused_as_json_on_other_endpoints_in_the_language_asked(staff):
    api = APIClient()
    for language in ("en", "zh-hans"):
        response = api.post(reverse("api-token"), data=_too_large(), content_type="application/json",
                            HTTP_ACCEPT_LANGUAGE=language)
        _refused(response, 413, "request_too_large")
        assert response["Content-Language"] == language  # the detail is translated in that language
    api.force_authenticate(staff)
    _refused(api.post(reverse("api-project-create"), data=_too_large(), content_type="application/json"),
             413, "request_too_large")


@pytest.mark.django_db
def test_a_form_with_too_many_fields_is_refused_as_json(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    form = "&".join(f"f{n}=x" for n in range(20))
    response = APIClient().post(reverse("api-token"), data=form, content_type="application/x-www-form-urlencoded")
    _refused(response, 413, "too_many_fields")


@pytest.mark.django_db
def test_malformed_undecodable_and_broken_multipart_bodies_are_refused_as_json():
    api = APIClient()
    url = reverse("api-token")
    _refused(api.post(url, data=b'{"username": "staff", ', content_type="application/json"), 400, "parse_error")
    _refused(api.post(url, data=b'{"username": "\xff\xfe"}', content_type="application/json"), 400, "parse_error")
    _refused(api.post(url, data=b"--nothing--", content_type="multipart/form-data"), 400, "parse_error")


@pytest.mark.django_db
def test_a_request_refused_before_any_view_is_answered_as_json(client):
    """A host not allowed is refused by Django's middleware, before DRF could answer."""
    _refused(client.get("/api/v1/lots/", HTTP_HOST="elsewhere.example"), 400, "bad_request")


@pytest.mark.django_db
def test_pages_keep_the_plain_bad_request_page(client):
    response = client.post("/login/", data=_too_large(), content_type="application/json")
    assert response.status_code == 400
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_the_schema_documents_the_refusal_of_bodies(client):
    schema = client.get("/api/schema/?format=json").json()
    bank = schema["paths"][BANK]["post"]["responses"]
    assert bank["413"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "413" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "413" not in schema["paths"]["/api/v1/lots/"]["get"]["responses"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_oversized_bid_with_a_token_is_refused_as_json_past_the_token_path(make_person):
    """``AuctionBidTokenPath`` takes only small bids; a larger one goes on to Django, whose answer
    must be the API's too (the body is refused before the auction is looked up)."""
    from config.asgi import application

    token = Token.objects.create(user=make_person("bidder_a", ["bidder"], organisation="甲建设有限公司")).key
    content = _too_large()
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
               (b"content-length", str(len(content)).encode()), (b"authorization", f"Token {token}".encode())]

    async def call():
        communicator = HttpCommunicator(application, "POST", "/api/v1/auctions/999999/bids/", content, headers)
        return await communicator.get_response(timeout=30)

    answer = asyncio.run(call())
    reads = application.application_mapping["http"].reads
    if reads is not None:
        asyncio.run(reads.close())
    assert answer["status"] == 413
    assert dict(answer["headers"])[b"Content-Type"].startswith(b"application/json")
    assert json.loads(answer["body"])["code"] == "request_too_large"
