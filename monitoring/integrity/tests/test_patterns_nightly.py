"""The nightly analysis on real rows: a history of 200 lots written with bulk_create of the real
models (bids and their openings, bid counts, evaluations, candidates and approved awards, listings
and deals), read back with a few queries, a cover ring found in it with its evidence and nothing in
a clean one; the sweep runs once per Beijing day from PLATFORM_PATTERNS_HOUR, two sweeps at once
make one run, and a run whose sweep died is taken over."""
import threading
from datetime import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from monitoring.integrity.models import Finding, PatternRun
from monitoring.integrity.patterns import COVER
from monitoring.integrity.selectors_patterns import history_read
from monitoring.integrity.services_patterns import patterns_analyse, patterns_sweep
from monitoring.integrity.tests.patterns_history import (BIDDER_ID, TENDEREE_ID, plan_clean, plan_rows, plan_write,
                                                         plant_cover_ring)
from monitoring.models import AuditEntry
from trading.models import Notification
from trading.workdays import CHINA

SEED = 2026


def china(*parts) -> datetime:
    return datetime(*parts, tzinfo=CHINA)


def at(*parts):
    return time_machine.travel(china(*parts), tick=False)


@pytest.fixture
def write(make_person):
    clerk = make_person("history_clerk", ["bidder"], organisation="历史记录公司")
    return lambda plan: plan_write(plan, user=clerk)


@pytest.fixture
def ring_history(db, write, settings):
    settings.PLATFORM_PATTERNS_HOUR = 2
    plan = plan_clean(SEED)
    ring = plant_cover_ring(plan, lots=24, covers=3)
    return plan, ring, write(plan)


@pytest.mark.django_db
def test_the_history_reads_back_as_it_was_written_in_eight_queries(write, django_assert_num_queries):
    plan = plan_clean(SEED)
    written = write(plan)
    with django_assert_num_queries(8):
        rows = {row.id: row for row in history_read()}
    assert len(rows) == 200
    organisation = {o.pk: n for n, o in enumerate(written.bidders)}
    tenderee = {o.pk: n for n, o in enumerate(written.tenderees)}
    for lot, planned in zip(written.lots, plan_rows(plan)):
        row = rows[lot.pk]
        assert row.code == f"{lot.project.code}-1" and row.market == planned.market and row.sells == planned.sells
        assert TENDEREE_ID + tenderee[row.tenderee] == planned.tenderee and row.status == planned.status
        assert (row.received, row.winning_price, row.at) == (planned.received, planned.winning_price, planned.at)
        assert (BIDDER_ID + organisation[row.winner] if row.winner else None) == planned.winner
        assert sorted((BIDDER_ID + organisation[b.organisation], b.price, b.valid) for b in row.bids) == sorted(
            (b.organisation, b.price, b.valid) for b in planned.bids)


@pytest.mark.django_db
def test_a_cover_ring_planted_in_200_lots_is_found_with_its_evidence(ring_history, regulator):
    plan, ring, written = ring_history
    with at(2026, 3, 10, 2, 30):
        assert patterns_sweep()["analysed"] == 1
    run = PatternRun.objects.get()
    assert (run.lots, run.finished_at is not None) == (200, True)
    assert run.bids == sum(len(row.bids) for row in plan_rows(plan))
    covers = {written.bidders[c].pk for c in ring["covers"]}
    winner = written.bidders[ring["winner"]]
    found = Finding.objects.filter(run=run, pattern=COVER)
    assert {f.organisations[0]["id"] for f in found} == covers
    ring_lots = {written.lots[plan.lots.index(lot)].pk for lot in ring["lots"]}
    for finding in found:
        cover = finding.organisations[0]
        assert finding.key == f"cover:{cover['uscc']}" and cover["role"] == "cover"
        assert finding.organisations[1] == {"id": winner.pk, "uscc": winner.uscc, "name": winner.name, "role": "winner"}
        assert {lot["id"] for lot in finding.lots} <= ring_lots
        assert all(lot["code"].endswith("-1") for lot in finding.lots)
        e = finding.evidence
        assert e["wins"] == 0 and e["close"] == len(finding.lots) >= 10 and e["covered"][0]["id"] == winner.pk
        assert all(0 < x["gap"] <= 0.03 and x["winner"] == winner.pk for x in e["lots"])
    assert run.thresholds["cover"]["fence"]["n"] >= 8 and "upper" in run.thresholds["cover"]["fence"]
    event = AuditEntry.objects.get(kind="integrity.patterns_analysed")
    assert (event.subject, event.actor) == ("patterns", "system:patterns")
    assert event.data["run"] == run.pk and event.data["patterns"]["cover"] == 3 and event.data["new"] == run.findings
    assert Notification.objects.filter(user=regulator, kind="patterns.found", link="/regulator/patterns/").count() == 1


