"""Opening sealed v2 bids (each with its bidder's own lock) in the remote opening hall.

As ``bench_opening`` (same lot, custodians, storage backends and envelope size), but every bidder
registers a bidder key of its own with its registration (``bidder_key_register``) and seals a v2
envelope of 256 KiB of random file content to the lot key and its own key, submitted through
``bid_submit``. After the deadline: ``opening_start`` and the first share; each bidder's part is
unlocked with its own key (``bidder_part_unlock``) before the timing starts, as that is done in the
bidder's browser, not on the server. Timed: the k-th ``share_present`` (the custodian's scrypt
unwrap, the key rebuilt and checked, the decryption window opened), then every bidder's
``part_release`` one after another (each checked against its envelope's commitment, kept
encrypted, on the record) until the last, which opens every bid and publishes the signed record.
The k-th share, the releases before the last, and the last release (one release plus the whole
opening) are printed apart.

Floor, measured in the same run on the same envelopes held in memory (no I/O, no database): the
crypto the opening cannot skip, now with the bidder layer's — SHA-256 of the whole envelope (the
receipt's hash), HPKE open of the lot part, SHA-256 of the released bidder part against the
header's commitment, HKDF of the two parts, AES-256-GCM of the inner, AES-256-GCM of every segment
and SHA-256 of the decrypted file — written directly against ``cryptography``/``hashlib``; the best
of three passes. The platform's own opener (``open_envelope_v2``) over in-memory bytes is printed
beside it. The releases have a floor of their own, as a release is a durable answer to one
bidder, not crypto: per release the commitment's SHA-256 and one bare psycopg transaction on the
same server inserting the release and its hash-chained audit row.

On S3 each release reads its envelope's header from the store and the opening every envelope, at
moto_server's ~30–50 ms a GET here: ``--s3-bids`` (default 200) keeps that run to minutes. ``--no-s3``
skips it.

Runs in a scratch database ``platform_bench_opening_v2`` on the PostgreSQL server named by
DATABASE_URL, dropped at the end. The last line printed is JSON (see benchmarks/run_all.py).
"""
import cProfile
import hashlib
import io
import json
import os
import pstats
import time

import psycopg

from bench_opening import (
    FILE_SIZE,
    PASSPHRASE,
    PROFILE,
    arguments,
    backends_run,
    bids_submit,
    lot_close,
    lot_make,
    opening_private_key,
    segments_floor,
)
from scratch import libpq_url, progress

BENCH_DB = "platform_bench_opening_v2"
FLOOR_PASSES = 3
S3_BIDS = 200
TIMES = ("seconds", "share", "releases", "final", "floor", "opener_in_memory", "releases_floor")


