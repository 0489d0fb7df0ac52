"""Envelope v2 against v1 on one 100 MiB bid: seal, the submission's form check, and open.

A file of ``--mib`` MiB (default 100) of random bytes on disk is sealed to a lot key (v1) and to a lot
key and a bidder key (v2), each envelope written to disk; each is form-checked and opened (the
files' plaintext hashed, not kept), best of ``PASSES``. v2's open includes the bidder unlocking its
part (``bidder_part_unlock``) and the platform checking it, as the opening will.

Floor, measured in the same run: the crypto neither version can skip for this bid — AES-256-GCM of
the whole file in 64 KiB segments, SHA-256 of the file (the inner's file hash) and of the envelope
(the receipt's hash) — written directly against ``cryptography``/``hashlib``. The per-envelope work
v2 adds (a second HPKE seal/open, HKDF, SHA-256 of a part, AES-GCM of the small inner) is
microseconds beside it. The last line printed is JSON (see benchmarks/run_all.py).
"""
import argparse
import hashlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from bidding.crypto import envelope, envelope_v2 as v2  # noqa: E402
from bidding.crypto.sealing import seal, seal_v2  # noqa: E402

PASSES = 3
SEGMENT = 65536
NAMES = {"platform": "cn-bench-ggzy", "lot": "7", "bidder": "91310000MA1FL0000X"}
FORM = {"price": "1250000.00", "period_days": 180, "items": {"质量": "合格"}}


class _Sink:
    def __init__(self):
        self.hash = hashlib.sha256()

    def write(self, data):
        self.hash.update(data)


def best(function) -> float:
    times = []
    for _ in range(PASSES):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def floor(path: Path) -> float:
    """AES-256-GCM of every 64 KiB segment, SHA-256 of the plaintext and of the ciphertext."""
    aead, nonce = AESGCM(AESGCM.generate_key(bit_length=256)), bytes(12)

    def run():
        plain, sealed = hashlib.sha256(), hashlib.sha256()
        with open(path, "rb") as source:
            while chunk := source.read(SEGMENT):
                plain.update(chunk)
                sealed.update(aead.encrypt(nonce, chunk, b""))
        return plain.digest(), sealed.digest()

    return best(run)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=100)
    size = parser.parse_args().mib * 1024 * 1024
    lot_key, bidder_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    fingerprint = v2.key_fingerprint(bidder_key.public_key())
    with tempfile.TemporaryDirectory() as directory:
        bid = Path(directory) / "bid.bin"
        with open(bid, "wb") as out:
            for _ in range(size // (1 << 20)):
                out.write(os.urandom(1 << 20))
        paths = {1: Path(directory) / "v1.pbe", 2: Path(directory) / "v2.pbe"}

        def sealer(version):
            def run():
                with open(bid, "rb") as source, open(paths[version], "wb") as out:
                    files = [("bid.bin", source, size)]
                    if version == 1:
                        seal(public_key=lot_key.public_key(), price_form=FORM, files=files, out=out, **NAMES)
                    else:
                        seal_v2(lot_public_key=lot_key.public_key(), bidder_public_key=bidder_key.public_key(),
                                price_form=FORM, files=files, out=out, **NAMES)
            return run

        def checker(version):
            def run():
                with open(paths[version], "rb") as stream:
                    if version == 1:
                        envelope.form_check(stream=stream, max_size=None, **NAMES)
                    else:
                        v2.form_check_v2(stream=stream, bidder_key=fingerprint, max_size=None, **NAMES)
            return run

        def opener(version):
            def run():
                sink = _Sink()
                with open(paths[version], "rb") as stream:
                    if version == 1:
                        envelope.open_envelope(stream=stream, private_key=lot_key, files_out=lambda i, e: sink,
                                               **NAMES)
                        return
                    header = v2.header_read(stream)
                    part = v2.bidder_part_unlock(header=header, private_key=bidder_key, **NAMES)
                    v2.bidder_part_check(header=header, part=part, **NAMES)
                    stream.seek(0)
                    v2.open_envelope_v2(stream=stream, private_key=lot_key, bidder_part=part, bidder_key=fingerprint,
                                        files_out=lambda i, e: sink, **NAMES)
            return run

        figures = {}
        for version in (1, 2):
            figures[f"seal_v{version}"] = best(sealer(version))
            figures[f"check_v{version}"] = best(checker(version))
            figures[f"open_v{version}"] = best(opener(version))
        lowest = floor(bid)
        # The small per-envelope work alone (no files), to show what v2 adds.
        small = {}
        for version in (1, 2):
            out = io.BytesIO()
            start = time.perf_counter()
            for _ in range(200):
                out.seek(0)
                if version == 1:
                    seal(public_key=lot_key.public_key(), price_form=FORM, files=[], out=out, **NAMES)
                else:
                    seal_v2(lot_public_key=lot_key.public_key(), bidder_public_key=bidder_key.public_key(),
                            price_form=FORM, files=[], out=out, **NAMES)
            small[version] = (time.perf_counter() - start) / 200 * 1e6
    mib = size // (1024 * 1024)
    for name in ("seal", "check", "open"):
        print(f"{name} {mib} MiB: v1 {figures[name + '_v1']:,.0f} ms, v2 {figures[name + '_v2']:,.0f} ms "
              f"(v2/v1 {figures[name + '_v2'] / figures[name + '_v1']:.2f})")
    print(f"  floor, AES-256-GCM + SHA-256 of the file + SHA-256 of the ciphertext: {lowest:,.0f} ms")
    print(f"seal of an envelope without files: v1 {small[1]:,.0f} µs, v2 {small[2]:,.0f} µs")
    print(json.dumps({
        "bench": "envelope_v2", "mib": mib, **{key: round(value) for key, value in figures.items()},
        "floor_ms": round(lowest), "seal_empty_v1_us": round(small[1]), "seal_empty_v2_us": round(small[2]),
        "rows": [
            {"figure": f"seal {mib} MiB, envelope v1", "value": round(figures["seal_v1"]), "unit": "ms",
             "floor": round(lowest)},
            {"figure": f"seal {mib} MiB, envelope v2", "value": round(figures["seal_v2"]), "unit": "ms",
             "floor": round(lowest)},
            {"figure": f"open {mib} MiB, envelope v1", "value": round(figures["open_v1"]), "unit": "ms",
             "floor": round(lowest)},
            {"figure": f"open {mib} MiB, envelope v2 (bidder part unlocked and checked)",
             "value": round(figures["open_v2"]), "unit": "ms", "floor": round(lowest)},
        ],
    }))


if __name__ == "__main__":
    main()
