"""Sealed-bid envelope v2 (``docs/envelope.md``, "Version 2"): a bid with a second lock the bidder holds.

The inner object (content key, price form, files: exactly v1's) is sealed with AES-256-GCM under a
key derived with HKDF-SHA256 from two random 32-byte parts: the **lot part**, sealed with HPKE to the
lot's opening key, and the **bidder part**, sealed with HPKE to the bidder's own encryption key. The
header commits to the bidder part (a SHA-256), so a part the bidder releases is checked on the spot
and no bidder can hold two parts that open two different bids. The segments are v1's, under the
magic "PBE2". Streaming and memory are as in v1: the form check counts the segments, the opener
holds two of them.

Who does what: the bidder's side unlocks its part (``bidder_part_unlock``) with its private key and
releases it; the platform checks a released part (``bidder_part_check``) and, once the custodians
have rebuilt the lot key, opens the envelope (``open_envelope_v2``) with both.
"""
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .canonical import CanonicalError, b64url_decode, b64url_encode, canonical_parse, is_int
from .envelope import (
    ENC_SIZE,
    HPKE_SUITE,
    MAX_SEALED,
    SEGMENT_SIZES,
    SUITE,
    TAG,
    CheckingReader,
    Code,
    EnvelopeError,
    FileEntry,
    HashingReader,
    Opened,
    Writable,
    _FormChecker,
    header_len_check,
    inner_check,
    point_valid,
    receipt_checked,
    stream_open,
)

MAGIC = b"PBE2"
INFO_PREFIX = "platform-bid-envelope|v2|"
PART_SIZE = 32
SEALED_PART_SIZE = PART_SIZE + TAG
COMMIT_SIZE = 32
# The inner is the only message ever sealed under its key (fresh parts per envelope): a fixed nonce is safe.
INNER_NONCE = bytes(12)
INNER_AAD = MAGIC
HEADER_KEYS = frozenset({"v", "platform", "lot", "bidder", "suite", "segment_size", "bidder_key", "lot_enc",
                         "lot_sealed", "bidder_enc", "bidder_sealed", "bidder_commit", "inner"})
# The labels of ``info``: each part, the inner key and the commitment get their own.
LOT_PART, BIDDER_PART, INNER_KEY, BIDDER_COMMIT = "lot-part", "bidder-part", "inner-key", "bidder-commit"
_LABELS = frozenset({LOT_PART, BIDDER_PART, INNER_KEY, BIDDER_COMMIT})
_FINGERPRINT = re.compile(r"[A-Za-z0-9_-]{43}")


def part_info(label: str, *, platform: str, lot: str, bidder: str) -> bytes:
    """``info`` of one use: ``platform-bid-envelope|v2|<label>|<platform>|<lot>|<bidder>``."""
    if label not in _LABELS:
        raise ValueError(f"unknown label {label!r}")
    if not re.fullmatch(r"[1-9][0-9]*", lot) or any("|" in part or not part for part in (platform, bidder)):
        raise ValueError("platform and bidder must be non-empty without '|', lot decimal digits")
    return f"{INFO_PREFIX}{label}|{platform}|{lot}|{bidder}".encode("utf-8")


def public_raw(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def key_fingerprint(public_key: ec.EllipticCurvePublicKey | bytes) -> str:
    """A P-256 public key's fingerprint: base64url of SHA-256 of its 65-byte uncompressed point."""
    raw = public_key if isinstance(public_key, bytes) else public_raw(public_key)
    return b64url_encode(hashlib.sha256(raw).digest())


def bidder_commit(part: bytes, *, platform: str, lot: str, bidder: str) -> bytes:
    """SHA-256(info("bidder-commit") ‖ part): binds the envelope to one bidder part."""
    return hashlib.sha256(part_info(BIDDER_COMMIT, platform=platform, lot=lot, bidder=bidder) + part).digest()


def inner_key(lot_part: bytes, bidder_part: bytes, *, platform: str, lot: str, bidder: str) -> bytes:
    """HKDF-SHA256 (RFC 5869; no salt, i.e. 32 zero bytes) of lot part ‖ bidder part, info("inner-key")."""
    if len(lot_part) != PART_SIZE or len(bidder_part) != PART_SIZE:
        raise ValueError("each part is 32 bytes")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=part_info(INNER_KEY, platform=platform, lot=lot, bidder=bidder)).derive(lot_part + bidder_part)


