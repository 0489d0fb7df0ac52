"""Error pages in the site's layout, translated, with a reason and a way back; JSON under /api/; an
icon at /favicon.ico."""
import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse
from django.utils import translation

from tests.fixtures import PASSWORD

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _page(response) -> str:
    return response.content.decode()


def test_a_refused_page_says_why_in_the_site_layout_and_offers_the_ways_back(client, make_person):
    make_person("expert_wu", ["expert"])
    client.post(reverse("login"), {"username": "expert_wu", "password": PASSWORD})
    lots = reverse("lot-list")
    response = client.get(reverse("staff-lot-list"), HTTP_REFERER=f"http://testserver{lots}", **EN)
    page = _page(response)
    assert response.status_code == 403
    assert 'data-testid="error-page" data-status="403"' in page and 'data-testid="who"' in page  # the site's header
    assert "Trading-centre staff" in page  # the reason: whose page it is
    assert f'href="{lots}" data-testid="back-link"' in page and 'data-testid="home-link"' in page
    assert 'data-testid="sign-in-link"' not in page
    chinese = _page(client.get(reverse("staff-lot-list"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert '<html lang="zh-hans">' in chinese and "交易中心工作人员" in chinese  # Role.STAFF's label, translated


def test_an_anonymous_refusal_offers_to_sign_in_and_come_back(client):
    response = client.get(reverse("staff-lot-list"), **EN)
    page = _page(response)
    assert response.status_code == 403 and 'data-testid="error-reason"' in page
    assert f'href="{reverse("login")}?next=/staff/lots/" data-testid="sign-in-link"' in page


def test_a_missing_page_is_the_site_s_page_and_the_api_answers_json(client):
    response = client.get("/lots/999999/", **EN)
    page = _page(response)
    assert response.status_code == 404
    assert 'data-status="404"' in page and 'class="brand"' in page and 'data-testid="error-reason"' in page
    assert "Not Found</h1>" not in page
    api = client.get("/api/v1/no-such-thing/")
    assert api.status_code == 404 and api.json()["code"] == "not_found"


def test_the_server_error_page_needs_neither_the_database_nor_the_request(django_assert_num_queries):
    handler = get_resolver().resolve_error_handler(500)
    request = RequestFactory().get("/lots/")
    with translation.override("en"), django_assert_num_queries(0):
        response = handler(request)
    page = _page(response)
    assert response.status_code == 500
    assert 'data-status="500"' in page and 'class="brand"' in page and 'data-testid="home-link"' in page
    api = handler(RequestFactory().get("/api/v1/lots/"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"


def test_an_unreadable_form_and_a_refused_form_answer_the_site_s_pages(client):
    fields = {f"f{n}": "x" for n in range(1200)}  # over DATA_UPLOAD_MAX_NUMBER_FIELDS
    too_many = client.post(reverse("login"), fields, **EN)
    assert too_many.status_code == 400 and 'data-status="400"' in _page(too_many)
    guarded = Client(enforce_csrf_checks=True)
    refused = guarded.post(reverse("login"), {"username": "x", "password": "y"}, **EN)
    page = _page(refused)
    assert refused.status_code == 403 and 'data-status="403"' in page and 'class="brand"' in page


def test_every_page_names_an_icon_and_favicon_ico_leads_to_it(client):
    page = _page(client.get(reverse("home")))
    assert 'rel="icon" href="/static/favicon.svg"' in page
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
