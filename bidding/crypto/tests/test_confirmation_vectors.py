"""The committed opening-confirmation vectors: rebuilt byte for byte from the document's definition,
and the platform's code (``bidder_key.confirmation_document``, ``signature_verify``, the minutes'
check in ``bidding.verify``) agrees with each: the record's digest, the exact document bytes, the
fixed signature; and refuses it for another bidder, record, lot or key."""
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from bidding.crypto import bidder_key
from bidding.crypto.canonical import b64url_decode, canonical_json
from bidding.crypto.tests import make_vectors_confirmation as make
from bidding.verify import VerifyError, confirmation_verify

VECTORS = Path(__file__).parent / "vectors"


def load(name: str) -> dict:
    return json.loads((VECTORS / f"opening_confirmation_{name}.json").read_text(encoding="utf-8"))


def test_the_nonces_are_rfc_6979():
    """RFC 6979 A.2.5, P-256 with SHA-256, message "sample": what makes the committed signatures
    reproducible is the RFC's deterministic nonce."""
    key = ec.derive_private_key(0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721, ec.SECP256R1())
    r, s = decode_dss_signature(key.sign(b"sample", ec.ECDSA(hashes.SHA256(), deterministic_signing=True)))
    assert (f"{r:064X}", f"{s:064X}") == ("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
                                          "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8")


@pytest.mark.parametrize("name", make.CASES)
def test_each_vector_is_rebuilt_byte_for_byte(name):
    assert make.text(name) == (VECTORS / f"opening_confirmation_{name}.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", make.CASES)
def test_the_platform_agrees_on_the_digest_the_document_and_the_signature(name):
    vector = load(name)
    names = {key: vector[key] for key in ("platform", "lot", "bidder")}
    assert canonical_json(vector["record_document"]) == vector["record_canonical"].encode("utf-8")
    assert hashlib.sha256(vector["record_canonical"].encode("utf-8")).hexdigest() == vector["record_sha256"]
    document = bidder_key.confirmation_document(record_sha256=vector["record_sha256"], **names)
    assert document == vector["confirmation_document"].encode("utf-8")

    private = ec.derive_private_key(int(vector["signing_private_key"], 16), ec.SECP256R1())
    public = bytes.fromhex(vector["signing_public_key"])
    assert bidder_key.public_raw(private.public_key()) == public == b64url_decode(vector["signing_key"])
    signature = b64url_decode(vector["signature"])
    assert signature.hex() == vector["signature_hex"]
    assert bidder_key.signature_verify(signing_public_raw=public, message=document, signature=signature)
    # The platform's own signer (random nonces) makes another signature of the same document that verifies too.
    again = bidder_key.sign(private, document)
    assert again != signature and bidder_key.signature_verify(signing_public_raw=public, message=document,
                                                              signature=again)
    confirmation_verify({"bidder": vector["bidder"], "kind": "confirm", "signature": vector["signature"],
                         "signing_key": vector["signing_key"]}, platform=vector["platform"], lot=vector["lot"],
                        record_sha256=vector["record_sha256"])


@pytest.mark.parametrize("name", make.CASES)
@pytest.mark.parametrize("change", [{"bidder": "91110000600037341L"}, {"lot": "8"}, {"platform": "cn-other"},
                                    {"record_sha256": "0" * 64}])
def test_the_signature_binds_the_bidder_lot_platform_and_record(name, change):
    vector = load(name)
    names = {key: vector[key] for key in ("platform", "lot", "bidder", "record_sha256")}
    document = bidder_key.confirmation_document(**{**names, **change})
    assert not bidder_key.signature_verify(signing_public_raw=bytes.fromhex(vector["signing_public_key"]),
                                           message=document, signature=b64url_decode(vector["signature"]))


def test_a_signature_under_another_bidders_key_is_refused():
    opened, revoked = load("opened_bid"), load("revoked_bid")
    with pytest.raises(VerifyError, match=f"bidder {revoked['bidder']}"):
        confirmation_verify({"bidder": revoked["bidder"], "kind": "confirm", "signature": revoked["signature"],
                             "signing_key": opened["signing_key"]}, platform=revoked["platform"], lot=revoked["lot"],
                            record_sha256=revoked["record_sha256"])
