"""Rate limits (trading/ratelimits.py): beyond a group's rate a change is refused with 429 before
its view runs and stores nothing; the count is per signed-in person, else per address, and only
changes count. The other tests run without limits (conftest.py)."""
import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from supervisors.regulation.models import PublicReport

pytestmark = pytest.mark.django_db

REPORT = {"text": "开标现场有人用手机拍摄其他投标人的文件。", "contact": "13800001111"}


@pytest.fixture
def limits(settings):
    cache.clear()
    settings.PLATFORM_RATE_LIMITS = {"sign_up": "2/h", "bid": "2/m", "report": "2/h"}
    return settings.PLATFORM_RATE_LIMITS


def test_a_third_report_within_the_hour_is_refused_in_the_language_asked_and_stores_nothing(limits):
    api = APIClient()
    assert [api.post("/api/v1/reports/", REPORT).status_code for _ in range(2)] == [201, 201]
    refused = api.post("/api/v1/reports/", REPORT, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 429
    assert refused.json() == {"code": "rate_limited", "detail": "同一类操作在短时间内过于频繁，未作任何处理。请稍后再试。"}
    assert PublicReport.objects.count() == 2
    assert APIClient().get("/api/v1/reports/").status_code == 401  # reading is not counted, nor refused for it


def test_the_report_page_answers_with_the_site_s_page_and_another_address_still_reports(client, limits):
    for _ in range(2):
        client.post("/report/", {"text": REPORT["text"], "contact": REPORT["contact"]})
    refused = client.post("/report/", {"text": REPORT["text"], "contact": REPORT["contact"]}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    assert b'data-status="429"' in refused.content and b"Too many attempts" in refused.content
    elsewhere = APIClient(REMOTE_ADDR="10.0.0.8").post("/api/v1/reports/", REPORT)
    assert elsewhere.status_code == 201


def test_bids_count_per_person(make_lot, bidder_a, bidder_b, limits):
    lot = make_lot()
    first, second = APIClient(), APIClient()
    first.force_authenticate(bidder_a)
    second.force_authenticate(bidder_b)
    url = f"/api/v1/lots/{lot.pk}/bids/"
    answers = [first.post(url, b"x", content_type="application/octet-stream").status_code for _ in range(3)]
    assert answers[:2] != [429, 429] and answers[2] == 429
    assert second.post(url, b"x", content_type="application/octet-stream").status_code != 429


def test_sign_ups_count_per_address_whoever_asks(limits):
    answers = [APIClient().post("/api/v1/companies/sign-up/", {}).status_code for _ in range(3)]
    assert answers == [400, 400, 429]


def test_no_limit_when_the_rate_is_empty(settings):
    cache.clear()
    settings.PLATFORM_RATE_LIMITS = {"report": None}
    api = APIClient()
    assert {api.post("/api/v1/reports/", REPORT).status_code for _ in range(5)} == {201}
