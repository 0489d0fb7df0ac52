"""Deadline rush: ``--bidders`` bidders (default 300) submit a 1 MiB sealed envelope each within
``--spread`` seconds (default 60) against the running server — two ``runplatform`` (uvicorn)
processes on loopback ports, requests alternating between them — with the bid deadline ~90 s ahead.

Every submission must end in a signed receipt (201) or a clear refusal (a 4xx JSON ``{"code",
"detail"}``); afterwards the database is checked: every receipt has its Bid row (same id and receipt
id, sealed) and its stored object (same size and SHA-256 as the bytes sent), and no bid was recorded
that its bidder was not told about. ``lost`` counts any that fails (must be 0), ``unclear`` any answer
that is neither a receipt nor a clear refusal (5xx, a timeout, a broken connection).

Services mode as in production, except object storage: PostgreSQL (scratch database
``platform_bench_rush`` on the server named by DATABASE_URL, dropped at the end), Redis (REDIS_URL:
channel layer and cache), and the **file backend**: one PLATFORM_STORAGE_DIR in a temporary directory,
shared by both server processes. No sweeps run (PLATFORM_INPROCESS_SWEEPS=false, no beat): the
deadline is enforced by the submission itself against the server clock.

Floor, measured in the same run with the same client, pacing, thread pool and bodies: the same
uploads to two trivial HTTP servers (``http.server``, one process each) that read the body, discard
it and answer 201 with a few bytes of JSON.

Clients: a pool of ``--threads`` (default 32) threads, each request on a fresh ``http.client``
connection (a bidder's client, not a keep-alive pool); latency is from connect to the last byte of
the answer. The last line printed is JSON (see benchmarks/run_all.py).
"""
import argparse
import hashlib
import http.client
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scratch import (
    custodians_make,
    database_reset,
    database_url,
    free_port,
    percentile,
    process_stop,
    progress,
    runplatform_start,
    uscc,
    wait_serving,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "platform_bench_rush"
ENVELOPE_FILE_SIZE = 1024 * 1024
PASSPHRASE = "a long custodian passphrase"
DEADLINE_AHEAD = 90  # seconds from the first submission
SERVER_START_SECONDS = 90
REQUEST_TIMEOUT = 120

FLOOR_SERVER = r'''
import http.server, sys

class Discard(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining:
            chunk = self.rfile.read(min(remaining, 1 << 16))
            if not chunk:
                break
            remaining -= len(chunk)
        body = b'{"id":1,"status":"sealed"}'
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Discard).serve_forever()
'''


# --- set-up through the services -------------------------------------------------------------------------



def lot_make(custodians):
    """A construction lot (open tender, no deposit), published with a 2-of-3 opening key and a lawful
    schedule; the deadline is brought near just before the rush."""
    from datetime import timedelta
    from decimal import Decimal

    from bidding.sealed.services.keys import lot_publish_sealed
    from trading import clock
    from trading.models import Market, Procedure
    from trading.services import organisation_create
    from trading.services.lots import lot_create, lot_submit, project_create

    now = clock.now()
    tenderee = organisation_create(name="市公共资源采购单位", uscc=uscc("12330100", 900), kind="tenderee",
                                   actor="system:bench")
    market = Market.objects.get(code="construction")
    procedure = Procedure.objects.get(market=market, code="open_tender")
    project = project_create(code="BENCH-RUSH", title="基准测试项目", market=market, procedure=procedure,
                             tenderee=tenderee, actor="system:bench")
    lot = lot_create(project=project, title="基准测试标段", estimate=Decimal("100000000.00"), deposit=Decimal("0"),
                     actor="system:bench", documents_until=now + timedelta(days=25),
                     bid_deadline=now + timedelta(days=25))
    lot_submit(lot_id=lot.pk, actor="system:bench")
    lot_publish_sealed(lot_id=lot.pk, title="招标公告", body="基准测试", actor="system:bench",
                       custodian_ids=[c.pk for c in custodians], threshold=2)
    lot.refresh_from_db()
    return lot


def bidders_make(lot, count: int) -> list[dict]:
    """Registered bidders with API tokens and their pre-sealed 1 MiB envelopes."""
    from django.conf import settings
    from rest_framework.authtoken.models import Token

    from bidding.crypto.sealing import seal
    from bidding.crypto.opening_key import public_key_load
    from trading.services import organisation_create, user_create
    from trading.services.registrations import registration_create

    public_key = public_key_load(bytes(lot.opening_key.public_key_raw))
    bidders = []
    for i in range(count):
        organisation = organisation_create(name=f"基准投标人{i:04d}有限公司", uscc=uscc("91330100", i + 1),
                                           kind="bidder", actor="system:bench")
        user = user_create(username=f"bench_bidder_{i:04d}", password="bench-password-1", roles=["bidder"],
                           actor="system:bench", organisation=organisation)
        registration_create(lot_id=lot.pk, user=user)
        token = Token.objects.create(user=user)
        content = os.urandom(ENVELOPE_FILE_SIZE)
        out = io.BytesIO()
        seal(public_key=public_key, platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=organisation.uscc,
             price_form={"price": f"{90_000_000 + i * 137}.50", "period_days": 365, "items": {"quality": "合格"}},
             files=[("technical-proposal.pdf", io.BytesIO(content), len(content))], out=out)
        envelope = out.getvalue()
        bidders.append({"user": user.pk, "organisation": organisation.pk, "token": token.key, "envelope": envelope,
                        "sha256": hashlib.sha256(envelope).hexdigest()})
        if (i + 1) % 100 == 0:
            progress(f"  bidders registered, with tokens and sealed envelopes: {i + 1}/{count}")
    return bidders


# --- servers -------------------------------------------------------------------------------------------------

def floor_start(port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", FLOOR_SERVER, str(port)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


# --- the rush --------------------------------------------------------------------------------------------------

def rush(bidders: list[dict], ports: list[int], path: str, *, spread: float, threads: int) -> list[dict]:
    """Send bidder i's envelope at start + i·spread/n to ports[i % len(ports)]; one answer per bidder."""
    results: list[dict | None] = [None] * len(bidders)
    step = spread / len(bidders)
    start = time.monotonic() + 0.5

    def one(i: int) -> None:
        bidder = bidders[i]
        delay = start + i * step - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        port = ports[i % len(ports)]
        began = time.perf_counter()
        sent_at = time.monotonic() - start
        result = {"port": port, "sent_at": sent_at}
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
            connection.request("POST", path, body=bidder["envelope"], headers={
                "Content-Type": "application/octet-stream", "Authorization": f"Token {bidder['token']}",
                "Accept": "application/json", "Accept-Language": "en"})
            response = connection.getresponse()
            body = response.read()
            connection.close()
            result["status"] = response.status
            try:
                result["body"] = json.loads(body)
            except ValueError:
                result["body"] = body[:300].decode(errors="replace")
        except (OSError, http.client.HTTPException) as error:
            result["status"] = None
            result["body"] = f"{type(error).__name__}: {error}"
        result["latency"] = time.perf_counter() - began
        results[i] = result

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, range(len(bidders))))
    return results


