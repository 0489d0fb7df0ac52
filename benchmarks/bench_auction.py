"""One hot live auction, ``--bidders`` bidders (default 100) bidding through the API on this machine:
answered bids a second and p99 answer latency, beside the floor measured in the same run (a bare
PostgreSQL conditional-UPDATE loop). Goal: ≥ 500 answered bids/s, p99 ≤ 100 ms.

Set-up through the services in this process (Django set up against the scratch database): a land
lot in its listing period, ``--bidders`` organisations each with one bidder (API token), all
registered and approved, and a live auction in free bidding (30 min, longer than the run). Two
``runplatform`` (uvicorn) processes serve it in services mode (Redis database 14 only) with
``PLATFORM_AUCTION_BID_RATE=0``: the benchmark measures the engine, not the per-bidder limit.

Bidders run as threads in ``--clients`` processes (default 2), half on each server, each with one
keep-alive ``http.client`` connection and its token. They bid as fast as their answers come for
``--duration`` seconds (default 30): the last price seen + increment × k (k random 1..3). A bidder
sees what a bidder watching the room would: the prices of every answer its client process got
(accepted bids, and the current price a ``bid_too_low`` refusal names). No GET in the loop: the
auction's GET carries the whole ladder, which grows with every accepted bid.

Answered: a 201, or a 4xx whose body is JSON with a ``code`` (a 409 refusal is an answer). Anything
else (5xx, a non-JSON body, a connection error or timeout) is an error. Latency is the request's
round trip as the client thread measured it; the accepted bids' own p50 and p99 are printed too (they
take the auction row's lock and the audit append). With every bidder always waiting for an answer, the
mean latency is ``--bidders`` / answered a second (Little's law): 100 bidders at 500/s wait 200 ms
on average, so p99 ≤ 100 ms asks for well over 1,000 answered bids/s.

So a second run follows on the same servers and auction: the same bidders, each at most ``--pace``
attempts a second (default 5, the platform's default per-bidder rate limit, so 500/s offered by
100 bidders), on a fixed schedule started out of step (a late answer delays the next attempt, never
bunches them). That is the heaviest load the rate limit lets 100 bidders make, and its p99 is the
latency a bidder sees at the issue's 500 bids/s.

``--servers`` sets how many runplatform processes serve (default 2). Measured on 2 cores, 20 s
each, when daphne served: 1 process 344 answered/s (p99 533 ms; a daphne process topped out near
0.75 of a core), 2 processes 560–620/s, 4 processes 463/s (p99 608 ms; more waiting on the auction
row between processes). Daphne against uvicorn (httptools, uvloop), same code and machine, 20 s:
daphne 691 answered/s at p99 290 ms, paced p99 217 ms, 1.15 cores of server CPU; uvicorn 963–1,215/s
at p99 144–176 ms, paced p99 44–65 ms, 0.9–0.96 cores (four runs). runplatform serves with uvicorn since.

Floor, same run, same scratch database: ``--floor-threads`` threads (default 16), each a psycopg
connection running the engine's statement shape in one transaction: ``UPDATE … SET price = %s …
WHERE id = 1 AND price < %s RETURNING …`` then, when it matched, the INSERT of a bid row; when it
did not, a SELECT of the price (the refusal's read). Statements/s counts attempts (transactions).

While the platform runs, pg_stat_activity of the scratch database is sampled every 0.1 s: what the
active backends wait on (where the time goes in PostgreSQL). The cores the servers and the bidders'
own processes kept busy are printed too: on a small machine the bidders take their share. The last
line printed is JSON (see benchmarks/run_all.py).
"""
import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from auction_clients import INCREMENT, STARTING, drive
from scratch import (database_reset, database_url, free_port, libpq_url, percentile, process_stop, progress,
                     redis_url_db, runplatform_start, server_log_problems, uscc, wait_serving)

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "platform_bench_auction"
REDIS_DB = 14
ID_FIRST = 950_001  # of the lot, users and auction: far from tests sharing the Redis server's pub/sub channels
GOAL_RATE = 500
GOAL_P99_MS = 100



# --- floor --------------------------------------------------------------------------------------------------

