"""The audit chain's canonical form, its hashes and their verification.

Pure functions over entries (anything with the attributes of ``AuditEntry``): no database access, so
an outside verifier can run the same code over an export. The byte layout is specified in
``docs/audit.md``; changing anything here breaks every chain already written.
"""
import enum
import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils.translation import gettext_lazy as _

GENESIS_PREV = "0" * 64
CHECKPOINT_PREFIX = "platform-audit-checkpoint"
# Verifiers in other languages (a browser) read JSON numbers as doubles; a larger integer would come
# back changed and its hash would no longer match.
SAFE_INT = 2**53 - 1
MAX_DEPTH = 32
# Each entry's data is hashed together with 16 random bytes of its own, so that a redacted entry's
# data_sha256 cannot be confirmed by hashing guesses (docs/audit.md "What redaction hides").
SALT_BYTES = 16


class AuditErrorCode(enum.StrEnum):
    DATA_TYPE = "audit_data_type"
    DATA_KEY = "audit_data_key"
    DATA_STRING = "audit_data_string"
    DATA_INT = "audit_data_int"
    DATA_DEPTH = "audit_data_depth"
    NAME = "audit_name"


class AuditError(ValueError):
    """A caller passed something the chain cannot hold; nothing was written."""

    def __init__(self, code: AuditErrorCode, message, **params):
        self.code = code
        self.message = message
        self.params = params
        super().__init__(code)

    def __str__(self):
        return str(self.message) % self.params


def data_clean(*, data) -> dict:
    """A plain copy of ``data`` holding only what survives a JSON round trip unchanged.

    Floats and Decimals are refused rather than converted: money must arrive as a string the caller
    formatted, so the hashed text is exactly what was decided.
    """
    if not isinstance(data, dict):
        raise AuditError(AuditErrorCode.DATA_TYPE, _("Audit data must be an object, not %(type)s."),
                         type=type(data).__name__)
    return _clean(data, "data", 0)


def _clean(value, path: str, depth: int):
    if depth > MAX_DEPTH:
        raise AuditError(AuditErrorCode.DATA_DEPTH, _("Audit data nests deeper than %(depth)s levels at %(path)s."),
                         depth=MAX_DEPTH, path=path)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -SAFE_INT <= value <= SAFE_INT:
            raise AuditError(AuditErrorCode.DATA_INT,
                             _("Audit data integer at %(path)s is beyond ±(2**53 - 1): pass it as a string."),
                             path=path)
        return int.__int__(value)
    if isinstance(value, str):
        return _clean_string(value, path)
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise AuditError(AuditErrorCode.DATA_KEY, _("Audit data key %(key)r at %(path)s is not a string."),
                                 key=key, path=path)
            key = _clean_string(key, path)
            cleaned[key] = _clean(item, f"{path}.{key}", depth + 1)
        return cleaned
    if isinstance(value, list | tuple):
        return [_clean(item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value)]
    raise AuditError(
        AuditErrorCode.DATA_TYPE,
        _("Audit data may not hold a %(type)s (at %(path)s): pass money and other decimals as strings."),
        type=type(value).__name__, path=path,
    )


def _clean_string(value: str, path: str) -> str:
    # PostgreSQL's jsonb refuses U+0000 and lone surrogates cannot be encoded as UTF-8: refusing them
    # here keeps the failure at the caller, with a message, instead of at INSERT.
    if "\x00" in value:
        raise AuditError(AuditErrorCode.DATA_STRING, _("Audit data string at %(path)s holds U+0000."), path=path)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise AuditError(AuditErrorCode.DATA_STRING, _("Audit data string at %(path)s is not valid Unicode."),
                         path=path) from None
    return str.__str__(value)