def classify(results: list[dict]) -> dict:
    receipts, refusals, unclear = [], {}, []
    for i, result in enumerate(results):
        body, status = result["body"], result["status"]
        if status == 201 and isinstance(body, dict) and "receipt" in body:
            receipts.append(i)
        elif status is not None and 400 <= status < 500 and isinstance(body, dict) and {"code", "detail"} <= body.keys():
            refusals[body["code"]] = refusals.get(body["code"], 0) + 1
        else:
            unclear.append(i)
    return {"receipts": receipts, "refusals": refusals, "unclear": unclear}


def lost_check(lot, bidders: list[dict], results: list[dict], receipts: list[int]) -> tuple[int, int, int]:
    """(lost receipts, bids recorded without a receipt answer, receipts whose signature fails)."""
    from bidding.crypto import receipts as receipt_crypto
    from bidding.sealed.models import Bid
    from trading import signing
    from trading.storage import StorageError, get_storage

    storage = get_storage()
    public_key = signing.public_key()
    bids = {bid.pk: bid for bid in Bid.objects.filter(lot=lot)}
    lost = bad_signature = 0
    for i in receipts:
        answer, bidder = results[i]["body"], bidders[i]
        bid = bids.get(answer.get("id"))
        ok = (bid is not None and str(bid.receipt_id) == str(answer.get("receipt_id"))
              and bid.organisation_id == bidder["organisation"] and bid.status == Bid.Status.SEALED
              and bid.envelope_sha256 == bidder["sha256"] and bid.envelope_size == len(bidder["envelope"]))
        if ok:
            try:
                info = storage.stat(bid.storage_key)
                ok = info.size == len(bidder["envelope"]) and info.sha256 in ("", bidder["sha256"])
            except StorageError:
                ok = False
        if not ok:
            lost += 1
            progress(f"  LOST: bidder {i}: answer {answer}")
        try:
            fields = receipt_crypto.receipt_verify(answer["receipt"], public_key)
            if fields["envelope_sha256"] != bidder["sha256"]:
                raise receipt_crypto.SignatureError("the receipt signs another envelope")
        except (receipt_crypto.SignatureError, KeyError, TypeError) as error:
            bad_signature += 1
            progress(f"  BAD RECEIPT: bidder {i}: {error}")
    answered = {results[i]["body"]["id"] for i in receipts}
    unanswered = [pk for pk in bids if pk not in answered]
    for pk in unanswered:
        progress(f"  RECORDED WITHOUT A RECEIPT ANSWER: bid {pk} of organisation {bids[pk].organisation_id}")
    return lost, len(unanswered), bad_signature


