"""GET /api/v1/statistics/…: the hand-computed figures with their change, open to anyone; the lots
behind a figure for regulators only; documented in the OpenAPI schema."""
from decimal import Decimal

import pytest

from monitoring.statistics.tests.expected import CHANGE, EXPECTED, PREVIOUS

pytestmark = pytest.mark.django_db
URL = "/api/v1/statistics/"


def _same(printed, expected) -> bool:
    return printed is None if expected is None else Decimal(str(printed)) == expected


def test_the_figures_by_market_with_their_change(client, history):
    body = client.get(URL, {"year": 2026}).json()
    assert body["granularity"] == "year" and body["by"] == "market"
    rows = {row["key"]: row for row in body["rows"]}
    for market, expected in EXPECTED.items():
        for figure, value in expected.items():
            assert _same(rows[market]["figures"][figure], value), (market, figure)
    for market, expected in PREVIOUS.items():
        for figure, value in expected.items():
            assert _same(rows[market]["previous"][figure], value), (market, figure)
    for market, expected in CHANGE.items():
        for figure, value in expected.items():
            assert _same(rows[market]["change"][figure], value), (market, figure)
    assert rows["land"]["figures"]["increase"] == "36400000.00" and rows["land"]["period"] == "2026"
    assert rows["land"]["change"]["increase_rate"] == "0.1177"


def test_by_quarter_and_by_tenderee_type(client, history):
    rows = client.get(URL, {"year": 2026, "granularity": "quarter", "market": "construction"}).json()["rows"]
    assert [(row["period"], row["figures"]["deals"]) for row in rows] == [
        ("2026-Q1", 0), ("2026-Q2", 2), ("2026-Q3", 0), ("2026-Q4", 0)]
    rows = client.get(URL, {"year": 2026, "by": "sector"}).json()["rows"]
    government = next(row for row in rows if row["key"] == "government")
    assert government["figures"]["deal_value"] == "138750000.00" and government["figures"]["satisfaction"] is None


def test_bad_input_gets_a_code(client, history):
    assert client.get(URL, {"year": 2099}).json()["code"] == "bad_year"
    assert client.get(URL, {"market": "moon"}).json()["code"] == "bad_market"
    answer = client.get(URL, {"granularity": "week"})
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_choice"


def test_the_lots_behind_a_figure_for_regulators_only(client, history, regulator, staff):
    query = {"figure": "appreciation", "period": "2026", "key": "property"}
    assert client.get(f"{URL}lots/", query).status_code in (401, 403)
    client.force_login(staff)
    assert client.get(f"{URL}lots/", query).status_code == 403
    client.force_login(regulator)
    body = client.get(f"{URL}lots/", query).json()
    assert body["value"] == "11000000.00"
    assert {lot["lot"] for lot in body["lots"]} == {history["E1"].pk, history["E2"].pk}
    e1 = next(lot for lot in body["lots"] if lot["lot"] == history["E1"].pk)
    assert (e1["appraised"], e1["deal"], e1["code"]) == ("18000000.00", "27000000.00", history["E1"].code)
    assert client.get(f"{URL}lots/", {**query, "period": "2026-13"}).json()["code"] == "bad_period"


def test_the_schema_documents_the_statistics_api(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert {"/api/v1/statistics/", "/api/v1/statistics/lots/", "/api/v1/statistics/reports/",
            "/api/v1/statistics/reports/{report_id}/"} <= set(schema["paths"])
    figures = schema["components"]["schemas"]["StatisticsFigures"]["properties"]
    assert {"deal_value", "savings_rate", "increase", "appreciation_rate", "satisfaction"} <= set(figures)
    parameters = {p["name"] for p in schema["paths"]["/api/v1/statistics/"]["get"]["parameters"]}
    assert {"year", "granularity", "by", "market", "sector"} <= parameters
