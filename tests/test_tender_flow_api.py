"""A tender lot's life through the REST API."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from trading import clock
from trading.models import Lot, Organisation
from trading.services.lots import lot_due_sweep


@pytest.fixture
def staff_api(staff):
    api = APIClient()
    api.force_authenticate(staff)
    return api


@pytest.fixture
def tenderee(db):
    from tests.fixtures import _uscc

    return Organisation.objects.create(name="市第二医院", uscc=_uscc("12330100", 77), kind="tenderee")


def _create_lot(api, tenderee, *, days):
    now = clock.now()
    project = api.post(reverse("api-project-create"), {
        "code": "CG-API-1", "title": "CT 采购", "market": "procurement", "procedure": "open_tender",
        "tenderee": tenderee.pk}, format="json")
    assert project.status_code == 201, project.json()
    lot = api.post(reverse("api-project-lots", args=[project.json()["id"]]), {
        "title": "CT 机", "estimate": "3000000.00", "deposit": "60000.00",
        "documents_until": (now + timedelta(days=days)).isoformat(),
        "bid_deadline": (now + timedelta(days=days)).isoformat()}, format="json")
    assert lot.status_code == 201, lot.json()
    return lot.json()["id"]


@pytest.mark.django_db
def test_a_tender_lot_is_created_reviewed_published_amended_and_closed_through_the_api(staff_api, tenderee,
                                                                                        bidder_a, custodians):
    lot_id = _create_lot(staff_api, tenderee, days=19)
    refused = staff_api.post(reverse("api-lot-submit", args=[lot_id]))
    assert refused.status_code == 400 and refused.json()["code"] == "bid_preparation"
    new_deadline = (clock.now() + timedelta(days=21)).isoformat()
    edited = staff_api.patch(reverse("api-lot", args=[lot_id]),
                             {"bid_deadline": new_deadline, "documents_until": new_deadline}, format="json")
    assert edited.status_code == 200, edited.json()
    assert staff_api.post(reverse("api-lot-submit", args=[lot_id])).json()["status"] == "pending_review"
    # Not visible to the public before publication.
    assert APIClient().get(reverse("api-lot", args=[lot_id])).status_code == 404
    published = staff_api.post(reverse("api-lot-publish", args=[lot_id]), {
        "title": "CT 采购招标公告", "body": "……", "custodian_ids": [c.pk for c in custodians], "threshold": 2},
        format="json")
    assert published.json()["status"] == "bidding"

    public = APIClient()
    listed = public.get(reverse("api-lot-list"), {"market": "procurement"}).json()
    assert [lot["id"] for lot in listed["results"]] == [lot_id]
    assert public.get(reverse("api-announcement-list"), {"kind": "tender"}).json()["count"] == 1

    document = staff_api.post(reverse("api-lot-documents", args=[lot_id]),
                              {"file": io.BytesIO(b"tender documents " * 1000), "name": "招标文件.pdf"},
                              format="multipart")
    assert document.status_code == 201, document.json()
    bidder = APIClient()
    bidder.force_authenticate(bidder_a)
    link = bidder.post(reverse("api-document-link", args=[document.json()["id"]]))
    assert link.status_code == 403 and link.json()["code"] == "not_registered"
    registration = bidder.post(reverse("api-lot-registration", args=[lot_id]))
    assert registration.status_code == 201 and registration.json()["status"] == "approved", registration.json()
    url = bidder.post(reverse("api-document-link", args=[document.json()["id"]])).json()["url"]
    assert requests.get(url, verify=False, timeout=30).content == b"tender documents " * 1000

    with time_machine.travel(clock.now() + timedelta(days=10)):
        too_late = staff_api.post(reverse("api-lot-amend", args=[lot_id]), {"title": "澄清", "body": "……"})
        assert too_late.status_code == 400 and too_late.json()["code"] == "amendment_notice"
        pushed = (clock.now() + timedelta(days=15)).isoformat()
        amended = staff_api.post(reverse("api-lot-amend", args=[lot_id]),
                                 {"title": "澄清", "body": "……", "bid_deadline": pushed})
        assert amended.status_code == 200, amended.json()
    lot = Lot.objects.get(pk=lot_id)
    with time_machine.travel(lot.bid_deadline, tick=False):
        lot_due_sweep()
    assert public.get(reverse("api-lot", args=[lot_id])).json()["status"] == "closed"
    timeline = public.get(reverse("api-lot-timeline", args=[lot_id])).json()
    assert [item["kind"] for item in timeline].count("announcement") == 2


@pytest.mark.django_db
def test_only_staff_write_lots(bidder_a, tenderee):
    api = APIClient()
    api.force_authenticate(bidder_a)
    response = api.post(reverse("api-project-create"), {"code": "X", "title": "X", "market": "construction",
                                                        "procedure": "open_tender", "tenderee": tenderee.pk})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


@pytest.mark.django_db
def test_lot_list_query_count_is_pinned(make_lot, publish_sealed, django_assert_num_queries):
    for _ in range(5):
        publish_sealed(make_lot("construction"))
    client = APIClient()
    with django_assert_num_queries(2):  # count + one page with its joins
        assert client.get(reverse("api-lot-list")).json()["count"] == 5
    with django_assert_num_queries(2):
        assert client.get(reverse("api-announcement-list")).json()["count"] == 5


@pytest.mark.django_db
def test_openapi_schema_lists_the_lot_endpoints():
    schema = APIClient().get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ["/api/v1/lots/", "/api/v1/lots/{lot_id}/publish/", "/api/v1/lots/{lot_id}/bids/", "/api/v1/lots/{lot_id}/amend/",
                 "/api/v1/announcements/", "/api/v1/projects/"]:
        assert path in schema["paths"], path


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))


@pytest.mark.django_db
def test_the_figures_statistics_read_are_given_when_a_project_and_lot_are_created(staff_api, tenderee):
    """The total investment of a project, the appraised value of a lot and a tenderee's sector are
    what the statistics read (docs/statistics.md); a bad amount is refused and nothing is made."""
    from tests.fixtures import _uscc
    from trading.models import Project

    organisation = staff_api.post(reverse("api-organisations"), {
        "name": "市国资公司", "uscc": _uscc("12330100", 78), "kind": "tenderee", "sector": "state_owned"},
        format="json")
    assert organisation.status_code == 201, organisation.json()
    assert Organisation.objects.get(pk=organisation.json()["id"]).sector == "state_owned"
    refused = staff_api.post(reverse("api-project-create"), {
        "code": "GQ-API-1", "title": "股权转让", "market": "property", "procedure": "listing_online_bidding",
        "tenderee": tenderee.pk, "investment": "-5"}, format="json")
    assert refused.status_code == 400 and not Project.objects.filter(code="GQ-API-1").exists()
    project = staff_api.post(reverse("api-project-create"), {
        "code": "GQ-API-1", "title": "股权转让", "market": "property", "procedure": "listing_online_bidding",
        "tenderee": tenderee.pk, "investment": "80000000.00", "region": "高新区"}, format="json")
    assert project.status_code == 201, project.json()
    assert Project.objects.get(code="GQ-API-1").investment == Decimal("80000000.00")
    bad = staff_api.post(reverse("api-project-lots", args=[project.json()["id"]]), {
        "title": "20% 股权", "estimate": "1000000.00", "appraised_value": "0"}, format="json")
    assert bad.status_code == 400 and not Lot.objects.filter(project__code="GQ-API-1").exists()
    lot = staff_api.post(reverse("api-project-lots", args=[project.json()["id"]]), {
        "title": "20% 股权", "estimate": "1000000.00", "appraised_value": "950000.00"}, format="json")
    assert lot.status_code == 201, lot.json()
    assert lot.json()["appraised_value"] == "950000.00"
