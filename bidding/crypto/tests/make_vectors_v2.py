"""Write the committed envelope v2 vectors: ``python -m bidding.crypto.tests.make_vectors_v2``.

Deterministic: every random input (the lot's and the bidder's key pairs and each HPKE ephemeral, via
RFC 9180 DeriveKeyPair from an ``ikm``; the two parts; the content key) is SHA-256 of the case's
name and a label, and the envelope is built by ``reference_v2`` (written from the document alone).
``test_envelope_v2_vectors`` builds them again and compares byte for byte.
"""
import base64
import hashlib
import json
from pathlib import Path

from bidding.crypto.tests import reference_v2 as reference

VECTORS = Path(__file__).parent / "vectors"
PLATFORM, BIDDER = "cn-demo-ggzy", "91310000MA1FL0000X"


def _pattern(size: int, seed: str) -> bytes:
    blocks = (hashlib.sha256(f"{seed}:{index}".encode()).digest() for index in range(-(-size // 32)))
    return b"".join(blocks)[:size]


CASES = {
    "small_one_file": {
        "lot": "7", "segment_size": 65536,
        "price_form": {"price": "1250000.00", "period_days": 180, "items": {"项目经理": "张三", "质量": "合格"}},
        "files": [("投标文件.pdf", "%PDF-1.7\n投标文件 — sealed bid v2 test vector\n".encode("utf-8"))],
    },
    "multi_segment_two_files": {
        "lot": "42", "segment_size": 4096,
        "price_form": {"price": "98765.4", "period_days": 90, "items": {"quality": "pass"}},
        "files": [("technical.bin", _pattern(9000, "technical")), ("commercial.bin", _pattern(5000, "commercial"))],
    },
    "exact_segments": {
        "lot": "42", "segment_size": 4096,
        "price_form": {"price": "0.5", "period_days": 0, "items": {}},
        "files": [("first.bin", _pattern(4096, "first")), ("second.bin", _pattern(8192, "second"))],
    },
    "no_files": {
        "lot": "1001", "segment_size": 65536,
        "price_form": {"price": "3000000", "period_days": 365, "items": {"工期": "365日历天"}},
        "files": [],
    },
}


def seeded(name: str, label: str) -> bytes:
    """The case's fixed "random" 32 bytes for ``label``."""
    return hashlib.sha256(f"platform envelope v2 test vector|{name}|{label}".encode()).digest()


def vector(name: str) -> dict:
    case = CASES[name]
    names = {"platform": PLATFORM, "lot": case["lot"], "bidder": BIDDER}
    ikm_lot_key, ikm_bidder_key = seeded(name, "lot key"), seeded(name, "bidder key")
    lot_private, lot_public = reference.derive_key_pair(ikm_lot_key)
    bidder_private, bidder_public = reference.derive_key_pair(ikm_bidder_key)
    inputs = {"content_key": seeded(name, "content key"), "lot_part": seeded(name, "lot part"),
              "bidder_part": seeded(name, "bidder part"), "ikm_lot_e": seeded(name, "lot part ephemeral"),
              "ikm_bidder_e": seeded(name, "bidder part ephemeral")}
    built = reference.seal(lot_public=lot_public, bidder_public=bidder_public, price_form=case["price_form"],
                           files=case["files"], segment_size=case["segment_size"], **names, **inputs)
    envelope = built["envelope"]
    return {
        "description": f"Envelope v2 (docs/envelope.md, Version 2), case {name}: every input fixed, see make_vectors_v2.py",
        **names,
        "segment_size": case["segment_size"],
        "price_form": case["price_form"],
        "files": [{"name": file_name, "content_b64": base64.b64encode(data).decode("ascii")}
                  for file_name, data in case["files"]],
        "ikm_lot_key": ikm_lot_key.hex(), "lot_private_key": f"{lot_private:064x}", "lot_public_key": lot_public.hex(),
        "ikm_bidder_key": ikm_bidder_key.hex(), "bidder_private_key": f"{bidder_private:064x}",
        "bidder_public_key": bidder_public.hex(),
        **{label: value.hex() for label, value in inputs.items()},
        "lot_info": reference.info("lot-part", **names).decode("utf-8"),
        "bidder_info": reference.info("bidder-part", **names).decode("utf-8"),
        "inner_key_info": reference.info("inner-key", **names).decode("utf-8"),
        "bidder_commit_info": reference.info("bidder-commit", **names).decode("utf-8"),
        "inner_key": built["inner_key"].hex(),
        "bidder_commit": reference.commit(inputs["bidder_part"], **names).hex(),
        "inner": built["inner"].decode("utf-8"),
        "header": built["header"].decode("utf-8"),
        "envelope_b64": base64.b64encode(envelope).decode("ascii"),
        "envelope_sha256": hashlib.sha256(envelope).hexdigest(),
        "plaintext_sha256": hashlib.sha256(b"".join(data for _, data in case["files"])).hexdigest(),
    }


def text(name: str) -> str:
    return json.dumps(vector(name), ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    for name in CASES:
        path = VECTORS / f"envelope2_{name}.json"
        path.write_text(text(name), encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
