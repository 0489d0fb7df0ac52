"""Patterns across lots: the whole nightly analysis over 10,000 finished lots and about 100,000 bids.

The history is drawn as the tests draw theirs (monitoring/integrity/tests/patterns_history.py): a
competitive market of 2,000 bidders and 300 tenderees with a few cover rings, rotations and a
tenderee of single bids planted in it, written with bulk_create of the real models (projects, lots,
registrations, bids and their openings, bid counts, evaluations, candidates, approved awards,
listings, deals). Then ``patterns_analyse()`` runs as the nightly sweep runs it: eight queries
read the history, the analysis runs in memory, the findings are stored and the run recorded on the
audit chain. Goal: under 10 s. Floor: the same eight result sets fetched with bare psycopg
(no ORM, no analysis), the cost of reading the rows at all.

Runs in a scratch database ``platform_bench_patterns`` created on the PostgreSQL server named by
DATABASE_URL and dropped at the end. The last line printed is JSON (see benchmarks/run_all.py).
"""
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from scratch import database_reset, database_url, libpq_url, progress

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "platform_bench_patterns"
LOTS, BIDDERS, TENDEREES = 10_000, 2_000, 300
# Bids per opened tender lot: about 100,000 in all with the sales' bidders.
RECEIVED = [8, 9, 10, 11, 12, 13, 14, 15]
GOAL_S = 10.0
SEED = 20


def history_make() -> dict:
    from monitoring.integrity.tests.patterns_history import (plan_clean, plan_write, plant_cover_ring, plant_rotation,
                                                             plant_single_bids)
    from trading.services import user_create

    plan = plan_clean(SEED, lots=LOTS, bidders=BIDDERS, tenderees=TENDEREES, received=RECEIVED)
    for _ in range(5):
        plant_cover_ring(plan, lots=30, covers=3)
        plant_rotation(plan, lots=12, members=3)
    plant_single_bids(plan, lots=10, single=6)
    clerk = user_create(username="bench_clerk", password="bench-password-1", roles=["staff"], actor="system:bench")
    started = time.perf_counter()
    plan_write(plan, user=clerk)
    return {"written_s": time.perf_counter() - started}


# The analysis' eight reads, as bare SQL over the same rows.
FLOOR_QUERIES = [
    "SELECT b.lot_id, b.organisation_id, o.price, b.status FROM bidding_bidopening o"
    " JOIN bidding_bid b ON b.id = o.bid_id JOIN trading_lot l ON l.id = b.lot_id"
    " WHERE o.price IS NOT NULL AND l.status IN ('awarded', 'contracted', 'failed', 'terminated')",
    "SELECT a.lot_id, c.organisation_id, c.price FROM bidding_awardproposal a"
    " JOIN bidding_candidate c ON c.id = a.candidate_id JOIN trading_lot l ON l.id = a.lot_id"
    " WHERE a.status = 'approved' AND l.status IN ('awarded', 'contracted', 'failed', 'terminated')",
    "SELECT d.lot_id, d.organisation_id, d.price FROM bidding_dealconfirmation d JOIN trading_lot l ON l.id = d.lot_id"
    " WHERE l.status IN ('awarded', 'contracted', 'failed', 'terminated')",
    "SELECT c.lot_id, c.sealed FROM bidding_bidcount c JOIN trading_lot l ON l.id = c.lot_id"
    " WHERE l.status IN ('awarded', 'contracted', 'failed', 'terminated')",
    "SELECT b.lot_id, b.organisation_id FROM bidding_bid b JOIN bidding_bidcount c ON c.lot_id = b.lot_id"
    " JOIN trading_lot l ON l.id = b.lot_id WHERE c.sealed = 1 AND l.status IN ('awarded', 'contracted', 'failed',"
    " 'terminated')",
    "SELECT s.lot_id, b.organisation_id FROM bidding_listingbidder b JOIN bidding_listing s ON s.id = b.listing_id"
    " JOIN trading_lot l ON l.id = s.lot_id WHERE l.status IN ('awarded', 'contracted', 'failed', 'terminated')",
    "SELECT s.lot_id, b.organisation_id FROM bidding_auctionbidder b JOIN bidding_auction s ON s.id = b.auction_id"
    " JOIN trading_lot l ON l.id = s.lot_id WHERE l.status IN ('awarded', 'contracted', 'failed', 'terminated')",
    "SELECT l.id, p.code, l.number, p.market_id, m.sells, r.code, p.tenderee_id, l.status,"
    " COALESCE(l.bid_deadline, l.listing_end) FROM trading_lot l JOIN trading_project p ON p.id = l.project_id"
    " JOIN trading_market m ON m.code = p.market_id JOIN trading_procedure r ON r.id = p.procedure_id"
    " WHERE l.status IN ('awarded', 'contracted', 'failed', 'terminated')",
]


def floor_read(url: str) -> float:
    with psycopg.connect(libpq_url(url)) as conn:
        started = time.perf_counter()
        for query in FLOOR_QUERIES:
            conn.execute(query).fetchall()
        return time.perf_counter() - started


def main() -> None:
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (the benchmark makes its own database there)")
    bench_url = database_url(server_url, BENCH_DB)
    database_reset(server_url, BENCH_DB, create=True)
    key_dir = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = bench_url
    os.environ["PLATFORM_SIGNING_KEY_FILE"] = str(Path(key_dir.name) / "bench-key.pem")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    try:
        call_command("migrate", verbosity=0)
        progress(f"writing {LOTS:,} lots with bulk_create …")
        made = history_make()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        from monitoring.integrity.selectors_patterns import history_read
        from monitoring.integrity.patterns import analyse
        from monitoring.integrity.services_patterns import patterns_analyse

        started = time.perf_counter()
        rows = history_read()
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        analysis = analyse(rows)
        analyse_s = time.perf_counter() - started
        started = time.perf_counter()
        run = patterns_analyse()
        whole_s = time.perf_counter() - started
        floor_s = floor_read(bench_url)
        by_pattern = {}
        for finding in run.found.all():
            by_pattern[finding.pattern] = by_pattern.get(finding.pattern, 0) + 1
        progress(f"history written in {made['written_s']:.1f} s: {run.lots:,} finished lots, {run.bids:,} bids")
        progress(f"  read (8 queries): {read_s:.2f} s; analysis in memory: {analyse_s:.2f} s "
                 f"({len(analysis.findings)} findings)")
        progress(f"whole analysis (read, analyse, store {run.findings} findings, record): {whole_s:.2f} s "
                 f"(goal < {GOAL_S:.0f} s) {by_pattern}")
        progress(f"  floor, the same rows with bare psycopg: {floor_s:.2f} s")
    finally:
        connections.close_all()
        database_reset(server_url, BENCH_DB, create=False)
        key_dir.cleanup()
    print(json.dumps({
        "bench": "patterns", "lots": run.lots, "bids": run.bids, "findings": run.findings,
        "read_s": round(read_s, 3), "analyse_s": round(analyse_s, 3), "whole_s": round(whole_s, 3),
        "floor_s": round(floor_s, 3), "goal_s": GOAL_S,
        "rows": [{"figure": f"patterns across lots, {run.lots:,} lots / {run.bids:,} bids (goal < 10 s)",
                  "value": round(whole_s * 1000), "unit": "ms", "floor": round(floor_s * 1000)}],
    }))


if __name__ == "__main__":
    main()