def latency_line(name: str, results: list[dict], indices: list[int]) -> tuple[float, float]:
    values = [results[i]["latency"] * 1000 for i in indices] or [float("nan")]
    p50, p99 = percentile(values, 0.50), percentile(values, 0.99)
    progress(f"  {name}: p50 {p50:,.0f} ms, p99 {p99:,.0f} ms, max {max(values):,.0f} ms (n={len(indices)})")
    return p50, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bidders", type=int, default=300)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which the submissions are sent")
    parser.add_argument("--threads", type=int, default=32)
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (the benchmark makes its own database there)")
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL must name a Redis server (services mode)")
    database_reset(server_url, BENCH_DB, create=True)
    scratch = tempfile.TemporaryDirectory(prefix="bench-rush-")
    var_dir = Path(scratch.name)
    # What the bench process and both servers share: database, var dir, objects, signing key, secret.
    shared = {
        "DATABASE_URL": database_url(server_url, BENCH_DB),
        "PLATFORM_VAR_DIR": str(var_dir),
        "PLATFORM_STORAGE_DIR": str(var_dir / "objects"),
        "PLATFORM_SIGNING_KEY_FILE": str(var_dir / "platform-signing-key.pem"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PLATFORM_BANK_HMAC_SECRET": secrets.token_urlsafe(32),
        "PLATFORM_INPROCESS_SWEEPS": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    os.environ.update(shared)
    for name in ("S3_ENDPOINT_URL", "S3_PUBLIC_ENDPOINT_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from trading import clock, signing
    from trading.models import Lot

    # Accounts here sign in with tokens, never passwords: a cheap hasher spares 300 Argon2 hashes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    processes: list[subprocess.Popen] = []
    started = time.perf_counter()
    try:
        call_command("migrate", verbosity=0)
        signing.private_key()  # made now, so both servers load the same key file
        custodians = custodians_make(passphrase=PASSPHRASE)
        lot = lot_make(custodians)
        progress(f"lot {lot.pk} published with its opening key; preparing {args.bidders} bidders")
        bidders = bidders_make(lot, args.bidders)
        path = f"/api/v1/lots/{lot.pk}/bids/"

        # Floor first, while nothing else runs: two trivial servers that read and discard the body.
        floor_ports = [free_port(), free_port()]
        floor_processes = [floor_start(port) for port in floor_ports]
        processes.extend(floor_processes)
        for process, port in zip(floor_processes, floor_ports):
            wait_serving(process, port, "/", seconds=SERVER_START_SECONDS)
        progress(f"floor: {args.bidders} uploads of 1 MiB to 2 trivial http.server processes over {args.spread:g} s")
        floor_results = rush(bidders, floor_ports, path, spread=args.spread, threads=args.threads)
        floor_ok = [i for i, r in enumerate(floor_results) if r["status"] == 201]
        for process in floor_processes:
            process_stop(process)
        if len(floor_ok) != args.bidders:
            raise SystemExit(f"floor: only {len(floor_ok)} of {args.bidders} uploads answered 201")
        floor_p50, floor_p99 = latency_line("floor latency", floor_results, floor_ok)

        ports = [free_port(), free_port()]
        environment = {k: v for k, v in os.environ.items() if not k.startswith("S3_")}
        environment.update(shared, REDIS_URL=os.environ["REDIS_URL"])
        servers = [runplatform_start(port, environment, var_dir / f"server-{port}.log") for port in ports]
        processes.extend(servers)
        for process, port in zip(servers, ports):
            wait_serving(process, port, "/.well-known/platform-key", log_path=var_dir / f"server-{port}.log",
                         seconds=SERVER_START_SECONDS)
        progress(f"platform: 2 runplatform processes serving on ports {ports[0]} and {ports[1]}")
        deadline = clock.now() + dt_seconds(DEADLINE_AHEAD)
        Lot.objects.filter(pk=lot.pk).update(bid_deadline=deadline, next_due_at=deadline)
        connections.close_all()
        progress(f"platform: bid deadline set {DEADLINE_AHEAD} s ahead; {args.bidders} submissions of 1 MiB over "
                 f"{args.spread:g} s from {args.threads} threads, alternating servers")
        rush_started = time.perf_counter()
        results = rush(bidders, ports, path, spread=args.spread, threads=args.threads)
        rush_seconds = time.perf_counter() - rush_started
        verdict = classify(results)
        lost, unanswered, bad_signature = lost_check(lot, bidders, results, verdict["receipts"])
        for i in verdict["unclear"]:
            progress(f"  UNCLEAR: bidder {i}: status {results[i]['status']}: {str(results[i]['body'])[:300]}")
        progress(f"platform: {args.bidders} submitted in {rush_seconds:.1f} s: {len(verdict['receipts'])} receipts, "
                 f"refusals {verdict['refusals'] or 'none'}, unclear {len(verdict['unclear'])}, lost {lost}, "
                 f"recorded without a receipt answer {unanswered}, receipts failing verification {bad_signature}")
        p50, p99 = latency_line("platform latency (receipts)", results, verdict["receipts"])
        for port in ports:
            on_port = [i for i in verdict["receipts"] if results[i]["port"] == port]
            latency_line(f"  server on port {port}", results, on_port)
        last = max((results[i]["sent_at"] for i in verdict["receipts"]), default=0)
        progress(f"  last receipt for a request sent {last:.1f} s after the first; deadline at {DEADLINE_AHEAD} s")
    finally:
        for process in processes:
            process_stop(process)
        connections.close_all()
        database_reset(server_url, BENCH_DB, create=False)
        scratch.cleanup()
    progress(f"total run time {time.perf_counter() - started:.0f} s")
    if lost or verdict["unclear"] or unanswered or bad_signature:
        progress("FAILED: a submission was lost or not answered clearly (see above)")
    n = args.bidders
    print(json.dumps({
        "bench": "deadline_rush", "storage": "file backend shared by both processes",
        "submitted": n, "receipts": len(verdict["receipts"]), "refusals": verdict["refusals"],
        "unclear": len(verdict["unclear"]), "lost": lost, "recorded_without_answer": unanswered,
        "receipts_failing_verification": bad_signature, "rush_seconds": round(rush_seconds, 1),
        "p50_ms": round(p50), "p99_ms": round(p99), "floor_p50_ms": round(floor_p50), "floor_p99_ms": round(floor_p99),
        "rows": [
            {"figure": f"deadline rush, {n} × 1 MiB bids in {args.spread:g} s, 2 servers: p50 latency",
             "value": round(p50), "unit": "ms", "floor": round(floor_p50)},
            {"figure": f"deadline rush, {n} × 1 MiB bids in {args.spread:g} s, 2 servers: p99 latency",
             "value": round(p99), "unit": "ms", "floor": round(floor_p99)},
            {"figure": f"deadline rush, {n} × 1 MiB bids: lost (receipt without bid or object)",
             "value": lost, "unit": "bids", "floor": None},
        ],
    }))
    if lost or verdict["unclear"] or unanswered or bad_signature:
        raise SystemExit(1)


def dt_seconds(seconds: float):
    from datetime import timedelta

    return timedelta(seconds=seconds)


if __name__ == "__main__":
    main()