def floor_run(url: str, threads: int, duration: float) -> dict:
    import random

    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("DROP TABLE IF EXISTS floor_bid, floor_auction")
        admin.execute("CREATE TABLE floor_auction (id int PRIMARY KEY, price bigint NOT NULL, accepted int NOT NULL, "
                      "leader int)")
        admin.execute("CREATE TABLE floor_bid (id bigserial PRIMARY KEY, auction int NOT NULL REFERENCES floor_auction, "
                      "bidder int NOT NULL, amount bigint NOT NULL, position int NOT NULL, at timestamptz NOT NULL, "
                      "UNIQUE (auction, position))")
        admin.execute("INSERT INTO floor_auction VALUES (1, %s, 0, NULL)", [STARTING * 100])
    results = []
    seen = {"price": STARTING * 100}
    start_at = time.time() + 1

    def worker(n: int) -> None:
        rng = random.Random(n)
        latencies, accepted, errors = [], 0, 0
        with psycopg.connect(url) as connection:
            time.sleep(max(0.0, start_at - time.time()))
            end = start_at + duration
            while time.time() < end:
                amount = seen["price"] + INCREMENT * 100 * rng.randint(1, 3)
                began = time.perf_counter()
                try:
                    with connection.transaction():
                        row = connection.execute(
                            "UPDATE floor_auction SET price = %s, accepted = accepted + 1, leader = %s "
                            "WHERE id = 1 AND price < %s AND MOD(%s - price, %s) = 0 RETURNING accepted",
                            [amount, n, amount, amount, INCREMENT * 100]).fetchone()
                        if row is not None:
                            connection.execute("INSERT INTO floor_bid (auction, bidder, amount, position, at) "
                                               "VALUES (1, %s, %s, %s, now())", [n, amount, row[0]])
                            accepted += 1
                            price = amount
                        else:
                            price = connection.execute("SELECT price FROM floor_auction WHERE id = 1").fetchone()[0]
                except psycopg.Error:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - began)
                if price > seen["price"]:
                    seen["price"] = price
        results.append((latencies, accepted, errors))

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    latencies = sorted(x for r in results for x in r[0])
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("DROP TABLE floor_bid, floor_auction")
    return {"statements": len(latencies), "per_s": len(latencies) / duration,
            "accepted_per_s": sum(r[1] for r in results) / duration, "errors": sum(r[2] for r in results),
            "p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000}


# --- where PostgreSQL's time goes ---------------------------------------------------------------------------

class WaitSampler(threading.Thread):
    """Samples pg_stat_activity of the scratch database every 0.1 s: active backends by what they wait on."""

    def __init__(self, url: str, database: str):
        super().__init__(daemon=True)
        self.url, self.database = url, database
        self.stopping = threading.Event()
        self.samples = 0
        self.waits: Counter = Counter()
        self.queries: Counter = Counter()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.stopping.wait(0.1):
                rows = connection.execute(
                    "SELECT coalesce(wait_event_type, 'CPU'), coalesce(wait_event, ''), left(query, 70) "
                    "FROM pg_stat_activity WHERE datname = %s AND state = 'active' AND pid <> pg_backend_pid()",
                    [self.database]).fetchall()
                self.samples += 1
                for kind, event, query in rows:
                    self.waits[f"{kind}:{event}"] += 1
                    if kind == "Lock":
                        self.queries[" ".join(query.split())] += 1

    def stop(self) -> dict:
        self.stopping.set()
        self.join()
        n = max(1, self.samples)
        return {"samples": self.samples,
                "active_backends_avg": round(sum(self.waits.values()) / n, 2),
                "by_wait": {k: round(v / n, 2) for k, v in self.waits.most_common(8)},
                "lock_waiters_by_query": {k: round(v / n, 2) for k, v in self.queries.most_common(5)}}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its waited-for children (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


# --- set-up through the services --------------------------------------------------------------------------

def auction_setup(bidders: int, free_minutes: int) -> tuple[int, list[str]]:
    """A land lot in its listing period with ``bidders`` approved bidders and its auction in free bidding:
    (auction id, the bidders' API tokens)."""
    from datetime import timedelta
    from decimal import Decimal

    import time_machine
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from bidding.sales.models import Auction
    from bidding.sales.services.auctions import auction_create, auction_due_sweep
    from trading import clock
    from trading.models import Lot, Market, Procedure, Registration
    from trading.services import organisation_create, user_create
    from trading.services.lots import lot_create, lot_due_sweep, lot_publish, lot_submit, project_create
    from trading.services.registrations import registration_create, registration_decide

    with connection.cursor() as cursor:
        for model in (Lot, get_user_model(), Auction):
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                           [model._meta.db_table, ID_FIRST])
    now = clock.now()
    seller = organisation_create(name="市自然资源和规划局", uscc=uscc("11330100", 900), kind="tenderee",
                                 actor="system:bench")
    market = Market.objects.get(code="land")
    procedure = Procedure.objects.get(market=market, code="listing_timed_bidding")
    project = project_create(code="BENCH-AUCTION", title="基准测试地块", market=market, procedure=procedure,
                             tenderee=seller, actor="system:bench")
    lot = lot_create(project=project, title="基准测试宗地", estimate=Decimal("1000000.00"), deposit=Decimal("0"),
                     actor="system:bench", listing_start=now + timedelta(days=21),
                     listing_end=now + timedelta(days=46))
    lot_submit(lot_id=lot.pk, actor="system:bench")
    lot_publish(lot_id=lot.pk, title="挂牌出让公告", body="基准测试", actor="system:bench")
    people = []
    for n in range(bidders):
        organisation = organisation_create(name=f"基准竞买{n:03d}有限公司", uscc=uscc("91330100", n + 1),
                                           kind="bidder", actor="system:bench")
        people.append(user_create(username=f"bench_bidder_{n:03d}", password=secrets.token_urlsafe(16),
                                  roles=["bidder"], actor="system:bench", organisation=organisation))
    lot.refresh_from_db()
    with time_machine.travel(lot.listing_start + timedelta(seconds=1), tick=False):
        lot_due_sweep()
        for user in people:
            registration = registration_create(lot_id=lot.pk, user=user)
            if registration.status == Registration.Status.PENDING:
                registration_decide(registration_id=registration.pk, approve=True, reason="", actor="system:bench")
    lot.refresh_from_db()
    if lot.status != Lot.Status.LISTING:
        raise SystemExit(f"the lot is {lot.status}, not listing")
    auction = auction_create(lot_id=lot.pk, starting_price=str(STARTING), increment=str(INCREMENT),
                             starts_at=clock.now() - timedelta(seconds=1), free_minutes=free_minutes,
                             actor="system:bench")
    auction_due_sweep()
    auction.refresh_from_db()
    if auction.status != Auction.Status.FREE_BIDDING or auction.bidders.count() != bidders:
        raise SystemExit(f"the auction is {auction.status} with {auction.bidders.count()} bidders")
    tokens = [Token.objects.get_or_create(user=user)[0].key for user in people]
    return auction.pk, tokens


def auction_check(auction_id: int) -> dict:
    """The database's view after the run: accepted bids, strictly rising, positions 1..n."""
    from django.db import connection

    from bidding.sales.models import Auction, AuctionBid

    auction = Auction.objects.get(pk=auction_id)
    prices = list(AuctionBid.objects.filter(auction_id=auction_id).order_by("position").values_list("amount", flat=True))
    rising = all(b > a for a, b in zip(prices, prices[1:]))
    connection.close()
    return {"bids": len(prices), "accepted_bids": auction.accepted_bids, "rising": rising,
            "current_price": str(auction.current_price)}


# --- main ---------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bidders", type=int, default=100)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of bidding (platform and floor each)")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--servers", type=int, default=2, help="runplatform (uvicorn) processes")
    parser.add_argument("--floor-threads", type=int, default=16)
    parser.add_argument("--no-floor", action="store_true", help="skip the floor (for trying things out)")
    parser.add_argument("--pace", type=float, default=5.0,
                        help="attempts a second per bidder in the paced run (the default per-bidder rate limit)")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the servers, e.g. DATABASE_CONN_MAX_AGE=60")
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (the benchmark makes its own database there)")
    redis_url = redis_url_db(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379", REDIS_DB)
    import redis

    redis_client = redis.Redis.from_url(redis_url)
    redis_client.flushdb()
    database_reset(server_url, BENCH_DB, create=True)
    bench_url = database_url(server_url, BENCH_DB)
    scratch = tempfile.TemporaryDirectory(prefix="bench-auction-")
    var_dir = Path(scratch.name)
    shared = {
        "DATABASE_URL": bench_url,
        "REDIS_URL": redis_url,
        "PLATFORM_VAR_DIR": str(var_dir),
        "PLATFORM_STORAGE_DIR": str(var_dir / "objects"),
        "PLATFORM_SIGNING_KEY_FILE": str(var_dir / "platform-signing-key.pem"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PLATFORM_BANK_HMAC_SECRET": secrets.token_urlsafe(32),
        "PLATFORM_INPROCESS_SWEEPS": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PLATFORM_AUCTION_BID_RATE": "0",  # the engine, not the per-bidder limit
    }
    for assignment in args.server_env:
        name, _, value = assignment.partition("=")
        shared[name] = value
    os.environ.update(shared)
    for name in ("S3_ENDPOINT_URL", "S3_PUBLIC_ENDPOINT_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    processes: list[subprocess.Popen] = []
    figures: dict = {}
    started = time.perf_counter()
    connections = None
    try:
        migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT,
                                 env=dict(os.environ), capture_output=True, text=True)
        if migrate.returncode:
            raise SystemExit(f"migrate failed:\n{migrate.stdout[-2000:]}{migrate.stderr[-4000:]}")
        import django

        django.setup()
        from django.db import connections

        free_minutes = max(30, int(args.duration // 60) + 10)
        auction_id, tokens = auction_setup(args.bidders, free_minutes)
        connections.close_all()
        progress(f"auction {auction_id}: {args.bidders} approved bidders with tokens, free bidding for "
                 f"{free_minutes} min; setup took {time.perf_counter() - started:.0f} s")

        if not args.no_floor:
            progress(f"floor: {args.floor_threads} psycopg threads, conditional UPDATE + INSERT, "
                     f"{args.duration:g} s")
            figures["floor"] = floor_run(libpq_url(bench_url), args.floor_threads, args.duration)
            f = figures["floor"]
            progress(f"  floor: {f['per_s']:,.0f} statements/s ({f['accepted_per_s']:,.0f} accepted/s), "
                     f"p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, errors {f['errors']}")

        environment = {k: v for k, v in os.environ.items() if not k.startswith("S3_")}
        ports = [free_port() for _ in range(args.servers)]
        logs = [var_dir / f"server-{port}.log" for port in ports]
        servers = [runplatform_start(port, environment, log) for port, log in zip(ports, logs)]
        processes.extend(servers)
        for server, port, log in zip(servers, ports, logs):
            wait_serving(server, port, "/.well-known/platform-key", log_path=log)
        progress(f"platform: {args.servers} runplatform processes on ports {ports}; {args.bidders} bidders "
                 f"in {args.clients} client processes for {args.duration:g} s")
        specs = [(ports[n % len(ports)], token) for n, token in enumerate(tokens)]
        sampler = WaitSampler(libpq_url(database_url(server_url, "postgres")), BENCH_DB)
        cpu_before = [cpu_seconds(s.pid) for s in servers]
        wall = time.perf_counter()
        sampler.start()
        platform = drive(specs, auction_id, args.clients, args.duration)
        platform["pg_waits"] = sampler.stop()
        wall = time.perf_counter() - wall
        platform["server_cores_busy"] = round(sum(cpu_seconds(s.pid) - b for s, b in zip(servers, cpu_before)) / wall, 2)
        progress(f"paced: the same {args.bidders} bidders, each at most {args.pace:g} attempts/s, {args.duration:g} s")
        figures["paced"] = drive(specs, auction_id, args.clients, args.duration, pace=args.pace)
        platform["check"] = auction_check(auction_id)
        figures["platform"] = platform
        for server in servers:
            process_stop(server)
        for log in logs:
            problems = server_log_problems(log, ("Traceback", "ERROR"))
            if problems:
                platform.setdefault("server_log", {})[log.name] = problems
                for line in [x for x in log.read_text(errors="replace").splitlines() if "Error" in x][:5]:
                    progress(f"    {log.name}: {line[:300]}")
    finally:
        for process in processes:
            process_stop(process)
        if connections is not None:
            connections.close_all()
        database_reset(server_url, BENCH_DB, create=False)
        redis_client.flushdb()
        scratch.cleanup()
    progress(f"total run time {time.perf_counter() - started:.0f} s")
    print_summary(figures, args)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


def print_summary(figures: dict, args) -> None:
    p, floor = figures["platform"], figures.get("floor")
    check = p["check"]
    met = p["answered_per_s"] >= GOAL_RATE and p["p99_ms"] is not None and p["p99_ms"] <= GOAL_P99_MS
    accepted = p["accepted"] + figures["paced"]["accepted"]  # both runs bid on the same auction
    consistent = check["bids"] == accepted == check["accepted_bids"] and check["rising"]
    progress("")
    progress(f"one hot auction, {args.bidders} bidders through the API on {args.servers} uvicorn, {args.duration:g} s "
             f"(goal: ≥ {GOAL_RATE} answered bids/s, p99 ≤ {GOAL_P99_MS} ms)")
    progress(f"  platform: {p['answered_per_s']:,.0f} answered/s ({p['accepted_per_s']:,.0f} accepted/s), "
             f"p50 {p['p50_ms']:,.0f} ms, p99 {p['p99_ms']:,.0f} ms, max {p['max_ms']:,.0f} ms, "
             f"errors {p['errors']} {p['error_kinds'] or ''}: goal {'met' if met else 'NOT met'}")
    progress(f"  accepted bids alone: p50 {_ms(p['accepted_p50_ms'])}, p99 {_ms(p['accepted_p99_ms'])}")
    progress(f"  platform refusals by code: {p['codes']}; database: {check['bids']} bids, strictly rising "
             f"{check['rising']}, accepted answers {accepted} ({'consistent' if consistent else 'INCONSISTENT'})")
    progress(f"  servers used {p['server_cores_busy']} cores, the bidders' processes {p['client_cores_busy']}; "
             f"PostgreSQL backends active on average {p['pg_waits']['active_backends_avg']}, by wait: "
             f"{p['pg_waits']['by_wait']}")
    if p["pg_waits"]["lock_waiters_by_query"]:
        progress(f"  lock waiters by query: {p['pg_waits']['lock_waiters_by_query']}")
    paced = figures["paced"]
    paced_met = paced["answered_per_s"] >= GOAL_RATE and paced["p99_ms"] is not None and paced["p99_ms"] <= GOAL_P99_MS
    progress(f"  paced ({args.pace:g} attempts/s a bidder, {args.bidders * args.pace:,.0f}/s offered): "
             f"{paced['answered_per_s']:,.0f} answered/s, p50 {paced['p50_ms']:,.0f} ms, p99 {paced['p99_ms']:,.0f} ms, "
             f"errors {paced['errors']}: goal {'met' if paced_met else 'NOT met'}; accepted bids alone "
             f"({paced['accepted_per_s']:,.0f}/s): p50 {_ms(paced['accepted_p50_ms'])}, "
             f"p99 {_ms(paced['accepted_p99_ms'])}")
    if floor:
        progress(f"  floor ({args.floor_threads} psycopg threads): {floor['per_s']:,.0f} statements/s "
                 f"({floor['accepted_per_s']:,.0f} accepted/s), p50 {floor['p50_ms']:.1f} ms, p99 "
                 f"{floor['p99_ms']:.1f} ms")
    what = f"live auction, {args.bidders} bidders through the API on {args.servers} uvicorn"
    rows = [
        {"figure": f"{what}: answered bids", "value": round(p["answered_per_s"]), "unit": "bids/s",
         "floor": round(floor["per_s"]) if floor else None},
        {"figure": f"{what}: accepted bids", "value": round(p["accepted_per_s"]), "unit": "bids/s",
         "floor": round(floor["accepted_per_s"]) if floor else None},
        {"figure": f"{what}: p99 answer latency", "value": round(p["p99_ms"]), "unit": "ms",
         "floor": round(floor["p99_ms"], 1) if floor else None},
        {"figure": f"{what}: errors (5xx, no JSON code, connection)", "value": p["errors"], "unit": "requests",
         "floor": floor["errors"] if floor else None},
        {"figure": f"{what}, each {args.pace:g} attempts/s: answered bids", "value": round(paced["answered_per_s"]),
         "unit": "bids/s", "floor": None},
        {"figure": f"{what}, each {args.pace:g} attempts/s: p99 answer latency", "value": round(paced["p99_ms"]),
         "unit": "ms", "floor": round(floor["p99_ms"], 1) if floor else None},
    ]
    print(json.dumps({"bench": "auction", "bidders": args.bidders, "duration": args.duration,
                      "figures": figures, "rows": rows}, default=str))
    if not consistent:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
