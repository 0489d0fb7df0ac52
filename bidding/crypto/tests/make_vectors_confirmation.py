"""Write the committed opening-confirmation vectors: ``python -m bidding.crypto.tests.make_vectors_confirmation``.

What a bidder signs to confirm an opening record (docs/opening-hall.md, "Confirmations"), built
here from the document alone: the record's SHA-256 over its canonical JSON, the confirmation
document written with ``json.dumps`` as docs/envelope.md defines canonical JSON, and an ECDSA P-256
SHA-256 signature as ``r ‖ s``. Deterministic: each signing key is SHA-256 of the case's name, and
the signature uses RFC 6979 nonces, so ``test_confirmation_vectors`` rebuilds every file byte for
byte. Any nonce verifies; RFC 6979 only makes the committed signature reproducible.
"""
import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from bidding.crypto.canonical import b64url_encode

VECTORS = Path(__file__).parent / "vectors"
PLATFORM, LOT = "cn-demo-ggzy", "7"
ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
OPENED, REVOKED = "91310000MA1FL0000X", "91440300MA5G7N2K3Q"
# The document of a signed opening record (its "document" member, as GET …/opening/record/ serves it):
# one bid opened with both locks released, one left locked through its bidder's fault (revoked).
RECORD_DOCUMENT = {
    "v": 1, "kind": "opening-record",
    "body": {
        "v": 1, "platform": PLATFORM, "lot": LOT, "lot_code": "GC-2026-0007",
        "opened_at": "2026-12-08T02:31:00.000000Z", "threshold": 2, "custodians_present": [3, 5],
        "bids": [
            {"receipt": "0b0f3f8e-3d52-4a8e-9d7b-2f7c1a4c9e11", "bidder": OPENED, "organisation": "甲建设有限公司",
             "envelope_sha256": "5d41402abc4b2a76b9719d911017c592" * 2, "locks": 2, "status": "opened",
             "price": "1250000.00", "period_days": 180, "items": {"质量": "合格", "项目经理": "张三"},
             "files": [{"name": "投标文件.pdf", "size": 48213, "sha256": "2c26b46b68ffc68ff99b453c1d304134" * 2}]},
            {"receipt": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e", "bidder": REVOKED, "organisation": "乙工程有限公司",
             "envelope_sha256": "fcde2b2edba56bf408601fb721fe9b5c" * 2, "locks": 2,
             "status": "decrypt_failed_revoked",
             "failure": {"code": "not_released", "fault": "bidder", "outcome": "revoked"}},
        ],
    },
}
# case: the bidder that signs. Both bidders of the record confirm it, the revoked one too.
CASES = {"opened_bid": OPENED, "revoked_bid": REVOKED}


def canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signing_key(name: str) -> ec.EllipticCurvePrivateKey:
    scalar = int.from_bytes(hashlib.sha256(f"platform opening confirmation test vector|{name}".encode()).digest(),
                            "big")
    assert 0 < scalar < ORDER, "pick another name: the scalar is out of range"
    return ec.derive_private_key(scalar, ec.SECP256R1())


def vector(name: str) -> dict:
    bidder = CASES[name]
    record_bytes = canonical(RECORD_DOCUMENT)
    record_sha256 = hashlib.sha256(record_bytes).hexdigest()
    document = canonical({"kind": "opening-confirmation", "platform": PLATFORM, "lot": LOT, "bidder": bidder,
                          "record_sha256": record_sha256})
    key = signing_key(name)
    public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    r, s = decode_dss_signature(key.sign(document, ec.ECDSA(hashes.SHA256(), deterministic_signing=True)))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return {
        "description": f"Opening confirmation (docs/opening-hall.md, Confirmations), case {name}: every input "
                       "fixed, see make_vectors_confirmation.py",
        "platform": PLATFORM, "lot": LOT, "bidder": bidder,
        "record_document": RECORD_DOCUMENT,
        "record_canonical": record_bytes.decode("utf-8"),
        "record_sha256": record_sha256,
        "confirmation_document": document.decode("utf-8"),
        "signing_private_key": f"{key.private_numbers().private_value:064x}",
        "signing_public_key": public.hex(),
        "signing_key": b64url_encode(public),
        "signature_hex": signature.hex(),
        "signature": b64url_encode(signature),
    }


def text(name: str) -> str:
    return json.dumps(vector(name), ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    for name in CASES:
        path = VECTORS / f"opening_confirmation_{name}.json"
        path.write_text(text(name), encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
