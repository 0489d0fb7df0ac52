"""Sealed-bid envelope v1 (``docs/envelope.md``): seal, check the form, open — all streaming.

Memory stays at a few segments whatever the bid's size: the sealer and the opener hold at most two
segments, the form check none (it only counts them).
"""
import enum
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .canonical import CanonicalError, b64url_decode, canonical_parse, is_int

MAGIC = b"PBE1"
SUITE = "P256-SHA256-AES256GCM"
INFO_PREFIX = "platform-bid-envelope|v1|"
TAG = 16
ENC_SIZE = 65
MAX_HEADER = 65536
MAX_SEALED = 65536
SEGMENT_SIZES = frozenset(2**power for power in range(12, 23))
DEFAULT_SEGMENT_SIZE = 65536
MAX_SEGMENTS = 2**32
HEADER_KEYS = frozenset({"v", "platform", "lot", "bidder", "suite", "segment_size", "enc", "sealed"})
HPKE_SUITE = hpke.Suite(hpke.KEM.P256, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
_PRICE = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]{1,2})?")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
READ_SIZE = 1 << 20


class Code(enum.StrEnum):
    # Form: refused at submission; see OPENING_FAULT for what they mean at the opening.
    BAD_MAGIC = "bad_magic"
    BAD_HEADER = "bad_header"
    WRONG_PLATFORM = "wrong_platform"
    WRONG_LOT = "wrong_lot"
    WRONG_BIDDER = "wrong_bidder"
    WRONG_BIDDER_KEY = "wrong_bidder_key"  # v2: sealed to another key than the registered one
    BAD_SEGMENTS = "bad_segments"
    TOO_LARGE = "too_large"
    # v2: a released bidder part that is not the one the envelope commits to.
    BIDDER_PART_MISMATCH = "bidder_part_mismatch"
    # Opening only.
    HASH_MISMATCH = "hash_mismatch"
    DECRYPT_FAILED = "decrypt_failed"
    BAD_INNER = "bad_inner"
    BAD_FORM = "bad_form"
    BAD_STREAM = "bad_stream"
    FILE_MISMATCH = "file_mismatch"
    # v2, opening only: the bidder part was not released in the decryption window, with the platform
    # available throughout (the bidder's fault), or after an outage in the window (the platform's).
    NOT_RELEASED = "not_released"
    NOT_RELEASED_OUTAGE = "not_released_outage"
    # Sealing only: the caller's input, nothing was produced that should be kept.
    SEAL_INPUT = "seal_input"


class Fault(enum.StrEnum):
    """Whose fault a failed opening is, under 电子招标投标办法 Art 31."""

    BIDDER = "bidder"  # 视为撤销其投标文件 (revoked)
    PLATFORM = "platform"  # 视为撤回其投标文件 (withdrawn)


# The opener checks the receipt hash first (see open_envelope), so every other failure is about
# the exact bytes the bidder's client sent. Form failures are still the platform's: it checked the
# form at submission and should have refused the bid while the bidder could still fix it.
OPENING_FAULT: dict[Code, Fault] = {
    Code.BAD_MAGIC: Fault.PLATFORM, Code.BAD_HEADER: Fault.PLATFORM, Code.WRONG_PLATFORM: Fault.PLATFORM,
    Code.WRONG_LOT: Fault.PLATFORM, Code.WRONG_BIDDER: Fault.PLATFORM, Code.BAD_SEGMENTS: Fault.PLATFORM,
    Code.TOO_LARGE: Fault.PLATFORM, Code.HASH_MISMATCH: Fault.PLATFORM, Code.WRONG_BIDDER_KEY: Fault.PLATFORM,
    Code.BIDDER_PART_MISMATCH: Fault.BIDDER,
    Code.DECRYPT_FAILED: Fault.BIDDER, Code.BAD_INNER: Fault.BIDDER, Code.BAD_FORM: Fault.BIDDER,
    Code.BAD_STREAM: Fault.BIDDER, Code.FILE_MISMATCH: Fault.BIDDER,
    Code.NOT_RELEASED: Fault.BIDDER, Code.NOT_RELEASED_OUTAGE: Fault.PLATFORM,
}


