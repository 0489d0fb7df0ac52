"""``python -m bidding.verify opening`` on the signed minutes of an opening: a real session run through
the hall's services (three v2 bids, a check-in, two parts released and one left locked, a pause, a
question, a confirmation signed at the terminal with ``python -m bidding.seal confirm``, an objection
answered, a silence deemed), then the minutes checked in a fresh process without Django, and refused
once anything inside them is changed, even when the platform's own signature is put back on top."""
import copy
import hashlib
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from bidding.crypto import bidder_key, receipts
from bidding.crypto.canonical import b64url_decode, b64url_encode, canonical_json
from bidding.crypto.envelope_v2 import bidder_part_unlock, header_check
from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal_v2
from bidding.sealed.models import Bid, OpeningSession
from bidding.sealed.services.bidder_keys import bidder_key_challenge, bidder_key_register
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.hall import (bid_header, hall_check_in, hall_pause, hall_resume, part_release,
                                          question_answer, question_ask, window_sweep)
from bidding.sealed.services.opening import (opening_answer, opening_close_sweep, opening_confirm, opening_object,
                                             opening_start, record_sha256, share_present)
from bidding.tests.test_cli import no_django, run, write_json  # noqa: F401 (no_django is a fixture)
from bidding.verify import VerifyError, opening_minutes_verify
from tests.fixtures import CUSTODIAN_PASSPHRASE
from trading import signing
from trading.models import Lot
from trading.services.lots import lot_due_sweep
from trading.services.registrations import registration_create

PASSPHRASE = "our company's bidding passphrase"
PRICES = {"bidder_a": "1000000.00", "bidder_b": "950000.50", "bidder_c": "990000.00"}


@pytest.fixture(scope="module")
def key_files():
    return {name: bidder_key.key_file_create(PASSPHRASE) for name in PRICES}


@pytest.fixture
def bidders(bidder_a, bidder_b, make_person):
    return {"bidder_a": bidder_a, "bidder_b": bidder_b,
            "bidder_c": make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")}


def sealed(lot, user, key_file, price) -> bytes:
    out = io.BytesIO()
    data = b"technical proposal " * 2000
    seal_v2(lot_public_key=public_key_load(bytes(lot.opening_key.public_key_raw)),
            bidder_public_key=key_file.encryption_public_key, platform=settings.PLATFORM_ID, lot=str(lot.pk),
            bidder=user.organisation.uscc, price_form={"price": price, "period_days": 200, "items": {"quality": "合格"}},
            files=[("proposal.pdf", io.BytesIO(data), len(data))], out=out)
    return out.getvalue()


def released_part(lot, user, key_file) -> bytes:
    """What the bidder's browser or ``python -m bidding.seal unlock`` releases in the window."""
    _, header = bid_header(lot_id=lot.pk, user=user)
    names = {"platform": settings.PLATFORM_ID, "lot": str(lot.pk), "bidder": user.organisation.uscc}
    checked = header_check(header, bidder_key=key_file.fingerprint, **names)
    unlocked = bidder_key.key_file_unlock(key_file, PASSPHRASE)
    return bidder_part_unlock(header=checked, private_key=unlocked.encryption_private_key, **names)


@pytest.fixture
def minutes(make_lot, publish_sealed, custodians, bidders, key_files, staff, no_django, tmp_path):
    """A whole opening in the hall, closed: (its minutes, the session)."""
    lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    registrations = {}
    for name, user in bidders.items():
        registrations[name] = registration_create(lot_id=lot.pk, user=user)
        bidder_key_register(registration_id=registrations[name].pk, user=user, key_file=key_files[name].text())
        data = sealed(lot, user, key_files[name], PRICES[name])
        bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(data), length=len(data))
    with time_machine.travel(lot.bid_deadline - timedelta(minutes=10), tick=False):
        issued = bidder_key_challenge(registration_id=registrations["bidder_a"].pk, user=bidders["bidder_a"])
        answer, signature = bidder_key.proof_answer(
            unlocked=bidder_key.key_file_unlock(key_files["bidder_a"], PASSPHRASE), sealed=issued.sealed,
            challenge_id=issued.challenge_id, platform=issued.platform, lot=issued.lot, bidder=issued.bidder)
        hall_check_in(lot_id=lot.pk, user=bidders["bidder_a"], challenge_id=issued.challenge_id, answer=answer,
                      signature=signature)
    with time_machine.travel(lot.bid_deadline, tick=False):
        lot_due_sweep()
    session = opening_start(lot_id=lot.pk, actor=f"user:{staff.pk}")
    for custodian in custodians[:2]:
        share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
    session.refresh_from_db()
    assert session.status == OpeningSession.Status.DECRYPTION_WINDOW
    for name in ("bidder_a", "bidder_b"):
        part_release(lot_id=lot.pk, user=bidders[name], part=released_part(lot, bidders[name], key_files[name]))
    with time_machine.travel(session.window_until, tick=False):
        assert window_sweep() == {"closed": 1, "extended": 0}
    session.refresh_from_db()
    assert Bid.objects.get(lot=lot, organisation=bidders["bidder_c"].organisation).status == \
        Bid.Status.DECRYPT_FAILED_REVOKED

    question = question_ask(lot_id=lot.pk, user=bidders["bidder_c"], text="第三份投标为何未解密？")
    question_answer(question_id=question.pk, answer="解密时间内未提交解密密钥，按规定视为撤销。", actor=f"user:{staff.pk}")
    hall_pause(lot_id=lot.pk, actor=f"user:{staff.pk}", reason="网络故障")
    hall_resume(lot_id=lot.pk, actor=f"user:{staff.pk}")
    session.refresh_from_db()

    # bidder_a signs at the terminal, from the record file as the API serves it.
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text(PASSPHRASE + "\n", encoding="utf-8")
    key_path = tmp_path / "bidder-key.json"
    key_path.write_text(key_files["bidder_a"].text(), encoding="utf-8")
    record_path = write_json(tmp_path / "opening-record.json", session.record)
    uscc = bidders["bidder_a"].organisation.uscc
    signed = run(no_django, "-m", "bidding.seal", "confirm", "--bidder-key", str(key_path), "--bidder", uscc,
                 "--passphrase-file", str(passphrase), str(record_path))
    assert signed.returncode == 0, signed.stderr
    document = bidder_key.confirmation_document(platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=uscc,
                                                record_sha256=record_sha256(session))
    assert bidder_key.signature_verify(signing_public_raw=key_files["bidder_a"].signing_public_raw, message=document,
                                       signature=b64url_decode(signed.stdout.strip()))
    opening_confirm(session_id=session.pk, user=bidders["bidder_a"], signature=signed.stdout.strip())

    # bidder_b objects, is answered, then signs in its browser (here: the same signer in-process).
    objection = opening_object(session_id=session.pk, user=bidders["bidder_b"], text="请核对乙公司报价。")
    opening_answer(response_id=objection.pk, answer="已核对，报价为 950000.50 元。", actor=f"user:{staff.pk}")
    unlocked = bidder_key.key_file_unlock(key_files["bidder_b"], PASSPHRASE)
    document = bidder_key.confirmation_document(platform=settings.PLATFORM_ID, lot=str(lot.pk),
                                                bidder=bidders["bidder_b"].organisation.uscc,
                                                record_sha256=record_sha256(session))
    opening_confirm(session_id=session.pk, user=bidders["bidder_b"],
                    signature=b64url_encode(bidder_key.sign(unlocked.signing_private_key, document)))
    # bidder_c says nothing: deemed to confirm when the window ends.
    with time_machine.travel(session.responses_until, tick=False):
        assert opening_close_sweep() == {"closed": 1}
    session.refresh_from_db()
    lot.refresh_from_db()
    assert lot.status == Lot.Status.EVALUATION
    return session.minutes, session


