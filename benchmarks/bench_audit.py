"""Audit chain throughput, each figure beside a floor measured in the same run.

- record(): appends per second, one writer, each append its own transaction (as a service makes it),
  with and without the after-commit broadcast; floor: a bare psycopg INSERT of a row of the same
  size, one commit each.
- verify: entries per second over the whole chain (fetch, decode, canonical JSON of the salted data
  and of the entry, SHA-256 of both, linkage);
  floor: SHA-256 alone of the same canonical bytes (the salted data's and the entry's).

Runs in a scratch database ``platform_bench`` created on the PostgreSQL server named by DATABASE_URL
and dropped at the end. The last line printed is JSON (see benchmarks/run_all.py).
"""
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from scratch import database_reset, database_url, libpq_url

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "platform_bench"
APPENDS = 2000
WARMUP = 50
VERIFY_ENTRIES = 50_000
BULK_BATCH = 5000


def sample_data(i: int) -> dict:
    return {"lot": f"lot:{i % 20}", "price": f"{1_000_000 + i * 37}.50", "bidder": f"organisation:{i % 50}",
            "round": i % 7, "sealed": True, "note": "报价已提交"}


def bench_append(*, broadcast: bool) -> float:
    """Appends per second; without a subject record() sends nothing, which isolates the chain's cost."""
    from monitoring.events import record

    for i in range(WARMUP):
        record(kind="bench.warmup", actor="system", subject="bench:warmup" if broadcast else "", data=sample_data(i))
    started = time.perf_counter()
    for i in range(APPENDS):
        record(kind="bid.submitted", actor=f"user:{i % 50}", subject=f"lot:{i % 20}" if broadcast else "",
               data=sample_data(i))
    return APPENDS / (time.perf_counter() - started)


def bench_insert_floor(url: str) -> float:
    from monitoring.models import AuditEntry

    rows = list(AuditEntry.objects.filter(kind="bid.submitted").order_by("id")
                .values_list("at", "kind", "actor", "subject", "subject_seq", "data", "salt", "prev_hash", "hash")
                [:APPENDS])
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_floor (id bigserial PRIMARY KEY, at timestamptz, kind text, actor text,"
                     " subject text, subject_seq bigint, data jsonb, salt text, prev_hash text, hash text)")
        insert = ("INSERT INTO bench_floor (at, kind, actor, subject, subject_seq, data, salt, prev_hash, hash)"
                  " VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s)")
        params = [(at, kind, actor, subject, seq, json.dumps(data), salt, prev, digest)
                  for at, kind, actor, subject, seq, data, salt, prev, digest in rows]
        started = time.perf_counter()
        for row in params:
            conn.execute(insert, row)
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE bench_floor")
    return len(params) / elapsed


def chain_extend(total: int) -> None:
    """Bring the chain to ``total`` entries quickly, as record() would have written them."""
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from monitoring import chain
    from monitoring.events import head_lock
    from monitoring.models import AuditEntry, AuditHead

    with transaction.atomic():
        head = head_lock()
        prev, count = head.last_hash, head.count
        seqs = dict(AuditEntry.objects.values("subject").annotate(last=Max("subject_seq"))
                    .values_list("subject", "last"))
        while count < total:
            batch = []
            for i in range(count, min(total, count + BULK_BATCH)):
                subject = f"lot:{i % 20}"
                seqs[subject] = seqs.get(subject, 0) + 1
                fields = {"at": timezone.now(), "kind": "bid.submitted", "actor": f"user:{i % 50}", "subject": subject,
                          "subject_seq": seqs[subject], "data": sample_data(i), "salt": chain.salt_new()}
                digest = chain.entry_hash(**fields, prev=prev)
                batch.append(AuditEntry(**fields, prev_hash=prev, hash=digest))
                prev = digest
            AuditEntry.objects.bulk_create(batch)
            count += len(batch)
        last_id = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
        AuditHead.objects.filter(pk=head.pk).update(last_id=last_id, last_hash=prev, count=count)


def bench_verify() -> tuple[float, int]:
    from monitoring.audit.services import audit_checkpoint, audit_verify

    audit_checkpoint(force=True)
    started = time.perf_counter()
    result = audit_verify()
    elapsed = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"verify failed on the benchmark's own chain: {result}")
    return result.entries / elapsed, result.entries


def bench_sha256_floor() -> float:
    from monitoring import chain
    from monitoring.models import AuditEntry

    # Per entry, both hashed byte strings: the salted data's and the entry's own.
    canonical = [
        (chain.canonical_json({"data": e.data, "salt": e.salt}),
         chain.entry_canonical(at=e.at, kind=e.kind, actor=e.actor, subject=e.subject, subject_seq=e.subject_seq,
                               data=e.data, salt=e.salt, prev=e.prev_hash))
        for e in AuditEntry.objects.order_by("id").iterator(chunk_size=2000)
    ]
    started = time.perf_counter()
    for data_blob, entry_blob in canonical:
        hashlib.sha256(data_blob).digest()
        hashlib.sha256(entry_blob).digest()
    return len(canonical) / (time.perf_counter() - started)


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
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
        append = bench_append(broadcast=True)
        print(f"record(): {append:,.0f} appends/s ({APPENDS} entries, one writer, broadcast via {layer})")
        quiet = bench_append(broadcast=False)
        print(f"record() without a subject (no broadcast): {quiet:,.0f} appends/s ({APPENDS} entries)")
        insert = bench_insert_floor(bench_url)
        print(f"  floor, bare psycopg INSERT + commit of the same rows: {insert:,.0f} rows/s")
        chain_extend(VERIFY_ENTRIES)
        verify, entries = bench_verify()
        print(f"verify: {verify:,.0f} entries/s ({entries:,} entries, 1 checkpoint)")
        sha = bench_sha256_floor()
        print(f"  floor, SHA-256 of the same canonical JSON bytes: {sha:,.0f} entries/s")
    finally:
        connections.close_all()
        database_reset(server_url, BENCH_DB, create=False)
        key_dir.cleanup()
    print(json.dumps({
        "bench": "audit",
        "append_per_s": round(append), "append_without_broadcast_per_s": round(quiet),
        "append_floor_insert_per_s": round(insert),
        "verify_entries_per_s": round(verify), "verify_floor_sha256_per_s": round(sha),
        "rows": [
            {"figure": "audit record(), 1 writer", "value": round(append), "unit": "entries/s", "floor": round(insert)},
            {"figure": "audit record() without broadcast, 1 writer", "value": round(quiet), "unit": "entries/s",
             "floor": round(insert)},
            {"figure": "audit verify", "value": round(verify), "unit": "entries/s", "floor": round(sha)},
        ],
    }))


if __name__ == "__main__":
    main()