class EnvelopeError(ValueError):
    """``code`` is stable; ``message`` is plain English for logs (the service layer translates)."""

    def __init__(self, code: Code, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")

    @property
    def fault(self) -> Fault | None:
        """Whose fault it is when ``open_envelope`` raised it."""
        return OPENING_FAULT.get(self.code)


class Writable(Protocol):
    """Where an opened file goes: given each piece as a view of the decrypted segment (immutable
    bytes underneath), to copy only if it keeps it."""

    def write(self, data: bytes | memoryview, /) -> object: ...


@dataclass(frozen=True)
class FileEntry:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class SealResult:
    sha256: str
    size: int


@dataclass(frozen=True)
class EnvelopeHeader:
    platform: str
    lot: str
    bidder: str
    segment_size: int
    enc: bytes
    sealed: bytes
    header: bytes  # the exact header bytes, hashed into every segment's aad
    sha256: str = ""  # of every byte read: what the receipt signs
    size: int = 0


@dataclass(frozen=True)
class Opened:
    price_form: dict
    files: tuple[FileEntry, ...]
    plaintext_sha256: str
    envelope_sha256: str
    envelope_size: int


def bid_info(*, platform: str, lot: str, bidder: str) -> bytes:
    """HPKE ``info``. A ``|`` inside a part would make two different triples collide."""
    if not re.fullmatch(r"[1-9][0-9]*", lot) or any("|" in part or not part for part in (platform, bidder)):
        raise ValueError("platform and bidder must be non-empty without '|', lot decimal digits")
    return f"{INFO_PREFIX}{platform}|{lot}|{bidder}".encode("utf-8")


def segment_nonce(index: int, *, last: bool) -> bytes:
    return bytes(7) + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def segment_aad(header: bytes) -> bytes:
    return MAGIC + hashlib.sha256(header).digest()


def segment_area_valid(length: int, segment_size: int) -> bool:
    """``length`` = n·(segment_size + 16) + r with 16 ≤ r ≤ segment_size + 16, at most 2**32 segments."""
    full = segment_size + TAG
    return length >= TAG and not 0 < length % full < TAG and -(-length // full) <= MAX_SEGMENTS


def header_check(header: bytes, *, platform: str, lot: str, bidder: str) -> EnvelopeHeader:
    try:
        fields = canonical_parse(header)
    except CanonicalError as error:
        raise EnvelopeError(Code.BAD_HEADER, str(error)) from None
    if not isinstance(fields, dict) or fields.keys() != HEADER_KEYS:
        raise EnvelopeError(Code.BAD_HEADER, f"the header must have exactly the keys {sorted(HEADER_KEYS)}")
    texts = ("platform", "lot", "bidder", "suite", "enc", "sealed")
    if not all(isinstance(fields[name], str) for name in texts) or not is_int(fields["segment_size"]):
        raise EnvelopeError(Code.BAD_HEADER, "a header field has the wrong type")
    if not is_int(fields["v"]) or fields["v"] != 1 or fields["suite"] != SUITE:
        raise EnvelopeError(Code.BAD_HEADER, "not a version 1 envelope of suite " + SUITE)
    if fields["segment_size"] not in SEGMENT_SIZES:
        raise EnvelopeError(Code.BAD_HEADER, "segment_size is not a power of two from 4096 to 4194304")
    try:
        enc, sealed = b64url_decode(fields["enc"]), b64url_decode(fields["sealed"])
    except CanonicalError as error:
        raise EnvelopeError(Code.BAD_HEADER, f"enc or sealed: {error}") from None
    if len(enc) != ENC_SIZE or not point_valid(enc):
        raise EnvelopeError(Code.BAD_HEADER, "enc is not an uncompressed P-256 point")
    if not TAG <= len(sealed) <= MAX_SEALED:
        raise EnvelopeError(Code.BAD_HEADER, "sealed must be 16 to 65536 bytes")
    for name, expected, code in (("platform", platform, Code.WRONG_PLATFORM), ("lot", lot, Code.WRONG_LOT),
                                 ("bidder", bidder, Code.WRONG_BIDDER)):
        if fields[name] != expected:
            raise EnvelopeError(code, f"the envelope is for {name} {fields[name]!r}, not {expected!r}")
    return EnvelopeHeader(platform=platform, lot=lot, bidder=bidder, segment_size=fields["segment_size"],
                          enc=enc, sealed=sealed, header=header)


class _FormChecker:
    """The submission check as a push parser: ``feed`` bytes as they arrive, then ``finish``.
    A later version (``envelope_v2``) overrides ``magic`` and ``_header_check``."""

    magic = MAGIC

    def __init__(self, *, platform: str, lot: str, bidder: str, max_size: int | None):
        self._expected = {"platform": platform, "lot": lot, "bidder": bidder}
        self._max_size = max_size
        self._prefix = bytearray()
        self._header: EnvelopeHeader | None = None
        self._segment_bytes = 0
        self._hash = hashlib.sha256()
        self._size = 0

    def feed(self, data: bytes) -> None:
        self._hash.update(data)
        self._size += len(data)
        if self._header is not None:
            self._segment_bytes += len(data)
        else:
            self._prefix += data
            self._parse_prefix()
        if self._max_size is not None and self._size > self._max_size:
            raise EnvelopeError(Code.TOO_LARGE, f"the envelope is larger than {self._max_size} bytes")

    def _parse_prefix(self) -> None:
        head = bytes(self._prefix[:4])
        if head != self.magic[:len(head)]:
            raise EnvelopeError(Code.BAD_MAGIC, f"not a {self.magic.decode()} envelope")
        if len(self._prefix) < 8:
            return
        header_len = header_len_check(bytes(self._prefix[4:8]))
        if len(self._prefix) < 8 + header_len:
            return
        self._header = self._header_check(bytes(self._prefix[8:8 + header_len]))
        self._segment_bytes = len(self._prefix) - 8 - header_len
        self._prefix = bytearray()

    def _header_check(self, header: bytes):
        return header_check(header, **self._expected)

    def finish(self) -> EnvelopeHeader:
        if self._header is None:
            if len(self._prefix) < 4:
                raise EnvelopeError(Code.BAD_MAGIC, f"not a {self.magic.decode()} envelope")
            raise EnvelopeError(Code.BAD_HEADER, "the envelope ends inside its header")
        if not segment_area_valid(self._segment_bytes, self._header.segment_size):
            raise EnvelopeError(Code.BAD_SEGMENTS, "the segments' total length is impossible (truncated or padded)")
        return replace(self._header, sha256=self._hash.hexdigest(), size=self._size)


def form_check(*, stream: BinaryIO, platform: str, lot: str, bidder: str, max_size: int | None) -> EnvelopeHeader:
    """The platform's submission check, reading ``stream`` once to its end."""
    checker = _FormChecker(platform=platform, lot=lot, bidder=bidder, max_size=max_size)
    while chunk := stream.read(READ_SIZE):
        checker.feed(chunk)
    return checker.finish()


class CheckingReader:
    """A pass-through file-like: what the consumer (e.g. an object-store upload) reads is checked
    on the way, so storing and checking take one pass. ``read`` raises ``EnvelopeError`` as soon as
    the form fails (the consumer aborts its upload); ``result()`` after the consumer is done."""

    def __init__(self, stream: BinaryIO, *, platform: str, lot: str, bidder: str, max_size: int | None):
        self._stream = stream
        self._checker = self._checker_make(platform=platform, lot=lot, bidder=bidder, max_size=max_size)
        self._eof = False

    def _checker_make(self, **expected) -> _FormChecker:
        return _FormChecker(**expected)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size == 0:
            return b""
        data = self._stream.read() if size is None or size < 0 else self._stream.read(size)
        if data:
            self._checker.feed(data)
        else:
            self._eof = True
        return data

    def result(self) -> EnvelopeHeader:
        # A consumer that stopped at a declared length may not have seen EOF: bytes after that
        # point were not stored, so they must not exist.
        if not self._eof and self._stream.read(1):
            raise ValueError("the consumer stopped before the end of the stream: stored and checked bytes differ")
        return self._checker.finish()


def open_envelope(*, stream: BinaryIO, private_key: ec.EllipticCurvePrivateKey, platform: str, lot: str,
                  bidder: str, envelope_sha256: str | None = None,
                  files_out: Callable[[int, FileEntry], Writable] | None = None) -> Opened:
    """Decrypt and check everything (spec "What the opening checks"), streaming.

    ``envelope_sha256`` is the receipt's: when given, any failure is first checked against it, so a
    storage fault is reported as ``hash_mismatch`` (the platform's) and never blamed on the bidder.
    ``files_out(index, entry)`` returns where file ``index``'s plaintext goes; what was written
    there is trustworthy only if this function returns.
    """
    return receipt_checked(stream, envelope_sha256,
                           lambda reader: _open(reader, private_key, platform, lot, bidder, files_out))


def receipt_checked(stream: BinaryIO, envelope_sha256: str | None, opener: Callable[["HashingReader"], Opened]) -> Opened:
    """Run ``opener`` over ``stream``, deciding the receipt hash first on failure (any version)."""
    reader = HashingReader(stream)
    try:
        opened = opener(reader)
    except EnvelopeError as error:
        if envelope_sha256 is not None:
            reader.drain()
            if reader.hash.hexdigest() != envelope_sha256:
                raise EnvelopeError(Code.HASH_MISMATCH, "the stored bytes are not those of the receipt") from error
        raise
    reader.drain()
    digest = reader.hash.hexdigest()
    if envelope_sha256 is not None and digest != envelope_sha256:
        raise EnvelopeError(Code.HASH_MISMATCH, "the stored bytes are not those of the receipt")
    return replace(opened, envelope_sha256=digest, envelope_size=reader.size)


def _open(reader: "HashingReader", private_key: ec.EllipticCurvePrivateKey, platform: str, lot: str,
          bidder: str, files_out: Callable[[int, FileEntry], Writable] | None) -> Opened:
    prefix = reader.read_exact(8)
    if prefix[:4] != MAGIC:
        raise EnvelopeError(Code.BAD_MAGIC, "not a PBE1 envelope")
    if len(prefix) < 8:
        raise EnvelopeError(Code.BAD_HEADER, "the envelope ends inside its header")
    header_bytes = reader.read_exact(header_len_check(prefix[4:8]))
    if len(header_bytes) < int.from_bytes(prefix[4:8], "big"):
        raise EnvelopeError(Code.BAD_HEADER, "the envelope ends inside its header")
    header = header_check(header_bytes, platform=platform, lot=lot, bidder=bidder)
    try:
        inner = HPKE_SUITE.decrypt(header.enc + header.sealed, private_key,
                              info=bid_info(platform=platform, lot=lot, bidder=bidder))
    except (InvalidTag, ValueError):
        raise EnvelopeError(Code.DECRYPT_FAILED, "the sealed inner does not open with this lot's key, "
                                                 "lot and bidder") from None
    key, price_form, entries = inner_check(inner)
    return stream_open(reader, key=key, segment_size=header.segment_size, aad=segment_aad(header_bytes),
                       price_form=price_form, entries=entries, files_out=files_out)


def stream_open(reader: "HashingReader", *, key: bytes, segment_size: int, aad: bytes, price_form: dict,
                entries: tuple[FileEntry, ...], files_out: Callable[[int, FileEntry], Writable] | None) -> Opened:
    """The segments after the header, under the inner's content key (every version lays them out alike)."""
    sink = _FileSink(entries, files_out)
    size, aead = segment_size, AESGCM(key)
    current, index = reader.read_exact(size + TAG), 0
    while True:
        # Read one segment ahead: only the end of the stream says which segment is the last.
        following = reader.read_exact(size + TAG) if len(current) == size + TAG else b""
        last = not following
        if len(current) < TAG or index >= MAX_SEGMENTS:
            raise EnvelopeError(Code.BAD_SEGMENTS, "the segments' total length is impossible")
        try:
            plain = aead.decrypt(segment_nonce(index, last=last), current, aad)
        except InvalidTag:
            raise EnvelopeError(Code.BAD_STREAM, f"segment {index} does not authenticate (altered, moved, "
                                                 "dropped or followed by extra bytes)") from None
        if last and index > 0 and not plain:
            raise EnvelopeError(Code.BAD_STREAM, "an empty last segment after full ones")
        sink.write(plain)
        if last:
            break
        current, index = following, index + 1
    return Opened(price_form=price_form, files=entries, plaintext_sha256=sink.finish(),
                  envelope_sha256="", envelope_size=0)


def price_form_check(*, price_form: object, code: Code = Code.BAD_FORM) -> dict:
    if not isinstance(price_form, dict) or price_form.keys() != {"price", "period_days", "items"}:
        raise EnvelopeError(code, "price_form must have exactly price, period_days and items")
    price, period, items = price_form["price"], price_form["period_days"], price_form["items"]
    if not isinstance(price, str) or not _PRICE.fullmatch(price):
        raise EnvelopeError(code, "price must be a decimal string of yuan with at most 2 decimals")
    if not is_int(period, low=0):
        raise EnvelopeError(code, "period_days must be a non-negative integer")
    if not isinstance(items, dict) or not all(isinstance(value, str) for value in items.values()):
        raise EnvelopeError(code, "items must map strings to strings")
    return {"price": price, "period_days": period, "items": dict(items)}


def inner_check(inner: bytes) -> tuple[bytes, dict, tuple[FileEntry, ...]]:
    try:
        fields = canonical_parse(inner)
    except CanonicalError as error:
        raise EnvelopeError(Code.BAD_INNER, str(error)) from None
    if not isinstance(fields, dict) or fields.keys() != {"key", "price_form", "files"}:
        raise EnvelopeError(Code.BAD_INNER, "the inner must have exactly key, price_form and files")
    try:
        key = b64url_decode(fields["key"])
    except CanonicalError:
        key = b""
    if len(key) != 32:
        raise EnvelopeError(Code.BAD_INNER, "key is not 32 bytes of base64url")
    files = fields["files"]
    if not isinstance(files, list) or not all(isinstance(f, dict) and f.keys() == {"name", "size", "sha256"}
                                              for f in files):
        raise EnvelopeError(Code.BAD_INNER, "files must be a list of {name, size, sha256}")
    entries = tuple(FileEntry(name=f["name"], size=f["size"], sha256=f["sha256"]) for f in files)
    files_check(entries, Code.BAD_INNER)
    return key, price_form_check(price_form=fields["price_form"]), entries


def files_check(entries: Sequence[FileEntry], code: Code) -> None:
    for entry in entries:
        if not isinstance(entry.name, str) or not is_int(entry.size, low=0) or not (
                isinstance(entry.sha256, str) and _SHA256_HEX.fullmatch(entry.sha256)):
            raise EnvelopeError(code, "a file needs a string name, a non-negative integer size and a hex sha256")


def header_len_check(raw: bytes) -> int:
    length = int.from_bytes(raw, "big")
    if not 1 <= length <= MAX_HEADER:
        raise EnvelopeError(Code.BAD_HEADER, "header_len must be 1 to 65536")
    return length


def point_valid(point: bytes) -> bool:
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return False
    return point[0] == 0x04


class HashingReader:
    def __init__(self, stream: BinaryIO):
        self._stream, self.hash, self.size = stream, hashlib.sha256(), 0

    def read_exact(self, size: int) -> bytes:
        """``size`` bytes, or fewer only at the end of the stream."""
        parts, wanted = [], size
        while wanted:
            chunk = self._stream.read(wanted)
            if not chunk:
                break
            parts.append(chunk)
            wanted -= len(chunk)
        data = b"".join(parts)
        self.hash.update(data)
        self.size += len(data)
        return data

    def drain(self) -> None:
        while self.read_exact(READ_SIZE):
            pass


EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class _FileSink:
    """Cuts the decrypted file stream back into the files the inner lists, hashing each."""

    def __init__(self, entries: tuple[FileEntry, ...], files_out: Callable[[int, FileEntry], Writable] | None):
        self._entries, self._files_out = entries, files_out
        self._index, self._remaining, self._digest, self._out = -1, 0, hashlib.sha256(), None
        # The stream's own hash is a second pass over every byte; with one file (or none) it is that
        # file's hash, already checked, so it is hashed only when the stream joins several files.
        self._stream = hashlib.sha256() if len(entries) > 1 else None
        self._advance()

    def _advance(self) -> None:
        # Close out finished files (empty ones included) until one still wants bytes.
        while self._remaining == 0:
            if self._index >= 0 and self._digest.hexdigest() != self._entries[self._index].sha256:
                raise EnvelopeError(Code.FILE_MISMATCH, f"file {self._index} does not match its sha256")
            if self._index + 1 >= len(self._entries):
                self._index = len(self._entries)
                return
            self._index += 1
            entry = self._entries[self._index]
            self._remaining, self._digest = entry.size, hashlib.sha256()
            self._out = self._files_out(self._index, entry) if self._files_out else None

    def write(self, data: bytes) -> None:
        if self._stream is not None:
            self._stream.update(data)
        view = memoryview(data)
        while view:
            if self._index >= len(self._entries):
                raise EnvelopeError(Code.FILE_MISMATCH, "the stream holds more bytes than the files declare")
            part = view[:self._remaining]
            self._digest.update(part)
            if self._out is not None:
                self._out.write(part)
            self._remaining -= len(part)
            view = view[len(part):]
            self._advance()

    def finish(self) -> str:
        if self._index < len(self._entries):
            raise EnvelopeError(Code.FILE_MISMATCH, "the stream holds fewer bytes than the files declare")
        if self._stream is None:
            return self._entries[0].sha256 if self._entries else EMPTY_SHA256
        return self._stream.hexdigest()