@pytest.fixture
def platform_pem(tmp_path):
    path = tmp_path / "platform-key.pem"
    path.write_bytes(signing.public_key_pem())
    return path


def verify(no_django, tmp_path, platform_pem, minutes, name="minutes.json"):
    return run(no_django, "-m", "bidding.verify", "opening", str(write_json(tmp_path / name, minutes)),
               "--key", str(platform_pem))


def resigned(body: dict) -> dict:
    """Minutes changed inside and signed again with the platform's key: only the inner checks can tell."""
    return receipts.signed_document("opening-minutes", body, signing.private_key())


def entry_of(body: dict, uscc: str, kind: str = "confirm") -> dict:
    return next(entry for entry in body["responses"] if entry["bidder"] == uscc and entry["kind"] == kind)


@pytest.mark.django_db
def test_genuine_minutes_verify_and_every_change_inside_is_refused(minutes, bidders, no_django, tmp_path,
                                                                   platform_pem):
    signed, session = minutes
    body = signed["document"]["body"]
    usccs = {name: user.organisation.uscc for name, user in bidders.items()}
    assert body["record"] == session.record and body["record_sha256"] == record_sha256(session)
    assert [entry["bidder"] for entry in body["check_ins"]] == [usccs["bidder_a"]]
    assert sorted(entry["bidder"] for entry in body["releases"]) == sorted([usccs["bidder_a"], usccs["bidder_b"]])

    good = verify(no_django, tmp_path, platform_pem, signed)
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith(f"ok opening minutes of lot {session.lot.code} (lot {session.lot_id} on "
                                  f"{settings.PLATFORM_ID})")
    for said in ("3 bids in the record", "2 signed (each signature verified), 0 unsigned, 1 deemed by silence",
                 "objections: 1 (1 answered)", "1 pauses", "1 questions (1 answered)", "1 check-ins",
                 "2 parts released"):
        assert said in good.stdout, good.stdout
    # The signed record alone still verifies as before.
    assert verify(no_django, tmp_path, platform_pem, session.record, "record.json").stdout == \
        "ok opening record signed by this key\n"

    # A price changed in the record inside: as it is, the platform's signature of the minutes fails...
    changed = copy.deepcopy(body)
    bid = next(entry for entry in changed["record"]["document"]["body"]["bids"] if entry["bidder"] == usccs["bidder_b"])
    bid["price"] = "850000.50"
    tampered = {"document": {**signed["document"], "body": changed}, "signature": signed["signature"]}
    refused = verify(no_django, tmp_path, platform_pem, tampered, "price.json")
    assert refused.returncode == 1 and refused.stderr.startswith("bad: the minutes:"), refused.stderr
    # ...and signed again on top, the record's own signature does.
    refused = verify(no_django, tmp_path, platform_pem, resigned(changed), "price2.json")
    assert refused.returncode == 1 and "the record inside the minutes" in refused.stderr, refused.stderr

    changed = copy.deepcopy(body)
    changed["record_sha256"] = "0" * 64
    refused = verify(no_django, tmp_path, platform_pem, resigned(changed), "digest.json")
    assert refused.returncode == 1 and "record_sha256" in refused.stderr and not refused.stdout

    # A forged signature of bidder_a: the right document, signed by someone else's key.
    changed = copy.deepcopy(body)
    document = bidder_key.confirmation_document(platform=body["platform"], lot=body["lot"], bidder=usccs["bidder_a"],
                                                record_sha256=body["record_sha256"])
    entry_of(changed, usccs["bidder_a"])["signature"] = b64url_encode(
        bidder_key.sign(ec.generate_private_key(ec.SECP256R1()), document))
    refused = verify(no_django, tmp_path, platform_pem, resigned(changed), "forged.json")
    assert refused.returncode == 1 and f"bidder {usccs['bidder_a']}:" in refused.stderr, refused.stderr

    # bidder_a's signature (and key) moved onto bidder_b's confirmation.
    changed = copy.deepcopy(body)
    moved = entry_of(changed, usccs["bidder_a"])
    entry_of(changed, usccs["bidder_b"]).update(signature=moved["signature"], signing_key=moved["signing_key"])
    refused = verify(no_django, tmp_path, platform_pem, resigned(changed), "moved.json")
    assert refused.returncode == 1 and f"bidder {usccs['bidder_b']}:" in refused.stderr, refused.stderr

    # bidder_c's deemed confirmation dropped: its silence is no longer on the record.
    changed = copy.deepcopy(body)
    changed["responses"] = [entry for entry in changed["responses"] if entry["bidder"] != usccs["bidder_c"]]
    with pytest.raises(VerifyError, match=f"bidder {usccs['bidder_c']} of the record neither confirmed"):
        opening_minutes_verify(minutes=resigned(changed), public_key=signing.public_key())

    # Another platform's key verifies nothing.
    with pytest.raises(VerifyError, match="the minutes: the signature does not verify"):
        opening_minutes_verify(minutes=signed, public_key=Ed25519PrivateKey.generate().public_key())


