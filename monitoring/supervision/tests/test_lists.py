"""The alerts list: counts per market and level, filters by market, level, state and period, on the
page and through the API; who may read."""
import re

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from monitoring.events import record
from monitoring.supervision.selectors import alert_counts
from monitoring.supervision.services import alert_acknowledge, alerts_sweep
from monitoring.supervision.tests.conftest import at
from trading.accounts.services.roles import role_grant
from trading.errors import AccountError

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_markets(make_lot, objection, bidder_a, bidder_b, custodians):
    """Construction: a red alert (the objection's reply overdue) and a yellow one (a failed
    passphrase); procurement: a yellow one; and one about no lot (a refused role grant)."""
    procurement = make_lot("procurement")
    with transaction.atomic():
        for lot in (objection.lot, procurement):
            record(kind="custodian.passphrase_failed", actor=f"user:{custodians[0].pk}", subject=f"lot:{lot.pk}",
                   data={"lot": lot.pk})
    with pytest.raises(AccountError):
        role_grant(user=bidder_b, role="regulator", reason="x", grantor=bidder_a)
    with at(2026, 10, 3, 1, 0):
        alerts_sweep()
    return objection.lot, procurement


def test_counts_per_market_and_level(three_markets, regulator):
    counts = {row.code: (row.yellow, row.red, row.open) for row in alert_counts()}
    assert counts["construction"] == (1, 1, 2)
    assert counts["procurement"] == (1, 0, 1)
    assert counts[""] == (1, 0, 1)
    assert counts["land"] == (0, 0, 0)
    assert {row.code: row.red for row in alert_counts(level="red")}["construction"] == 1
    assert {row.code: row.total for row in alert_counts(level="red")}["procurement"] == 0

    passphrase = three_markets[1].alerts.get()
    alert_acknowledge(alert_id=passphrase.pk, user=regulator, comment="已核实")
    counts = {row.code: (row.yellow, row.open) for row in alert_counts(state="unresolved")}
    assert counts["procurement"] == (0, 0)


def test_the_page_filters_and_counts(client, three_markets, staff, bidder_a):
    client.force_login(bidder_a)
    assert client.get("/supervision/alerts/").status_code == 403
    client.force_login(staff)
    page = client.get("/supervision/alerts/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200 and text.count('<tr data-alert="') == 4
    rows = re.sub(r"\s+", " ", text)
    assert ('<tr data-market="construction"><td>Construction works</td> <td data-level="yellow">1</td>'
            '<td data-level="red">1</td><td data-state="open">2</td></tr>') in rows
    assert '<tr data-market=""><td>Not about a lot</td> <td data-level="yellow">1</td>' in rows
    red = client.get("/supervision/alerts/", {"market": "construction", "level": "red"}).content.decode()
    assert red.count('<tr data-alert="') == 1 and 'data-level="red" data-state="open"' in red
    later = client.get("/supervision/alerts/", {"since": "2026-10-04"}).content.decode()
    assert later.count('<tr data-alert="') == 0
    assert client.get("/supervision/alerts/", {"level": "purple"}).status_code == 400
    zh = client.get("/supervision/alerts/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<th>市场</th>" in zh and "<th>标段</th>" in zh


def test_the_api_filters_with_a_fixed_number_of_queries(three_markets, regulator, bidder_a,
                                                        django_assert_num_queries):
    client = APIClient()
    client.force_login(bidder_a)
    assert client.get("/api/v1/alerts/").status_code == 403
    client.force_login(regulator)
    # The session, the user, their second factor, their roles, the count, the page with lots and markets.
    with django_assert_num_queries(6):
        body = client.get("/api/v1/alerts/").json()
    assert body["count"] == 4
    assert {(a["rule"], a["level"], a["market"]) for a in body["results"]} == {
        ("documents_objection_reply", "red", "construction"), ("custodian_passphrase_failed", "yellow", "construction"),
        ("custodian_passphrase_failed", "yellow", "procurement"), ("role_refused", "yellow", None)}
    assert client.get("/api/v1/alerts/", {"market": "procurement"}).json()["count"] == 1
    assert client.get("/api/v1/alerts/", {"level": "red", "state": "open"}).json()["count"] == 1
    assert client.get("/api/v1/alerts/", {"since": "2026-10-03", "until": "2026-10-03"}).json()["count"] == 4
    assert client.get("/api/v1/alerts/", {"until": "2026-10-02"}).json()["count"] == 0
    assert client.get("/api/v1/alerts/", {"since": "2026-10-03T02:00:00+08:00"}).json()["count"] == 0
    refused = client.get("/api/v1/alerts/", {"market": "moon"})
    assert (refused.status_code, refused.json()["fields"].keys()) == (400, {"market"})
    assert client.get("/api/v1/alerts/", {"since": "yesterday"}).status_code == 400
    assert client.get("/api/v1/alerts/", {"until": "2026-02-30"}).status_code == 400
    # Offsets PostgreSQL would refuse (beyond 15:59) are read in UTC; a day past a datetime's range is bad input.
    assert client.get("/api/v1/alerts/", {"since": "2314-05-18T05:21:03+18:24"}).json()["count"] == 0
    assert client.get("/api/v1/alerts/", {"since": "0001-01-01T00:00:00+18:00"}).status_code == 400
    one = body["results"][0]
    detail = client.get(f"/api/v1/alerts/{one['id']}/").json()
    assert detail["id"] == one["id"] and detail["kind"] in ("time", "event") and detail["source"]
    assert client.get("/api/v1/alerts/999999/").json()["code"] == "alert_not_found"


def test_the_schema_documents_the_alerts_api(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert {"/api/v1/alerts/", "/api/v1/alerts/{alert_id}/", "/api/v1/alerts/{alert_id}/acknowledge/"} <= set(
        schema["paths"])
    acknowledge = schema["paths"]["/api/v1/alerts/{alert_id}/acknowledge/"]["post"]["responses"]
    assert acknowledge["409"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
