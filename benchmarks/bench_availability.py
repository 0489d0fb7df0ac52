"""Availability (docs/availability.md): what the probe and the outage rule cost each sweep round.

- probe round: ``availability_probe_sweep`` rounds per second against PostgreSQL, Redis and the file
  store, all answering (nothing is written but the parts' state); floor: the same three checks bare
  (a new psycopg connection running SELECT 1, a Redis PING on a new connection, a file write).
- quiet deadline sweep: ``deadline_outage_sweep`` rounds per second with ``LOTS`` lots taking bids,
  every deadline within the rule's period, and no outage: what the sweep costs every few seconds on
  a healthy platform; floor: the bare SQL of its lot query alone.
- extension: lots per second ``deadline_outage_sweep`` extends after one incident covers all their
  periods (each: the rule read, the extension row, the deadline moved, the audit event, a notice to
  each of the lot's two registered bidders); floor: per lot, a bare UPDATE of its deadline and an
  INSERT of a row, one transaction each.

Runs in a scratch database ``platform_bench_availability`` created on the PostgreSQL server named by
DATABASE_URL and dropped at the end; Redis from REDIS_URL. The last line printed is JSON (see
benchmarks/run_all.py).
"""
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import redis

from scratch import database_reset, database_url, libpq_url, uscc

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "platform_bench_availability"
ROUNDS = 200
QUIET_ROUNDS = 200
LOTS = 1000


def bench_probe(storage_dir: Path) -> tuple[float, float]:
    from django.conf import settings

    from trading.services.availability import availability_probe_sweep

    availability_probe_sweep()
    started = time.perf_counter()
    for _ in range(ROUNDS):
        availability_probe_sweep()
    value = ROUNDS / (time.perf_counter() - started)
    url = libpq_url(os.environ["DATABASE_URL"])
    started = time.perf_counter()
    for _ in range(ROUNDS):
        with psycopg.connect(url) as connection:
            connection.execute("SELECT 1").fetchone()
        client = redis.Redis.from_url(settings.REDIS_URL)
        client.ping()
        client.close()
        (storage_dir / ".floor").write_text("ok")
    return value, ROUNDS / (time.perf_counter() - started)


def lots_make():
    from django.utils import timezone

    from trading.models import Lot, Market, Procedure, Project, Registration
    from trading.services import organisation_create, user_create

    market = Market.objects.get(code="construction")
    procedure = Procedure.objects.get(market=market, code="open_tender")
    tenderee = organisation_create(name="市住建局", uscc=uscc("11330100", 1), kind="tenderee", actor="system:bench")
    bidders = [user_create(username=f"bench_bidder_{n}", password="bench-password-1", roles=["bidder"],
                           actor="system:bench",
                           organisation=organisation_create(name=f"投标单位{n}", uscc=uscc("91330100", 10 + n),
                                                            kind="bidder", actor="system:bench"))
               for n in range(2)]
    now = timezone.now()
    project = Project.objects.create(code="BENCH-AV", title="可用性基准", market=market, procedure=procedure,
                                     tenderee=tenderee)
    lots = Lot.objects.bulk_create([
        Lot(project=project, number=n + 1, title=f"标段{n + 1}", estimate=Decimal("1000000.00"),
            status=Lot.Status.BIDDING, bidding_opens_at=now - timedelta(days=20),
            bid_deadline=now + timedelta(minutes=30 + n % 60), next_due_at=now + timedelta(minutes=30 + n % 60))
        for n in range(LOTS)])
    Registration.objects.bulk_create([
        Registration(lot=lot, organisation=person.organisation, registered_by=person, registered_at=now,
                     status=Registration.Status.APPROVED)
        for lot in lots for person in bidders])
    return lots


def bench_quiet() -> tuple[float, float]:
    from django.db import connection
    from django.utils import timezone

    from trading.models import Lot
    from trading.services.extensions import deadline_outage_sweep

    deadline_outage_sweep()
    started = time.perf_counter()
    for _ in range(QUIET_ROUNDS):
        assert deadline_outage_sweep() == {"extended": 0}
    value = QUIET_ROUNDS / (time.perf_counter() - started)
    query, params = (Lot.objects.filter(status=Lot.Status.BIDDING, bid_deadline__isnull=False,
                                        bid_deadline__lte=timezone.now() + timedelta(hours=2))
                     .values_list("pk", "bid_deadline").query.sql_with_params())
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for _ in range(QUIET_ROUNDS):
            cursor.execute(query, params)
            cursor.fetchall()
    return value, QUIET_ROUNDS / (time.perf_counter() - started)


