"""Custodian keys (P-256, kept wrapped under a passphrase) and the opening-key shares sealed to them.

Wrapped key layout: ``"PCK1" ‖ uint16 header_len ‖ header ‖ AES-256-GCM(PKCS#8 DER)``, the header
canonical JSON ``{"kdf": "scrypt", "n", "r", "p", "salt", "nonce", "v": 1}`` and the AEAD's
associated data the magic, length and header, so the scrypt cost cannot be lowered unnoticed.
"""
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .canonical import CanonicalError, b64url_decode, b64url_encode, canonical_json, canonical_parse, is_int

WRAP_MAGIC = b"PCK1"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
# Refuse a blob that would make unwrapping take gigabytes (scrypt memory is 128·n·r bytes).
MAX_SCRYPT_N = 2**20
SHARE_INFO_PREFIX = "platform-opening-share|v1|"
_HPKE = hpke.Suite(hpke.KEM.P256, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


class WrongPassphrase(ValueError):
    """The passphrase does not unwrap this key (or the blob was altered)."""


class ShareError(ValueError):
    """A sealed share does not open for this custodian, lot and key."""


def custodian_key_create(passphrase: str) -> tuple[str, bytes]:
    """A fresh P-256 key pair: (public key PEM text, private key wrapped under ``passphrase``)."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    der = private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    salt, nonce = os.urandom(16), os.urandom(12)
    header = canonical_json({"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                             "salt": b64url_encode(salt), "nonce": b64url_encode(nonce), "v": 1})
    prefix = WRAP_MAGIC + len(header).to_bytes(2, "big") + header
    key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    public_pem = private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    return public_pem, prefix + AESGCM(key).encrypt(nonce, der, prefix)


def custodian_key_unwrap(wrapped: bytes, passphrase: str) -> ec.EllipticCurvePrivateKey:
    if wrapped[:4] != WRAP_MAGIC or len(wrapped) < 6:
        raise ValueError("not a wrapped custodian key")
    header_len = int.from_bytes(wrapped[4:6], "big")
    prefix, body = wrapped[:6 + header_len], wrapped[6 + header_len:]
    try:
        header = canonical_parse(prefix[6:])
        salt, nonce = b64url_decode(header["salt"]), b64url_decode(header["nonce"])
    except (CanonicalError, TypeError, KeyError):
        raise ValueError("not a wrapped custodian key") from None
    n, r, p = header.get("n"), header.get("r"), header.get("p")
    if header.get("kdf") != "scrypt" or header.get("v") != 1 or not (
            is_int(n, low=2, high=MAX_SCRYPT_N) and is_int(r, low=1, high=32) and is_int(p, low=1, high=16)):
        raise ValueError("unsupported custodian key parameters")
    try:
        der = AESGCM(_derive(passphrase, salt, n, r, p)).decrypt(nonce, body, prefix)
    except InvalidTag:
        raise WrongPassphrase("wrong passphrase") from None
    private_key = serialization.load_der_private_key(der, password=None)
    if not isinstance(private_key, ec.EllipticCurvePrivateKey) or private_key.curve.name != "secp256r1":
        raise ValueError("the wrapped key is not a P-256 key")
    return private_key


def share_info(*, platform: str, lot: str, custodian: str) -> bytes:
    if any("|" in part or not part for part in (platform, lot, custodian)):
        raise ValueError("platform, lot and custodian must be non-empty without '|'")
    return f"{SHARE_INFO_PREFIX}{platform}|{lot}|{custodian}".encode("utf-8")


def share_seal(*, share: tuple[int, bytes], custodian_public_key: ec.EllipticCurvePublicKey | bytes | str,
               platform: str, lot: str, custodian: str) -> bytes:
    """HPKE ``enc ‖ ciphertext`` of ``index byte ‖ share``, bound to the lot and the custodian.
    ``custodian_public_key`` may be the PEM that ``custodian_key_create`` returned."""
    if isinstance(custodian_public_key, bytes | str):
        custodian_public_key = _public_key_load(custodian_public_key)
    index, value = share
    if not 1 <= index <= 255 or not value:
        raise ValueError("a share has an index 1..255 and non-empty bytes")
    return _HPKE.encrypt(bytes([index]) + value, custodian_public_key,
                         info=share_info(platform=platform, lot=lot, custodian=custodian))


def share_open(*, sealed: bytes, custodian_private_key: ec.EllipticCurvePrivateKey, platform: str, lot: str,
               custodian: str) -> tuple[int, bytes]:
    try:
        plain = _HPKE.decrypt(sealed, custodian_private_key,
                              info=share_info(platform=platform, lot=lot, custodian=custodian))
    except (InvalidTag, ValueError):
        raise ShareError("the share does not open for this custodian, lot and key") from None
    if len(plain) < 2 or plain[0] == 0:
        raise ShareError("malformed share")
    return plain[0], plain[1:]


def _public_key_load(pem: bytes | str) -> ec.EllipticCurvePublicKey:
    key = serialization.load_pem_public_key(pem.encode("ascii") if isinstance(pem, str) else pem)
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise ValueError("a custodian key is a P-256 public key")
    return key


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
