"""A lot's code (``<project code>-<lot number>``, what the announcement prints and banks quote,
docs/bank.md) finds the lot and its announcements, on the pages and through the API; the lot list
filters by it."""
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from trading.services.lots import lot_create
from trading.tests.builders import ACTOR, _publish, lot_tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def lots(clock):
    """Lots GC2026-001-1 and GC2026-001-2 of one project, and GC2026-002-1 of another."""
    first = lot_tender("GC2026-001")
    second = _publish(lot_create(project=first.project, title="Gymnasium", estimate=Decimal("5000000.00"),
                                 deposit=Decimal("100000.00"), actor=ACTOR,
                                 bid_deadline=datetime(2026, 10, 20, 1, 30, tzinfo=UTC),
                                 documents_until=datetime(2026, 9, 10, 9, 0, tzinfo=UTC)))
    other = lot_tender("GC2026-002")
    assert (first.code, second.code, other.code) == ("GC2026-001-1", "GC2026-001-2", "GC2026-002-1")
    return first, second, other


def _announced_lots(client, q: str) -> set[int]:
    found = client.get(reverse("api-announcement-list"), {"q": q}).json()["results"]
    return {announcement["lot"] for announcement in found}


def test_announcements_are_found_by_the_lot_code(lots, client):
    first, second, other = lots
    api = APIClient()
    assert _announced_lots(api, "GC2026-001-2") == {second.pk}
    assert _announced_lots(api, "gc2026-001-1") == {first.pk}
    assert _announced_lots(api, "GC2026-001") == {first.pk, second.pk}  # the project's code, as before
    page = client.get(reverse("announcement-list"), {"q": "GC2026-001-2"}).content.decode()
    announcements = {a.pk: a for lot in lots for a in lot.announcements.all()}
    shown = {pk for pk in announcements if f'data-announcement="{pk}"' in page}
    assert shown == {a.pk for a in second.announcements.all()}


def test_the_lot_list_searches_and_filters_by_code(lots):
    first, second, other = lots
    api = APIClient()

    def listed(**params) -> list[str]:
        return [lot["code"] for lot in api.get(reverse("api-lot-list"), params).json()["results"]]

    assert listed(q="GC2026-001-2") == ["GC2026-001-2"]
    assert listed(code="gc2026-002-1") == ["GC2026-002-1"]
    assert listed(code="GC2026-001") == []  # a project's code is no lot's code
    assert listed(code="GC2026-001-1", status="awarded") == []  # with the other filters
    assert sorted(listed(q="GC2026-001")) == ["GC2026-001-1", "GC2026-001-2"]


def test_the_lot_list_page_filters_by_code(lots, client):
    first, second, other = lots
    page = client.get(reverse("lot-list"), {"code": "GC2026-001-2"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="code"' in page  # the filter form offers it
    assert [lot.pk for lot in lots if f'data-lot="{lot.pk}"' in page] == [second.pk]
    page = client.get(reverse("lot-list"), {"q": "GC2026-002-1"}).content.decode()
    assert [lot.pk for lot in lots if f'data-lot="{lot.pk}"' in page] == [other.pk]


def test_the_schema_documents_the_code_filter(client):
    parameters = client.get("/api/schema/?format=json").json()["paths"]["/api/v1/lots/"]["get"]["parameters"]
    assert "code" in {parameter["name"] for parameter in parameters}
