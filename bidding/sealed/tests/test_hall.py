"""The remote opening hall (issue 21, docs/opening-hall.md) at the service and API level: v2 bids
with the bidder's own lock, check-in with the key proved, the decryption window and its end under
the outage rule (电子招标投标办法 Art 31: revoked or withdrawn, with the deposit rules), neither lock
opening a stored bid alone, pause and resume with frozen windows, signed confirmations and the
signed minutes, repeated refusals alerting supervision, questions, and the public hall state."""
import copy
import hashlib
import io
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from bidding.crypto import bidder_key as crypto, custodian as custodian_crypto, receipts, shamir
from bidding.crypto.canonical import b64url_decode, b64url_encode, canonical_json
from bidding.crypto.envelope import Code, EnvelopeError
from bidding.crypto.envelope_v2 import (bidder_part_unlock, header_check, header_read, inner_open, lot_part_open,
                                        open_envelope_v2)
from bidding.crypto.opening_key import private_key_rebuild
from bidding.errors import BiddingError
from bidding.sealed.models import (Bid, BidderKey, BidderRelease, HallCheckIn, KeyShare, OpeningResponse,
                                   OpeningSession)
from bidding.sealed.services.bidder_keys import bidder_key_challenge
from bidding.sealed.services.hall import (hall_check_in, hall_pause, hall_resume, part_release, question_answer,
                                          question_ask, window_sweep)
from bidding.sealed.services.opening import (opening_answer, opening_close_sweep, opening_confirm, opening_object,
                                             opening_start)
from bidding.sealed.tests.hall_helpers import (PASSPHRASE, bidding_close, clock_on, clock_to, confirmation_signature,
                                               envelope_v1, envelope_v2, key_check_answer, key_register,
                                               part_unlock, shares_present, stored_envelopes, submit)
from bidding.verify import VerifyError, opening_minutes_verify
from monitoring.events import WITHHELD_ACTOR, actor_of
from monitoring.models import AuditEntry
from monitoring.supervision.models import Alert
from monitoring.supervision.services import alerts_sweep
from tests.fixtures import CUSTODIAN_PASSPHRASE
from trading import clock, signing
from trading.models import Deposit, Notification, Rule, RuleCode
from trading.services.availability import incident_declare
from trading.services.deposits import deposit_confirm
from trading.services.registrations import registration_create
from trading.storage import get_storage

pytestmark = pytest.mark.django_db
PRICES = ("1000000.00", "950000.50", "990000.00")
DEPOSIT = Decimal("10000.00")


# --- fixtures -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def key_files():
    """The three bidders' own keys and a stranger's (made once: unwrapping takes a deliberate moment)."""
    return [crypto.key_file_create(PASSPHRASE) for _ in range(4)]


@pytest.fixture(scope="module")
def unlocked(key_files):
    return [crypto.key_file_unlock(key_file, PASSPHRASE) for key_file in key_files]


@pytest.fixture
def frozen(time_machine):
    """The platform clock, frozen at the test's start; moved with ``clock_to`` and ``clock_on``."""
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


@pytest.fixture
def bidders(bidder_a, bidder_b, make_person):
    return [bidder_a, bidder_b, make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")]


@pytest.fixture
def lot(frozen, make_lot, publish_sealed):
    """A works lot taking sealed bids with a deposit; custodians hold its key 2 of 3."""
    return publish_sealed(make_lot("construction", deposit=DEPOSIT))


@pytest.fixture
def registrations(lot, bidders):
    """Each bidder registered, its deposit in."""
    made = []
    for user in bidders:
        registration = registration_create(lot_id=lot.pk, user=user)
        deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference=f"DEP-{registration.pk}",
                        actor="user:1")
        made.append(registration)
    return made


@pytest.fixture
def keys(registrations, bidders, key_files):
    """Each bidder's key registered with its registration."""
    return [key_register(user, registration, key_file)
            for user, registration, key_file in zip(bidders, registrations, key_files)]


@pytest.fixture
def bids(lot, bidders, keys, key_files):
    """Each bidder's v2 envelope, sealed to its registered key."""
    return [submit(lot, user, envelope_v2(lot, user, price, key_file.encryption_public_key))
            for user, price, key_file in zip(bidders, PRICES, key_files)]


@pytest.fixture
def window(frozen, lot, bids, custodians):
    """Bidding closed, the opening started at the deadline, two custodians' shares in: the
    decryption window is open."""
    bidding_close(lot, frozen)
    session = opening_start(lot_id=lot.pk, actor="user:1")
    return shares_present(session, custodians[:2])


@pytest.fixture
def published(window, lot, bidders, unlocked):
    """Every bidder released its part in the window: the record is published."""
    release_all(lot, bidders, unlocked)
    window.refresh_from_db()
    assert window.status == OpeningSession.Status.RECORD_PUBLISHED
    return window


# --- small helpers --------------------------------------------------------------------------------

