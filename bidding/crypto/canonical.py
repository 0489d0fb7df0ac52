"""Canonical JSON and unpadded base64url, as ``docs/envelope.md`` defines them.

Canonical JSON is what Python writes with ``sort_keys=True, separators=(",", ":"),
ensure_ascii=False``: the same bytes the audit chain hashes (``docs/audit.md``). A parser accepts a
text only if writing what it read gives back the same bytes, so every value has exactly one
encoding and a signature or hash over it cannot be dodged by re-spacing or re-escaping.
"""
import base64
import binascii
import json
import re
from datetime import datetime, timezone

# Integers beyond this come back changed from a JavaScript JSON.parse (doubles).
SAFE_INT = 2**53 - 1
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class CanonicalError(ValueError):
    """Bytes that are not canonical JSON, or a value that has no canonical form."""


def canonical_json(value: object) -> bytes:
    """The canonical UTF-8 bytes of ``value``; floats (and so NaN) are refused: use strings."""
    _refuse_floats(value)
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except (TypeError, ValueError) as error:  # a set, a Decimal, a lone surrogate, a non-str key
        raise CanonicalError(f"no canonical JSON form: {error}") from None


def canonical_parse(data: bytes) -> object:
    """Parse ``data``, refusing anything that is not byte for byte its own canonical form."""
    try:
        value = json.loads(data.decode("utf-8"), parse_float=_no_float, parse_constant=_no_float)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise CanonicalError(f"not JSON: {error}") from None
    if canonical_json(value) != data:
        raise CanonicalError("JSON is not in canonical form (key order, spacing, escapes or duplicate keys)")
    return value


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: object) -> bytes:
    """Strict unpadded base64url: only its alphabet, no padding, no stray trailing bits."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise CanonicalError("not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise CanonicalError("not unpadded base64url") from None
    if b64url_encode(data) != text:
        raise CanonicalError("base64url with non-zero trailing bits")
    return data


def time_format(at: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC, six fraction digits: receipts and the audit chain."""
    return at.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def is_int(value: object, *, low: int = -SAFE_INT, high: int = SAFE_INT) -> bool:
    """A JSON integer (``bool`` is not one) in [low, high]."""
    return type(value) is int and low <= value <= high


def _no_float(text: str) -> object:
    raise ValueError(f"number {text} is not an integer")


def _refuse_floats(value: object, depth: int = 0) -> None:
    if depth > 64:
        raise CanonicalError("nested deeper than 64 levels")
    if isinstance(value, float):
        raise CanonicalError("floats have no canonical form here: write the number as a string")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item, depth + 1)