def segment_aad(header: bytes) -> bytes:
    return MAGIC + hashlib.sha256(header).digest()


@dataclass(frozen=True)
class EnvelopeHeaderV2:
    platform: str
    lot: str
    bidder: str
    segment_size: int
    bidder_key: str
    lot_enc: bytes
    lot_sealed: bytes
    bidder_enc: bytes
    bidder_sealed: bytes
    bidder_commit: bytes
    inner: bytes
    header: bytes  # the exact header bytes, hashed into every segment's aad
    sha256: str = ""  # of every byte read by the form check: what the receipt signs
    size: int = 0


def header_check(header: bytes, *, platform: str, lot: str, bidder: str,
                 bidder_key: str | None) -> EnvelopeHeaderV2:
    """The header's form; ``bidder_key`` (a fingerprint) is the registered key, or None not to compare."""
    try:
        fields = canonical_parse(header)
    except CanonicalError as error:
        raise EnvelopeError(Code.BAD_HEADER, str(error)) from None
    if not isinstance(fields, dict) or fields.keys() != HEADER_KEYS:
        raise EnvelopeError(Code.BAD_HEADER, f"the header must have exactly the keys {sorted(HEADER_KEYS)}")
    binary = ("lot_enc", "lot_sealed", "bidder_enc", "bidder_sealed", "bidder_commit", "inner")
    texts = ("platform", "lot", "bidder", "suite", "bidder_key", *binary)
    if not all(isinstance(fields[name], str) for name in texts) or not is_int(fields["segment_size"]):
        raise EnvelopeError(Code.BAD_HEADER, "a header field has the wrong type")
    if not is_int(fields["v"]) or fields["v"] != 2 or fields["suite"] != SUITE:
        raise EnvelopeError(Code.BAD_HEADER, "not a version 2 envelope of suite " + SUITE)
    if fields["segment_size"] not in SEGMENT_SIZES:
        raise EnvelopeError(Code.BAD_HEADER, "segment_size is not a power of two from 4096 to 4194304")
    if not _FINGERPRINT.fullmatch(fields["bidder_key"]):
        raise EnvelopeError(Code.BAD_HEADER, "bidder_key is not a SHA-256 in base64url")
    try:
        values = {name: b64url_decode(fields[name]) for name in binary + ("bidder_key",)}
    except CanonicalError as error:
        raise EnvelopeError(Code.BAD_HEADER, f"a binary field: {error}") from None
    for name in ("lot_enc", "bidder_enc"):
        if len(values[name]) != ENC_SIZE or not point_valid(values[name]):
            raise EnvelopeError(Code.BAD_HEADER, f"{name} is not an uncompressed P-256 point")
    for name in ("lot_sealed", "bidder_sealed"):
        if len(values[name]) != SEALED_PART_SIZE:
            raise EnvelopeError(Code.BAD_HEADER, f"{name} must be {SEALED_PART_SIZE} bytes")
    if len(values["bidder_commit"]) != COMMIT_SIZE:
        raise EnvelopeError(Code.BAD_HEADER, "bidder_commit must be 32 bytes")
    if not TAG <= len(values["inner"]) <= MAX_SEALED:
        raise EnvelopeError(Code.BAD_HEADER, "inner must be 16 to 65536 bytes")
    for name, expected, code in (("platform", platform, Code.WRONG_PLATFORM), ("lot", lot, Code.WRONG_LOT),
                                 ("bidder", bidder, Code.WRONG_BIDDER)):
        if fields[name] != expected:
            raise EnvelopeError(code, f"the envelope is for {name} {fields[name]!r}, not {expected!r}")
    if bidder_key is not None and fields["bidder_key"] != bidder_key:
        raise EnvelopeError(Code.WRONG_BIDDER_KEY, "the bidder part is sealed to another key than the registered one")
    return EnvelopeHeaderV2(platform=platform, lot=lot, bidder=bidder, segment_size=fields["segment_size"],
                            bidder_key=fields["bidder_key"], lot_enc=values["lot_enc"],
                            lot_sealed=values["lot_sealed"], bidder_enc=values["bidder_enc"],
                            bidder_sealed=values["bidder_sealed"], bidder_commit=values["bidder_commit"],
                            inner=values["inner"], header=header)


