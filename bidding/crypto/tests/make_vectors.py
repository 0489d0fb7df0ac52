"""Write the committed envelope test vectors: ``python -m bidding.crypto.tests.make_vectors``.

Contents are fixed; keys, content keys and HPKE ephemerals are random on every run, which is fine
because each vector stores its recipient private key. Rerun only to replace the vectors on purpose:
the browser's tests read the same files.
"""
import base64
import hashlib
import io
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bidding.crypto.sealing import seal

VECTORS = Path(__file__).parent / "vectors"
PLATFORM, BIDDER = "cn-demo-ggzy", "91310000MA1FL0000X"


def _pattern(size: int, seed: str) -> bytes:
    blocks = (hashlib.sha256(f"{seed}:{index}".encode()).digest() for index in range(-(-size // 32)))
    return b"".join(blocks)[:size]


CASES = {
    "small_one_file": {
        "lot": "7", "segment_size": 65536,
        "price_form": {"price": "1250000.00", "period_days": 180, "items": {"项目经理": "张三", "质量": "合格"}},
        "files": [("投标文件.pdf", "%PDF-1.7\n投标文件 — sealed bid test vector\n".encode("utf-8"))],
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


def main() -> None:
    for name, case in CASES.items():
        private_key = ec.generate_private_key(ec.SECP256R1())
        out = io.BytesIO()
        seal(public_key=private_key.public_key(), platform=PLATFORM, lot=case["lot"], bidder=BIDDER,
             price_form=case["price_form"], files=[(n, io.BytesIO(data), len(data)) for n, data in case["files"]],
             out=out, segment_size=case["segment_size"])
        der = private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
        vector = {
            "recipient_private_key_pkcs8_b64": base64.b64encode(der).decode("ascii"),
            "platform": PLATFORM, "lot": case["lot"], "bidder": BIDDER, "price_form": case["price_form"],
            "files": [{"name": n, "content_b64": base64.b64encode(data).decode("ascii")} for n, data in case["files"]],
            "envelope_b64": base64.b64encode(out.getvalue()).decode("ascii"),
            "plaintext_sha256": hashlib.sha256(b"".join(data for _, data in case["files"])).hexdigest(),
        }
        path = VECTORS / f"envelope_{name}.json"
        path.write_text(json.dumps(vector, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
