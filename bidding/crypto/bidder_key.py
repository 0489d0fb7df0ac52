"""The bidder's key (``docs/bidder-keys.md``): two P-256 key pairs in one file, wrapped under a passphrase.

- the **encryption key** (ECDH, for HPKE): the bidder part of every v2 envelope is sealed to it;
- the **signing key** (ECDSA P-256 with SHA-256): the bidder signs its key proofs and, at the
  opening, the record.

The file is JSON. Its private half is ``wrapped``: AES-256-GCM under a key made from the passphrase
with PBKDF2-HMAC-SHA256 (WebCrypto, which the browser uses, has no scrypt or Argon2), the rest of the
file as associated data, so neither the public keys nor the iteration count can be changed unnoticed.
The browser (``bidding/static/bidding/bidder-key.js``) writes and reads the same file.

Key proofs: the platform seals a random challenge (HPKE, the envelope's suite) to the registered
encryption key; the bidder opens it and signs a proof document naming it. Opening proves the
encryption key, the signature the signing key, and both that the passphrase still unlocks the file.
"""
import hashlib
import json
import os
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .canonical import CanonicalError, b64url_decode, b64url_encode, canonical_json, is_int
from .envelope import HPKE_SUITE, point_valid
from .envelope_v2 import key_fingerprint, public_raw

KIND = "platform-bidder-key"
KDF = "PBKDF2-SHA256"
CIPHER = "AES-256-GCM"
# OWASP's Password Storage Cheat Sheet (2023) for PBKDF2-HMAC-SHA256. A file with more is read; one
# with fewer is refused, as is one that would take minutes to unlock.
ITERATIONS = 600_000
MAX_ITERATIONS = 10_000_000
PASSPHRASE_MIN = 12
SALT_SIZE, NONCE_SIZE = 16, 12
FILE_KEYS = frozenset({"v", "kind", "kdf", "iterations", "salt", "cipher", "nonce", "encryption_key",
                       "signing_key", "wrapped"})
PRIVATE_KEYS = frozenset({"encryption_private", "signing_private"})
CHALLENGE_SIZE = 32
PROOF_INFO_PREFIX = "platform-bidder-key-proof|v1|"
PROOF_KIND = "bidder-key-proof"
SIGNATURE_SIZE = 64
_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class KeyFileError(ValueError):
    """Not a bidder key file of this format."""


class WrongPassphrase(ValueError):
    """The passphrase does not unlock this key file (or the file was altered)."""


class ProofError(ValueError):
    """A challenge that does not open with this key, or a proof that does not verify."""


@dataclass(frozen=True)
class BidderKeyFile:
    """A parsed key file: the public halves are usable without the passphrase."""

    fields: dict
    encryption_public_raw: bytes
    signing_public_raw: bytes

    @property
    def encryption_public_key(self) -> ec.EllipticCurvePublicKey:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), self.encryption_public_raw)

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.encryption_public_raw)

    def text(self) -> str:
        return canonical_json(self.fields).decode("utf-8") + "\n"


@dataclass(frozen=True)
class UnlockedBidderKey:
    encryption_private_key: ec.EllipticCurvePrivateKey
    signing_private_key: ec.EllipticCurvePrivateKey


