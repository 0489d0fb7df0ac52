"""Opening sealed bids: the k-th custodian's share_present() opens every bid of the lot.

For each storage backend (local files; S3 = moto_server over HTTPS on a loopback port, as the tests
run it) a construction lot is published with its opening key (2 of 3 custodians), ``--bids``
bidders (default 1,000) register and submit an envelope of 256 KiB of random file content each
through ``bid_submit``; the deadline is moved into the past and the timed sweep closes bidding;
``opening_start``, the first share, then the timed call: the second (k-th) ``share_present``, which
unwraps the custodian's key (scrypt), rebuilds the opening key and, in one transaction, fetches,
checks and opens every envelope, records each opening, and signs and chains the opening record.

Floor, measured in the same run on the same envelopes held in memory (no I/O, no database): the
crypto the opening cannot skip — SHA-256 of the whole envelope (the receipt's hash), HPKE open of the
sealed inner, AES-256-GCM of every segment and SHA-256 of the decrypted file — written directly
against ``cryptography``/``hashlib``; the best of three passes. The platform's own opener
(``open_envelope``) over in-memory bytes is printed beside it, as is the scrypt unwrap every
share_present pays, so the gap can be split into opener, storage and database.

On S3 the time is mostly moto_server's: each of its GETs takes ~30 ms here, so the figure says more
about the test server than the platform. ``--s3-bids`` sets the count
(default 1,000, as the issue asks; the count is in the figure's name). ``--no-s3`` skips it.

Runs in a scratch database ``platform_bench_opening`` on the PostgreSQL server named by DATABASE_URL,
dropped at the end. The last line printed is JSON (see benchmarks/run_all.py).
"""
import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from scratch import custodians_make, database_reset, database_url, progress, uscc

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "platform_bench_opening"
FILE_SIZE = 256 * 1024
PASSPHRASE = "a long custodian passphrase"
FLOOR_PASSES = 3
S3_BIDS = 1000
MS_KEYS = ("seconds", "floor", "opener_in_memory")
PROFILE = "--profile" in sys.argv  # print where the timed opening spends its time


# --- setup through the services ------------------------------------------------------------------------



def bidders_make(count: int) -> list:
    from trading.services import organisation_create, user_create

    users = []
    for i in range(count):
        organisation = organisation_create(name=f"基准投标人{i:04d}有限公司", uscc=uscc("91330100", i + 1),
                                           kind="bidder", actor="system:bench")
        users.append(user_create(username=f"bench_bidder_{i:04d}", password="bench-password-1", roles=["bidder"],
                                 actor="system:bench", organisation=organisation))
        if (i + 1) % 250 == 0:
            progress(f"  bidders created: {i + 1}/{count}")
    return users


def lot_make(custodians, code: str):
    """A construction lot (open tender, no deposit), published with a 2-of-3 opening key."""
    from datetime import timedelta
    from decimal import Decimal

    from bidding.sealed.services.keys import lot_publish_sealed
    from trading import clock
    from trading.models import Market, Organisation, Procedure
    from trading.services import organisation_create
    from trading.services.lots import lot_create, lot_submit, project_create

    now = clock.now()
    tenderee = Organisation.objects.filter(kind="tenderee").first() or organisation_create(
        name="市公共资源采购单位", uscc=uscc("12330100", 900), kind="tenderee", actor="system:bench")
    market = Market.objects.get(code="construction")
    procedure = Procedure.objects.get(market=market, code="open_tender")
    project = project_create(code=code, title="基准测试项目", market=market, procedure=procedure, tenderee=tenderee,
                             actor="system:bench")
    # Below construction's major-session threshold (50 million): the bench times the opening, not an
    # official's check-in before it.
    lot = lot_create(project=project, title="基准测试标段", estimate=Decimal("40000000.00"), deposit=Decimal("0"),
                     actor="system:bench", documents_until=now + timedelta(days=25),
                     bid_deadline=now + timedelta(days=25))
    lot_submit(lot_id=lot.pk, actor="system:bench")
    lot_publish_sealed(lot_id=lot.pk, title="招标公告", body="基准测试", actor="system:bench",
                       custodian_ids=[c.pk for c in custodians], threshold=2)
    lot.refresh_from_db()
    return lot


