"""The figures against the hand-computed fixture (expected.py): by market and year with the change
on the year before, by quarter, by tenderee type, and the drill-down's lots summing to each figure."""
from datetime import datetime
from decimal import Decimal

import pytest

from monitoring.statistics.figures import (BY_SECTOR, FIGURES, LOT_FIGURES, figures_compute, figure_lots,
                                           lot_facts, statistics_rows)
from monitoring.statistics.periods import MONTH, QUARTER, Period, period_parse
from monitoring.statistics.tests.conftest import at
from monitoring.statistics.tests.expected import CHANGE, EXPECTED, PREVIOUS
from trading.workdays import CHINA

pytestmark = pytest.mark.django_db


def _rows(**kwargs):
    return {row.key: row for row in statistics_rows(year=2026, **kwargs)}


def test_the_year_s_figures_and_their_change_are_those_computed_by_hand(history, django_assert_max_num_queries):
    with django_assert_max_num_queries(45):  # six for the lots; the rest is the ratings' satisfaction
        rows = _rows()
    for market, expected in EXPECTED.items():
        assert {key: rows[market].figures[key] for key in expected} == expected, market
    for market, expected in PREVIOUS.items():
        assert {key: rows[market].previous[key] for key in expected} == expected, market
    for market, expected in CHANGE.items():
        assert {key: rows[market].change[key] for key in expected} == expected, market
    # Not counted: the lot whose award was withdrawn, the lot awarded in 2027, nothing cancelled.
    assert rows["construction"].figures["lots"] == 3
    assert list(rows) == ["construction", "procurement", "property", "land", "hr", ""]


def test_six_queries_read_the_lots_of_both_years(history, django_assert_num_queries):
    with django_assert_num_queries(6):
        facts = lot_facts(since=Period(2025).start, until=Period(2026).end)
    assert {fact.lot_id for fact in facts} == {lot.pk for name, lot in history.items() if name not in ("N1", "N2")}


def test_quarters_place_each_lot_at_its_award_or_failure_in_beijing_time(history):
    rows = [row for row in statistics_rows(year=2026, granularity=QUARTER, rated=False) if row.key == "construction"]
    assert [row.figures["deals"] for row in rows] == [0, 2, 0, 0]  # 2026-04-10 and 2026-06-01
    assert [row.figures["failed"] for row in rows] == [0, 0, 1, 0]  # 2026-07-15
    assert [row.previous["deals"] for row in rows] == [1, 0, 0, 0]  # 2025-03-03
    # A lot decided at 23:30 on 31 March, Beijing time (15:30 UTC), is March's, not April's.
    from monitoring.statistics.tests.history import History, tenderee

    plan = History()
    plan.add(market="hr", tenderee=tenderee("区人社局", "government"), estimate=100_000, deal=90_000,
             published_at=at(2026, 3, 1), decided_at=datetime(2026, 3, 31, 23, 30, tzinfo=CHINA))
    plan.save()
    months = [row for row in statistics_rows(year=2026, granularity=MONTH, rated=False) if row.key == "hr"]
    assert [row.figures["deals"] for row in months][2:4] == [2, 0]


def test_by_tenderee_type(history):
    rows = _rows(by=BY_SECTOR)
    assert rows["government"].figures["deals"] == 4  # C1a, C1b, H1, L1
    assert rows["government"].figures["deal_value"] == Decimal("138750000")
    assert rows["state_owned"].figures["deals"] == 2 and rows["state_owned"].figures["failed"] == 1  # E1, E2; C2
    assert rows["institution"].figures["deal_value"] == Decimal("900000")
    assert rows["unspecified"].figures["deal_value"] == Decimal("62000000")  # L2's tenderee states no type
    assert rows[""].figures["deal_value"] == EXPECTED[""]["deal_value"]
    assert rows[""].figures["satisfaction"] is None  # ratings know no tenderee type
    only = _rows(sector="government", market="construction")
    assert list(only) == ["construction"] and only["construction"].figures["deals"] == 2


def test_each_figure_is_computed_from_the_lots_its_drill_down_lists(history):
    """The drill-down lists exactly the lots a figure sums: recomputing the figure from those lots
    alone gives the same value, for every figure and market."""
    year = period_parse("2026")
    rows = _rows()
    for figure in LOT_FIGURES:
        for market in ("construction", "land", "property", ""):
            behind = figure_lots(figure=figure, period=year, key=market)
            assert behind.value == rows[market].figures[figure], (figure, market)
            assert figures_compute(fact for fact, _lot in behind.lots)[figure] == behind.value, (figure, market)

def test_the_drill_down_reads_the_lots_and_their_titles_in_seven_queries(history, django_assert_num_queries):
    year = period_parse("2026")
    with django_assert_num_queries(7):
        land = figure_lots(figure="increase", period=year, key="land")
        titles = [lot.display_title for _fact, lot in land.lots]
    assert titles == ["统计项目lot-9 — 标段1", "统计项目lot-10 — 标段1"]  # L1 and L2, in the order decided
    assert {lot.pk for _fact, lot in land.lots} == {history["L1"].pk, history["L2"].pk}
    earlier = figure_lots(figure="deal_value", period=year, key="land", previous=True)
    assert [lot.pk for _fact, lot in earlier.lots] == [history["L4"].pk] and earlier.value == Decimal("90000000")


def test_a_running_year_compares_with_the_same_stretch_of_the_year_before(history, time_machine):
    time_machine.move_to(at(2026, 6, 2), tick=False)
    rows = _rows()
    assert rows["construction"].until == at(2026, 6, 2)
    assert rows["construction"].figures["deals"] == 2  # April and June
    assert rows["land"].figures["deals"] == 1 and rows["land"].previous["deals"] == 0  # L4 came on 2025-06-05...
    time_machine.move_to(at(2026, 6, 6), tick=False)
    assert _rows()["land"].previous["deals"] == 1  # ...which is within the stretch to 6 June


def test_every_figure_has_a_definition():
    assert all(figure.definition and figure.label for figure in FIGURES)
