"""The statistics pages and exports against the hand-computed fixture: the public page (both
languages, no lot anywhere), the regulator's view and its drill-down (regulators only), CSV and
XLSX carrying the same numbers."""
import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from monitoring.statistics.formats import change_text, value_text
from monitoring.statistics.tests.expected import CHANGE, EXPECTED

pytestmark = pytest.mark.django_db


def _cell(page: str, figure: str, group: str) -> tuple[str, str]:
    """The value and the change printed for ``figure`` of ``group`` in the year table."""
    line = page.split(f'<tr data-figure="{figure}">')[1].split("</tr>")[0]
    cell = line.split(f'<td data-group="{group or "total"}">')[1].split("</td>")[0]
    value = re.sub(r"<[^>]+>", "", cell.split('class="value">')[1].split("</span>")[0]).strip()
    change = re.sub(r"<[^>]+>", "", cell.split('class="change')[1].split(">", 1)[1].split("</span>")[0]).strip()
    return value, change


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_public_page_states_the_figures_computed_by_hand(client, history, language):
    page = client.get(reverse("statistics"), {"year": 2026}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    with translation.override(language):
        for market, expected in EXPECTED.items():
            for figure, value in expected.items():
                if value is None:
                    continue
                printed, change = _cell(page, figure, market)
                assert printed == value_text(figure, value), (market, figure)
                if figure in CHANGE.get(market, {}):
                    assert change == change_text(figure, CHANGE[market][figure]), (market, figure)
    if language == "en":
        assert _cell(page, "deal_value", "land") == ("CNY 186.40 million", "+107.11%")
        assert _cell(page, "increase_rate", "land") == ("24.27%", "+11.77 pp")
        assert _cell(page, "appreciation", "property") == ("CNY 11.00 million", "+1,000.00%")
        assert _cell(page, "deal_value", "") == ("CNY 240.65 million", "+112.25%")
    else:
        assert _cell(page, "deal_value", "land")[0] == "1.86 亿元"
        assert _cell(page, "savings", "construction") == ("210.00 万元", "+110.00%")
        assert _cell(page, "deal_value", "") == ("2.41 亿元", "+112.25%")


def test_the_public_page_shows_no_lot(client, history):
    page = client.get(reverse("statistics"), {"year": 2026, "granularity": "month"}).content.decode()
    assert 'data-testid="statistics-table"' in page and 'data-testid="period-table"' in page
    for lot in history.values():
        assert lot.code not in page
    assert "统计项目" not in page and "regulator/statistics/lots" not in page and "/regulator/lots/" not in page


def test_periods_and_tenderee_types_are_tabled_for_readers_without_javascript(client, history):
    page = client.get(reverse("statistics"), {"year": 2026, "granularity": "quarter"},
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    second = page.split('<tr data-period="2026-Q2">')[1].split("</tr>")[0]
    construction = second.split('<td data-group="construction">')[1].split("</td>")[0]
    assert '<span class="value">2</span>' in construction and "CNY 13.90 million" in construction
    assert '"periods": ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]' in page  # the charts' data
    sectors = page.split('data-testid="sector-table"')[1].split("</table>")[0]
    government = sectors.split('<tr data-sector="government">')[1].split("</tr>")[0]
    assert "CNY 138.75 million" in government


def test_bad_input_is_answered_400_and_computes_nothing(client, history):
    assert client.get(reverse("statistics"), {"year": "abc"}).status_code == 400
    assert client.get(reverse("statistics"), {"year": 2099}).status_code == 400
    assert client.get(reverse("statistics"), {"market": "nope"}).status_code == 400
    assert client.get(reverse("statistics-csv"), {"granularity": "week"}).status_code == 400


def test_the_regulator_follows_a_figure_to_the_lots_behind_it(client, history, regulator):
    client.force_login(regulator)
    page = client.get(reverse("regulator-statistics"), {"year": 2026}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    line = page.split('<tr data-figure="increase">')[1].split("</tr>")[0]
    link = line.split('<td data-group="land">')[1].split('href="')[1].split('"')[0].replace("&amp;", "&")
    lots = client.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="drill-value">CNY 36.40 million<' in lots
    shown = set(re.findall(r'<tr data-lot="(\d+)">', lots))
    assert shown == {str(history["L1"].pk), str(history["L2"].pk)}
    assert f'href="/regulator/lots/{history["L1"].pk}/"' in lots
    # Last year's figure leads to last year's lots.
    earlier = line.split('<td data-group="land">')[1].split('class="change')[1].split('href="')[1].split('"')[0]
    previous = client.get(earlier.replace("&amp;", "&")).content.decode()
    assert set(re.findall(r'<tr data-lot="(\d+)">', previous)) == {str(history["L4"].pk)}


def test_the_drill_down_is_for_regulators_only(client, history, make_person, staff):
    url = reverse("regulator-statistics-lots") + "?figure=deal_value&period=2026&key=land"
    assert client.get(reverse("regulator-statistics")).status_code == 302  # to the sign-in
    assert client.get(url).status_code == 302
    client.force_login(make_person("bidder_x", ["bidder"], organisation="某投标公司"))
    assert client.get(reverse("regulator-statistics")).status_code == 403
    assert client.get(url).status_code == 403
    client.force_login(staff)
    assert client.get(url).status_code == 403


def test_the_drill_down_refuses_what_it_does_not_know(client, history, regulator):
    client.force_login(regulator)
    url = reverse("regulator-statistics-lots")
    assert client.get(url, {"figure": "satisfaction", "period": "2026"}).status_code == 400
    assert client.get(url, {"figure": "deals", "period": "2026-Q5"}).status_code == 400
    assert client.get(url, {"figure": "deals", "period": "2026", "key": "moon"}).status_code == 400


def test_the_csv_export_carries_the_same_figures(client, history):
    response = client.get(reverse("statistics-csv"), {"year": 2026, "granularity": "year"})
    assert response["Content-Disposition"] == 'attachment; filename="statistics-2026-year-market.csv"'
    rows = {row["group"]: row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert set(rows) == {"construction", "procurement", "property", "land", "hr", "total"}
    for market, expected in EXPECTED.items():
        row = rows[market or "total"]
        for figure, value in expected.items():
            printed = row[figure]
            assert (printed == "") if value is None else Decimal(printed) == value, (market, figure)
        for figure, change in CHANGE[market].items():
            assert row[f"{figure}_change"] == ("" if change is None else str(change)), (market, figure)
    assert rows["land"]["period"] == "2026" and rows["land"]["deal_value_previous"] == "90000000.00"


def test_the_xlsx_export_carries_the_same_figures(client, history):
    response = client.get(reverse("statistics-xlsx"), {"year": 2026, "granularity": "quarter"},
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["figures"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (cell.value for cell in line))) for line in sheet.iter_rows(min_row=2)]
    land_q2 = next(row for row in rows if row[header[0]] == "2026-Q2" and row[header[3]] == "land")
    deal_value = header[5 + 3 * 5]  # deal_value is the sixth figure, three columns each
    assert Decimal(str(land_q2[deal_value])) == Decimal("124400000")  # L1, awarded 2026-05-06
    assert sheet.cell(row=2, column=6 + 3 * 7 + 2).number_format == "0.00%"  # savings_rate's change
    assert [row[0].value for row in book["definitions"].iter_rows(min_row=2)][:3] == ["lots", "deals", "projects"]