def refused(code, call, *args, **kwargs) -> BiddingError:
    with pytest.raises(BiddingError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def events(kind, subject=None) -> list[AuditEntry]:
    found = AuditEntry.objects.filter(kind=kind)
    if subject is not None:
        found = found.filter(subject=subject)
    return list(found.order_by("id"))


def release_all(lot, bidders, unlocked):
    for user, key in zip(bidders, unlocked):
        part_release(lot_id=lot.pk, user=user, part=part_unlock(lot, user, key))


def rule_amount(lot, code) -> int:
    return Rule.objects.get(market=lot.project.market, procedure=None, code=code).amount


def statuses(lot, bidders) -> list[str]:
    return [Bid.objects.get(lot=lot, organisation=user.organisation).status for user in bidders]


def deposit_of(registration) -> Deposit:
    return Deposit.objects.get(registration=registration)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def minutes_verified(minutes: dict) -> dict:
    """The minutes checked as an independent verifier would, with the platform's public key and the
    bidders' signing keys: the platform's signature, the record inside it and its hash, and every
    bidder's signature over the confirmation of that hash. Returns the minutes' body."""
    public_key = signing.public_key()
    body = receipts.signed_verify(minutes, "opening-minutes", public_key)
    receipts.signed_verify(body["record"], "opening-record", public_key)
    assert body["record_sha256"] == hashlib.sha256(canonical_json(body["record"]["document"])).hexdigest()
    for entry in body["responses"]:
        if "signature" in entry:
            document = crypto.confirmation_document(platform=body["platform"], lot=body["lot"],
                                                    bidder=entry["bidder"], record_sha256=body["record_sha256"])
            assert crypto.signature_verify(signing_public_raw=b64url_decode(entry["signing_key"]), message=document,
                                           signature=b64url_decode(entry["signature"])), entry
    return body


# --- 1. submission --------------------------------------------------------------------------------

def test_a_v2_envelope_sealed_to_the_registered_key_is_accepted_with_a_receipt(lot, bidders, keys, key_files):
    user = bidders[0]
    bid = submit(lot, user, envelope_v2(lot, user, PRICES[0], key_files[0].encryption_public_key))
    assert bid.envelope_version == 2 and bid.status == Bid.Status.SEALED
    fields = receipts.receipt_verify(bid.receipt, signing.public_key())
    assert (fields["lot"], fields["bidder"], fields["envelope_sha256"], fields["receipt"]) == (
        str(lot.pk), user.organisation.uscc, bid.envelope_sha256, str(bid.receipt_id))
    [sealed] = events("bid.sealed", subject=f"bid:{bid.pk}")
    assert sealed.data["envelope_version"] == 2 and sealed.actor == WITHHELD_ACTOR


def test_a_v2_envelope_sealed_to_another_key_is_refused_and_nothing_is_stored(lot, bidders, keys, key_files):
    user = bidders[0]
    stored = stored_envelopes()
    # A stranger's key, and another bidder's registered key: neither is this registration's.
    for key_file in (key_files[3], key_files[1]):
        refused("wrong_bidder_key", submit, lot, user, envelope_v2(lot, user, PRICES[0],
                                                                   key_file.encryption_public_key))
    assert not Bid.objects.exists() and stored_envelopes() == stored
    assert not events("bid.sealed")


def test_a_v2_envelope_without_a_registered_key_is_refused_and_v1_is_still_accepted(lot, bidders, registrations,
                                                                                     key_files):
    user = bidders[0]
    stored = stored_envelopes()
    refused("no_bidder_key", submit, lot, user, envelope_v2(lot, user, PRICES[0], key_files[0].encryption_public_key))
    assert not Bid.objects.exists() and stored_envelopes() == stored
    bid = submit(lot, user, envelope_v1(lot, user, PRICES[0]))
    assert bid.envelope_version == 1
    assert receipts.receipt_verify(bid.receipt, signing.public_key())["envelope_sha256"] == bid.envelope_sha256


# --- 2. check-in ----------------------------------------------------------------------------------

def test_check_in_opens_at_the_rules_time_and_a_refusal_before_it_is_audited(frozen, lot, bidders, registrations):
    user = bidders[0]
    opens = lot.bid_deadline - timedelta(minutes=rule_amount(lot, RuleCode.OPENING_CHECK_IN))
    clock_to(frozen, opens - timedelta(seconds=1))
    refused("check_in_not_open", hall_check_in, lot_id=lot.pk, user=user)
    [entry] = events("hall.refused")
    assert entry.subject == f"user:{user.pk}" and entry.actor == f"user:{user.pk}"
    assert (entry.data["lot"], entry.data["code"]) == (lot.pk, "check_in_not_open")
    assert not HallCheckIn.objects.exists()
    clock_to(frozen, opens)
    check_in = hall_check_in(lot_id=lot.pk, user=user)  # no bidder key: nothing to prove
    assert (check_in.registration, check_in.at, check_in.key_fingerprint) == (registrations[0], opens, "")


def test_a_company_not_registered_for_the_lot_is_refused_and_audited(frozen, lot, registrations, make_person):
    clock_to(frozen, lot.bid_deadline - timedelta(minutes=10))
    stranger = make_person("bidder_d", ["bidder"], organisation="丁工程有限公司")
    assert refused("not_registered_here", hall_check_in, lot_id=lot.pk, user=stranger).status == 403
    response = api(stranger).post(reverse("api-hall-check-in", args=[lot.pk]), {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_registered_here"
    assert [(e.subject, e.data["code"]) for e in events("hall.refused")] == [
        (f"user:{stranger.pk}", "not_registered_here")] * 2
    assert not HallCheckIn.objects.exists()


def test_a_bidder_holding_a_key_must_prove_it_to_check_in(frozen, lot, bidders, registrations, keys, key_files,
                                                         unlocked):
    user, registration = bidders[0], registrations[0]
    clock_to(frozen, lot.bid_deadline - timedelta(minutes=10))
    refused("key_proof_required", hall_check_in, lot_id=lot.pk, user=user)
    # A wrong passphrase does not unlock the key file; the bidder's side reports it for the check.
    with pytest.raises(crypto.WrongPassphrase):
        crypto.key_file_unlock(key_files[0], "not our passphrase at all")
    issued = bidder_key_challenge(registration_id=registration.pk, user=user)
    refused("wrong_passphrase", hall_check_in, lot_id=lot.pk, user=user, challenge_id=issued.challenge_id,
            failure="wrong_passphrase")
    # Another key does not open the check; a made-up answer, even signed by the right key, is wrong.
    with pytest.raises(crypto.ProofError):
        key_check_answer(user, registration, unlocked[3])
    issued = bidder_key_challenge(registration_id=registration.pk, user=user)
    guess = os.urandom(32)
    document = crypto.proof_document(platform=issued.platform, lot=issued.lot, bidder=issued.bidder,
                                     challenge_id=issued.challenge_id, answer=guess)
    refused("wrong_answer", hall_check_in, lot_id=lot.pk, user=user, challenge_id=issued.challenge_id, answer=guess,
            signature=crypto.sign(unlocked[0].signing_private_key, document))
    assert not HallCheckIn.objects.exists()
    assert [e.data["code"] for e in events("bidder_key.proof_failed")] == ["wrong_passphrase", "wrong_answer"]

    check_in = hall_check_in(lot_id=lot.pk, user=user, **key_check_answer(user, registration, unlocked[0]))
    assert check_in.key_fingerprint == key_files[0].fingerprint
    assert BidderKey.objects.get(registration=registration).proved
    refused("checked_in_already", hall_check_in, lot_id=lot.pk, user=user)


def test_a_check_in_is_told_on_the_lot_only_from_the_openings_start(frozen, lot, bidders, registrations, unlocked,
                                                                    bids):
    clock_to(frozen, lot.bid_deadline - timedelta(minutes=10))
    for user, registration, key in zip(bidders[:2], registrations, unlocked):
        hall_check_in(lot_id=lot.pk, user=user, **key_check_answer(user, registration, key))
    early = events("hall.checked_in")
    # 招标投标法 Art 22: before the opening, who bids is told to nobody but the bidder.
    assert [(e.subject, e.actor, e.data["by"]) for e in early] == [
        (f"registration:{r.pk}", WITHHELD_ACTOR, f"user:{u.pk}") for r, u in zip(registrations[:2], bidders[:2])]
    on_lot = AuditEntry.objects.filter(subject=f"lot:{lot.pk}")
    assert not any(user.organisation.uscc in str(entry.data) for entry in on_lot for user in bidders)

    bidding_close(lot, frozen)
    opening_start(lot_id=lot.pk, actor="user:1")
    [started] = [e for e in events("lot.status_changed", subject=f"lot:{lot.pk}")
                 if e.data["transition"] == "start_opening"]
    assert started.data["present"] == [{"bidder": u.organisation.uscc, "organisation": u.organisation.name,
                                        "key_proved": True} for u in bidders[:2]]
    late, registration = bidders[2], registrations[2]
    hall_check_in(lot_id=lot.pk, user=late, **key_check_answer(late, registration, unlocked[2]))
    [told] = events("opening.checked_in")
    assert (told.subject, told.actor, told.data["bidder"], told.data["key_proved"]) == (
        f"lot:{lot.pk}", f"user:{late.pk}", late.organisation.uscc, True)
    assert len(events("hall.checked_in")) == 2


# --- 3. the decryption window ---------------------------------------------------------------------

def test_k_shares_open_the_decryption_window_for_the_rules_time_and_open_no_bid(frozen, lot, bids, custodians):
    bidding_close(lot, frozen)
    session = opening_start(lot_id=lot.pk, actor="user:1")
    session = shares_present(session, custodians[:1])
    assert session.status == OpeningSession.Status.COLLECTING_SHARES
    session = shares_present(session, custodians[1:2])
    minutes = rule_amount(lot, RuleCode.DECRYPTION_WINDOW)
    assert session.status == OpeningSession.Status.DECRYPTION_WINDOW
    assert (session.window_started_at, session.window_until) == (lot.bid_deadline,
                                                                 lot.bid_deadline + timedelta(minutes=minutes))
    # The custodians' key alone opens nothing: every bid still sealed, no record.
    assert session.record is None and set(Bid.objects.values_list("status", flat=True)) == {Bid.Status.SEALED}
    [opened] = events("opening.window_opened", subject=f"lot:{lot.pk}")
    assert (opened.data["locked"], opened.data["minutes"]) == (3, minutes)


def test_a_wrong_part_is_refused_and_audited_and_the_right_one_taken(window, lot, bidders, unlocked):
    user = bidders[0]
    others = part_unlock(lot, bidders[1], unlocked[1])
    for part in (os.urandom(32), others):
        assert refused("bidder_part_mismatch", part_release, lot_id=lot.pk, user=user, part=part).status == 403
    assert [(e.subject, e.data["code"]) for e in events("hall.refused")] == [
        (f"user:{user.pk}", "bidder_part_mismatch")] * 2
    assert not BidderRelease.objects.exists()

    part = part_unlock(lot, user, unlocked[0])
    release = part_release(lot_id=lot.pk, user=user, part=part)
    assert part not in bytes(release.part_cipher)  # kept encrypted until the bids are opened
    [released] = events("opening.part_released", subject=f"lot:{lot.pk}")
    assert (released.actor, released.data["bidder"], released.data["released"], released.data["locked"]) == (
        f"user:{user.pk}", user.organisation.uscc, 1, 3)
    refused("part_released_already", part_release, lot_id=lot.pk, user=user, part=part)
    window.refresh_from_db()
    assert window.status == OpeningSession.Status.DECRYPTION_WINDOW


def test_the_last_part_opens_every_bid_at_once_and_publishes_the_record(window, lot, bidders, unlocked):
    release_all(lot, bidders, unlocked)
    window.refresh_from_db()
    assert window.status == OpeningSession.Status.RECORD_PUBLISHED
    assert window.record_published_at == clock.now() < window.window_until  # not waiting for the window's end
    body = receipts.signed_verify(window.record, "opening-record", signing.public_key())
    assert {entry["bidder"]: entry["price"] for entry in body["bids"]} == {
        user.organisation.uscc: price for user, price in zip(bidders, PRICES)}
    assert all(entry["status"] == "opened" and entry["locks"] == 2 for entry in body["bids"])
    assert statuses(lot, bidders) == [Bid.Status.OPENED] * 3
    assert not BidderRelease.objects.filter(part_cipher__isnull=False).exists()  # erased with the shares
    [closed] = events("opening.window_closed", subject=f"lot:{lot.pk}")
    assert (closed.data["reason"], closed.data["released"]) == ("all_released", 3)


# --- 4. the window's end and the outage rule ------------------------------------------------------

def test_a_bid_left_locked_at_the_windows_end_is_revoked_and_its_deposit_kept(frozen, window, lot, bidders, unlocked,
                                                                            registrations):
    release_all(lot, bidders[:2], unlocked[:2])
    clock_to(frozen, window.window_until - timedelta(microseconds=1))
    assert window_sweep() == {"closed": 0, "extended": 0}
    clock_to(frozen, window.window_until)
    # Too late, though the sweep has not run yet: refused and on the record.
    refused("window_closed", part_release, lot_id=lot.pk, user=bidders[2],
            part=part_unlock(lot, bidders[2], unlocked[2]))
    assert [(e.subject, e.data["code"]) for e in events("hall.refused")] == [(f"user:{bidders[2].pk}",
                                                                             "window_closed")]
    assert window_sweep() == {"closed": 1, "extended": 0}
    assert statuses(lot, bidders) == [Bid.Status.OPENED, Bid.Status.OPENED, Bid.Status.DECRYPT_FAILED_REVOKED]
    window.refresh_from_db()
    body = receipts.signed_verify(window.record, "opening-record", signing.public_key())
    failures = {entry["bidder"]: entry["failure"] for entry in body["bids"] if "failure" in entry}
    assert failures == {bidders[2].organisation.uscc: {"code": "not_released", "fault": "bidder",
                                                      "outcome": "revoked"}}
    # The rule table (revoked_deposit = 1): the deposit is kept; the others' follow the lot.
    kept = deposit_of(registrations[2])
    assert (kept.status, kept.kept_reason) == (Deposit.Status.KEPT, "opening_revoked")
    [event] = events("deposit.kept", subject=f"registration:{registrations[2].pk}")
    assert event.data["reason"] == "opening_revoked" and Decimal(event.data["amount"]) == DEPOSIT
    assert [deposit_of(r).status for r in registrations[:2]] == [Deposit.Status.RECEIVED] * 2


def test_an_outage_in_the_window_extends_it_once_and_one_in_the_extension_makes_a_locked_bid_withdrawn(
        frozen, window, lot, bidders, unlocked, registrations, staff):
    release_all(lot, bidders[:2], unlocked[:2])
    start = window.window_started_at
    tolerance = timedelta(minutes=rule_amount(lot, RuleCode.WINDOW_OUTAGE_TOLERANCE))
    clock_to(frozen, window.window_until + timedelta(minutes=6))  # the sweeps could not run meanwhile
    outage = incident_declare(person=staff, started_at=start + timedelta(minutes=2),
                              ended_at=start + timedelta(minutes=3) + tolerance, reason="机房断电")
    assert window_sweep() == {"closed": 0, "extended": 1}
    window.refresh_from_db()
    extended_at = clock.now()
    extension = timedelta(minutes=rule_amount(lot, RuleCode.OUTAGE_EXTENSION))
    assert (window.window_extended_at, window.window_until) == (extended_at, extended_at + extension)
    [told] = events("opening.window_extended", subject=f"lot:{lot.pk}")
    assert told.data["outages"] == [outage.pk] and told.data["unavailable_seconds"] > tolerance.total_seconds()
    assert {n.user for n in Notification.objects.filter(kind="opening.window_extended")} == set(bidders)
    assert statuses(lot, bidders)[2] == Bid.Status.SEALED  # the locked bid may still be released
    clock_to(frozen, window.window_until - timedelta(microseconds=1))
    assert window_sweep() == {"closed": 0, "extended": 0}

    # Down again in the extension beyond the tolerance: the platform's fault, no second extension.
    clock_to(frozen, window.window_until)
    incident_declare(person=staff, started_at=extended_at + timedelta(minutes=10),
                     ended_at=extended_at + timedelta(minutes=11) + tolerance, reason="数据库故障")
    assert window_sweep() == {"closed": 1, "extended": 0}
    assert statuses(lot, bidders) == [Bid.Status.OPENED, Bid.Status.OPENED, Bid.Status.DECRYPT_FAILED_WITHDRAWN]
    window.refresh_from_db()
    [failed] = [entry for entry in window.record["document"]["body"]["bids"] if "failure" in entry]
    assert failed["failure"] == {"code": "not_released_outage", "fault": "platform", "outcome": "withdrawn"}
    # The rule table (withdrawn_deposit = 0): the deposit falls due for refund.
    assert deposit_of(registrations[2]).status == Deposit.Status.REFUND_DUE
    [due] = events("deposit.refund_due", subject=f"registration:{registrations[2].pk}")
    assert due.data["reason"] == "opening_withdrawn"
    assert len(events("opening.window_extended")) == 1


def test_an_outage_within_the_tolerance_extends_nothing(frozen, window, lot, staff):
    start = window.window_started_at
    tolerance = timedelta(minutes=rule_amount(lot, RuleCode.WINDOW_OUTAGE_TOLERANCE))
    clock_to(frozen, window.window_until)
    incident_declare(person=staff, started_at=start, ended_at=start + tolerance, reason="短暂断网")
    assert window_sweep() == {"closed": 1, "extended": 0}
    assert set(Bid.objects.values_list("status", flat=True)) == {Bid.Status.DECRYPT_FAILED_REVOKED}


# --- 5. neither lock alone ------------------------------------------------------------------------

def test_all_custodians_together_cannot_open_a_stored_v2_bid_nor_its_bidder_alone(frozen, lot, bids, bidders,
                                                                                  custodians, unlocked):
    bidding_close(lot, frozen)
    names = {"platform": settings.PLATFORM_ID, "lot": str(lot.pk), "bidder": bidders[0].organisation.uscc}
    shares = []
    for custodian in custodians:  # all n of them
        private = custodian_crypto.custodian_key_unwrap(bytes(custodian.custodian_key.wrapped_private_key),
                                                        CUSTODIAN_PASSPHRASE)
        share = KeyShare.objects.get(opening_key__lot=lot, custodian=custodian)
        shares.append(custodian_crypto.share_open(sealed=bytes(share.sealed_share), custodian_private_key=private,
                                                  platform=settings.PLATFORM_ID, lot=str(lot.pk),
                                                  custodian=str(custodian.pk)))
    lot_key = private_key_rebuild(shamir.combine(shares), expected_public_raw=bytes(lot.opening_key.public_key_raw))
    with get_storage().get(bids[0].storage_key) as reader:
        envelope = b"".join(reader)

    def fails(code, call, **kwargs):
        with pytest.raises(EnvelopeError) as caught:
            call(**kwargs)
        assert caught.value.code == code, caught.value

    header = header_check(header_read(io.BytesIO(envelope)), bidder_key=None, **names)
    lot_part = lot_part_open(header=header, private_key=lot_key, **names)  # the custodians' lock opens…
    others = part_unlock(lot, bidders[1], unlocked[1])
    for guess in (bytes(32), os.urandom(32), lot_part, others):  # …but nothing they hold is the bidder's part
        fails(Code.BIDDER_PART_MISMATCH, open_envelope_v2, stream=io.BytesIO(envelope), private_key=lot_key,
              bidder_part=guess, **names)
        fails(Code.DECRYPT_FAILED, inner_open, header=header, lot_part=lot_part, bidder_part=guess)

    bidder_key = unlocked[0].encryption_private_key
    part = bidder_part_unlock(header=header, private_key=bidder_key, **names)  # the bidder's lock opens…
    fails(Code.DECRYPT_FAILED, lot_part_open, header=header, private_key=bidder_key, **names)
    fails(Code.DECRYPT_FAILED, open_envelope_v2, stream=io.BytesIO(envelope), private_key=bidder_key,
          bidder_part=part, **names)
    for guess in (bytes(32), os.urandom(32), part):  # …but without the lot part the inner stays shut
        fails(Code.DECRYPT_FAILED, inner_open, header=header, lot_part=guess, bidder_part=part)

    opened = open_envelope_v2(stream=io.BytesIO(envelope), private_key=lot_key, bidder_part=part,
                              envelope_sha256=bids[0].envelope_sha256, **names)
    assert opened.price_form["price"] == PRICES[0]  # both locks together do


# --- 6. pause and resume --------------------------------------------------------------------------

def test_a_pause_freezes_the_decryption_window_and_a_resume_gives_back_exactly_the_time_left(
        frozen, window, lot, bidders, unlocked, staff):
    host = actor_of(staff)
    release_all(lot, bidders[:1], unlocked[:1])
    until = window.window_until
    paused_at = clock_to(frozen, window.window_started_at + timedelta(minutes=25))
    pause = hall_pause(lot_id=lot.pk, actor=host, reason="网络故障，暂停开标")
    assert pause.window_left == until - paused_at and pause.responses_left is None
    clock_on(frozen, minutes=10)  # past the window's end as it stood
    assert window_sweep() == {"closed": 0, "extended": 0}
    part = part_unlock(lot, bidders[1], unlocked[1])
    refused("hall_paused", part_release, lot_id=lot.pk, user=bidders[1], part=part)
    assert events("hall.refused")[-1].data["code"] == "hall_paused"
    refused("hall_paused", hall_pause, lot_id=lot.pk, actor=host, reason="again")
    window.refresh_from_db()
    assert (window.status, window.window_until) == (OpeningSession.Status.DECRYPTION_WINDOW, until)

    resumed_at = clock.now()
    hall_resume(lot_id=lot.pk, actor=host)
    window.refresh_from_db()
    assert window.window_until == resumed_at + (until - paused_at) and window.paused_at is None
    refused("hall_not_paused", hall_resume, lot_id=lot.pk, actor=host)
    [paused] = events("opening.paused", subject=f"lot:{lot.pk}")
    [resumed] = events("opening.resumed", subject=f"lot:{lot.pk}")
    assert paused.data["window_left_seconds"] == (until - paused_at).total_seconds()
    assert resumed.data["paused_seconds"] == 600
    part_release(lot_id=lot.pk, user=bidders[1], part=part)
    clock_to(frozen, window.window_until - timedelta(microseconds=1))
    assert window_sweep() == {"closed": 0, "extended": 0}
    clock_to(frozen, window.window_until)
    assert window_sweep() == {"closed": 1, "extended": 0}


def test_a_pause_freezes_the_response_window_and_every_pause_is_in_the_minutes(frozen, window, lot, bidders,
                                                                              unlocked, staff):
    host = actor_of(staff)
    clock_on(frozen, minutes=3)
    hall_pause(lot_id=lot.pk, actor=host, reason="网络故障，暂停开标")
    clock_on(frozen, minutes=4)
    hall_resume(lot_id=lot.pk, actor=host)
    release_all(lot, bidders, unlocked)
    window.refresh_from_db()
    until = window.responses_until
    assert window.status == OpeningSession.Status.RECORD_PUBLISHED

    paused_at = clock_on(frozen, minutes=10)
    pause = hall_pause(lot_id=lot.pk, actor=host, reason="监督人员要求暂停")
    assert pause.responses_left == until - paused_at and pause.window_left is None
    clock_to(frozen, until + timedelta(minutes=10))  # past the response window as it stood
    assert opening_close_sweep() == {"closed": 0}
    signature = confirmation_signature(window, bidders[0], unlocked[0])
    refused("hall_paused", opening_confirm, session_id=window.pk, user=bidders[0], signature=signature)
    refused("hall_paused", opening_object, session_id=window.pk, user=bidders[1], text="报价读错了")
    resumed_at = clock.now()
    hall_resume(lot_id=lot.pk, actor=host)
    window.refresh_from_db()
    assert window.responses_until == resumed_at + (until - paused_at)
    opening_confirm(session_id=window.pk, user=bidders[0], signature=signature)

    clock_to(frozen, window.responses_until)
    assert opening_close_sweep() == {"closed": 1}
    window.refresh_from_db()
    body = minutes_verified(window.minutes)
    assert [(p["reason"], p["resumed_at"] is not None) for p in body["pauses"]] == [
        ("网络故障，暂停开标", True), ("监督人员要求暂停", True)]


# --- 7. confirmations and the signed minutes ------------------------------------------------------

def test_bidders_sign_or_object_silence_confirms_and_the_signed_minutes_verify(frozen, published, lot, bidders,
                                                                              unlocked, key_files, staff):
    session, (a, b, c) = published, bidders
    refused("signature_required", opening_confirm, session_id=session.pk, user=a)
    signature = confirmation_signature(session, a, unlocked[0])
    response = opening_confirm(session_id=session.pk, user=a, signature=signature)
    assert (response.kind, response.signature, bytes(response.signing_key)) == (
        OpeningResponse.Kind.CONFIRM, signature, key_files[0].signing_public_raw)
    [confirmed] = events("opening.confirmed", subject=f"lot:{lot.pk}")
    assert (confirmed.data["signed"], confirmed.data["signature"]) == (True, signature)
    refused("confirmed_already", opening_confirm, session_id=session.pk, user=a, signature=signature)  # replayed

    # Another record's hash, another lot, another bidder's signature: none verifies for b.
    for wrong in (confirmation_signature(session, b, unlocked[1], digest=hashlib.sha256(b"another").hexdigest()),
                  confirmation_signature(session, b, unlocked[1], lot=str(lot.pk + 1)),
                  signature):
        assert refused("bad_signature", opening_confirm, session_id=session.pk, user=b, signature=wrong).status == 403
    assert [(e.subject, e.data["code"]) for e in events("hall.refused")] == [
        (f"user:{a.pk}", "confirmed_already")] + [(f"user:{b.pk}", "bad_signature")] * 3
    assert not OpeningResponse.objects.filter(organisation=b.organisation).exists()

    objection = opening_object(session_id=session.pk, user=b, text="乙方工期读错了")
    opening_answer(response_id=objection.pk, answer="已核对，工期为 180 天。", actor=actor_of(staff))
    clock_to(frozen, session.responses_until)
    refused("responses_closed", opening_confirm, session_id=session.pk, user=c,
            signature=confirmation_signature(session, c, unlocked[2]))
    assert events("hall.refused")[-1].data["code"] == "responses_closed"
    assert opening_close_sweep() == {"closed": 1}

    session.refresh_from_db()
    assert {r.organisation_id: r.kind for r in session.responses.all()} == {
        a.organisation_id: "confirm", b.organisation_id: "objection", c.organisation_id: "deemed"}
    body = minutes_verified(session.minutes)
    assert body["record"] == session.record and body["lot"] == str(lot.pk)
    assert api().get(reverse("api-opening-minutes", args=[lot.pk])).json() == session.minutes
    entries = {entry["bidder"]: entry for entry in body["responses"]}
    assert entries[a.organisation.uscc]["signature"] == signature
    assert (entries[b.organisation.uscc]["answer"], entries[c.organisation.uscc]["kind"]) == (
        "已核对，工期为 180 天。", "deemed")
    # What `python -m bidding.verify opening` runs: every bidder's signature checked too.
    verdict = opening_minutes_verify(minutes=session.minutes, public_key=signing.public_key())
    assert verdict.startswith("ok opening minutes") and "1 signed (each signature verified)" in verdict
    # Either check can fail: a changed word breaks the platform's signature; minutes re-signed by the
    # platform around a bidder's forged signature fail on the bidder's.
    tampered = copy.deepcopy(session.minutes)
    tampered["document"]["body"]["responses"][0]["kind"] = "objection"
    with pytest.raises(receipts.SignatureError):
        minutes_verified(tampered)
    with pytest.raises(VerifyError):
        opening_minutes_verify(minutes=tampered, public_key=signing.public_key())
    forged = copy.deepcopy(body)
    [entry] = [entry for entry in forged["responses"] if entry["bidder"] == a.organisation.uscc]
    entry["signature"] = confirmation_signature(session, a, unlocked[0], digest=hashlib.sha256(b"other").hexdigest())
    forged = receipts.signed_document("opening-minutes", forged, signing.private_key())
    with pytest.raises(VerifyError):
        opening_minutes_verify(minutes=forged, public_key=signing.public_key())
    with pytest.raises(AssertionError):
        minutes_verified(forged)


# --- 8. repeated refusals -------------------------------------------------------------------------

def test_three_refused_attempts_by_one_person_on_one_lot_raise_the_hall_alert(window, lot, bidders):
    user = bidders[2]
    refused("bidder_part_mismatch", part_release, lot_id=lot.pk, user=bidders[0], part=os.urandom(32))
    for _ in range(2):
        refused("bidder_part_mismatch", part_release, lot_id=lot.pk, user=user, part=os.urandom(32))
    alerts_sweep()
    assert not events("hall.refused_repeatedly") and not Alert.objects.filter(rule="hall_refused").exists()
    refused("bidder_part_mismatch", part_release, lot_id=lot.pk, user=user, part=os.urandom(32))
    [repeated] = events("hall.refused_repeatedly")
    assert repeated.subject == f"user:{user.pk}"
    assert repeated.data == {"lot": lot.pk, "code": "bidder_part_mismatch", "refusals": 3}
    alerts_sweep()
    alert = Alert.objects.get(rule="hall_refused")
    assert (alert.level, alert.lot_id, alert.data["refusals"]) == ("yellow", lot.pk, 3)


# --- 9. questions ---------------------------------------------------------------------------------

def test_a_bidders_question_and_the_hosts_answer_are_on_the_lots_record_in_order(window, lot, bidders, staff,
                                                                                make_person):
    question = question_ask(lot_id=lot.pk, user=bidders[0], text="解密窗口何时结束？")
    question_answer(question_id=question.pk, answer="开标后三十分钟。", actor=actor_of(staff))
    entries = list(AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind__startswith="opening.question")
                   .order_by("subject_seq"))
    assert [(e.kind, e.actor, e.data["question"]) for e in entries] == [
        ("opening.question", f"user:{bidders[0].pk}", question.pk),
        ("opening.question_answered", f"user:{staff.pk}", question.pk)]
    assert (entries[0].data["text"], entries[0].data["bidder"], entries[1].data["answer"]) == (
        "解密窗口何时结束？", bidders[0].organisation.uscc, "开标后三十分钟。")
    refused("question_answered", question_answer, question_id=question.pk, answer="再答一次。", actor="user:1")
    stranger = make_person("bidder_d", ["bidder"], organisation="丁工程有限公司")
    assert refused("not_registered_here", question_ask, lot_id=lot.pk, user=stranger, text="我能提问吗？").status == 403
    assert list(window.questions.values_list("text", flat=True)) == ["解密窗口何时结束？"]


# --- 10. the API ----------------------------------------------------------------------------------

def test_before_the_opening_the_hall_tells_a_check_in_to_its_bidder_only(frozen, lot, bidders, registrations):
    clock_to(frozen, lot.bid_deadline - timedelta(minutes=10))
    hall_check_in(lot_id=lot.pk, user=bidders[0])
    url = reverse("api-hall", args=[lot.pk])
    public = api().get(url).json()
    assert (public["step"], public["present"], public["me"]) == ("check_in", [], None)
    mine = api(bidders[0]).get(url).json()
    assert mine["present"] == [] and parse_datetime(mine["me"]["checked_in_at"]) == clock.now()
    assert api(bidders[1]).get(url).json()["me"]["checked_in_at"] is None


def test_the_hall_shows_anyone_the_public_fields_and_a_bidder_its_own(frozen, window, lot, bidders, registrations,
                                                                      unlocked, bids):
    hall_check_in(lot_id=lot.pk, user=bidders[0], **key_check_answer(bidders[0], registrations[0], unlocked[0]))
    release_all(lot, bidders[:1], unlocked[:1])
    url = reverse("api-hall", args=[lot.pk])
    response = api().get(url)
    assert response.status_code == 200
    public = response.json()
    assert public["me"] is None
    assert (public["step"], public["released"], public["locked"], public["paused"]) == ("decryption_window", 1, 3,
                                                                                        False)
    assert public["present"] == [{"bidder": bidders[0].organisation.uscc,
                                  "organisation": bidders[0].organisation.name, "key_proved": True}]
    text = response.content.decode()
    assert not any(str(bid.receipt_id) in text or bid.envelope_sha256 in text for bid in bids)

    response = api(bidders[0]).get(url)
    me = response.json()["me"]
    assert parse_datetime(me.pop("checked_in_at")) == clock.now()
    assert me == {"bid_receipt": str(bids[0].receipt_id), "locks": 2, "released": True}
    assert not any(str(bid.receipt_id) in response.content.decode() for bid in bids[1:])
    other = api(bidders[1]).get(url).json()["me"]
    assert (other["checked_in_at"], other["bid_receipt"], other["released"]) == (None, str(bids[1].receipt_id), False)


def test_staff_pause_and_resume_through_the_api_and_bidders_may_not(frozen, window, lot, bidders, staff):
    pause, resume = (reverse(name, args=[lot.pk]) for name in ("api-hall-pause", "api-hall-resume"))
    until = window.window_until
    assert api().post(pause, {"reason": "我想暂停"}, format="json").status_code in (401, 403)
    assert api(bidders[0]).post(pause, {"reason": "我想暂停"}, format="json").status_code == 403
    window.refresh_from_db()
    assert window.paused_at is None

    response = api(staff).post(pause, {"reason": "网络故障"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["paused"] is True and response.json()["pauses"][0]["reason"] == "网络故障"
    assert api(staff).post(pause, {"reason": "网络故障"}, format="json").json()["code"] == "hall_paused"
    clock_on(frozen, minutes=7)
    assert api(bidders[0]).post(resume, format="json").status_code == 403
    response = api(staff).post(resume, format="json")
    assert response.status_code == 200 and response.json()["paused"] is False
    assert parse_datetime(response.json()["window_until"]) == until + timedelta(minutes=7)
    assert parse_datetime(api().get(reverse("api-hall", args=[lot.pk])).json()["window_until"]) == (
        until + timedelta(minutes=7))


def test_a_bidder_checks_in_reads_its_header_and_releases_its_part_through_the_api(frozen, window, lot, bidders,
                                                                                  registrations, unlocked, bids,
                                                                                  key_files):
    user, client = bidders[0], api(bidders[0])
    proof = key_check_answer(user, registrations[0], unlocked[0])
    response = client.post(reverse("api-hall-check-in", args=[lot.pk]), {
        "challenge": proof["challenge_id"], "answer": b64url_encode(proof["answer"]),
        "signature": b64url_encode(proof["signature"])}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["key_fingerprint"] == key_files[0].fingerprint
    header = client.get(reverse("api-hall-header", args=[lot.pk])).json()
    assert header["receipt"] == str(bids[0].receipt_id)
    part = bidder_part_unlock(header=b64url_decode(header["header"]), private_key=unlocked[0].encryption_private_key,
                              platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=user.organisation.uscc)
    release = reverse("api-hall-release", args=[lot.pk])
    wrong = client.post(release, {"part": b64url_encode(bytes(32))}, format="json")
    assert wrong.status_code == 403 and wrong.json()["code"] == "bidder_part_mismatch"
    assert [e.data["code"] for e in events("hall.refused", subject=f"user:{user.pk}")] == ["bidder_part_mismatch"]
    response = client.post(release, {"part": b64url_encode(part)}, format="json")
    assert response.status_code == 201 and response.json()["receipt"] == str(bids[0].receipt_id)
    assert BidderRelease.objects.get().bid == bids[0]
    assert api(bidders[1]).get(reverse("api-hall-header", args=[lot.pk])).json()["receipt"] == str(bids[1].receipt_id)
    assert api().get(reverse("api-hall-header", args=[lot.pk])).status_code in (401, 403)
