"""RFC 9180 vectors against a key schedule written here from the RFC, and that key schedule against
``cryptography``'s HPKE for the envelope's suite (P-256, HKDF-SHA256, AES-256-GCM).

``cryptography``'s single-shot API takes no associated data and the RFC's encryptions all have
some ("Count-0", ...), so they are checked through the key schedule below, and ``cryptography`` is
checked against the same key schedule with empty associated data, which is what it uses.
"""
import hashlib
import hmac
import json
import os

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

VECTOR = os.path.join(os.path.dirname(__file__), "vectors", "rfc9180_base_p256_sha256_aes256gcm.json")
SUITE = hpke.Suite(hpke.KEM.P256, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
KEY_SIZE = {1: 16, 2: 32}  # AEAD id -> Nk


def labeled_extract(suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt or bytes(32), b"HPKE-v1" + suite_id + label + ikm, hashlib.sha256).digest()


def labeled_expand(suite_id: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    labeled_info = length.to_bytes(2, "big") + b"HPKE-v1" + suite_id + label + info
    return HKDFExpand(hashes.SHA256(), length, labeled_info).derive(prk)


def key_schedule(private_key: ec.EllipticCurvePrivateKey, enc: bytes, info: bytes, aead_id: int) -> dict:
    """RFC 9180 §4.1 Decap for DHKEM(P-256, HKDF-SHA256) and §5.1 KeySchedule in mode_base."""
    kem_suite = b"KEM" + (0x0010).to_bytes(2, "big")
    dh = private_key.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), enc))
    pk_rm = private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                  serialization.PublicFormat.UncompressedPoint)
    eae_prk = labeled_extract(kem_suite, b"", b"eae_prk", dh)
    shared_secret = labeled_expand(kem_suite, eae_prk, b"shared_secret", enc + pk_rm, 32)
    suite = b"HPKE" + (0x0010).to_bytes(2, "big") + (1).to_bytes(2, "big") + aead_id.to_bytes(2, "big")
    context = (b"\x00" + labeled_extract(suite, b"", b"psk_id_hash", b"")
               + labeled_extract(suite, b"", b"info_hash", info))
    secret = labeled_extract(suite, shared_secret, b"secret", b"")
    return {
        "shared_secret": shared_secret,
        "key": labeled_expand(suite, secret, b"key", context, KEY_SIZE[aead_id]),
        "base_nonce": labeled_expand(suite, secret, b"base_nonce", context, 12),
        "exporter_secret": labeled_expand(suite, secret, b"exp", context, 32),
    }


def nonce(base_nonce: bytes, sequence: int) -> bytes:
    return bytes(a ^ b for a, b in zip(base_nonce, sequence.to_bytes(12, "big")))


@pytest.fixture(scope="module")
def vector():
    with open(VECTOR, encoding="utf-8") as vector_file:
        return json.load(vector_file)


def test_vector_is_the_entry_of_our_suite(vector):
    assert (vector["mode"], vector["kem_id"], vector["kdf_id"], vector["aead_id"]) == (0, 16, 1, 2)
    private_key = ec.derive_private_key(int(vector["skRm"], 16), ec.SECP256R1())
    public = private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
    assert public.hex() == vector["pkRm"]


def test_key_schedule_reproduces_the_rfc_vector(vector):
    private_key = ec.derive_private_key(int(vector["skRm"], 16), ec.SECP256R1())
    derived = key_schedule(private_key, bytes.fromhex(vector["enc"]), bytes.fromhex(vector["info"]),
                           vector["aead_id"])
    for name in ("shared_secret", "key", "base_nonce", "exporter_secret"):
        assert derived[name].hex() == vector[name], name
    for sequence, encryption in enumerate(vector["encryptions"]):
        assert nonce(derived["base_nonce"], sequence).hex() == encryption["nonce"]
        plaintext = AESGCM(derived["key"]).decrypt(bytes.fromhex(encryption["nonce"]),
                                                   bytes.fromhex(encryption["ct"]), bytes.fromhex(encryption["aad"]))
        assert plaintext.hex() == encryption["pt"]


def test_cryptography_decrypts_what_the_rfc_key_schedule_encrypts(vector):
    # The vector's own enc and recipient key, under our suite's AES-256-GCM (Nk = 32).
    private_key = ec.derive_private_key(int(vector["skRm"], 16), ec.SECP256R1())
    enc, info = bytes.fromhex(vector["enc"]), bytes.fromhex(vector["info"])
    derived = key_schedule(private_key, enc, info, aead_id=2)
    message = bytes.fromhex(vector["encryptions"][0]["pt"])
    ciphertext = AESGCM(derived["key"]).encrypt(derived["base_nonce"], message, b"")
    assert SUITE.decrypt(enc + ciphertext, private_key, info=info) == message
    with pytest.raises(InvalidTag):
        SUITE.decrypt(enc + ciphertext, private_key, info=info + b"!")


def test_rfc_key_schedule_decrypts_what_cryptography_encrypts(vector):
    private_key = ec.derive_private_key(int(vector["skRm"], 16), ec.SECP256R1())
    info = b"platform-bid-envelope|v1|cn-demo-ggzy|7|91310000MA1FL0000X"
    sealed = SUITE.encrypt(b"inner", private_key.public_key(), info=info)
    enc, ciphertext = sealed[:65], sealed[65:]
    derived = key_schedule(private_key, enc, info, aead_id=2)
    assert AESGCM(derived["key"]).decrypt(derived["base_nonce"], ciphertext, b"") == b"inner"
