"""Signed files: bid receipts (``docs/envelope.md`` "Receipts") and generic signed documents.

Both sign the canonical JSON of an object that names its own ``kind``, with the platform's Ed25519
key; the audit checkpoints sign an ASCII line instead (``docs/audit.md``). No signed message of one
kind is a valid message of another, so one key serves all three.
"""
import re
import uuid

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .canonical import CanonicalError, b64url_decode, b64url_encode, canonical_json, is_int

RECEIPT_KIND = "bid-receipt"
RECEIPT_FIELDS = frozenset({"receipt", "platform", "lot", "bidder", "envelope_sha256", "envelope_size",
                            "received_at"})
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_KIND = re.compile(r"[a-z][a-z0-9-]{0,63}")


class SignatureError(ValueError):
    """A signed file that is malformed or whose signature does not verify."""


def receipt_sign(*, private_key: Ed25519PrivateKey, fields: dict) -> dict:
    """The downloadable receipt file ``{"receipt": {...}, "signature": ...}`` for ``fields``
    (exactly ``RECEIPT_FIELDS``, plus ``v`` and ``kind`` which are added when absent)."""
    receipt = {"v": 1, "kind": RECEIPT_KIND, **fields}
    _receipt_check(receipt)
    return {"receipt": receipt, "signature": b64url_encode(private_key.sign(canonical_json(receipt)))}


def receipt_verify(receipt_file: object, public_key: Ed25519PublicKey) -> dict:
    """The receipt's fields (``v`` and ``kind`` included) if the file is well formed and signed."""
    if not isinstance(receipt_file, dict) or receipt_file.keys() != {"receipt", "signature"}:
        raise SignatureError("a receipt file has exactly the keys receipt and signature")
    receipt = receipt_file["receipt"]
    _receipt_check(receipt)
    _verify(public_key, receipt_file["signature"], receipt)
    return dict(receipt)


def signed_document(kind: str, body: dict, private_key: Ed25519PrivateKey) -> dict:
    """``{"document": {"v": 1, "kind": kind, "body": body}, "signature": ...}``."""
    if not isinstance(kind, str) or not _KIND.fullmatch(kind) or kind == RECEIPT_KIND:
        raise ValueError("kind is lowercase letters, digits and '-', and not a receipt's")
    if not isinstance(body, dict):
        raise ValueError("body must be an object")
    document = {"v": 1, "kind": kind, "body": body}
    return {"document": document, "signature": b64url_encode(private_key.sign(canonical_json(document)))}


def signed_verify(signed: object, kind: str, public_key: Ed25519PublicKey) -> dict:
    """The body of a signed document of ``kind``."""
    if not isinstance(signed, dict) or signed.keys() != {"document", "signature"}:
        raise SignatureError("a signed document has exactly the keys document and signature")
    document = signed["document"]
    if not isinstance(document, dict) or document.keys() != {"v", "kind", "body"}:
        raise SignatureError("the document has exactly the keys v, kind and body")
    if document["v"] != 1 or document["kind"] != kind or not isinstance(document["body"], dict):
        raise SignatureError(f"not a version 1 {kind} document")
    _verify(public_key, signed["signature"], document)
    return document["body"]


def _receipt_check(receipt: object) -> None:
    if not isinstance(receipt, dict) or receipt.keys() != RECEIPT_FIELDS | {"v", "kind"}:
        raise SignatureError(f"a receipt has exactly the keys {sorted(RECEIPT_FIELDS | {'v', 'kind'})}")
    if receipt["v"] != 1 or receipt["kind"] != RECEIPT_KIND:
        raise SignatureError("not a version 1 bid receipt")
    if not all(isinstance(receipt[name], str) for name in ("receipt", "platform", "lot", "bidder")):
        raise SignatureError("receipt, platform, lot and bidder are strings")
    try:
        canonical_uuid = str(uuid.UUID(receipt["receipt"]))
    except ValueError:
        canonical_uuid = None
    if canonical_uuid != receipt["receipt"]:
        raise SignatureError("receipt is a lowercase hyphenated UUID")
    if not isinstance(receipt["envelope_sha256"], str) or not _SHA256_HEX.fullmatch(receipt["envelope_sha256"]):
        raise SignatureError("envelope_sha256 is 64 lowercase hex digits")
    if not is_int(receipt["envelope_size"], low=1):
        raise SignatureError("envelope_size is a positive integer")
    if not isinstance(receipt["received_at"], str) or not _TIME.fullmatch(receipt["received_at"]):
        raise SignatureError("received_at is YYYY-MM-DDTHH:MM:SS.ffffffZ")


def _verify(public_key: Ed25519PublicKey, signature: object, signed_object: dict) -> None:
    try:
        raw = b64url_decode(signature)
        message = canonical_json(signed_object)
    except CanonicalError as error:
        raise SignatureError(str(error)) from None
    if len(raw) != 64:
        raise SignatureError("the signature is not 64 bytes")
    try:
        public_key.verify(raw, message)
    except InvalidSignature:
        raise SignatureError("the signature does not verify under this key") from None
