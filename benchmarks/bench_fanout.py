"""Live-room fan-out: ``--observers`` observers (default 1,000) in one lot's opening room, spread over
two ``runplatform`` (uvicorn) processes, while the domain layer records ``--rate`` events a second
(default 10) on the lot for ``--duration`` seconds (default 300). Goal: p99 delivery ≤ 300 ms, no event lost.

Each event is recorded as the platform records any: ``monitoring.events.record()`` inside a
transaction, from a publisher process of its own (Django set up against the scratch database), on an
absolute schedule (no sleep drift). ``data["sent_us"]`` holds the publisher's ``time.time()`` in
microseconds (the audit chain refuses floats); latency is the observer's ``time.time()`` at the frame's
arrival minus that, for the first delivery of each event to each observer.

Observers follow docs/rooms.md like a browser: the session cookie of one regulator (role
``observer``), an ``Origin`` header, ``?after=<head>`` so the catch-up is small, a ``sync`` heartbeat
every ``--heartbeat`` seconds, and on a seq that is not its last plus one a ``sync`` with its last seq
(a dropped connection reconnects with ``after=<last>``). They run on asyncio ``websockets`` in
``--clients`` processes (default 2). Reported for each channel layer (``--layers``, default
``pubsub,core``: PLATFORM_CHANNEL_LAYER of the servers and the publisher):

- p50 / p99 / max latency (every first delivery, live or filled from the database);
- events lost: published events an observer never received, summed over observers (must be 0).
  ``GRACE_SECONDS`` after the last event each observer sends a final ``sync``: what it receives then
  is counted late (its latency counts too), what it still misses is lost;
- layer gaps filled: events the server sent as ``"replay": true`` outside any catch-up or ``sync`` of
  the client, i.e. what the channel layer lost and the server filled from the database;
- handshakes refused (an observer retries, 1–2 s apart, up to ``CONNECT_ATTEMPTS`` times, but not
  after a 403) and connections dropped (closed by the server or the network: it reconnects with
  ``after=<last>``), order violations (a seq that is not the last plus one) and duplicates;
- the CPU the servers, clients, publisher and Redis used, and the whole machine's (a run on a
  machine busy with other work says so there).

``--server-env NAME=VALUE`` sets a variable for the servers and the publisher (e.g. to measure
DATABASE_CONN_MAX_AGE).

Floor, in the same run with the same client processes, observers, rate and duration: a minimal
``websockets`` broadcast server (one process, ``broadcast()`` of each tick a publisher connection
sends it); lost events are counted by sequence number.

Services: PostgreSQL (scratch database ``platform_bench_fanout`` on the server named by DATABASE_URL,
migrated with ``manage.py migrate``, dropped at the end) and Redis (the server of REDIS_URL, database
12 only, flushed before each layer and at the end; default redis://127.0.0.1:6379). No sweeps run.
Redis pub/sub channels are shared by all databases of a server: the lot and the regulator get ids far
from the ones tests use, so that their events on ``lot:1`` never reach these rooms. The floor runs
first. The last line printed is JSON (see benchmarks/run_all.py).
"""
import argparse
import array
import json
import multiprocessing
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fanout_clients import client_main
from fanout_publishers import floor_start, publisher_floor, publisher_platform
from scratch import (database_reset, database_url, free_port, percentile, process_stop, progress, redis_url_db,
                     runplatform_start, server_log_problems, uscc, wait_serving)

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "platform_bench_fanout"
REDIS_DB = 12
ID_FIRST = 900_001  # of the lot and the user: far from tests sharing the Redis server (pub/sub ignores the db number)
GOAL_P99_MS = 300
GRACE_SECONDS = 5  # after the last event, for stragglers
FINAL_SYNC_SECONDS = 120  # then each observer syncs: what arrives is late (not lost); how long to wait for the answers


# --- observers (client processes) --------------------------------------------------------------------------


# --- publishers -------------------------------------------------------------------------------------------


# --- one round: observers connect, the publisher publishes, the observers report ---------------------------

