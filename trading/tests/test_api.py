import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.fixtures import PASSWORD
from trading.models import Organisation


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_token_authentication(api, bidder_a):
    token = api.post(reverse("api-token"), {"username": "bidder_a", "password": PASSWORD}).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = api.get(reverse("api-me")).json()
    assert body["username"] == "bidder_a" and body["roles"] == ["bidder"]
    assert body["organisation"]["name"] == "甲建设有限公司"


@pytest.mark.django_db
def test_session_authentication(api, bidder_a):
    api.login(username="bidder_a", password=PASSWORD)
    assert api.get(reverse("api-me")).status_code == 200


@pytest.mark.django_db
def test_errors_are_json_with_stable_codes(api, staff):
    assert api.get(reverse("api-me")).json()["code"] == "not_authenticated"
    wrong = api.post(reverse("api-token"), {"username": "staff", "password": "nope"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    missing = api.post(reverse("api-token"), {"username": "staff"})
    assert missing.status_code == 400 and missing.json()["code"] == "required"
    assert "password" in missing.json()["fields"]


@pytest.mark.django_db
def test_wrong_credit_code_is_refused_in_the_requested_language(api, staff):
    api.force_authenticate(staff)
    response = api.post(reverse("api-organisations"), {"name": "某公司", "uscc": "91350100M000100Y44", "kind": "bidder"},
                        HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["code"] == "uscc_check"
    assert "校验码" in response.json()["detail"]
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_only_staff_register_organisations(api, bidder_a, staff):
    api.force_authenticate(bidder_a)
    body = {"name": "新公司", "uscc": "91350100M000100Y43", "kind": "bidder"}
    assert api.post(reverse("api-organisations"), body).json()["code"] == "permission_denied"
    api.force_authenticate(staff)
    assert api.post(reverse("api-organisations"), body).status_code == 201


@pytest.mark.django_db
def test_openapi_schema_is_served(api):
    response = api.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/organisations/" in response.json()["paths"]