def passphrase_bytes(passphrase: str) -> bytes:
    """UTF-8 of the passphrase in Unicode NFC, so every keyboard and system gives the same bytes."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _wrapping_key(passphrase: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", passphrase_bytes(passphrase), salt, iterations, 32)


def _associated_data(fields: dict) -> bytes:
    """Canonical JSON of every field but ``wrapped``."""
    return canonical_json({name: value for name, value in fields.items() if name != "wrapped"})


def key_file_create(passphrase: str, *, iterations: int = ITERATIONS) -> BidderKeyFile:
    """Two fresh P-256 key pairs in a new key file wrapped under ``passphrase``."""
    if len(passphrase) < PASSPHRASE_MIN:
        raise ValueError(f"a passphrase has at least {PASSPHRASE_MIN} characters")
    if not is_int(iterations, low=ITERATIONS, high=MAX_ITERATIONS):
        raise ValueError(f"iterations must be {ITERATIONS} to {MAX_ITERATIONS}")
    encryption, signing = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    salt, nonce = os.urandom(SALT_SIZE), os.urandom(NONCE_SIZE)
    fields = {"v": 1, "kind": KIND, "kdf": KDF, "iterations": iterations, "salt": b64url_encode(salt),
              "cipher": CIPHER, "nonce": b64url_encode(nonce),
              "encryption_key": b64url_encode(public_raw(encryption.public_key())),
              "signing_key": b64url_encode(public_raw(signing.public_key()))}
    private = canonical_json({"encryption_private": b64url_encode(_scalar(encryption)),
                              "signing_private": b64url_encode(_scalar(signing))})
    wrapped = AESGCM(_wrapping_key(passphrase, salt, iterations)).encrypt(nonce, private, _associated_data(fields))
    fields["wrapped"] = b64url_encode(wrapped)
    return key_file_parse(canonical_json(fields))


def key_file_parse(data: bytes | str) -> BidderKeyFile:
    """Parse a key file (any JSON spacing), checking its form and its public keys; the passphrase is not needed."""
    try:
        fields = json.loads(data, parse_float=_no_float, parse_constant=_no_float)
    except (ValueError, RecursionError):
        raise KeyFileError("not a JSON key file") from None
    if not isinstance(fields, dict) or fields.keys() != FILE_KEYS:
        raise KeyFileError(f"a key file has exactly the keys {sorted(FILE_KEYS)}")
    if not is_int(fields["v"]) or fields["v"] != 1 or fields["kind"] != KIND or fields["kdf"] != KDF or fields["cipher"] != CIPHER:
        raise KeyFileError(f"not a version 1 {KIND} file ({KDF}, {CIPHER})")
    if not is_int(fields["iterations"], low=ITERATIONS, high=MAX_ITERATIONS):
        raise KeyFileError(f"iterations must be {ITERATIONS} to {MAX_ITERATIONS}")
    try:
        salt, nonce = b64url_decode(fields["salt"]), b64url_decode(fields["nonce"])
        encryption, signing = b64url_decode(fields["encryption_key"]), b64url_decode(fields["signing_key"])
        wrapped = b64url_decode(fields["wrapped"])
    except CanonicalError:
        raise KeyFileError("a binary field is not base64url without padding") from None
    if len(salt) != SALT_SIZE or len(nonce) != NONCE_SIZE or len(wrapped) < 16:
        raise KeyFileError("salt is 16 bytes, nonce 12, wrapped at least 16")
    for raw in (encryption, signing):
        if len(raw) != 65 or not point_valid(raw):
            raise KeyFileError("a public key is not an uncompressed P-256 point")
    if encryption == signing:
        raise KeyFileError("the encryption and signing keys must differ")
    return BidderKeyFile(fields=fields, encryption_public_raw=encryption, signing_public_raw=signing)


def key_file_unlock(key_file: BidderKeyFile, passphrase: str) -> UnlockedBidderKey:
    fields = key_file.fields
    key = _wrapping_key(passphrase, b64url_decode(fields["salt"]), fields["iterations"])
    try:
        private = AESGCM(key).decrypt(b64url_decode(fields["nonce"]), b64url_decode(fields["wrapped"]),
                                      _associated_data(fields))
    except InvalidTag:
        raise WrongPassphrase("the passphrase does not unlock this key file") from None
    try:
        values = json.loads(private)
        if not isinstance(values, dict) or values.keys() != PRIVATE_KEYS:
            raise ValueError
        raws = [b64url_decode(values[name]) for name in ("encryption_private", "signing_private")]
        if any(len(raw) != 32 for raw in raws):
            raise ValueError
        scalars = [int.from_bytes(raw, "big") for raw in raws]
    except (ValueError, CanonicalError):
        raise KeyFileError("the unwrapped private keys are malformed") from None
    if not all(1 <= scalar < _ORDER for scalar in scalars):
        raise KeyFileError("a private key is out of range")
    encryption, signing = (ec.derive_private_key(scalar, ec.SECP256R1()) for scalar in scalars)
    if (public_raw(encryption.public_key()), public_raw(signing.public_key())) != (
            key_file.encryption_public_raw, key_file.signing_public_raw):
        raise KeyFileError("the private keys do not match the file's public keys")
    return UnlockedBidderKey(encryption_private_key=encryption, signing_private_key=signing)


def public_key_parse(value: str) -> bytes:
    """A public key as the API takes it: base64url of the 65-byte uncompressed P-256 point."""
    try:
        raw = b64url_decode(value)
    except CanonicalError:
        raise KeyFileError("a public key is base64url without padding") from None
    if len(raw) != 65 or not point_valid(raw):
        raise KeyFileError("a public key is an uncompressed P-256 point (65 bytes)")
    return raw


# --- key proofs ------------------------------------------------------------------------------------

def challenge_info(*, platform: str, lot: str, bidder: str, challenge_id: str) -> bytes:
    """``platform-bidder-key-proof|v1|<platform>|<lot>|<bidder>|<challenge id>``."""
    if any("|" in part or not part for part in (platform, lot, bidder, challenge_id)):
        raise ValueError("platform, lot, bidder and challenge id must be non-empty without '|'")
    return f"{PROOF_INFO_PREFIX}{platform}|{lot}|{bidder}|{challenge_id}".encode("utf-8")


def challenge_seal(*, challenge: bytes, encryption_public_raw: bytes, info: bytes) -> bytes:
    """HPKE ``enc ‖ ciphertext`` of the challenge to the bidder's encryption key."""
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), encryption_public_raw)
    return HPKE_SUITE.encrypt(challenge, public_key, info=info)