class _FormCheckerV2(_FormChecker):
    magic = MAGIC

    def __init__(self, *, bidder_key: str, **expected):
        super().__init__(**expected)
        self._bidder_key = bidder_key

    def _header_check(self, header: bytes) -> EnvelopeHeaderV2:
        return header_check(header, bidder_key=self._bidder_key, **self._expected)


def form_check_v2(*, stream: BinaryIO, platform: str, lot: str, bidder: str, bidder_key: str,
                  max_size: int | None) -> EnvelopeHeaderV2:
    """The platform's submission check of a v2 envelope, reading ``stream`` once to its end.
    ``bidder_key`` is the fingerprint of the encryption key registered for the bidder."""
    checker = _FormCheckerV2(platform=platform, lot=lot, bidder=bidder, bidder_key=bidder_key, max_size=max_size)
    while chunk := stream.read(1 << 20):
        checker.feed(chunk)
    return checker.finish()


class CheckingReaderV2(CheckingReader):
    """``CheckingReader`` for v2: storing and checking in one pass, the registered key compared."""

    def __init__(self, stream: BinaryIO, *, platform: str, lot: str, bidder: str, bidder_key: str,
                 max_size: int | None):
        self._bidder_key = bidder_key
        super().__init__(stream, platform=platform, lot=lot, bidder=bidder, max_size=max_size)

    def _checker_make(self, **expected) -> _FormCheckerV2:
        return _FormCheckerV2(bidder_key=self._bidder_key, **expected)


def header_read(stream: BinaryIO) -> bytes:
    """The exact header bytes at the start of a v2 envelope (what the bidder's side needs to unlock)."""
    reader = HashingReader(stream)
    return _header_bytes(reader)


def _header_bytes(reader: HashingReader) -> bytes:
    prefix = reader.read_exact(8)
    if prefix[:4] != MAGIC:
        raise EnvelopeError(Code.BAD_MAGIC, "not a PBE2 envelope")
    if len(prefix) < 8:
        raise EnvelopeError(Code.BAD_HEADER, "the envelope ends inside its header")
    length = header_len_check(prefix[4:8])
    header = reader.read_exact(length)
    if len(header) < length:
        raise EnvelopeError(Code.BAD_HEADER, "the envelope ends inside its header")
    return header


def _header_of(header: bytes | EnvelopeHeaderV2, platform: str, lot: str, bidder: str) -> EnvelopeHeaderV2:
    if isinstance(header, EnvelopeHeaderV2):
        if (header.platform, header.lot, header.bidder) != (platform, lot, bidder):
            raise EnvelopeError(Code.WRONG_BIDDER, "the header is of another platform, lot or bidder")
        return header
    return header_check(header, platform=platform, lot=lot, bidder=bidder, bidder_key=None)


def bidder_part_unlock(*, header: bytes | EnvelopeHeaderV2, private_key: ec.EllipticCurvePrivateKey,
                       platform: str, lot: str, bidder: str) -> bytes:
    """The bidder's side: open its part with its own encryption key and check it against the
    header's commitment before releasing it. Raises ``wrong_bidder_key`` when the envelope is sealed
    to another key, ``decrypt_failed`` or ``bidder_part_mismatch`` when the part does not open or
    is not the committed one (the bidder's sealer made a broken envelope)."""
    checked = _header_of(header, platform, lot, bidder)
    if checked.bidder_key != key_fingerprint(private_key.public_key()):
        raise EnvelopeError(Code.WRONG_BIDDER_KEY, "this envelope's bidder part is sealed to another key")
    try:
        part = HPKE_SUITE.decrypt(checked.bidder_enc + checked.bidder_sealed, private_key,
                                  info=part_info(BIDDER_PART, platform=platform, lot=lot, bidder=bidder))
    except (InvalidTag, ValueError):
        raise EnvelopeError(Code.DECRYPT_FAILED, "the bidder part does not open with this key, lot and bidder") from None
    bidder_part_check(header=checked, part=part, platform=platform, lot=lot, bidder=bidder)
    return part


