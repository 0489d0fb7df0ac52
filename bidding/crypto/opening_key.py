"""A lot's opening key: an ECDH P-256 key pair whose private scalar is only ever split or rebuilt.

Stdlib and ``cryptography`` only (``python -m bidding.verify`` and the sealer run without Django).
"""
import base64
import secrets

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

# The order of the P-256 group: a private scalar is 1 ≤ d < N.
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def opening_key_create() -> tuple[bytes, bytes]:
    """A fresh key pair as (private scalar, 32 bytes big-endian; public key, 65-byte uncompressed point)."""
    scalar = secrets.randbelow(N - 1) + 1
    private_key = ec.derive_private_key(scalar, ec.SECP256R1())
    return scalar.to_bytes(32, "big"), public_raw(private_key.public_key())


def public_raw(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def private_key_rebuild(scalar: bytes, *, expected_public_raw: bytes) -> ec.EllipticCurvePrivateKey:
    """The private key from its rebuilt scalar, refused unless it matches the published public key
    (a wrong or corrupted share gives another scalar, never a silently wrong opening)."""
    value = int.from_bytes(scalar, "big")
    if not 1 <= value < N:
        raise ValueError("the rebuilt scalar is not a P-256 private key")
    private_key = ec.derive_private_key(value, ec.SECP256R1())
    if public_raw(private_key.public_key()) != expected_public_raw:
        raise ValueError("the rebuilt key does not match the lot's published opening key")
    return private_key


def public_key_load(raw: bytes) -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