def bench_extend(staff) -> tuple[float, float]:
    from django.utils import timezone

    from trading.services.availability import incident_declare
    from trading.services.extensions import deadline_outage_sweep

    now = timezone.now()
    incident_declare(person=staff, started_at=now - timedelta(minutes=40), ended_at=now, reason="基准测试：机房断电")
    started = time.perf_counter()
    extended = deadline_outage_sweep()["extended"]
    value = extended / (time.perf_counter() - started)
    if extended != LOTS:
        raise SystemExit(f"extended {extended} of {LOTS} lots")
    url = libpq_url(os.environ["DATABASE_URL"])
    with psycopg.connect(url) as connection:
        connection.execute("CREATE TABLE bench_floor (id bigserial PRIMARY KEY, lot bigint, at timestamptz)")
        connection.commit()
        ids = [row[0] for row in connection.execute("SELECT id FROM trading_lot ORDER BY id").fetchall()]
        started = time.perf_counter()
        for lot_id in ids:
            connection.execute("UPDATE trading_lot SET bid_deadline = bid_deadline + interval '2 hours' WHERE id = %s",
                               (lot_id,))
            connection.execute("INSERT INTO bench_floor (lot, at) VALUES (%s, now())", (lot_id,))
            connection.commit()
        floor = len(ids) / (time.perf_counter() - started)
        connection.execute("DROP TABLE bench_floor")
        connection.commit()
    return value, floor


def main() -> None:
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server and REDIS_URL a Redis")
    bench_url = database_url(server_url, BENCH_DB)
    database_reset(server_url, BENCH_DB, create=True)
    scratch = tempfile.TemporaryDirectory()
    storage_dir = Path(scratch.name) / "objects"
    os.environ.update({"DATABASE_URL": bench_url, "PLATFORM_VAR_DIR": scratch.name, "S3_ENDPOINT_URL": "",
                       "PLATFORM_STORAGE_DIR": str(storage_dir), "PLATFORM_LOAD_DEMO": "false",
                       "PLATFORM_SIGNING_KEY_FILE": str(Path(scratch.name) / "bench-key.pem"),
                       "DJANGO_SETTINGS_MODULE": "config.settings"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from trading.services import user_create

    try:
        call_command("migrate", verbosity=0)
        probe, probe_floor = bench_probe(storage_dir)
        print(f"probe round: {probe:,.0f} rounds/s (database, Redis, file store, heartbeat)")
        print(f"  floor, the three checks bare: {probe_floor:,.0f} rounds/s")
        lots_make()
        quiet, quiet_floor = bench_quiet()
        print(f"deadline sweep, nothing down, {LOTS} lots near their deadline: {quiet:,.0f} rounds/s")
        print(f"  floor, its lot query alone: {quiet_floor:,.0f} rounds/s")
        staff = user_create(username="bench_staff", password="bench-password-1", roles=["staff"], actor="system:bench")
        extend, extend_floor = bench_extend(staff)
        print(f"extension: {extend:,.0f} lots/s ({LOTS} lots, 2 notices each)")
        print(f"  floor, a bare UPDATE and INSERT per lot, one commit each: {extend_floor:,.0f} lots/s")
    finally:
        connections.close_all()
        database_reset(server_url, BENCH_DB, create=False)
        scratch.cleanup()
    print(json.dumps({
        "bench": "availability",
        "rows": [
            {"figure": "availability probe round", "value": round(probe), "unit": "rounds/s",
             "floor": round(probe_floor)},
            {"figure": f"outage rule sweep, nothing down, {LOTS} lots near deadline", "value": round(quiet),
             "unit": "rounds/s", "floor": round(quiet_floor)},
            {"figure": "outage rule: deadlines extended", "value": round(extend), "unit": "lots/s",
             "floor": round(extend_floor)},
        ],
    }))


if __name__ == "__main__":
    main()
