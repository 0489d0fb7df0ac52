"""The sealing side of the bid envelope (``docs/envelope.md``): ``seal()`` (v1) and ``seal_v2()`` write
an envelope from a price form and files, reading each file twice (its SHA-256 precedes the segments) and never holding
more than one segment. The format itself, its checks and the opener are in ``envelope``."""
import hashlib
import os
from collections.abc import Sequence
from typing import BinaryIO

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bidding.crypto import envelope_v2 as v2
from bidding.crypto.canonical import b64url_encode, canonical_json, is_int
from bidding.crypto.envelope import (
    DEFAULT_SEGMENT_SIZE,
    ENC_SIZE,
    HPKE_SUITE,
    MAGIC,
    MAX_HEADER,
    MAX_SEALED,
    MAX_SEGMENTS,
    READ_SIZE,
    SEGMENT_SIZES,
    SUITE,
    Code,
    EnvelopeError,
    FileEntry,
    SealResult,
    Writable,
    bid_info,
    files_check,
    price_form_check,
    segment_aad,
    segment_nonce,
)


def seal(*, public_key: ec.EllipticCurvePublicKey, platform: str, lot: str, bidder: str, price_form: dict,
         files: Sequence[tuple[str, BinaryIO, int]], out: Writable,
         segment_size: int = DEFAULT_SEGMENT_SIZE) -> SealResult:
    """Write an envelope to ``out`` and return its SHA-256 and size.

    Each file is read twice (its SHA-256 goes into the inner, which precedes the segments), so it
    must be seekable; reading starts at its current position. A file that changes between the two
    reads raises ``seal_input``: its envelope could never open. On any error ``out`` holds a
    partial envelope and must be discarded.
    """
    info = bid_info(platform=platform, lot=lot, bidder=bidder)
    key, inner, starts, entries = _inner_make(price_form, files, segment_size)
    sealed_blob = HPKE_SUITE.encrypt(inner, public_key, info=info)
    if len(sealed_blob) - ENC_SIZE > MAX_SEALED:
        raise EnvelopeError(Code.SEAL_INPUT, "too many files or items: the sealed inner exceeds 65536 bytes")
    header = canonical_json({"v": 1, "platform": platform, "lot": lot, "bidder": bidder, "suite": SUITE,
                             "segment_size": segment_size, "enc": b64url_encode(sealed_blob[:ENC_SIZE]),
                             "sealed": b64url_encode(sealed_blob[ENC_SIZE:])})
    return _envelope_write(out, magic=MAGIC, header=header, aad=segment_aad(header), key=key, files=files,
                           starts=starts, entries=entries, segment_size=segment_size)


def seal_v2(*, lot_public_key: ec.EllipticCurvePublicKey, bidder_public_key: ec.EllipticCurvePublicKey,
            platform: str, lot: str, bidder: str, price_form: dict, files: Sequence[tuple[str, BinaryIO, int]],
            out: Writable, segment_size: int = DEFAULT_SEGMENT_SIZE) -> SealResult:
    """Write a version 2 envelope (``docs/envelope.md``, "Version 2") to ``out``: the inner sealed
    under a key that needs both the lot part (HPKE to ``lot_public_key``) and the bidder part (HPKE
    to ``bidder_public_key``, the encryption key registered for the bidder). Files as in ``seal``."""
    for public_key in (lot_public_key, bidder_public_key):
        if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != "secp256r1":
            raise ValueError("the lot key and the bidder key are P-256 public keys")
    names = {"platform": platform, "lot": lot, "bidder": bidder}
    lot_info, bidder_info = v2.part_info(v2.LOT_PART, **names), v2.part_info(v2.BIDDER_PART, **names)
    key, inner, starts, entries = _inner_make(price_form, files, segment_size)
    lot_part, bidder_part = os.urandom(v2.PART_SIZE), os.urandom(v2.PART_SIZE)
    lot_blob = HPKE_SUITE.encrypt(lot_part, lot_public_key, info=lot_info)
    bidder_blob = HPKE_SUITE.encrypt(bidder_part, bidder_public_key, info=bidder_info)
    inner_sealed = AESGCM(v2.inner_key(lot_part, bidder_part, **names)).encrypt(v2.INNER_NONCE, inner, v2.INNER_AAD)
    if len(inner_sealed) > MAX_SEALED:
        raise EnvelopeError(Code.SEAL_INPUT, "too many files or items: the sealed inner exceeds 65536 bytes")
    header = canonical_json({
        "v": 2, "platform": platform, "lot": lot, "bidder": bidder, "suite": SUITE, "segment_size": segment_size,
        "bidder_key": v2.key_fingerprint(bidder_public_key),
        "lot_enc": b64url_encode(lot_blob[:ENC_SIZE]), "lot_sealed": b64url_encode(lot_blob[ENC_SIZE:]),
        "bidder_enc": b64url_encode(bidder_blob[:ENC_SIZE]), "bidder_sealed": b64url_encode(bidder_blob[ENC_SIZE:]),
        "bidder_commit": b64url_encode(v2.bidder_commit(bidder_part, **names)),
        "inner": b64url_encode(inner_sealed),
    })
    if len(header) > MAX_HEADER:
        raise EnvelopeError(Code.SEAL_INPUT, "too many files or items: the header exceeds 65536 bytes")
    return _envelope_write(out, magic=v2.MAGIC, header=header, aad=v2.segment_aad(header), key=key, files=files,
                           starts=starts, entries=entries, segment_size=segment_size)