def sealer(keys: dict):
    """The bidder's side before the deadline, as ``seal(lot, user, i)`` for ``bids_submit``: a bidder
    key registered with the registration (two P-256 pairs, as ``python -m bidding.seal keygen``
    makes, registered by their public halves: the key file's PBKDF2 would cost each bidder ~0.3 s of
    set-up and is not part of the opening) and a v2 envelope sealed to it. Keeps each bidder's
    private encryption key in ``keys`` by user id."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.conf import settings

    from bidding.crypto.canonical import b64url_encode
    from bidding.crypto.envelope_v2 import public_raw
    from bidding.crypto.opening_key import public_key_load
    from bidding.crypto.sealing import seal_v2
    from bidding.sealed.services.bidder_keys import bidder_key_register
    from trading.models import Registration

    def seal(lot, user, i: int) -> bytes:
        encryption, signing = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        registration = Registration.objects.get(lot=lot, organisation_id=user.organisation_id)
        bidder_key_register(registration_id=registration.pk, user=user,
                            encryption_public_key=b64url_encode(public_raw(encryption.public_key())),
                            signing_public_key=b64url_encode(public_raw(signing.public_key())))
        keys[user.pk] = encryption
        content = os.urandom(FILE_SIZE)
        out = io.BytesIO()
        seal_v2(lot_public_key=public_key_load(bytes(lot.opening_key.public_key_raw)),
                bidder_public_key=encryption.public_key(), platform=settings.PLATFORM_ID, lot=str(lot.pk),
                bidder=user.organisation.uscc,
                price_form={"price": f"{36_000_000 + i * 137}.50", "period_days": 365, "items": {"quality": "合格"}},
                files=[("technical-proposal.pdf", io.BytesIO(content), len(content))], out=out)
        return out.getvalue()

    return seal


def parts_unlock(lot, bidders, envelopes: list[bytes], keys: dict) -> list[bytes]:
    """Each bidder's part, unlocked by its own side from its envelope's header (not timed: the
    bidder's browser does this, ``bidder-key.js`` ``unlockBidderPart``)."""
    from django.conf import settings

    from bidding.crypto.envelope_v2 import bidder_part_unlock, header_read

    return [bidder_part_unlock(header=header_read(io.BytesIO(data)), private_key=keys[user.pk],
                               platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=user.organisation.uscc)
            for user, data in zip(bidders, envelopes)]


def opening_time(lot, custodians, bidders, parts: list[bytes]) -> dict:
    """Seconds of the k-th share (window opened), of the releases before the last, and of the last
    release (which opens every bid and publishes the record), and their sum. With --profile, where
    the releases and the last one spend their time is printed after the timing."""
    from bidding.sealed.models import Bid, OpeningSession
    from bidding.sealed.services.hall import part_release
    from bidding.sealed.services.opening import opening_start, share_present

    session = opening_start(lot_id=lot.pk, actor="system:bench")
    if session is None:
        raise SystemExit("opening_start failed the lot (too few bids?)")
    share_present(session_id=session.pk, user=custodians[0], passphrase=PASSPHRASE)
    profiles = []

    def profiled(title: str, function) -> None:
        if not PROFILE:
            function()
            return
        profiler = cProfile.Profile()
        profiles.append((title, profiler))
        profiler.enable()
        try:
            function()
        finally:
            profiler.disable()

    def releases() -> None:
        for user, part in zip(bidders[:-1], parts[:-1]):
            part_release(lot_id=lot.pk, user=user, part=part)

    started = time.perf_counter()
    share_present(session_id=session.pk, user=custodians[1], passphrase=PASSPHRASE)
    shared = time.perf_counter()
    session.refresh_from_db()
    if session.status != OpeningSession.Status.DECRYPTION_WINDOW:
        raise SystemExit(f"the k-th share did not open the decryption window: {session.status}")
    window = time.perf_counter()  # the check above is not the platform's time
    profiled(f"{len(bidders) - 1:,} releases before the last", releases)
    released = time.perf_counter()
    profiled("the last release, opening every bid",
             lambda: part_release(lot_id=lot.pk, user=bidders[-1], part=parts[-1]))
    ended = time.perf_counter()
    for title, profiler in profiles:
        progress(f"--- profile: {title}")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    session.refresh_from_db()
    if session.status != OpeningSession.Status.RECORD_PUBLISHED:
        raise SystemExit(f"the last release did not publish the record: {session.status}")
    opened = Bid.objects.filter(lot=lot, status=Bid.Status.OPENED).count()
    total = Bid.objects.filter(lot=lot).count()
    if opened != total:
        raise SystemExit(f"only {opened} of {total} bids opened")
    share, releases_seconds, final = shared - started, released - window, ended - released
    return {"seconds": share + releases_seconds + final, "share": share, "releases": releases_seconds,
            "final": final}


def crypto_floor(envelopes: list[bytes], private_key, parts: list[bytes], infos: list[tuple]) -> float:
    """Seconds for the bare crypto of opening ``envelopes`` once with their released parts (no I/O,
    no form checks beyond parsing). ``infos``: each envelope's three ``info`` strings, of the lot
    part's HPKE, of the commitment (its prefix) and of the inner key's HKDF."""
    from cryptography.hazmat.primitives import hashes, hpke
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    from bidding.crypto.canonical import b64url_decode

    suite = hpke.Suite(hpke.KEM.P256, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
    started = time.perf_counter()
    for index, data in enumerate(envelopes):
        lot_info, commit_info, key_info = infos[index]
        part = parts[index]
        hashlib.sha256(data).digest()  # the receipt's hash
        header_len = int.from_bytes(data[4:8], "big")
        header_bytes = data[8:8 + header_len]
        header = json.loads(header_bytes)
        if hashlib.sha256(commit_info + part).digest() != b64url_decode(header["bidder_commit"]):
            raise SystemExit("floor: a bidder part is not the committed one")
        lot_part = suite.decrypt(b64url_decode(header["lot_enc"]) + b64url_decode(header["lot_sealed"]),
                                 private_key, info=lot_info)
        inner_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=key_info).derive(lot_part + part)
        inner = json.loads(AESGCM(inner_key).decrypt(bytes(12), b64url_decode(header["inner"]), b"PBE2"))
        segments_floor(data, header_len, header, inner, aad=b"PBE2" + hashlib.sha256(header_bytes).digest())
    return time.perf_counter() - started


def releases_floor(parts: list[bytes], commits: list[bytes], commit_infos: list[bytes], usccs: list[str]) -> float:
    """Seconds for the releases' bare work, every release but the last (as timed): the SHA-256 of the
    part against the envelope's commitment, then one transaction on the same PostgreSQL server, with
    bare psycopg, inserting the release and its audit row (hash-chained to the one before)."""
    with psycopg.connect(libpq_url(os.environ["DATABASE_URL"])) as conn:
        conn.execute("CREATE TABLE floor_release (bid bigint PRIMARY KEY, part bytea, at timestamptz)")
        conn.execute("CREATE TABLE floor_audit (id bigserial PRIMARY KEY, at timestamptz, kind text, data jsonb,"
                     " prev_hash text, hash text)")
        conn.commit()
        prev, count = "0" * 64, len(parts) - 1
        started = time.perf_counter()
        for index in range(count):
            part = parts[index]
            if hashlib.sha256(commit_infos[index] + part).digest() != commits[index]:
                raise SystemExit("floor: a bidder part is not the committed one")
            data = json.dumps({"bidder": usccs[index], "released": index + 1, "locked": count + 1})
            digest = hashlib.sha256(f"{prev}|opening.part_released|{data}".encode()).hexdigest()
            sealed = os.urandom(12) + part + bytes(16)  # as kept: nonce, the part, a tag's length
            conn.execute("INSERT INTO floor_release VALUES (%s, %s, now())", (index, sealed))
            conn.execute("INSERT INTO floor_audit (at, kind, data, prev_hash, hash)"
                         " VALUES (now(), 'opening.part_released', %s::jsonb, %s, %s)", (data, prev, digest))
            conn.commit()
            prev = digest
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE floor_release, floor_audit")
        conn.commit()
    return elapsed


def opener_in_memory(envelopes: list[bytes], private_key, parts: list[bytes], lot, usccs: list[str]) -> float:
    """Seconds for the platform's opener (``open_envelope_v2``) over the same bytes in memory."""
    from django.conf import settings

    from bidding.crypto.envelope_v2 import open_envelope_v2

    started = time.perf_counter()
    for data, part, uscc in zip(envelopes, parts, usccs):
        open_envelope_v2(stream=io.BytesIO(data), private_key=private_key, bidder_part=part,
                         platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=uscc)
    return time.perf_counter() - started


def backend_run(name: str, custodians, bidders, code: str, *, threads: int) -> dict:
    from django.conf import settings

    from bidding.crypto.canonical import b64url_decode
    from bidding.crypto.envelope_v2 import BIDDER_COMMIT, INNER_KEY, LOT_PART, header_read, part_info

    progress(f"{name}: publishing a lot, {len(bidders):,} v2 bids of {FILE_SIZE // 1024} KiB with bidder keys")
    lot = lot_make(custodians, code)
    keys: dict = {}
    envelopes = bids_submit(lot, bidders, threads=threads, seal=sealer(keys))
    lot_close(lot)
    parts = parts_unlock(lot, bidders, envelopes, keys)
    progress(f"{name}: opening (timing the k-th share_present and every bidder's part_release)")
    times = opening_time(lot, custodians, bidders, parts)
    count, size = len(envelopes), sum(map(len, envelopes))
    progress(f"{name}: opened {count:,} v2 bids in {times['seconds']:.2f} s: k-th share (window opened) "
             f"{times['share'] * 1000:.0f} ms, {count - 1:,} releases {times['releases']:.2f} s "
             f"({(count - 1) / times['releases']:,.0f}/s, {times['releases'] / (count - 1) * 1000:.1f} ms each), "
             f"the last release opening every bid {times['final']:.2f} s "
             f"({count / times['final']:,.0f} bids/s, {size / times['final'] / 1e6:,.0f} MB/s)")
    private_key = opening_private_key(lot, custodians)
    usccs = [user.organisation.uscc for user in bidders]
    infos = [tuple(part_info(label, platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=u)
                   for label in (LOT_PART, BIDDER_COMMIT, INNER_KEY)) for u in usccs]
    floor = min(crypto_floor(envelopes, private_key, parts, infos) for _ in range(FLOOR_PASSES))
    commits = [b64url_decode(json.loads(header_read(io.BytesIO(data)))["bidder_commit"]) for data in envelopes]
    release_floor = min(releases_floor(parts, commits, [info[1] for info in infos], usccs)
                        for _ in range(FLOOR_PASSES))
    opener = min(opener_in_memory(envelopes, private_key, parts, lot, usccs) for _ in range(FLOOR_PASSES))
    progress(f"  floor, bare crypto (SHA-256 of envelope + HPKE open of the lot part + SHA-256 commitment of the "
             f"bidder part + HKDF + AES-256-GCM of the inner + AES-256-GCM segments + SHA-256 of file), in memory: "
             f"{floor:.3f} s; ratio {times['seconds'] / floor:.1f}× (the last release alone "
             f"{times['final'] / floor:.1f}×)")
    progress(f"  for comparison, the platform's open_envelope_v2 over the same bytes in memory: {opener:.3f} s "
             f"({opener / floor:.1f}× the floor)")
    progress(f"  the releases' floor (commitment SHA-256 + one bare psycopg transaction inserting the release and "
             f"its audit row, each): {release_floor:.3f} s for {count - 1:,}; the releases "
             f"{times['releases'] / release_floor:.1f}× it; the whole opening "
             f"{times['seconds'] / (floor + release_floor):.1f}× both floors together")
    return {"bids": count, **times, "floor": floor, "opener_in_memory": opener, "releases_floor": release_floor,
            "envelope_bytes": size}


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0], bids=1000, s3_bids=S3_BIDS)
    results, unwrap = backends_run(args, bench_db=BENCH_DB, backend_run=backend_run)
    rows = []
    for backend, label in (("file", "file backend"), ("s3", "S3 backend (moto_server, TLS)")):
        if backend not in results:
            continue
        r = results[backend]
        figure = f"opening {r['bids']:,} sealed v2 bids of 256 KiB (bidders' own locks), {label}"
        rows += [
            {"figure": f"{figure}: k-th share, every bidder's release, the opening",
             "value": round(r["seconds"] * 1000), "unit": "ms", "floor": round(r["floor"] * 1000)},
            {"figure": f"{figure}: the last release, opening every bid", "value": round(r["final"] * 1000),
             "unit": "ms", "floor": round(r["floor"] * 1000)},
            {"figure": f"{figure}: the {r['bids'] - 1:,} releases before it", "value": round(r["releases"] * 1000),
             "unit": "ms", "floor": round(r["releases_floor"] * 1000)},
        ]
    print(json.dumps({
        "bench": "opening_v2",
        "custodian_unwrap_ms": round(unwrap * 1000),
        **{(f"{backend}_{key}_ms" if key in TIMES else f"{backend}_{key}"):
           (round(value * 1000) if key in TIMES else value)
           for backend, r in results.items() for key, value in r.items()},
        "rows": rows,
    }))


if __name__ == "__main__":
    main()
