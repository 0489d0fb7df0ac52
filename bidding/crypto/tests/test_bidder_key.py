"""The bidder's key file and its proofs: only the passphrase unlocks it, nothing in it can be changed
unnoticed, and a proof needs both private keys."""
import json
import os

import pytest

from bidding.crypto import bidder_key as bk
from bidding.crypto.canonical import b64url_encode, canonical_json

PASSPHRASE = "correct horse battery staple 9"
NAMES = {"platform": "cn-test-ggzy", "lot": "7", "bidder": "91310000MA1FL0000X"}


@pytest.fixture(scope="module")
def key_file():
    return bk.key_file_create(PASSPHRASE)


def test_the_passphrase_unlocks_both_keys(key_file):
    parsed = bk.key_file_parse(key_file.text())
    fields = json.loads(key_file.text())
    assert fields["kdf"] == "PBKDF2-SHA256" and fields["iterations"] == 600_000 and fields["cipher"] == "AES-256-GCM"
    assert "private" not in key_file.text()  # only the wrapped blob holds them
    unlocked = bk.key_file_unlock(parsed, PASSPHRASE)
    assert bk.public_raw(unlocked.encryption_private_key.public_key()) == parsed.encryption_public_raw
    assert bk.public_raw(unlocked.signing_private_key.public_key()) == parsed.signing_public_raw
    assert parsed.encryption_public_raw != parsed.signing_public_raw
    # Any spacing of the same JSON reads the same.
    assert bk.key_file_parse(json.dumps(fields, indent=2)).fingerprint == key_file.fingerprint


def test_a_wrong_passphrase_is_refused(key_file):
    for wrong in (PASSPHRASE + " ", PASSPHRASE.upper(), ""):
        with pytest.raises(bk.WrongPassphrase):
            bk.key_file_unlock(key_file, wrong)


def test_the_passphrase_is_read_in_nfc():
    composed, decomposed = "密码短语 café au lait", "密码短语 cafe\u0301 au lait"
    made = bk.key_file_create(composed)
    assert bk.key_file_unlock(made, decomposed).signing_private_key


@pytest.mark.parametrize("field, value", [
    ("iterations", 600_001),
    ("encryption_key", None),
    ("signing_key", None),
    ("salt", b64url_encode(os.urandom(16))),
])
def test_nothing_in_the_file_can_be_changed_unnoticed(key_file, field, value):
    fields = json.loads(key_file.text())
    if value is None:  # swap in another valid public key
        value = json.loads(bk.key_file_create(PASSPHRASE).text())[field]
    tampered = bk.key_file_parse(canonical_json(fields | {field: value}))
    with pytest.raises(bk.WrongPassphrase):
        bk.key_file_unlock(tampered, PASSPHRASE)


@pytest.mark.parametrize("change", [
    {"iterations": 1000}, {"iterations": True}, {"kdf": "scrypt"}, {"v": 2}, {"encryption_key": "AAAA"},
    {"wrapped": "not base64!"}, {"extra": 1},
])
def test_malformed_files_are_refused(key_file, change):
    with pytest.raises(bk.KeyFileError):
        bk.key_file_parse(json.dumps(json.loads(key_file.text()) | change))
    with pytest.raises(bk.KeyFileError):
        bk.key_file_parse(b"\x00not json")


def test_a_short_passphrase_is_refused_at_creation():
    with pytest.raises(ValueError):
        bk.key_file_create("short")


def test_a_proof_needs_both_keys_and_names_its_challenge(key_file):
    unlocked = bk.key_file_unlock(key_file, PASSPHRASE)
    challenge, challenge_id = os.urandom(32), "0b0c3f6e-7a2c-4d7e-9a51-2a1f0c9d8e77"
    info = bk.challenge_info(challenge_id=challenge_id, **NAMES)
    sealed = bk.challenge_seal(challenge=challenge, encryption_public_raw=key_file.encryption_public_raw, info=info)
    answer, signature = bk.proof_answer(unlocked=unlocked, sealed=sealed, challenge_id=challenge_id, **NAMES)
    assert answer == challenge and len(signature) == 64
    document = bk.proof_document(challenge_id=challenge_id, answer=answer, **NAMES)
    assert bk.signature_verify(signing_public_raw=key_file.signing_public_raw, message=document, signature=signature)
    # The signature is the signing key's, over this challenge only.
    assert not bk.signature_verify(signing_public_raw=key_file.encryption_public_raw, message=document,
                                   signature=signature)
    other = bk.proof_document(challenge_id="another", answer=answer, **NAMES)
    assert not bk.signature_verify(signing_public_raw=key_file.signing_public_raw, message=other, signature=signature)
    assert not bk.signature_verify(signing_public_raw=key_file.signing_public_raw, message=document,
                                   signature=signature[:63])
    # Another key, or the challenge read under another lot, does not open it.
    stranger = bk.key_file_unlock(bk.key_file_create(PASSPHRASE), PASSPHRASE)
    with pytest.raises(bk.ProofError):
        bk.proof_answer(unlocked=stranger, sealed=sealed, challenge_id=challenge_id, **NAMES)
    with pytest.raises(bk.ProofError):
        bk.proof_answer(unlocked=unlocked, sealed=sealed, challenge_id=challenge_id, **(NAMES | {"lot": "8"}))
