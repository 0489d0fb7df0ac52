"""The sealer and the verifier as a bidder or an auditor runs them: in a fresh process, with Django
unimportable, judged by their output and exit status alone."""
import hashlib
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bidding.crypto.envelope import open_envelope
from bidding.crypto.receipts import receipt_sign, signed_document
from bidding.verify import audit_data_sha256, audit_entry_hash
from monitoring.chain import entry_hash

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = "cn-demo-ggzy"


@pytest.fixture(scope="module")
def no_django(tmp_path_factory) -> Path:
    """A directory whose ``django`` and project packages fail on import, put first on the path."""
    blocked = tmp_path_factory.mktemp("blocked")
    for name in ("django", "config", "monitoring", "trading", "supervisors", "environ", "rest_framework"):
        (blocked / name).mkdir()
        (blocked / name / "__init__.py").write_text(f"raise ImportError('{name} must not be imported')\n")
    return blocked


def run(no_django: Path, *args: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    environment["PYTHONPATH"] = f"{no_django}{os.pathsep}{ROOT}"
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture(scope="module")
def platform_key(tmp_path_factory):
    key = Ed25519PrivateKey.generate()
    path = tmp_path_factory.mktemp("keys") / "platform-key.pem"
    path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo))
    return key, path


def write_json(path: Path, value) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def test_seal_cli_writes_an_envelope_that_opens(no_django, tmp_path):
    lot_key = ec.generate_private_key(ec.SECP256R1())
    key_path = tmp_path / "opening-public.pem"
    key_path.write_bytes(lot_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                           serialization.PublicFormat.SubjectPublicKeyInfo))
    (tmp_path / "技术标.pdf").write_bytes(os.urandom(70_000))
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run(no_django, "-m", "bidding.seal", "--key", str(key_path), "--platform", PLATFORM, "--lot", "7",
                 "--bidder", "91310000MA1FL0000X", "--price", "1250000.00", "--period-days", "180",
                 "--item", "项目经理=张三", str(tmp_path / "技术标.pdf"), str(tmp_path / "empty.txt"),
                 "-o", str(tmp_path / "bid.pbe"))
    assert result.returncode == 0, result.stderr
    envelope = (tmp_path / "bid.pbe").read_bytes()
    assert result.stdout.strip() == hashlib.sha256(envelope).hexdigest()
    opened = open_envelope(stream=io.BytesIO(envelope), private_key=lot_key, platform=PLATFORM, lot="7",
                           bidder="91310000MA1FL0000X", envelope_sha256=result.stdout.strip())
    assert opened.price_form == {"price": "1250000.00", "period_days": 180, "items": {"项目经理": "张三"}}
    assert [(f.name, f.size) for f in opened.files] == [("技术标.pdf", 70_000), ("empty.txt", 0)]