def envelope_seal(lot, user, i: int) -> bytes:
    from django.conf import settings

    from bidding.crypto.sealing import seal
    from bidding.crypto.opening_key import public_key_load

    content = os.urandom(FILE_SIZE)
    out = io.BytesIO()
    seal(public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), platform=settings.PLATFORM_ID,
         lot=str(lot.pk), bidder=user.organisation.uscc,
         price_form={"price": f"{36_000_000 + i * 137}.50", "period_days": 365, "items": {"quality": "合格"}},
         files=[("technical-proposal.pdf", io.BytesIO(content), len(content))], out=out)
    return out.getvalue()


def bids_submit(lot, bidders, *, threads: int, seal=envelope_seal) -> list[bytes]:
    """Register, seal (``seal(lot, user, i)``, after the registration) and submit one envelope per
    bidder, from ``threads`` threads (set-up, not timed: each S3 request to moto costs tens of
    milliseconds, so one thread would take minutes)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from bidding.sealed.services.bids import bid_submit
    from trading.services.registrations import registration_create

    envelopes: list[bytes | None] = [None] * len(bidders)
    started = time.perf_counter()

    def one(i: int) -> None:
        user = bidders[i]
        try:
            registration_create(lot_id=lot.pk, user=user)
            data = seal(lot, user, i)
            bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(data), length=len(data))
            envelopes[i] = data
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for done, _ in enumerate(pool.map(one, range(len(bidders))), start=1):
            if done % 100 == 0 or done == len(bidders):
                elapsed = time.perf_counter() - started
                progress(f"  registered, sealed and submitted: {done}/{len(bidders)} ({elapsed:.0f} s, "
                         f"{done / elapsed:.1f} bids/s)")
    return envelopes


def lot_close(lot) -> None:
    from datetime import timedelta

    from trading import clock
    from trading.models import Lot
    from trading.services.lots import lot_due_sweep

    past = clock.now() - timedelta(seconds=1)
    Lot.objects.filter(pk=lot.pk).update(bid_deadline=past, next_due_at=past)
    lot_due_sweep()
    lot.refresh_from_db()
    if lot.status != Lot.Status.CLOSED:
        raise SystemExit(f"the sweep did not close the lot: status {lot.status}")


# --- the measurement ------------------------------------------------------------------------------------

def opening_time(lot, custodians) -> float:
    from bidding.sealed.models import Bid, OpeningSession
    from bidding.sealed.services.opening import opening_start, share_present

    session = opening_start(lot_id=lot.pk, actor="system:bench")
    if session is None:
        raise SystemExit("opening_start failed the lot (too few bids?)")
    share_present(session_id=session.pk, user=custodians[0], passphrase=PASSPHRASE)
    profiler = cProfile.Profile() if PROFILE else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    share_present(session_id=session.pk, user=custodians[1], passphrase=PASSPHRASE)
    elapsed = time.perf_counter() - started
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    session.refresh_from_db()
    if session.status != OpeningSession.Status.RECORD_PUBLISHED:
        raise SystemExit(f"the k-th share did not publish the record: {session.status}")
    opened = Bid.objects.filter(lot=lot, status=Bid.Status.OPENED).count()
    total = Bid.objects.filter(lot=lot).count()
    if opened != total:
        raise SystemExit(f"only {opened} of {total} bids opened")
    return elapsed


def opening_private_key(lot, custodians):
    """The lot's opening key, rebuilt from two custodians' sealed shares as the opening does."""
    from django.conf import settings

    from bidding.crypto import custodian as custodian_crypto
    from bidding.crypto import shamir
    from bidding.crypto.opening_key import private_key_rebuild
    from bidding.sealed.models import KeyShare

    shares = []
    for person in custodians[:2]:
        person.refresh_from_db()
        private = custodian_crypto.custodian_key_unwrap(bytes(person.custodian_key.wrapped_private_key), PASSPHRASE)
        share = KeyShare.objects.get(opening_key__lot=lot, custodian=person)
        shares.append(custodian_crypto.share_open(sealed=bytes(share.sealed_share), custodian_private_key=private,
                                                  platform=settings.PLATFORM_ID, lot=str(lot.pk),
                                                  custodian=str(person.pk)))
    return private_key_rebuild(shamir.combine(shares), expected_public_raw=bytes(lot.opening_key.public_key_raw))


def crypto_floor(envelopes: list[bytes], private_key, info_of) -> float:
    """Seconds for the bare crypto of opening ``envelopes`` once (no I/O, no form checks beyond parsing)."""
    from cryptography.hazmat.primitives import hpke

    from bidding.crypto.canonical import b64url_decode

    suite = hpke.Suite(hpke.KEM.P256, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
    started = time.perf_counter()
    for index, data in enumerate(envelopes):
        hashlib.sha256(data).digest()  # the receipt's hash
        header_len = int.from_bytes(data[4:8], "big")
        header_bytes = data[8:8 + header_len]
        header = json.loads(header_bytes)
        inner = json.loads(suite.decrypt(b64url_decode(header["enc"]) + b64url_decode(header["sealed"]),
                                         private_key, info=info_of(index)))
        segments_floor(data, header_len, header, inner, aad=b"PBE1" + hashlib.sha256(header_bytes).digest())
    return time.perf_counter() - started


def segments_floor(data: bytes, header_len: int, header: dict, inner: dict, *, aad: bytes) -> None:
    """The floor's bare work on an envelope's segments (every version lays them out alike): each
    decrypted with AES-256-GCM under the inner's key, the file's SHA-256 checked."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from bidding.crypto.canonical import b64url_decode

    aead = AESGCM(b64url_decode(inner["key"]))
    step = header["segment_size"] + 16
    body = memoryview(data)[8 + header_len:]
    count = -(-len(body) // step)
    plain = hashlib.sha256()
    for i in range(count):
        nonce = bytes(7) + i.to_bytes(4, "big") + (b"\x01" if i == count - 1 else b"\x00")
        plain.update(aead.decrypt(nonce, body[i * step:(i + 1) * step], aad))
    if plain.hexdigest() != inner["files"][0]["sha256"]:
        raise SystemExit("floor: a file does not match its hash")


def opener_in_memory(envelopes: list[bytes], private_key, lot, uscc_of) -> float:
    """Seconds for the platform's opener (``open_envelope``) over the same bytes in memory."""
    from django.conf import settings

    from bidding.crypto.envelope import open_envelope

    started = time.perf_counter()
    for index, data in enumerate(envelopes):
        open_envelope(stream=io.BytesIO(data), private_key=private_key, platform=settings.PLATFORM_ID,
                      lot=str(lot.pk), bidder=uscc_of(index))
    return time.perf_counter() - started


def scrypt_unwrap_time(custodian) -> float:
    from bidding.crypto import custodian as custodian_crypto

    wrapped = bytes(custodian.custodian_key.wrapped_private_key)
    started = time.perf_counter()
    custodian_crypto.custodian_key_unwrap(wrapped, PASSPHRASE)
    return time.perf_counter() - started


def backend_run(name: str, custodians, bidders, code: str, *, threads: int) -> dict:
    from django.conf import settings

    from bidding.crypto.envelope import bid_info

    progress(f"{name}: publishing a lot, {len(bidders):,} bids of {FILE_SIZE // 1024} KiB")
    lot = lot_make(custodians, code)
    envelopes = bids_submit(lot, bidders, threads=threads)
    lot_close(lot)
    progress(f"{name}: opening (timing the k-th share_present)")
    seconds = opening_time(lot, custodians)
    progress(f"{name}: opened {len(envelopes):,} bids in {seconds:.2f} s ({len(envelopes) / seconds:,.0f} bids/s, "
             f"{sum(map(len, envelopes)) / seconds / 1e6:,.0f} MB/s)")
    private_key = opening_private_key(lot, custodians)
    usccs = [user.organisation.uscc for user in bidders]
    infos = [bid_info(platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=u) for u in usccs]
    floor = min(crypto_floor(envelopes, private_key, infos.__getitem__) for _ in range(FLOOR_PASSES))
    opener = min(opener_in_memory(envelopes, private_key, lot, usccs.__getitem__) for _ in range(FLOOR_PASSES))
    progress(f"  floor, bare crypto (SHA-256 of envelope + HPKE open + AES-256-GCM segments + SHA-256 of file), "
             f"in memory: {floor:.3f} s; ratio {seconds / floor:.1f}×")
    progress(f"  for comparison, the platform's open_envelope over the same bytes in memory: {opener:.3f} s "
             f"({opener / floor:.1f}× the floor)")
    return {"bids": len(envelopes), "seconds": seconds, "floor": floor, "opener_in_memory": opener,
            "envelope_bytes": sum(map(len, envelopes))}


def storage_use_files(directory: Path) -> None:
    from django.conf import settings

    from trading.storage import reset_storage

    settings.S3_ENDPOINT_URL = None
    settings.PLATFORM_STORAGE_DIR = directory
    reset_storage()


def storage_use_s3(url: str) -> None:
    from django.conf import settings

    from trading.storage import reset_storage

    settings.S3_ENDPOINT_URL = url
    settings.S3_PUBLIC_ENDPOINT_URL = url
    settings.S3_ACCESS_KEY = "testing"
    settings.S3_SECRET_KEY = "testing"
    settings.S3_BUCKET = "platform-bench"
    settings.S3_VERIFY_TLS = False
    reset_storage()


def arguments(description: str, *, bids: int, s3_bids: int) -> argparse.Namespace:
    """The options every opening benchmark takes; ``s3_bids`` is 0 with --no-s3."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--bids", type=int, default=bids, help=f"bids on the file backend (default {bids})")
    parser.add_argument("--s3-bids", type=int, default=s3_bids,
                        help=f"bids on the S3 backend (default {s3_bids}: each submission to moto_server costs ~0.35 s)")
    parser.add_argument("--no-s3", action="store_true", help="measure the file backend only")
    parser.add_argument("--profile", action="store_true", help="profile the timed opening and print the top calls")
    args = parser.parse_args()
    if args.no_s3:
        args.s3_bids = 0
    if args.bids < 3 or (args.s3_bids and args.s3_bids < 3):
        raise SystemExit("the opening needs at least 3 bids (the legal minimum)")
    return args


def backends_run(args: argparse.Namespace, *, bench_db: str, backend_run) -> tuple[dict, float]:
    """Make the scratch database ``bench_db``, three custodians and the bidders, and run
    ``backend_run(name, custodians, bidders, code, threads=...)`` on the file backend, then on S3
    unless ``args.s3_bids`` is 0; drop everything at the end. Returns the results by backend
    ("file", "s3") and the seconds of one custodian key unwrap."""
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (the benchmark makes its own database there)")
    database_reset(server_url, bench_db, create=True)
    scratch = tempfile.TemporaryDirectory(prefix="bench-opening-")
    os.environ["DATABASE_URL"] = database_url(server_url, bench_db)
    os.environ["PLATFORM_SIGNING_KEY_FILE"] = str(Path(scratch.name) / "bench-key.pem")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    for name in ("S3_ENDPOINT_URL", "S3_PUBLIC_ENDPOINT_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import urllib3
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    # Accounts are set up, never signed into: a cheap hasher spares 1,000 Argon2 hashes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # moto's self-signed certificate
    moto = None
    results = {}
    started = time.perf_counter()
    try:
        call_command("migrate", verbosity=0)
        custodians = custodians_make(passphrase=PASSPHRASE)
        unwrap = scrypt_unwrap_time(custodians[1])
        progress(f"custodian key unwrap (scrypt, paid inside every share_present): {unwrap * 1000:.0f} ms")
        bidders = bidders_make(max(args.bids, args.s3_bids))
        storage_use_files(Path(scratch.name) / "objects")
        results["file"] = backend_run("file backend", custodians, bidders[:args.bids], "BENCH-OPEN-FILE", threads=2)
        if args.s3_bids:
            from tests.s3server import _start, _stop

            for _attempt in range(3):
                moto, url = _start(Path(scratch.name) / "moto_server.log")
                if url:
                    break
            else:
                raise SystemExit("moto_server did not start")
            storage_use_s3(url)
            results["s3"] = backend_run(f"S3 backend (moto_server at {url})", custodians, bidders[:args.s3_bids],
                                        "BENCH-OPEN-S3", threads=8)
    finally:
        connections.close_all()
        if moto is not None:
            _stop(moto)
        database_reset(server_url, bench_db, create=False)
        scratch.cleanup()
    progress(f"total run time {time.perf_counter() - started:.0f} s")
    return results, unwrap


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0], bids=1000, s3_bids=S3_BIDS)
    results, unwrap = backends_run(args, bench_db=BENCH_DB, backend_run=backend_run)
    rows = []
    for backend, label in (("file", "file backend"), ("s3", "S3 backend (moto_server, TLS)")):
        if backend not in results:
            continue
        r = results[backend]
        rows.append({"figure": f"opening {r['bids']:,} sealed bids of 256 KiB, {label}",
                     "value": round(r["seconds"] * 1000), "unit": "ms", "floor": round(r["floor"] * 1000)})
    print(json.dumps({
        "bench": "opening",
        "custodian_unwrap_ms": round(unwrap * 1000),
        **{(f"{backend}_{key}_ms" if key in MS_KEYS else f"{backend}_{key}"):
           (round(value * 1000) if key in MS_KEYS else value)
           for backend, r in results.items() for key, value in r.items()},
        "rows": rows,
    }))


if __name__ == "__main__":
    main()
