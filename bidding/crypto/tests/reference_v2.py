"""Envelope v2 written again from ``docs/envelope.md`` ("Version 2") and RFC 9180 alone, sharing no
code with ``bidding.crypto``: the deterministic sealer that made the committed v2 vectors, and an
opener. Only primitives come from outside (``hmac``/``hashlib``; P-256 ECDH and AES-GCM from
``cryptography``); HPKE's KEM, key schedule and DeriveKeyPair are written out here, so every random
input of a vector (each ephemeral key's ``ikm``, the parts, the content key) can be fixed.
"""
import base64
import hashlib
import hmac
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
KEM_SUITE = b"KEM" + (0x0010).to_bytes(2, "big")
HPKE_SUITE = b"HPKE" + (0x0010).to_bytes(2, "big") + (0x0001).to_bytes(2, "big") + (0x0002).to_bytes(2, "big")


class Refused(Exception):
    """Not a well-formed, openable v2 envelope."""


# --- RFC 9180, DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM, mode_base -----------------

def _extract(salt: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()


def _expand(prk: bytes, info: bytes, length: int) -> bytes:
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out, counter = out + block, counter + 1
    return out[:length]


def labeled_extract(suite: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return _extract(salt, b"HPKE-v1" + suite + label + ikm)


def labeled_expand(suite: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    return _expand(prk, length.to_bytes(2, "big") + b"HPKE-v1" + suite + label + info, length)


def derive_key_pair(ikm: bytes) -> tuple[int, bytes]:
    """RFC 9180 §7.1.3 DeriveKeyPair for P-256: (private scalar, 65-byte public point)."""
    prk = labeled_extract(KEM_SUITE, b"", b"dkp_prk", ikm)
    for counter in range(256):
        scalar = int.from_bytes(labeled_expand(KEM_SUITE, prk, b"candidate", bytes([counter]), 32), "big")
        if 0 < scalar < ORDER:
            return scalar, public_point(scalar)
    raise ValueError("DeriveKeyPair found no key")


def public_point(scalar: int) -> bytes:
    return ec.derive_private_key(scalar, ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def _dh(scalar: int, point: bytes) -> bytes:
    return ec.derive_private_key(scalar, ec.SECP256R1()).exchange(
        ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point))


def _shared_secret(dh: bytes, enc: bytes, pk_r: bytes) -> bytes:
    eae_prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    return labeled_expand(KEM_SUITE, eae_prk, b"shared_secret", enc + pk_r, 32)


def key_schedule(shared_secret: bytes, info: bytes) -> tuple[bytes, bytes]:
    """(key, base_nonce) of mode_base."""
    context = (b"\x00" + labeled_extract(HPKE_SUITE, b"", b"psk_id_hash", b"")
               + labeled_extract(HPKE_SUITE, b"", b"info_hash", info))
    secret = labeled_extract(HPKE_SUITE, shared_secret, b"secret", b"")
    return (labeled_expand(HPKE_SUITE, secret, b"key", context, 32),
            labeled_expand(HPKE_SUITE, secret, b"base_nonce", context, 12))


def hpke_seal(pk_r: bytes, info: bytes, plaintext: bytes, ikm_e: bytes, aad: bytes = b"") -> tuple[bytes, bytes]:
    """SetupBaseS with the ephemeral key DeriveKeyPair(ikm_e), then Seal of one message: (enc, ct)."""
    sk_e, enc = derive_key_pair(ikm_e)
    key, nonce = key_schedule(_shared_secret(_dh(sk_e, pk_r), enc, pk_r), info)
    return enc, AESGCM(key).encrypt(nonce, plaintext, aad)


def hpke_open(sk_r: int, enc: bytes, info: bytes, ciphertext: bytes, aad: bytes = b"") -> bytes:
    pk_r = public_point(sk_r)
    key, nonce = key_schedule(_shared_secret(_dh(sk_r, enc), enc, pk_r), info)
    return AESGCM(key).decrypt(nonce, ciphertext, aad)


# --- the envelope, as the document lays it out ---------------------------------------------------

def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def info(label: str, platform: str, lot: str, bidder: str) -> bytes:
    return f"platform-bid-envelope|v2|{label}|{platform}|{lot}|{bidder}".encode("utf-8")


def inner_key(lot_part: bytes, bidder_part: bytes, platform: str, lot: str, bidder: str) -> bytes:
    """HKDF-SHA256 (RFC 5869), salt absent (32 zero bytes), 32 bytes."""
    return _expand(_extract(b"", lot_part + bidder_part), info("inner-key", platform, lot, bidder), 32)


def commit(bidder_part: bytes, platform: str, lot: str, bidder: str) -> bytes:
    return hashlib.sha256(info("bidder-commit", platform, lot, bidder) + bidder_part).digest()


def nonce(index: int, last: bool) -> bytes:
    return bytes(7) + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def seal(*, lot_public: bytes, bidder_public: bytes, platform: str, lot: str, bidder: str, price_form: dict,
         files: list[tuple[str, bytes]], segment_size: int, content_key: bytes, lot_part: bytes,
         bidder_part: bytes, ikm_lot_e: bytes, ikm_bidder_e: bytes) -> dict:
    """The envelope and every intermediate value, from fixed inputs."""
    stream = b"".join(data for _, data in files)
    inner = canonical({"key": b64url(content_key), "price_form": price_form,
                       "files": [{"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                                 for name, data in files]})
    lot_enc, lot_sealed = hpke_seal(lot_public, info("lot-part", platform, lot, bidder), lot_part, ikm_lot_e)
    bidder_enc, bidder_sealed = hpke_seal(bidder_public, info("bidder-part", platform, lot, bidder), bidder_part,
                                          ikm_bidder_e)
    key = inner_key(lot_part, bidder_part, platform, lot, bidder)
    header = canonical({
        "v": 2, "platform": platform, "lot": lot, "bidder": bidder, "suite": "P256-SHA256-AES256GCM",
        "segment_size": segment_size, "bidder_key": b64url(hashlib.sha256(bidder_public).digest()),
        "lot_enc": b64url(lot_enc), "lot_sealed": b64url(lot_sealed),
        "bidder_enc": b64url(bidder_enc), "bidder_sealed": b64url(bidder_sealed),
        "bidder_commit": b64url(commit(bidder_part, platform, lot, bidder)),
        "inner": b64url(AESGCM(key).encrypt(bytes(12), inner, b"PBE2")),
    })
    aad = b"PBE2" + hashlib.sha256(header).digest()
    count = max(1, -(-len(stream) // segment_size))
    segments = b"".join(
        AESGCM(content_key).encrypt(nonce(i, i == count - 1), stream[i * segment_size:(i + 1) * segment_size], aad)
        for i in range(count))
    return {"inner": inner, "inner_key": key, "header": header,
            "envelope": b"PBE2" + len(header).to_bytes(4, "big") + header + segments}


def open_envelope(envelope: bytes, *, lot_private: int, bidder_private: int, platform: str, lot: str,
                  bidder: str) -> tuple[dict, list[bytes]]:
    """(price form, files' bytes), or ``Refused``."""
    if envelope[:4] != b"PBE2":
        raise Refused("magic")
    length = int.from_bytes(envelope[4:8], "big")
    header_bytes, rest = envelope[8:8 + length], envelope[8 + length:]
    header = json.loads(header_bytes)
    if canonical(header) != header_bytes or header["v"] != 2 or (header["platform"], header["lot"], header["bidder"]) != (
            platform, lot, bidder):
        raise Refused("header")
    if header["bidder_key"] != b64url(hashlib.sha256(public_point(bidder_private)).digest()):
        raise Refused("bidder key")
    try:
        bidder_part = hpke_open(bidder_private, b64url_decode(header["bidder_enc"]),
                                info("bidder-part", platform, lot, bidder), b64url_decode(header["bidder_sealed"]))
        if commit(bidder_part, platform, lot, bidder) != b64url_decode(header["bidder_commit"]):
            raise Refused("commitment")
        lot_part = hpke_open(lot_private, b64url_decode(header["lot_enc"]), info("lot-part", platform, lot, bidder),
                             b64url_decode(header["lot_sealed"]))
        inner = json.loads(AESGCM(inner_key(lot_part, bidder_part, platform, lot, bidder)).decrypt(
            bytes(12), b64url_decode(header["inner"]), b"PBE2"))
        size, aad = header["segment_size"], b"PBE2" + hashlib.sha256(header_bytes).digest()
        full = size + 16
        count = max(1, -(-len(rest) // full))
        stream = b"".join(AESGCM(b64url_decode(inner["key"])).decrypt(
            nonce(i, i == count - 1), rest[i * full:(i + 1) * full], aad) for i in range(count))
    except Exception as error:
        raise Refused(f"does not open: {error!r}") from None
    files, at = [], 0
    for entry in inner["files"]:
        data = stream[at:at + entry["size"]]
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise Refused("file hash")
        files.append(data)
        at += entry["size"]
    if at != len(stream):
        raise Refused("stream length")
    return inner["price_form"], files