def bidder_part_check(*, header: bytes | EnvelopeHeaderV2, part: bytes, platform: str, lot: str,
                      bidder: str) -> None:
    """The platform's check of a released bidder part: the one the envelope commits to, or
    ``bidder_part_mismatch``. Needs no key: it can be done the moment the part arrives."""
    checked = _header_of(header, platform, lot, bidder)
    if len(part) != PART_SIZE or not hmac.compare_digest(
            bidder_commit(part, platform=platform, lot=lot, bidder=bidder), checked.bidder_commit):
        raise EnvelopeError(Code.BIDDER_PART_MISMATCH, "the bidder part is not the one this envelope commits to")


def lot_part_open(*, header: bytes | EnvelopeHeaderV2, private_key: ec.EllipticCurvePrivateKey, platform: str,
                  lot: str, bidder: str) -> bytes:
    """The lot part, with the rebuilt opening key; ``decrypt_failed`` when it does not open."""
    checked = _header_of(header, platform, lot, bidder)
    try:
        part = HPKE_SUITE.decrypt(checked.lot_enc + checked.lot_sealed, private_key,
                                  info=part_info(LOT_PART, platform=platform, lot=lot, bidder=bidder))
    except (InvalidTag, ValueError):
        raise EnvelopeError(Code.DECRYPT_FAILED, "the lot part does not open with this lot's key, lot and bidder") from None
    if len(part) != PART_SIZE:
        raise EnvelopeError(Code.DECRYPT_FAILED, "the lot part is not 32 bytes")
    return part


def inner_open(*, header: EnvelopeHeaderV2, lot_part: bytes, bidder_part: bytes) -> bytes:
    """The inner JSON bytes from both parts; ``decrypt_failed`` when they do not open it."""
    key = inner_key(lot_part, bidder_part, platform=header.platform, lot=header.lot, bidder=header.bidder)
    try:
        return AESGCM(key).decrypt(INNER_NONCE, header.inner, INNER_AAD)
    except InvalidTag:
        raise EnvelopeError(Code.DECRYPT_FAILED, "the inner does not open with these two parts") from None


def open_envelope_v2(*, stream: BinaryIO, private_key: ec.EllipticCurvePrivateKey, bidder_part: bytes,
                     platform: str, lot: str, bidder: str, bidder_key: str | None = None,
                     envelope_sha256: str | None = None,
                     files_out: Callable[[int, FileEntry], Writable] | None = None) -> Opened:
    """Decrypt and check everything with the lot's rebuilt key and the part the bidder released.

    ``bidder_key`` (the registered key's fingerprint) is compared when given. ``envelope_sha256``
    and ``files_out`` as in v1's ``open_envelope``: the receipt hash is decided first on failure.
    """
    def opener(reader: HashingReader) -> Opened:
        header_bytes = _header_bytes(reader)
        header = header_check(header_bytes, platform=platform, lot=lot, bidder=bidder, bidder_key=bidder_key)
        bidder_part_check(header=header, part=bidder_part, platform=platform, lot=lot, bidder=bidder)
        lot_part = lot_part_open(header=header, private_key=private_key, platform=platform, lot=lot, bidder=bidder)
        key, price_form, entries = inner_check(inner_open(header=header, lot_part=lot_part, bidder_part=bidder_part))
        return stream_open(reader, key=key, segment_size=header.segment_size, aad=segment_aad(header_bytes),
                           price_form=price_form, entries=entries, files_out=files_out)

    return receipt_checked(stream, envelope_sha256, opener)