def _recv(pipe, timeout: float, what: str):
    if not pipe.poll(timeout):
        raise SystemExit(f"no answer from {what} within {timeout:.0f} s")
    return pipe.recv()


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> float:
    """CPU seconds all cores of the machine have been busy (not idle, not waiting for I/O) so far."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def round_run(name: str, specs: list[tuple[str, str]], *, options: dict, publisher, publisher_args: tuple,
              args, servers: list[subprocess.Popen], redis_client=None) -> dict:
    context = multiprocessing.get_context("spawn")
    clients, publisher_process = [], None
    try:
        for k in range(args.clients):
            mine = specs[k::args.clients]
            parent, child = context.Pipe()
            process = context.Process(target=client_main, args=(child, mine, options), daemon=True)
            process.start()
            clients.append((process, parent))
        connect_timeout = 120 + len(specs) * 0.2
        ready = [_recv(pipe, connect_timeout, "a client process (connecting)")[1] for _, pipe in clients]
        connected, refused = sum(r["connected"] for r in ready), sum(r["refused"] for r in ready)
        progress(f"  {name}: {connected} of {len(specs)} observers in the room ({refused} handshakes refused) after "
                 f"{max(r['seconds'] for r in ready):.1f} s")
        if not connected:
            raise SystemExit(f"{name}: no observer could connect")

        cpu_servers = [_proc_cpu(s.pid) for s in servers]
        machine_before = _machine_busy()
        redis_before = redis_client.info() if redis_client else None
        parent, child = context.Pipe()
        publisher_process = context.Process(target=publisher, args=(child, *publisher_args), daemon=True)
        publisher_process.start()
        began = time.perf_counter()
        while True:
            message = _recv(parent, args.duration + 180, "the publisher")
            if message[0] == "done":
                published = message[1]
                break
            progress(f"  {name}: {message[1]} of {message[2]} events published "
                     f"({time.perf_counter() - began:.0f} s)")
        publisher_process.join(30)
        progress(f"  {name}: {len(published['seqs'])} events published in {time.perf_counter() - began:.1f} s; "
                 f"waiting {GRACE_SECONDS} s for stragglers")
        time.sleep(GRACE_SECONDS)
        wall = time.perf_counter() - began
        cpu_servers = [_proc_cpu(s.pid) - before for s, before in zip(servers, cpu_servers)]
        machine = (_machine_busy() - machine_before) / wall
        redis_after = redis_client.info() if redis_client else None
        expected = len(published["seqs"])
        for _, pipe in clients:
            pipe.send(("stop", expected, FINAL_SYNC_SECONDS))
        results = [_recv(pipe, FINAL_SYNC_SECONDS + 120, "a client process (results)")[1] for _, pipe in clients]
    finally:
        if publisher_process is not None and publisher_process.is_alive():
            publisher_process.kill()
            publisher_process.join()
        for process, _ in clients:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()
    return summarise(name, results, published, expected=expected, wall=wall, cpu_servers=cpu_servers,
                     redis=(redis_before, redis_after), machine=machine)


def summarise(name: str, results: list[dict], published: dict, *, expected: int, wall: float,
              cpu_servers: list[float], redis, machine: float) -> dict:
    live, replayed = array.array("d"), array.array("d")
    for result in results:
        live.frombytes(result.pop("live"))
        replayed.frombytes(result.pop("replayed"))
    total: dict = {}
    for result in results:
        for key, value in result.items():
            if isinstance(value, dict):
                merged = total.setdefault(key, {})
                for k, v in value.items():
                    merged[k] = merged.get(k, 0) + v
            elif isinstance(value, list):
                total.setdefault(key, []).extend(value)
            else:
                total[key] = total.get(key, 0) + value
    latencies = [x * 1000 for x in live] + [x * 1000 for x in replayed]
    costs = array.array("d")
    costs.frombytes(published["costs"])
    figures = {
        "published": expected, "deliveries_expected": expected * total["connected"],
        "delivered": total["delivered"], "delivered_replayed": len(replayed),
        "lost": total["lost"], "observers_short": total["observers_short"], "late": total["late"],
        "final_sync_unanswered": total["final_sync_unanswered"],
        "refused": total["refused"], "refused_reasons": total["refused_reasons"],
        "dropped": total["dropped"], "drop_reasons": total["drop_reasons"],
        "never_in": total["never_in"],
        "gaps": total["gaps"], "duplicates": total["duplicates"], "gap_examples": total["gap_examples"][:5],
        "gap_fill_events": total["gap_fill_events"], "gap_fill_frames": total["gap_fill_frames"],
        "sync_events": total["sync_events"], "reconnect_events": total["reconnect_events"],
        "other_frames": total["other_frames"],
        "p50_ms": percentile(latencies, 0.50) if latencies else float("nan"),
        "p99_ms": percentile(latencies, 0.99) if latencies else float("nan"),
        "max_ms": max(latencies) if latencies else float("nan"),
        "live_p99_ms": percentile([x * 1000 for x in live], 0.99) if live else float("nan"),
        "publish_p50_ms": percentile(costs, 0.50) * 1000 if costs else float("nan"),
        "publish_p99_ms": percentile(costs, 0.99) * 1000 if costs else float("nan"),
        "publisher_late_max_ms": published["late_max"] * 1000,
        "cpu": {"servers": [round(c / wall, 2) for c in cpu_servers],
                "clients": round(total["cpu_seconds"] / wall, 2),
                "publisher": round(published["cpu_seconds"] / wall, 2), "machine": round(machine, 2),
                "cores": os.cpu_count()},
    }
    if redis[0]:
        before, after = redis
        figures["cpu"]["redis"] = round((after["used_cpu_sys"] + after["used_cpu_user"]
                                         - before["used_cpu_sys"] - before["used_cpu_user"]) / wall, 2)
        figures["redis_clients"] = [before["connected_clients"], after["connected_clients"]]
    report(name, figures)
    return figures


def report(name: str, f: dict) -> None:
    progress(f"  {name}: latency p50 {f['p50_ms']:,.0f} ms, p99 {f['p99_ms']:,.0f} ms, max {f['max_ms']:,.0f} ms "
             f"(live only p99 {f['live_p99_ms']:,.0f} ms; {f['delivered']:,} deliveries, {f['delivered_replayed']:,} "
             f"of them filled from the database)")
    progress(f"  {name}: events lost {f['lost']:,} (of {f['deliveries_expected']:,} deliveries; "
             f"{f['observers_short']} observers short), late {f['late']:,} (not there {GRACE_SECONDS} s after the "
             f"last event, sent on a final sync; {f['final_sync_unanswered']} final syncs unanswered), "
             f"layer gaps filled {f['gap_fill_events']:,} events in "
             f"{f['gap_fill_frames']:,} frames, heartbeat syncs filled {f['sync_events']:,}, "
             f"reconnect catch-ups {f['reconnect_events']:,}")
    progress(f"  {name}: handshakes refused {f['refused']} {f['refused_reasons'] or ''} (observers never in: "
             f"{f['never_in']}), connections dropped {f['dropped']} "
             f"{f['drop_reasons'] or ''}, order violations {f['gaps']}, duplicates {f['duplicates']}")
    for example in f["gap_examples"]:
        progress(f"    order violation: {example}")
    cpu = f["cpu"]
    progress(f"  {name}: publish (record() and commit) p50 {f['publish_p50_ms']:.1f} ms, p99 "
             f"{f['publish_p99_ms']:.1f} ms, publisher at most {f['publisher_late_max_ms']:.0f} ms behind schedule; "
             f"CPU (cores busy): servers {cpu['servers']}, clients {cpu['clients']}, publisher {cpu['publisher']}"
             + (f", redis {cpu['redis']}; redis clients {f['redis_clients'][0]} → {f['redis_clients'][1]}"
                if "redis" in cpu else "")
             + f"; the whole machine {cpu['machine']} of {cpu['cores']} cores (PostgreSQL and anything else "
               "running included)")


# --- set-up through the services --------------------------------------------------------------------------

def room_setup() -> tuple[int, str, int]:
    """A regulator with a signed-in session (both factors given, as a browser's after the code step)
    and a lot: (lot id, session key, the lot subject's last seq)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.db.models import Max
    from django_otp import DEVICE_ID_SESSION_KEY

    from monitoring.models import AuditEntry
    from trading import clock
    from trading.models import Lot, Market, Procedure
    from trading.accounts.services.second_factor import totp_device_create
    from trading.services import organisation_create, user_create
    from trading.services.lots import lot_create, lot_submit, project_create

    # Ids far from the ones tests use: Redis pub/sub channels ("subject.lot.<id>", "user.<id>") are
    # shared by every database number of the Redis server.
    with connection.cursor() as cursor:
        for model in (Lot, get_user_model()):
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                           [model._meta.db_table, ID_FIRST])
    regulator = user_create(username="bench_regulator", password="bench-password-1", roles=["regulator"],
                            actor="system:bench")
    now = clock.now()
    tenderee = organisation_create(name="市公共资源采购单位", uscc=uscc("12330100", 900), kind="tenderee",
                                   actor="system:bench")
    market = Market.objects.get(code="construction")
    procedure = Procedure.objects.get(market=market, code="open_tender")
    project = project_create(code="BENCH-FANOUT", title="基准测试项目", market=market, procedure=procedure,
                             tenderee=tenderee, actor="system:bench")
    lot = lot_create(project=project, title="基准测试标段", estimate=Decimal("100000000.00"), deposit=Decimal("0"),
                     actor="system:bench", documents_until=now + timedelta(days=25),
                     bid_deadline=now + timedelta(days=25))
    lot_submit(lot_id=lot.pk, actor="system:bench")

    session = SessionStore()
    session["_auth_user_id"] = str(regulator.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = regulator.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = totp_device_create(regulator, confirmed=True, actor="system:bench").persistent_id
    session.save()
    head = AuditEntry.objects.filter(subject=f"lot:{lot.pk}").aggregate(head=Max("subject_seq"))["head"] or 0
    return lot.pk, session.session_key, head


# --- main ---------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0, help="events a second")
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of publishing")
    parser.add_argument("--layers", default="pubsub,core", help="channel layers to measure: pubsub, core or both")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--heartbeat", type=float, default=30.0, help="seconds between sync heartbeats (0: none; room.js sends one every 30 s)")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor (for trying things out)")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the servers and the publisher, e.g. DATABASE_CONN_MAX_AGE=60")
    args = parser.parse_args()
    layers = [layer.strip() for layer in args.layers.split(",") if layer.strip()]
    if not set(layers) <= {"pubsub", "core"}:
        raise SystemExit("--layers takes pubsub, core or both")

    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (the benchmark makes its own database there)")
    redis_url = redis_url_db(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379", REDIS_DB)
    import redis

    redis_client = redis.Redis.from_url(redis_url)
    redis_client.flushdb()
    database_reset(server_url, BENCH_DB, create=True)
    scratch = tempfile.TemporaryDirectory(prefix="bench-fanout-")
    var_dir = Path(scratch.name)
    shared = {
        "DATABASE_URL": database_url(server_url, BENCH_DB),
        "REDIS_URL": redis_url,
        "PLATFORM_VAR_DIR": str(var_dir),
        "PLATFORM_STORAGE_DIR": str(var_dir / "objects"),
        "PLATFORM_SIGNING_KEY_FILE": str(var_dir / "platform-signing-key.pem"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PLATFORM_BANK_HMAC_SECRET": secrets.token_urlsafe(32),
        "PLATFORM_INPROCESS_SWEEPS": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PLATFORM_CHANNEL_LAYER": layers[0] if layers else "pubsub",
    }
    for assignment in args.server_env:
        name, _, value = assignment.partition("=")
        shared[name] = value
    os.environ.update(shared)
    for name in ("S3_ENDPOINT_URL", "S3_PUBLIC_ENDPOINT_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    processes: list[subprocess.Popen] = []
    figures: dict[str, dict] = {}
    started = time.perf_counter()
    connections = None
    try:
        migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT,
                                 env=dict(os.environ), capture_output=True, text=True)
        if migrate.returncode:
            raise SystemExit(f"migrate failed:\n{migrate.stdout[-2000:]}{migrate.stderr[-4000:]}")
        import django

        django.setup()
        from django.conf import settings
        from django.db import connections

        lot_id, session_key, head = room_setup()
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}"
        connections.close_all()
        n, rate, duration = args.observers, args.rate, args.duration
        progress(f"lot {lot_id} (subject head {head}), regulator signed in; {n:,} observers, {rate:g} events/s "
                 f"for {duration:g} s, {args.clients} client processes, heartbeat {args.heartbeat:g} s"
                 + (f"; server environment {' '.join(args.server_env)}" if args.server_env else ""))

        if not args.no_floor:
            port = free_port()
            floor = floor_start(port)
            processes.append(floor)
            wait_serving(floor, port)
            progress(f"floor: a websockets broadcast server on port {port}")
            specs = [(f"ws://127.0.0.1:{port}/", f"http://127.0.0.1:{port}")] * n
            figures["floor"] = round_run(
                "floor", specs, options={"after": 0, "cookie": "", "strict": False, "heartbeat": args.heartbeat,
                                         "open_timeout": 60},
                publisher=publisher_floor, publisher_args=(port, rate, duration), args=args, servers=[floor])
            process_stop(floor)

        for layer in layers:
            redis_client.flushdb()
            environment = {k: v for k, v in os.environ.items() if not k.startswith("S3_")}
            environment["PLATFORM_CHANNEL_LAYER"] = layer
            os.environ["PLATFORM_CHANNEL_LAYER"] = layer  # the publisher process (spawned) inherits it
            ports = [free_port(), free_port()]
            logs = [var_dir / f"server-{layer}-{port}.log" for port in ports]
            servers = [runplatform_start(port, environment, log) for port, log in zip(ports, logs)]
            processes.extend(servers)
            for server, port, log in zip(servers, ports, logs):
                wait_serving(server, port, "/.well-known/platform-key", log_path=log)
            progress(f"{layer}: 2 runplatform processes on ports {ports[0]} and {ports[1]}")
            specs = [(f"ws://127.0.0.1:{ports[i % 2]}/ws/rooms/opening/{lot_id}/", f"http://127.0.0.1:{ports[i % 2]}")
                     for i in range(n)]
            # Each client process gets half of each server's observers.
            specs = [spec for k in range(2) for spec in specs[k::2]]
            head = _head(lot_id)
            figures[layer] = round_run(
                f"{layer} layer", specs, options={"after": head, "cookie": cookie, "strict": True,
                                                  "heartbeat": args.heartbeat, "open_timeout": 60},
                publisher=publisher_platform, publisher_args=(lot_id, rate, duration), args=args, servers=servers,
                redis_client=redis_client)
            for server in servers:
                process_stop(server)
            for log in logs:
                problems = server_log_problems(log)
                if problems:
                    progress(f"  {layer} layer: server log {log.name}: {problems}")
                    figures[layer].setdefault("server_log", {})[log.name] = problems
                    _log_tail(log)
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


def _head(lot_id: int) -> int:
    from django.db import connections
    from django.db.models import Max

    from monitoring.models import AuditEntry

    head = AuditEntry.objects.filter(subject=f"lot:{lot_id}").aggregate(head=Max("subject_seq"))["head"] or 0
    connections.close_all()
    return head


def _log_tail(path: Path) -> None:
    lines = [line for line in path.read_text(errors="replace").splitlines() if "Traceback" in line or "ERROR" in line]
    for line in lines[:5]:
        progress(f"    {line[:300]}")


def print_summary(figures: dict, args) -> None:
    n, rate, duration = args.observers, args.rate, args.duration
    floor = figures.get("floor")
    failed = False
    rows = []
    progress("")
    progress(f"fan-out, {n:,} observers, {rate:g} events/s for {duration:g} s (goal: p99 ≤ {GOAL_P99_MS} ms, 0 lost)")
    for layer in ("pubsub", "core"):
        f = figures.get(layer)
        if not f:
            continue
        met = f["p99_ms"] <= GOAL_P99_MS and f["lost"] == 0
        failed |= f["lost"] > 0
        progress(f"  {layer:6}: p50 {f['p50_ms']:,.0f} ms / p99 {f['p99_ms']:,.0f} ms / max {f['max_ms']:,.0f} ms, "
                 f"lost {f['lost']:,} (late {f['late']:,}; layer gaps filled {f['gap_fill_events']:,}), "
                 f"handshakes refused {f['refused']}, "
                 f"dropped {f['dropped']}, order violations {f['gaps']}: goal {'met' if met else 'NOT met'}")
        what = f"fan-out, {n:,} observers on 2 uvicorn ({layer} layer), {rate:g} events/s for {duration:g} s"
        rows += [
            {"figure": f"{what}: p50 delivery latency", "value": round(f["p50_ms"]), "unit": "ms",
             "floor": round(floor["p50_ms"]) if floor else None},
            {"figure": f"{what}: p99 delivery latency", "value": round(f["p99_ms"]), "unit": "ms",
             "floor": round(floor["p99_ms"]) if floor else None},
            {"figure": f"{what}: events lost (never delivered)", "value": f["lost"], "unit": "events",
             "floor": floor["lost"] if floor else None},
            {"figure": f"{what}: layer gaps filled from the database", "value": f["gap_fill_events"],
             "unit": "events", "floor": None},
            {"figure": f"{what}: connections refused or dropped", "value": f["refused"] + f["dropped"],
             "unit": "connections", "floor": (floor["refused"] + floor["dropped"]) if floor else None},
        ]
    if floor:
        progress(f"  floor (websockets broadcast, 1 process): p50 {floor['p50_ms']:,.0f} ms / p99 "
                 f"{floor['p99_ms']:,.0f} ms / max {floor['max_ms']:,.0f} ms, lost {floor['lost']:,}, "
                 f"refused {floor['refused']}, dropped {floor['dropped']}")
    if failed:
        progress("FAILED: events were lost (see above)")
    print(json.dumps({
        "bench": "fanout", "observers": n, "rate": rate, "duration": duration,
        "figures": {name: {k: v for k, v in f.items() if k != "gap_examples"} for name, f in figures.items()},
        "rows": rows,
    }, default=str))
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
