"""The bank's deposit notifications: signature, freshness and the message's form (docs/bank.md).

Pure: no database and no settings. The caller passes the secret and the clock, and turns the
``BankMessageError`` reasons into the API's error codes.
"""
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

SIGNATURE_HEADER = "X-Signature"
SIGNATURE_SCHEME = "sha256="
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")
REFERENCE_MAX = 100


class BankMessageError(ValueError):
    """The body is authentic but not a well-formed notification; ``reason`` says what is wrong."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BankMessage:
    nonce: str
    sent_at: datetime
    lot: int | str
    """The lot's id (a JSON number) or its code ``<project code>-<lot number>`` (a string)."""
    uscc: str
    amount: Decimal
    reference: str


def signature_compute(*, body: bytes, secret: str) -> str:
    """The header value the bank sends: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return SIGNATURE_SCHEME + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(*, body: bytes, header: str | None, secret: str) -> bool:
    """Whether ``header`` signs exactly these bytes. Compared in constant time, over the bytes as
    received: re-serialising the JSON would sign a different text than the bank did."""
    if not header:
        return False
    return hmac.compare_digest(header.strip().encode(), signature_compute(body=body, secret=secret).encode())


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def message_parse(body: bytes) -> BankMessage:
    """The notification in ``body``; raises ``BankMessageError`` naming the first field at fault."""
    try:
        data = json.loads(body.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError):
        raise BankMessageError("body is not UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise BankMessageError("body is not a JSON object")
    nonce = data.get("nonce")
    if not isinstance(nonce, str) or not NONCE.fullmatch(nonce):
        raise BankMessageError("nonce must be 16 to 64 characters of A-Z a-z 0-9 _ -")
    sent_at = _timestamp(data.get("timestamp"))
    lot = data.get("lot")
    if isinstance(lot, bool) or not (isinstance(lot, int) and lot > 0 or isinstance(lot, str) and "-" in lot):
        raise BankMessageError("lot must be the lot's id (a number) or its code (a string)")
    uscc = data.get("uscc")
    if not isinstance(uscc, str) or not USCC.fullmatch(uscc):
        raise BankMessageError("uscc must be an 18-character unified social credit code")
    amount = data.get("amount")
    # A string only: a JSON number would pass through binary floating point in many bank systems.
    if not isinstance(amount, str) or not AMOUNT.fullmatch(amount):
        raise BankMessageError("amount must be a decimal string with at most 2 places, e.g. \"50000.00\"")
    reference = data.get("reference")
    if not isinstance(reference, str) or not reference.strip() or len(reference) > REFERENCE_MAX:
        raise BankMessageError(f"reference must be a non-empty string of at most {REFERENCE_MAX} characters")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise BankMessageError("amount is not a number") from None
    return BankMessage(nonce=nonce, sent_at=sent_at, lot=lot, uscc=uscc, amount=value, reference=reference.strip())


def _timestamp(value) -> datetime:
    if not isinstance(value, str):
        raise BankMessageError("timestamp must be an ISO 8601 string with a zone")
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise BankMessageError("timestamp must be an ISO 8601 string with a zone") from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise BankMessageError("timestamp has no zone offset")
    return at


def timestamp_fresh(*, sent_at: datetime, now: datetime, window_seconds: int) -> bool:
    """Within ± the window of the server's clock. Nonces need only be remembered that long for a
    replay to be caught, but they are kept for good (they are the record of what the bank sent)."""
    return abs(now - sent_at) <= timedelta(seconds=window_seconds)
