"""The lot archive's format (bidding/crypto/archive.py, docs/archive.md): how fast an archive is
written and checked, and how much memory either holds, for a lot with one large document and a
few hundred small files (receipts, records).

- write: MB/s into a temporary file (CRC-32 and SHA-256 of every member, headers patched in place);
  floor: the same bytes copied into a file with SHA-256 alone.
- verify: MB/s of the full check (layout, signature, every member's CRC-32 and SHA-256, the whole
  file's SHA-256); floor: reading the file with SHA-256 alone.
- peak memory traced by Python while writing and while checking (the document is 256 MiB).

No database. The last line printed is JSON (see benchmarks/run_all.py).
"""
import hashlib
import io
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bidding.crypto.archive import ArchiveWriter, archive_verify  # noqa: E402

DOCUMENT = 256 << 20
SMALL_FILES = 300
CHUNK = 1 << 20
KEY = Ed25519PrivateKey.generate()
BODY = {"platform": "bench", "lot": {"id": 1, "code": "BENCH-1"}, "outcome": "contracted",
        "created_at": "2026-01-01T00:00:00.000000Z"}


class Pattern(io.RawIOBase):
    def __init__(self, size: int):
        self.left = size
        self.block = bytes(range(256)) * (CHUNK // 256)

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left, len(self.block))
        buffer[:n] = self.block[:n]
        self.left -= n
        return n


def write(out) -> int:
    writer = ArchiveWriter(out)
    for i in range(SMALL_FILES):
        writer.add(f"bids/receipts/{i:04d}.json", json.dumps({"receipt": i, "sha256": "0" * 64}).encode())
    writer.add("documents/v1/drawings.pdf", io.BufferedReader(Pattern(DOCUMENT), CHUNK))
    writer.finish(body=BODY, sign=KEY.sign)
    return out.tell()


def floor_write(out) -> None:
    digest, source = hashlib.sha256(), io.BufferedReader(Pattern(DOCUMENT), CHUNK)
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        out.write(chunk)
    out.flush()


def floor_read(file) -> None:
    file.seek(0)
    digest = hashlib.sha256()
    while chunk := file.read(CHUNK):
        digest.update(chunk)


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def traced(work) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main():
    megabytes = DOCUMENT / 1e6
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as plain:
        write_seconds = timed(lambda: write(out))
        floor_write_seconds = timed(lambda: floor_write(plain))
        verify_seconds = timed(lambda: archive_verify(out, KEY.public_key()))
        floor_read_seconds = timed(lambda: floor_read(plain))
        verify_peak = traced(lambda: archive_verify(out, KEY.public_key()))
    with tempfile.TemporaryFile() as out:
        write_peak = traced(lambda: write(out))
    rows = [
        {"figure": "archive: write (256 MiB document + 300 files)", "value": megabytes / write_seconds,
         "unit": "MB/s", "floor": megabytes / floor_write_seconds},
        {"figure": "archive: full offline check", "value": megabytes / verify_seconds, "unit": "MB/s",
         "floor": megabytes / floor_read_seconds},
        {"figure": "archive: peak memory writing", "value": write_peak / 2**20, "unit": "MiB", "floor": None},
        {"figure": "archive: peak memory checking", "value": verify_peak / 2**20, "unit": "MiB", "floor": None},
    ]
    for row in rows:
        print(f"{row['figure']}: {row['value']:.1f} {row['unit']}"
              + (f" (floor {row['floor']:.1f})" if row["floor"] else ""))
    print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    main()
