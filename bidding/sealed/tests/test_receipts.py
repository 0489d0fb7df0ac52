"""Receipts and signed documents: what the platform signs is what anyone can check."""
import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bidding.crypto.canonical import CanonicalError, b64url_decode, canonical_json, canonical_parse
from bidding.crypto.receipts import SignatureError, receipt_sign, receipt_verify, signed_document, signed_verify

FIELDS = {"receipt": "0b0f3f8e-3d52-4a8e-9d7b-2f7c1a4c9e11", "platform": "cn-demo-ggzy", "lot": "7",
          "bidder": "91310000MA1FL0000X", "envelope_sha256": "ab" * 32, "envelope_size": 123456,
          "received_at": "2026-03-01T08:30:00.123456Z"}


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


def test_receipt_round_trip_signs_the_canonical_bytes(key):
    receipt_file = receipt_sign(private_key=key, fields=FIELDS)
    assert receipt_verify(receipt_file=receipt_file, public_key=key.public_key()) == {
        "v": 1, "kind": "bid-receipt", **FIELDS}
    key.public_key().verify(b64url_decode(receipt_file["signature"]), canonical_json(receipt_file["receipt"]))


@pytest.mark.parametrize("change", [
    lambda r: r["receipt"].update(envelope_size=123457),
    lambda r: r["receipt"].update(lot="8"),
    lambda r: r["receipt"].update(kind="opening-record"),
    lambda r: r["receipt"].update(extra=1),
    lambda r: r.update(signature=r["signature"][:-2] + ("AA" if r["signature"][-2:] != "AA" else "AB")),
])
def test_receipt_tampering_is_refused(key, change):
    receipt_file = receipt_sign(private_key=key, fields=FIELDS)
    changed = copy.deepcopy(receipt_file)
    change(changed)
    with pytest.raises(SignatureError):
        receipt_verify(receipt_file=changed, public_key=key.public_key())


def test_receipt_under_another_key_is_refused(key):
    receipt_file = receipt_sign(private_key=key, fields=FIELDS)
    with pytest.raises(SignatureError):
        receipt_verify(receipt_file=receipt_file, public_key=Ed25519PrivateKey.generate().public_key())


def test_signed_document_round_trip_and_kind_binding(key):
    body = {"lot": "7", "bids": [{"bidder": "91310000MA1FL0000X", "price": "1250000.00"}], "名称": "甲"}
    signed = signed_document(kind="opening-record", body=body, private_key=key)
    assert signed_verify(signed=signed, kind="opening-record", public_key=key.public_key()) == body
    with pytest.raises(SignatureError):
        signed_verify(signed=signed, kind="award-record", public_key=key.public_key())
    changed = copy.deepcopy(signed)
    changed["document"]["body"]["bids"][0]["price"] = "1.00"
    with pytest.raises(SignatureError):
        signed_verify(signed=changed, kind="opening-record", public_key=key.public_key())
    with pytest.raises(ValueError):
        signed_document(kind="bid-receipt", body=body, private_key=key)


@pytest.mark.parametrize("text", [b'{"b":1,"a":2}', b'{"a": 1}', b'{"a":1.5}', b'{"a":"\\u00e9"}', b'{"a":1,"a":1}'])
def test_canonical_parse_refuses_non_canonical_text(text):
    with pytest.raises(CanonicalError):
        canonical_parse(text)


def test_canonical_form_matches_the_audit_chain_vector():
    assert canonical_json({"price": "1250000.00", "名称": "甲建设有限公司", "sealed": True, "note": None,
                           "files": [1, 2]}) == (
        '{"files":[1,2],"note":null,"price":"1250000.00","sealed":true,"名称":"甲建设有限公司"}'.encode())
