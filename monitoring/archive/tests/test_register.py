"""The archive register: the page and the API list archives with filters by market, outcome and
year and download them, for staff and regulators only; the page in Chinese and English; the API
in the OpenAPI schema."""
import re
from datetime import datetime

import pytest
import time_machine
from django.utils import translation
from rest_framework.test import APIClient

from monitoring.archive.models import LotArchive
from monitoring.archive.services import archive_sweep
from trading.services.moves import lot_transition
from trading.storage import get_storage
from trading.workdays import CHINA

pytestmark = pytest.mark.django_db


def cancelled(make_lot, publish_sealed, market: str):
    lot = publish_sealed(make_lot(market))
    lot_transition(lot_id=lot.pk, transition="cancel", actor="user:1")
    return lot


@pytest.fixture
def archives(make_lot, publish_sealed, failed_lot):
    """A failed procurement lot and a cancelled construction lot archived now; a cancelled HR
    services lot archived in January 2027 (Beijing)."""
    failed = failed_lot("procurement")
    construction = cancelled(make_lot, publish_sealed, "construction")
    archive_sweep()
    with time_machine.travel(datetime(2027, 1, 15, 10, 0, tzinfo=CHINA), tick=False):
        hr = cancelled(make_lot, publish_sealed, "hr")
        archive_sweep()
    return {lot.pk: LotArchive.objects.get(lot=lot) for lot in (failed, construction, hr)}


def rows(html: str) -> set[int]:
    return {int(lot) for lot in re.findall(r'<tr data-archive="\d+" data-lot="(\d+)"', html)}


def test_the_page_lists_and_filters_in_both_languages(client, archives, staff, regulator):
    client.force_login(regulator)
    page = client.get("/archive/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200 and rows(text) == set(archives)
    assert "Archive register" in text and "python -m bidding.verify archive" in text
    for archive in archives.values():
        assert archive.sha256 in text and f'href="/archive/{archive.pk}/download/"' in text
    failed, construction, hr = archives
    assert rows(client.get("/archive/", {"market": "construction"}).content.decode()) == {construction}
    assert rows(client.get("/archive/", {"outcome": "failed"}).content.decode()) == {failed}
    assert rows(client.get("/archive/", {"outcome": "cancelled", "year": "2027"}).content.decode()) == {hr}
    assert rows(client.get("/archive/", {"year": str(archives[failed].sealed_at.astimezone(CHINA).year)})
                .content.decode()) == {failed, construction}
    assert client.get("/archive/", {"outcome": "awarded"}).status_code == 400

    client.force_login(staff)
    zh = client.get("/archive/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans"' in zh and "<th>市场</th>" in zh and "<th>标段</th>" in zh and "流标" in zh
    with translation.override("zh-hans"):
        assert f"<h1>{translation.gettext('Archive register')}</h1>" in zh


def test_only_staff_and_regulators_see_and_download_archives(client, archives, staff, regulator, bidder_a,
                                                              supervisor):
    archive = next(iter(archives.values()))
    download = f"/archive/{archive.pk}/download/"
    anonymous = client.get("/archive/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client.get(download).status_code == 302
    for person in (bidder_a, supervisor):
        client.force_login(person)
        assert client.get("/archive/").status_code == 403
        assert client.get(download).status_code == 403
    for person in (staff, regulator):
        client.force_login(person)
        response = client.get(download)
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        assert f'filename="archive-{archive.lot.code}.zip"' in response["Content-Disposition"]
        with get_storage().get(archive.storage_key) as stored:
            assert b"".join(response.streaming_content) == stored.read()
    assert client.get("/archive/999999/download/").status_code == 404


def test_the_api_lists_with_a_fixed_number_of_queries_and_downloads(archives, regulator, staff, bidder_a,
                                                                    django_assert_num_queries):
    api = APIClient()
    assert api.get("/api/v1/archive/").status_code in (401, 403)
    api.force_login(bidder_a)
    assert api.get("/api/v1/archive/").status_code == 403
    archive = next(iter(archives.values()))
    refused = api.get(f"/api/v1/archive/{archive.pk}/download/")
    assert refused.status_code == 403 and refused["Content-Type"] == "application/json"
    api.force_login(regulator)
    # The session, the user, their second factor, their roles, the count, the page with lots and markets.
    with django_assert_num_queries(6):
        body = api.get("/api/v1/archive/").json()
    assert body["count"] == 3
    listed = {item["lot"]: item for item in body["results"]}
    assert set(listed) == set(archives)
    item = listed[archive.lot_id]
    assert (item["sha256"], item["size"], item["files"], item["outcome"], item["market"]) == (
        archive.sha256, archive.size, archive.files, archive.outcome, archive.lot.project.market_id)
    assert item["download"] == f"http://testserver/api/v1/archive/{archive.pk}/download/"
    assert [i["lot"] for i in api.get("/api/v1/archive/", {"market": "hr", "year": 2027}).json()["results"]] == [
        lot for lot, a in archives.items() if a.lot.project.market_id == "hr"]
    for bad in ({"outcome": "awarded"}, {"market": "nowhere"}, {"year": "soon"}):
        assert api.get("/api/v1/archive/", bad).status_code == 400
    api.force_login(staff)
    response = api.get(item["download"], HTTP_ACCEPT="application/zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["ETag"] == f'"{archive.sha256}"'
    with get_storage().get(archive.storage_key) as stored:
        assert b"".join(response.streaming_content) == stored.read()
    missing = api.get("/api/v1/archive/999999/download/")
    assert (missing.status_code, missing.json()["code"]) == (404, "archive_not_found")


def test_the_api_is_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"/api/v1/archive/", "/api/v1/archive/{archive_id}/download/"} <= set(schema["paths"])
    download = schema["paths"]["/api/v1/archive/{archive_id}/download/"]["get"]["responses"]
    assert download["200"]["content"] == {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
    assert "403" in download and "404" in download
