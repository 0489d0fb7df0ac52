"""``python -m bidding.seal confirm`` as a bidder runs it: in a fresh process with Django unimportable,
signing the record file it downloaded; what it prints verifies with the bidder's signing key over the
confirmation document, and it refuses, printing nothing, what it should not sign."""
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bidding.crypto import bidder_key
from bidding.crypto.canonical import b64url_decode, canonical_json
from bidding.crypto.receipts import signed_document
from bidding.tests.test_cli import PLATFORM, no_django, run, write_json  # noqa: F401 (no_django is a fixture)

PASSPHRASE = "a passphrase typed at the terminal"
BIDDER, OTHER = "91310000MA1FL0000X", "91440300MA5G7N2K3Q"


@pytest.fixture(scope="module")
def key_file():
    return bidder_key.key_file_create(PASSPHRASE)


@pytest.fixture
def files(tmp_path, key_file):
    key_path = tmp_path / "bidder-key.json"
    key_path.write_text(key_file.text(), encoding="utf-8")
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text(PASSPHRASE + "\n", encoding="utf-8")
    record = signed_document("opening-record", {
        "v": 1, "platform": PLATFORM, "lot": "7", "lot_code": "GC-2026-0007",
        "opened_at": "2026-12-08T02:31:00.000000Z", "threshold": 2, "custodians_present": [3, 5],
        "bids": [{"bidder": BIDDER, "organisation": "甲建设有限公司", "status": "opened", "price": "1250000.00"},
                 {"bidder": OTHER, "organisation": "乙工程有限公司", "status": "decrypt_failed_revoked"}]},
        Ed25519PrivateKey.generate())
    return {"key": key_path, "passphrase": passphrase, "record": write_json(tmp_path / "opening-record.json", record),
            "document": record["document"]}


def confirm(no_django, files, *extra: str, bidder: str = BIDDER, passphrase=None):
    return run(no_django, "-m", "bidding.seal", "confirm", "--bidder-key", str(files["key"]), "--bidder", bidder,
               "--passphrase-file", str(passphrase or files["passphrase"]), *extra, str(files["record"]))


def test_confirm_signs_the_records_hash_as_the_platform_checks_it(no_django, files, key_file):
    result = confirm(no_django, files)
    assert result.returncode == 0, result.stderr
    digest = hashlib.sha256(canonical_json(files["document"])).hexdigest()
    assert digest in result.stderr
    document = bidder_key.confirmation_document(platform=PLATFORM, lot="7", bidder=BIDDER, record_sha256=digest)
    signature = b64url_decode(result.stdout.strip())
    assert bidder_key.signature_verify(signing_public_raw=key_file.signing_public_raw, message=document,
                                       signature=signature)
    # The signature names its bidder: it is no other bidder's confirmation.
    other = bidder_key.confirmation_document(platform=PLATFORM, lot="7", bidder=OTHER, record_sha256=digest)
    assert not bidder_key.signature_verify(signing_public_raw=key_file.signing_public_raw, message=other,
                                           signature=signature)


def test_confirm_refuses_a_bidder_not_in_the_record_a_wrong_passphrase_and_a_file_that_is_no_record(
        no_django, files, tmp_path):
    absent = confirm(no_django, files, bidder="91110000600037341L")
    assert absent.returncode == 1 and "lists no bid of bidder" in absent.stderr and not absent.stdout

    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase at all\n", encoding="utf-8")
    refused = confirm(no_django, files, passphrase=wrong)
    assert refused.returncode == 1 and "passphrase" in refused.stderr and not refused.stdout

    files["record"] = write_json(tmp_path / "minutes.json", signed_document("opening-minutes", {"lot": "7"},
                                                                            Ed25519PrivateKey.generate()))
    other = confirm(no_django, files)
    assert other.returncode == 1 and "is not a signed opening record" in other.stderr and not other.stdout

    assert run(no_django, "-m", "bidding.seal", "confirm", "--bidder-key", str(files["key"]),
               str(files["record"])).returncode == 2  # --bidder is required: the key file does not name it