def test_seal_cli_refuses_a_bad_price_and_leaves_nothing(no_django, tmp_path):
    key_path = tmp_path / "opening-public.pem"
    key_path.write_bytes(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    result = run(no_django, "-m", "bidding.seal", "--key", str(key_path), "--platform", PLATFORM, "--lot", "7",
                 "--bidder", "91310000MA1FL0000X", "--price", "12.345", "--period-days", "1",
                 "-o", str(tmp_path / "bid.pbe"))
    assert result.returncode == 1 and "price" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["opening-public.pem"]


def test_verify_receipt(no_django, platform_key, tmp_path):
    key, key_path = platform_key
    receipt_file = receipt_sign(private_key=key, fields={
        "receipt": "0b0f3f8e-3d52-4a8e-9d7b-2f7c1a4c9e11", "platform": PLATFORM, "lot": "7",
        "bidder": "91310000MA1FL0000X", "envelope_sha256": "ab" * 32, "envelope_size": 5,
        "received_at": "2026-03-01T08:30:00.123456Z"})
    good = run(no_django, "-m", "bidding.verify", "receipt", str(write_json(tmp_path / "r.json", receipt_file)),
               "--key", str(key_path))
    assert good.returncode == 0 and good.stdout.startswith("ok receipt 0b0f3f8e"), good.stderr
    receipt_file["receipt"]["envelope_size"] = 6
    bad = run(no_django, "-m", "bidding.verify", "receipt", str(write_json(tmp_path / "r2.json", receipt_file)),
              "--key", str(key_path))
    assert bad.returncode == 1 and bad.stderr.startswith("bad:")


def test_verify_opening_record(no_django, platform_key, tmp_path):
    key, key_path = platform_key
    signed = signed_document("opening-record", {"lot": "7", "bids": []}, key)
    good = run(no_django, "-m", "bidding.verify", "opening", str(write_json(tmp_path / "o.json", signed)),
               "--key", str(key_path))
    assert good.returncode == 0, good.stderr
    signed["document"]["body"]["lot"] = "8"
    bad = run(no_django, "-m", "bidding.verify", "opening", str(write_json(tmp_path / "o2.json", signed)),
              "--key", str(key_path))
    assert bad.returncode == 1


def test_verify_deal_confirmation_and_reserve_record(no_django, platform_key, tmp_path):
    key, key_path = platform_key
    deal = signed_document("deal-confirmation", {"lot_code": "TD-1", "buyer": "乙公司", "bidder_number": 4821,
                                                 "price": "5600000.00", "currency": "CNY"}, key)
    good = run(no_django, "-m", "bidding.verify", "deal", str(write_json(tmp_path / "d.json", deal)),
               "--key", str(key_path))
    assert good.returncode == 0 and "乙公司 (bidder 4821) at 5600000.00 CNY" in good.stdout
    wrong_kind = run(no_django, "-m", "bidding.verify", "reserve", str(tmp_path / "d.json"), "--key", str(key_path))
    assert wrong_kind.returncode == 1
    deal["document"]["body"]["price"] = "1.00"
    forged = run(no_django, "-m", "bidding.verify", "deal", str(write_json(tmp_path / "d2.json", deal)),
                 "--key", str(key_path))
    assert forged.returncode == 1 and forged.stderr.startswith("bad:")
    reserve = signed_document("reserve-record", {"lot": "7", "reserve": "5500000.00", "bids": []}, key)
    good = run(no_django, "-m", "bidding.verify", "reserve", str(write_json(tmp_path / "r.json", reserve)),
               "--key", str(key_path))
    assert good.returncode == 0 and "reserve 5500000.00" in good.stdout


def test_verify_evaluation_report_and_notices(no_django, platform_key, tmp_path):
    key, key_path = platform_key
    report = signed_document("evaluation-report", {"lot_code": "CG-1", "bids": [{}, {}, {}], "candidates": ["a"]}, key)
    good = run(no_django, "-m", "bidding.verify", "report", str(write_json(tmp_path / "e.json", report)),
               "--key", str(key_path))
    assert good.returncode == 0 and "3 bids, 1 candidates" in good.stdout, good.stderr
    for kind in ("award-notice", "result-notice"):
        notice = signed_document(kind, {"lot_code": "CG-1", "to": "丙公司", "winner": "甲公司", "price": "800000.00",
                                        "currency": "CNY"}, key)
        path = write_json(tmp_path / f"{kind}.json", notice)
        good = run(no_django, "-m", "bidding.verify", "notice", str(path), "--key", str(key_path))
        assert good.returncode == 0 and f"ok {kind} of lot CG-1 to 丙公司" in good.stdout, good.stderr
    notice["document"]["body"]["price"] = "1.00"
    forged = run(no_django, "-m", "bidding.verify", "notice", str(write_json(tmp_path / "n2.json", notice)),
                 "--key", str(key_path))
    assert forged.returncode == 1 and forged.stderr.startswith("bad:")
    not_a_notice = run(no_django, "-m", "bidding.verify", "notice", str(tmp_path / "e.json"), "--key", str(key_path))
    assert not_a_notice.returncode == 1


@pytest.mark.parametrize("args", [["receipt"], ["receipt", "missing.json", "--key", "missing.pem"], ["nope", "x"]])
def test_verify_usage_errors_exit_2(no_django, args):
    assert run(no_django, "-m", "bidding.verify", *args).returncode == 2


def test_audit_entry_hash_is_the_chains(no_django):
    # docs/audit.md's test vector.
    at = datetime(2026, 3, 1, 16, 30, 0, 123456, tzinfo=timezone(timedelta(hours=8)))
    data = {"price": "1250000.00", "名称": "甲建设有限公司", "sealed": True, "note": None, "files": [1, 2]}
    salt = "000102030405060708090a0b0c0d0e0f"
    entry = {"at": "2026-03-01T08:30:00.123456Z", "kind": "bid.submitted", "actor": "user:12", "subject": "lot:7",
             "subject_seq": 3, "data": data, "salt": salt, "prev_hash": "0" * 64}
    expected = "51baaffd9ab19fe77bb7c404accb7ffab4707b8f796165e4fd13b5e6180c0232"
    assert audit_entry_hash(entry) == expected
    assert entry_hash(at=at, kind="bid.submitted", actor="user:12", subject="lot:7", subject_seq=3, data=data,
                      salt=salt, prev="0" * 64) == expected
    # Withholding the data and its salt keeps the hash: that is what lets an extract redact other
    # subjects' entries.
    redacted = {key: value for key, value in entry.items() if key not in ("data", "salt")}
    redacted |= {"data_sha256": "76bd0ed46f172b6593e80588609ec7e13067a3223dfb630e601611dfb062017e", "redacted": True}
    assert audit_data_sha256(data, salt) == redacted["data_sha256"]
    assert audit_entry_hash(redacted) == expected
    assert audit_data_sha256(data, "f" * 32) != redacted["data_sha256"], "the salt is part of the digest"


def make_extract(key) -> dict:
    """An extract for lot:7 as the platform writes one: lot:8's entry and the subject-less one redacted."""
    entries, prev = [], "f" * 64
    for number, (subject, seq) in enumerate([("lot:7", 4), ("lot:8", 1), ("lot:7", 5), ("", 9)], start=101):
        entry = {"id": number, "at": f"2026-03-01T08:30:0{number - 100}.000000Z", "kind": "bid.sealed",
                 "actor": "user:3", "subject": subject, "subject_seq": seq, "data": {"n": number},
                 "salt": f"{number:032x}", "prev_hash": prev}
        entry["hash"] = audit_entry_hash(entry)
        if subject != "lot:7":
            entry["data_sha256"] = audit_data_sha256(entry.pop("data"), entry.pop("salt"))
            entry["redacted"] = True
        entries.append(entry)
        prev = entry["hash"]
    message = f"platform-audit-checkpoint|{PLATFORM}|104|{prev}".encode("ascii")
    return {"platform": PLATFORM, "entries": entries,
            "checkpoint": {"entry": 104, "head_hash": prev, "signature": key.sign(message).hex()}}


def spoil_content(extract):
    extract["entries"][2]["data"]["n"] = 0


def spoil_salt(extract):
    extract["entries"][2]["salt"] = "0" * 32


def spoil_salt_missing(extract):
    del extract["entries"][2]["salt"]


def spoil_salt_malformed(extract):
    extract["entries"][2]["salt"] = "AB" * 16


def spoil_redacted_salt_shown(extract):
    extract["entries"][1]["salt"] = f"{102:032x}"


def spoil_redacted_digest(extract):
    extract["entries"][1]["data_sha256"] = audit_data_sha256({"n": 0}, f"{102:032x}")


def spoil_half_redacted(extract):
    extract["entries"][1]["redacted"] = False


def spoil_removal(extract):
    del extract["entries"][1]


def spoil_seq(extract):
    extract["entries"][2]["subject_seq"] = 6
    extract["entries"][2]["hash"] = audit_entry_hash(extract["entries"][2])


def spoil_platform(extract):
    extract["platform"] = "cn-other"


def spoil_forged_checkpoint(extract):
    checkpoint = extract["checkpoint"]
    message = f"platform-audit-checkpoint|{PLATFORM}|{checkpoint['entry']}|{checkpoint['head_hash']}"
    checkpoint["signature"] = Ed25519PrivateKey.generate().sign(message.encode("ascii")).hex()


def spoil_unsealed_tail(extract):
    extract["entries"].append(dict(extract["entries"][-1], id=105))


@pytest.mark.parametrize("spoil, words", [
    (None, "ok 4 entries sealed by their checkpoint"),
    (spoil_content, "bad: entry 103: altered"),
    (spoil_salt, "bad: entry 103: altered"),
    (spoil_salt_missing, "bad: every entry has exactly the keys"),
    (spoil_salt_malformed, "bad: entry 103: salt is 32 lowercase hex digits"),
    (spoil_redacted_salt_shown, "bad: every entry has exactly the keys"),
    (spoil_redacted_digest, "bad: entry 102: altered"),
    (spoil_half_redacted, "bad: entry 102: a redacted entry has redacted true"),
    (spoil_removal, "bad: entry 103: does not link"),
    (spoil_seq, "bad: entry 103: subject_seq 6"),
    (spoil_platform, "bad: entry 104: the checkpoint is not signed by this key"),
    (spoil_forged_checkpoint, "bad: entry 104: the checkpoint is not signed by this key"),
    (spoil_unsealed_tail, "bad: entry 105: does not link"),
])
def test_verify_audit_extract(no_django, platform_key, tmp_path, spoil, words):
    key, key_path = platform_key
    extract = make_extract(key)
    if spoil:
        spoil(extract)
    result = run(no_django, "-m", "bidding.verify", "audit", str(write_json(tmp_path / "a.json", extract)),
                 "--key", str(key_path))
    assert result.returncode == (0 if spoil is None else 1)
    assert (result.stdout if spoil is None else result.stderr).startswith(words)