def time_format(*, at: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC, always six fraction digits."""
    return at.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def canonical_json(value) -> bytes:
    """The canonical JSON bytes of ``docs/audit.md``: sorted keys, no whitespace, UTF-8 as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def salt_new() -> str:
    """A fresh salt for one entry: 32 lowercase hex digits (16 bytes from ``secrets``)."""
    return secrets.token_hex(SALT_BYTES)


def data_sha256(*, data, salt: str) -> str:
    """Lowercase hex SHA-256 of the canonical JSON of ``{"data": data, "salt": salt}``. The entry's
    hash covers this digest instead of the data itself, so an extract can withhold another subject's
    data (and its salt) and still be checked; the random salt keeps the withheld data from being
    confirmed by hashing guesses."""
    return hashlib.sha256(canonical_json({"data": data, "salt": salt})).hexdigest()


def entry_canonical(*, at: datetime, kind: str, actor: str, subject: str, subject_seq: int, data, salt: str,
                    prev: str) -> bytes:
    """The hashed bytes. The database id is left out on purpose: the chain is held together by
    ``prev`` alone, so renumbering rows cannot hide an insertion."""
    document = {
        "at": time_format(at=at), "kind": kind, "actor": actor, "subject": subject,
        "subject_seq": subject_seq, "data_sha256": data_sha256(data=data, salt=salt), "prev": prev,
    }
    return canonical_json(document)


def entry_digest(*, at: datetime, kind: str, actor: str, subject: str, subject_seq: int, data, salt: str,
                 prev: str) -> bytes:
    canonical = entry_canonical(at=at, kind=kind, actor=actor, subject=subject, subject_seq=subject_seq,
                                data=data, salt=salt, prev=prev)
    return hashlib.sha256(canonical).digest()


def entry_hash(*, at: datetime, kind: str, actor: str, subject: str, subject_seq: int, data, salt: str,
               prev: str) -> str:
    """Lowercase hex SHA-256 of :func:`entry_canonical`."""
    return entry_digest(at=at, kind=kind, actor=actor, subject=subject, subject_seq=subject_seq, data=data,
                        salt=salt, prev=prev).hex()


def checkpoint_message(*, platform_id: str, entry_id: int, head_hash: str) -> bytes:
    return f"{CHECKPOINT_PREFIX}|{platform_id}|{entry_id}|{head_hash}".encode("ascii")


class Reason(enum.StrEnum):
    ALTERED = "altered"
    MISSING_PREDECESSOR = "missing predecessor"
    INSERTED = "inserted"
    SEQ_GAP = "subject_seq gap"
    SEQ_REPEATED = "subject_seq repeated"
    CHECKPOINT_SIGNATURE = "checkpoint signature"
    CHECKPOINT_MISMATCH = "checkpoint mismatch"
    CHECKPOINT_ORPHAN = "checkpoint without entry"
    HEAD_MISMATCH = "head mismatch"


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    checkpoints: int
    entry_id: int | None = None
    reason: Reason | None = None
    message: str = ""

    def __str__(self):
        if self.ok:
            return f"ok {self.entries} entries, {self.checkpoints} checkpoints"
        return f"bad entry {self.entry_id}: {self.reason}: {self.message}"


class _Problem(Exception):
    def __init__(self, entry_id: int, reason: Reason, message):
        self.entry_id, self.reason, self.message = entry_id, reason, str(message)


def verify(entries: Iterable, checkpoints: Iterable, public_key: Ed25519PublicKey, *, platform_id: str,
           head: tuple[int, str] | None = None) -> VerifyResult:
    """Walk ``entries`` in id order and return the first problem, or ok with the counts.

    Each entry's hash is recomputed from its fields, ``data`` and ``salt`` included.

    ``checkpoints`` have ``entry``, ``head_hash`` and ``signature`` (hex). ``head`` is the stored
    (last id, last hash) when known: it catches a truncated tail that no checkpoint covers yet.

    Memory: one dict entry per chain entry (32-byte digest -> id of the entry after it, about 130
    bytes each, so ~130 MB per million entries) to tell an insertion from a deletion; plus one int
    per subject and the checkpoints themselves.
    """
    sealed: dict[int, list] = {}
    for checkpoint in checkpoints:
        sealed.setdefault(checkpoint.entry, []).append(checkpoint)
    pending = sorted(sealed)
    total = sum(map(len, sealed.values()))
    walk = _Walk()
    next_sealed = 0
    try:
        for entry in entries:
            walk.step(entry)
            if next_sealed < len(pending) and pending[next_sealed] < entry.id:
                raise _Problem(pending[next_sealed], Reason.CHECKPOINT_ORPHAN,
                               _("A checkpoint seals this entry id, but the chain has no such entry."))
            if next_sealed < len(pending) and pending[next_sealed] == entry.id:
                for checkpoint in sealed[entry.id]:
                    _checkpoint_check(checkpoint, entry, public_key, platform_id)
                next_sealed += 1
        if next_sealed < len(pending):
            raise _Problem(pending[next_sealed], Reason.CHECKPOINT_ORPHAN,
                           _("A checkpoint seals this entry id, but the chain ends before it (tail deleted)."))
        if head is not None and head != (walk.last_id, walk.last_hash):
            raise _Problem(head[0], Reason.HEAD_MISMATCH,
                           _("The chain's stored head is not its last entry (tail deleted or head rewritten)."))
    except _Problem as problem:
        return VerifyResult(ok=False, entries=walk.count, checkpoints=total, entry_id=problem.entry_id,
                            reason=problem.reason, message=problem.message)
    return VerifyResult(ok=True, entries=walk.count, checkpoints=total)


class _Walk:
    def __init__(self):
        self.count = 0
        self.last_id = 0
        self.last_hash = GENESIS_PREV
        self.last_digest = bytes(32)
        # digest of an entry -> id of the entry stored right after it: an entry linking back past its
        # predecessor names where the inserted run begins.
        self.successor: dict[bytes, int] = {}
        self.seq: dict[str, int] = {}

    def step(self, entry):
        digest = entry_digest(at=entry.at, kind=entry.kind, actor=entry.actor, subject=entry.subject,
                              subject_seq=entry.subject_seq, data=entry.data, salt=entry.salt,
                              prev=entry.prev_hash)
        if digest.hex() != entry.hash:
            raise _Problem(entry.id, Reason.ALTERED,
                           _("The entry's content does not hash to its stored hash: it was altered."))
        if entry.prev_hash != self.last_hash:
            inserted = self._successor_of(entry.prev_hash)
            if inserted is not None:
                raise _Problem(inserted, Reason.INSERTED,
                               _("Entries from here on were inserted: a later entry links past them."))
            raise _Problem(entry.id, Reason.MISSING_PREDECESSOR,
                           _("prev_hash matches no earlier entry: the entry before was deleted or rewritten."))
        expected = self.seq.get(entry.subject, 0) + 1
        if entry.subject_seq != expected:
            reason = Reason.SEQ_GAP if entry.subject_seq > expected else Reason.SEQ_REPEATED
            raise _Problem(entry.id, reason, _("subject_seq is %(seq)s where %(expected)s was due.")
                           % {"seq": entry.subject_seq, "expected": expected})
        self.seq[entry.subject] = expected
        self.successor[self.last_digest] = entry.id
        self.count += 1
        self.last_id, self.last_hash, self.last_digest = entry.id, entry.hash, digest

    def _successor_of(self, prev_hash: str) -> int | None:
        try:
            return self.successor.get(bytes.fromhex(prev_hash))
        except ValueError:
            return None


def _checkpoint_check(checkpoint, entry, public_key: Ed25519PublicKey, platform_id: str):
    message = checkpoint_message(platform_id=platform_id, entry_id=checkpoint.entry, head_hash=checkpoint.head_hash)
    try:
        public_key.verify(bytes.fromhex(checkpoint.signature), message)
    except (InvalidSignature, ValueError):
        raise _Problem(entry.id, Reason.CHECKPOINT_SIGNATURE,
                       _("The checkpoint sealing this entry has no valid signature under the platform key.")) from None
    if checkpoint.head_hash != entry.hash:
        raise _Problem(entry.id, Reason.CHECKPOINT_MISMATCH,
                       _("The signed checkpoint names another hash for this entry: the chain was rewritten."))