@pytest.mark.django_db
def test_a_clean_history_of_200_lots_yields_nothing(write, settings):
    settings.PLATFORM_PATTERNS_HOUR = 2
    write(plan_clean(SEED))
    with at(2026, 3, 10, 4, 0):
        assert patterns_sweep() == {"analysed": 1, "findings": 0}
    run = PatternRun.objects.get()
    assert (run.lots, run.findings, Finding.objects.count()) == (200, 0, 0)
    assert set(run.thresholds) >= {"cluster", "cover", "rotation", "win_rate", "single_bid"}


@pytest.mark.django_db
def test_the_sweep_runs_once_a_beijing_day_from_the_hour(ring_history, regulator):
    with at(2026, 3, 10, 1, 59):
        assert patterns_sweep() == {"analysed": 0, "findings": 0}
    assert not PatternRun.objects.exists()
    with at(2026, 3, 10, 2, 0):
        first = patterns_sweep()
    with at(2026, 3, 10, 23, 59):
        assert patterns_sweep() == {"analysed": 0, "findings": 0}
        assert patterns_analyse() is None  # the command's "now" is once a day too
    assert first["analysed"] == 1 and first["findings"] > 0
    assert PatternRun.objects.count() == 1
    assert AuditEntry.objects.filter(kind="integrity.patterns_analysed").count() == 1
    # 2026-03-10 18:30 UTC is already the 11th in Beijing, but before 02:00 there.
    with time_machine.travel(datetime.fromisoformat("2026-03-10T17:30:00+00:00"), tick=False):
        assert patterns_sweep() == {"analysed": 0, "findings": 0}
    with time_machine.travel(datetime.fromisoformat("2026-03-10T18:30:00+00:00"), tick=False):
        second = patterns_sweep()
    assert second == first
    runs = list(PatternRun.objects.order_by("day"))
    assert [str(run.day) for run in runs] == ["2026-03-10", "2026-03-11"]
    assert set(runs[0].found.values_list("key", flat=True)) == set(runs[1].found.values_list("key", flat=True))
    # Nothing new the second night: no new notice.
    assert AuditEntry.objects.filter(kind="integrity.patterns_analysed").order_by("pk").last().data["new"] == 0
    assert Notification.objects.filter(user=regulator, kind="patterns.found").count() == 1


@pytest.mark.django_db
def test_a_run_whose_sweep_died_is_taken_over_after_an_hour(ring_history):
    with at(2026, 3, 10, 2, 0):
        PatternRun.objects.create(day=china(2026, 3, 10).date(), started_at=china(2026, 3, 10, 2, 0))
    with at(2026, 3, 10, 2, 59):
        assert patterns_sweep() == {"analysed": 0, "findings": 0}  # still its own sweep's
    with at(2026, 3, 10, 3, 1):
        assert patterns_sweep()["analysed"] == 1
    run = PatternRun.objects.get()
    assert run.finished_at is not None and run.started_at == china(2026, 3, 10, 3, 1) and run.findings > 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_make_one_run(make_person, settings):
    settings.PLATFORM_PATTERNS_HOUR = 2
    clerk = make_person("history_clerk", ["bidder"], organisation="历史记录公司")
    plan = plan_clean(SEED)
    plant_cover_ring(plan)
    plan_write(plan, user=clerk)
    barrier, results, errors = threading.Barrier(2), [], []

    def sweep():
        try:
            barrier.wait(timeout=30)
            results.append(patterns_sweep())
        except Exception as error:  # re-raised below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    with at(2026, 3, 10, 2, 10):
        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, errors
    assert sorted(result["analysed"] for result in results) == [0, 1]
    assert PatternRun.objects.count() == 1 and PatternRun.objects.get().finished_at is not None
    assert AuditEntry.objects.filter(kind="integrity.patterns_analysed").count() == 1
    assert Finding.objects.filter(pattern=COVER).count() == 3


@pytest.mark.django_db
def test_the_command_runs_the_analysis_now(ring_history, capsys):
    with at(2026, 3, 10, 0, 30):  # before the nightly hour
        call_command("analyse_patterns")
        out = capsys.readouterr().out
        assert "Analysed 200 lots" in out and "cover: 3" in out
        with pytest.raises(CommandError, match="already"):
            call_command("analyse_patterns")
    assert PatternRun.objects.get().day == china(2026, 3, 10).date()