def test_minutes_built_by_hand_check_each_response():
    """The minutes' checks without a session: unsigned confirmations are counted as such, a bidder
    confirming twice or a record of another lot is refused."""
    key = Ed25519PrivateKey.generate()
    record = receipts.signed_document("opening-record", {"platform": "p", "lot": "7", "bids": [
        {"bidder": "A"}, {"bidder": "B"}]}, key)
    digest = hashlib.sha256(canonical_json(record["document"])).hexdigest()
    body = {"v": 1, "platform": "p", "lot": "7", "lot_code": "GC-7", "record": record, "record_sha256": digest,
            "check_ins": [], "releases": [], "pauses": [], "questions": [], "closed_at": "2026-12-08T03:00:00.000000Z",
            "responses": [{"bidder": "A", "kind": "confirm", "at": "2026-12-08T02:40:00.000000Z"},
                          {"bidder": "B", "kind": "deemed", "at": "2026-12-08T03:00:00.000000Z"}]}
    summary = opening_minutes_verify(minutes=receipts.signed_document("opening-minutes", body, key),
                                     public_key=key.public_key())
    assert "0 signed (each signature verified), 1 unsigned, 1 deemed by silence" in summary

    twice = {**body, "responses": body["responses"] + [{"bidder": "B", "kind": "confirm", "at": "x"}]}
    with pytest.raises(VerifyError, match="bidder B: confirmed twice"):
        opening_minutes_verify(minutes=receipts.signed_document("opening-minutes", twice, key),
                               public_key=key.public_key())
    other = {**body, "lot": "8"}
    with pytest.raises(VerifyError, match="the record inside is of lot '7'"):
        opening_minutes_verify(minutes=receipts.signed_document("opening-minutes", other, key),
                               public_key=key.public_key())
    for entry, said in (({"signature": "AAAA"}, "a signed confirmation carries both its signature and signing_key"),
                        ({"signature": "AAAA", "signing_key": b64url_encode(b"\x04" + bytes(64))},
                         "the signing key is not an uncompressed P-256 point")):
        half = {**body, "responses": [{"bidder": "A", "kind": "confirm", "at": "x", **entry}, body["responses"][1]]}
        with pytest.raises(VerifyError, match=f"bidder A: {said}"):
            opening_minutes_verify(minutes=receipts.signed_document("opening-minutes", half, key),
                                   public_key=key.public_key())