def _inner_make(price_form: dict, files: Sequence[tuple[str, BinaryIO, int]],
                segment_size: int) -> tuple[bytes, bytes, list[int], list[FileEntry]]:
    """A fresh content key and the inner JSON (every version's), after the first pass over the files."""
    if segment_size not in SEGMENT_SIZES:
        raise ValueError(f"segment_size must be a power of two from 4096 to 4194304, not {segment_size}")
    form = price_form_check(price_form=price_form, code=Code.SEAL_INPUT)
    starts, entries = [], []
    for name, fileobj, size in files:
        start, digest = _file_digest(fileobj, size, name)
        starts.append(start)
        entries.append(FileEntry(name=name, size=size, sha256=digest))
    files_check(entries, Code.SEAL_INPUT)
    if max(1, -(-sum(entry.size for entry in entries) // segment_size)) > MAX_SEGMENTS:
        raise EnvelopeError(Code.SEAL_INPUT, "the files need more than 2**32 segments")
    key = AESGCM.generate_key(bit_length=256)
    inner = canonical_json({"key": b64url_encode(key), "price_form": form,
                            "files": [{"name": e.name, "size": e.size, "sha256": e.sha256} for e in entries]})
    return key, inner, starts, entries


def _envelope_write(out: Writable, *, magic: bytes, header: bytes, aad: bytes, key: bytes,
                    files: Sequence[tuple[str, BinaryIO, int]], starts: list[int], entries: list[FileEntry],
                    segment_size: int) -> SealResult:
    count = max(1, -(-sum(entry.size for entry in entries) // segment_size))
    writer = _HashingWriter(out)
    writer.write(magic + len(header).to_bytes(4, "big") + header)
    aead = AESGCM(key)
    pending, index = bytearray(), 0
    for chunk in _second_pass(files, starts, entries, segment_size):
        pending += chunk
        # The last segment is written after the loop, so a stream of exactly k segments ends on a
        # full last segment rather than on an extra empty one.
        while len(pending) >= segment_size and index < count - 1:
            writer.write(aead.encrypt(segment_nonce(index, last=False), bytes(pending[:segment_size]), aad))
            del pending[:segment_size]
            index += 1
    writer.write(aead.encrypt(segment_nonce(index, last=True), bytes(pending), aad))
    return SealResult(sha256=writer.hash.hexdigest(), size=writer.size)


def _file_digest(fileobj: BinaryIO, size: int, name: str) -> tuple[int, str]:
    if not is_int(size, low=0):
        raise EnvelopeError(Code.SEAL_INPUT, f"file {name!r}: size must be a non-negative integer")
    start, digest, seen = fileobj.tell(), hashlib.sha256(), 0
    while chunk := fileobj.read(READ_SIZE):
        digest.update(chunk)
        seen += len(chunk)
    if seen != size:
        raise EnvelopeError(Code.SEAL_INPUT, f"file {name!r} holds {seen} bytes, not the {size} declared")
    fileobj.seek(start)
    return start, digest.hexdigest()


def _second_pass(files: Sequence[tuple[str, BinaryIO, int]], starts: list[int], entries: list[FileEntry],
                 chunk_size: int):
    # Chunks of one segment keep the sealer's buffer under two segments.
    for (name, fileobj, size), start, entry in zip(files, starts, entries):
        fileobj.seek(start)
        digest, remaining = hashlib.sha256(), size
        while remaining:
            chunk = fileobj.read(min(remaining, chunk_size))
            if not chunk:
                break
            digest.update(chunk)
            remaining -= len(chunk)
            yield chunk
        if remaining or digest.hexdigest() != entry.sha256:
            raise EnvelopeError(Code.SEAL_INPUT, f"file {name!r} changed while it was being sealed")


class _HashingWriter:
    def __init__(self, out: Writable):
        self._out, self.hash, self.size = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self._out.write(data)
        self.hash.update(data)
        self.size += len(data)
