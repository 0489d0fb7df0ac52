"""The portal's search (issue 19 §1): lots and announcements by keyword, market, procedure, status,
tenderee, region and publication dates, on the pages (GET URLs to share, paged) and on the API with
the same filters."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from trading.models import Market, Procedure
from trading.services.lots import lot_create, lot_publish, lot_submit, project_create
from trading.services.moves import lot_transition
from trading.tests.builders import ACTOR, tenderee_make

pytestmark = pytest.mark.django_db

# Publication days, China time: 2026-03-02 and 2026-05-11 (10:00), and a listing on 2026-05-12 at 07:30,
# which is still 2026-05-11 in UTC: the search counts days as Beijing does.
MARCH = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
MAY = datetime(2026, 5, 11, 2, 0, tzinfo=UTC)
MAY_12_EARLY = datetime(2026, 5, 11, 23, 30, tzinfo=UTC)


def _published(code, title, *, market, procedure, tenderee, region, at):
    with time_machine.travel(at, tick=False):
        market_obj = Market.objects.get(code=market)
        project = project_create(code=code, title=title, market=market_obj, region=region,
                                 procedure=Procedure.objects.get(market=market_obj, code=procedure),
                                 tenderee=tenderee_make(tenderee), actor=ACTOR)
        if project.procedure.kind == Procedure.Kind.LISTING:
            dates = {"listing_start": at + timedelta(days=25), "listing_end": at + timedelta(days=50)}
        else:
            dates = {"documents_until": at + timedelta(days=25), "bid_deadline": at + timedelta(days=25)}
        lot = lot_create(project=project, title=title, estimate=Decimal("5000000.00"), deposit=Decimal("50000.00"),
                         actor=ACTOR, **dates)
        lot_submit(lot_id=lot.pk, actor=ACTOR)
        lot_publish(lot_id=lot.pk, title=f"{title}招标公告", body="详见招标文件。", actor=ACTOR)
    lot.refresh_from_db()
    return lot


@pytest.fixture
def lots():
    school = _published("JS2026-101", "第二中学教学楼改造工程", market="construction", procedure="open_tender",
                        tenderee="市教育局", region="高新区", at=MARCH)
    road = _published("JS2026-102", "滨江路道路改造工程", market="construction", procedure="invited_tender",
                      tenderee="市城投集团", region="市本级", at=MAY)
    desks = _published("CG2026-103", "办公家具采购", market="procurement", procedure="open_tender",
                       tenderee="市教育局", region="高新区", at=MAY)
    plot = _published("TD2026-104", "城东R2-07地块", market="land", procedure="listing_timed_bidding",
                      tenderee="市自然资源局", region="市本级", at=MAY_12_EARLY)
    lot_transition(lot_id=desks.pk, transition="fail", actor=ACTOR)
    return {"school": school, "road": road, "desks": desks, "plot": plot}


def _page_lots(client, lots, **params) -> set[str]:
    page = client.get(reverse("lot-list"), params).content.decode()
    return {name for name, lot in lots.items() if f'data-lot="{lot.pk}"' in page}


def _api_lots(lots, **params) -> set[str]:
    found = APIClient().get(reverse("api-lot-list"), params)
    assert found.status_code == 200, found.content
    codes = {lot["code"] for lot in found.json()["results"]}
    return {name for name, lot in lots.items() if lot.code in codes}


@pytest.mark.parametrize("params, expected", [
    ({"q": "改造"}, {"school", "road"}),
    ({"q": "js2026-101"}, {"school"}),
    ({"market": "construction"}, {"school", "road"}),
    ({"procedure": "open_tender"}, {"school", "desks"}),
    ({"status": "failed"}, {"desks"}),
    ({"tenderee": "教育局"}, {"school", "desks"}),
    ({"region": "高新"}, {"school", "desks"}),
    ({"published_from": "2026-05-01"}, {"road", "desks", "plot"}),
    ({"published_to": "2026-05-11"}, {"school", "road", "desks"}),
    ({"published_from": "2026-05-12", "published_to": "2026-05-12"}, {"plot"}),
    ({"market": "construction", "published_from": "2026-03-01", "published_to": "2026-03-31"}, {"school"}),
    ({"region": "市本级", "procedure": "listing_timed_bidding"}, {"plot"}),
])
def test_the_lot_page_and_the_api_filter_alike(client, lots, params, expected):
    assert _page_lots(client, lots, **params) == expected
    assert _api_lots(lots, **params) == expected


def test_a_search_is_a_url_that_gives_the_same_page_again(client, lots):
    url = reverse("lot-list") + "?market=construction&published_from=2026-03-01&published_to=2026-03-31&q="
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-lot="{lots["school"].pk}"' in first
    # The form shows the search it made, so the page can be refined and its URL shared.
    assert '<option value="construction" selected>' in first
    assert 'name="published_from" id="id_published_from" value="2026-03-01"' in first
    assert 'type="date"' in first and '<label for="id_published_from">' in first
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert again.split('data-testid="results"')[1] == first.split('data-testid="results"')[1]


def test_the_pages_of_a_search_keep_its_filters(client, lots, monkeypatch):
    monkeypatch.setattr("trading.views_lots.PAGE_SIZE", 1)
    page = client.get(reverse("lot-list"), {"market": "construction"}).content.decode()
    assert "market=construction" in page.split('class="pagination"')[1]
    second = client.get(reverse("lot-list"), {"market": "construction", "page": 2}).content.decode()
    shown = {name for name in ("school", "road") if f'data-lot="{lots[name].pk}"' in page + second}
    assert shown == {"school", "road"}


def test_an_unreadable_filter_is_explained_on_the_page_and_refused_by_the_api(client, lots):
    page = client.get(reverse("lot-list"), {"published_from": "2026-13-45", "market": "land"},
                      HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="errorlist' in html.split("field-dates")[1].split("</fieldset>")[0]
    answer = APIClient().get(reverse("api-lot-list"), {"published_from": "yesterday"})
    assert answer.status_code == 400


def test_announcements_are_searched_by_their_own_date_and_kind_and_their_lot(client, lots):
    def shown(**params) -> set[str]:
        page = client.get(reverse("announcement-list"), params).content.decode()
        return {name for name, lot in lots.items()
                if any(f'data-announcement="{a.pk}"' in page for a in lot.announcements.all())}

    assert shown(kind="listing") == {"plot"}
    assert shown(region="高新区", published_from="2026-05-01") == {"desks"}
    assert shown(q="滨江路") == {"road"}
    api = APIClient().get(reverse("api-announcement-list"), {"tenderee": "教育局"}).json()
    assert {a["lot"] for a in api["results"]} == {lots["school"].pk, lots["desks"].pk}


def test_the_lot_list_api_s_queries_do_not_grow_with_its_filters(lots, django_assert_num_queries):
    with django_assert_num_queries(3):  # the procedures (the filter's choices), the count, one page
        APIClient().get(reverse("api-lot-list"), {"q": "工程", "procedure": "open_tender", "region": "高新",
                                                  "published_from": "2026-01-01", "status": "bidding"})


def test_the_schema_documents_the_search_filters(client):
    parameters = client.get("/api/schema/?format=json").json()["paths"]["/api/v1/lots/"]["get"]["parameters"]
    types = {parameter["name"]: parameter["schema"].get("format", parameter["schema"]["type"])
             for parameter in parameters}
    assert {"q", "code", "market", "procedure", "status", "tenderee", "region"} <= types.keys()
    assert types["published_from"] == types["published_to"] == "date"