def challenge_open(*, sealed: bytes, private_key: ec.EllipticCurvePrivateKey, info: bytes) -> bytes:
    try:
        challenge = HPKE_SUITE.decrypt(sealed, private_key, info=info)
    except (InvalidTag, ValueError):
        raise ProofError("the challenge does not open with this key (another key, lot or challenge)") from None
    if len(challenge) != CHALLENGE_SIZE:
        raise ProofError("the challenge is not 32 bytes")
    return challenge


def proof_document(*, platform: str, lot: str, bidder: str, challenge_id: str, answer: bytes) -> bytes:
    """The canonical JSON the bidder signs: the challenge it answers, and the answer."""
    return canonical_json({"v": 1, "kind": PROOF_KIND, "platform": platform, "lot": lot, "bidder": bidder,
                           "challenge": challenge_id, "answer": b64url_encode(answer)})


def confirmation_document(*, platform: str, lot: str, bidder: str, record_sha256: str) -> bytes:
    """What a bidder signs to confirm an opening record (docs/opening-hall.md): canonical JSON."""
    return canonical_json({"kind": "opening-confirmation", "platform": platform, "lot": lot, "bidder": bidder,
                           "record_sha256": record_sha256})


def sign(private_key: ec.EllipticCurvePrivateKey, message: bytes) -> bytes:
    """ECDSA P-256 SHA-256 as ``r ‖ s`` (32 + 32 bytes, big-endian): WebCrypto's form."""
    r, s = decode_dss_signature(private_key.sign(message, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def signature_verify(*, signing_public_raw: bytes, message: bytes, signature: bytes) -> bool:
    if len(signature) != SIGNATURE_SIZE:
        return False
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), signing_public_raw)
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def proof_answer(*, unlocked: UnlockedBidderKey, sealed: bytes, platform: str, lot: str, bidder: str,
                 challenge_id: str) -> tuple[bytes, bytes]:
    """The bidder's side of a key proof: (answer, signature over the proof document)."""
    info = challenge_info(platform=platform, lot=lot, bidder=bidder, challenge_id=challenge_id)
    answer = challenge_open(sealed=sealed, private_key=unlocked.encryption_private_key, info=info)
    document = proof_document(platform=platform, lot=lot, bidder=bidder, challenge_id=challenge_id, answer=answer)
    return answer, sign(unlocked.signing_private_key, document)


def _scalar(private_key: ec.EllipticCurvePrivateKey) -> bytes:
    return private_key.private_numbers().private_value.to_bytes(32, "big")


def _no_float(text: str) -> object:
    raise ValueError(f"number {text} is not an integer")
