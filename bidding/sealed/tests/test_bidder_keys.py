"""The bidder's key of a registration: registered through the API and the page by its own company only,
replaced before the bid deadline (audited) and refused after it, and the key check — proved,
refused when wrong, every failure recorded and three in a row raising the alert event."""
import hashlib
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from bidding.crypto import bidder_key as crypto
from bidding.crypto.canonical import b64url_decode, b64url_encode
from bidding.sealed.models import BidderKey, BidderKeyChallenge
from monitoring.events import WITHHELD_ACTOR
from monitoring.models import AuditEntry
from monitoring.supervision.models import Alert
from monitoring.supervision.services import alerts_sweep
from trading import clock
from trading.services.registrations import registration_create, registration_withdraw

pytestmark = pytest.mark.django_db
PASSPHRASE = "our company's bidding passphrase"


@pytest.fixture(scope="module")
def key_file():
    return crypto.key_file_create(PASSPHRASE)


@pytest.fixture(scope="module")
def other_key_file():
    return crypto.key_file_create(PASSPHRASE)


@pytest.fixture(scope="module")
def unlocked(key_file):
    return crypto.key_file_unlock(key_file, PASSPHRASE)


@pytest.fixture
def lot(make_lot, publish_sealed):
    return publish_sealed(make_lot("construction", deposit=Decimal("0")))


@pytest.fixture
def registration(lot, bidder_a):
    return registration_create(lot_id=lot.pk, user=bidder_a)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def register(user, registration, key_file):
    return api(user).post(reverse("api-bidder-key", args=[registration.pk]), {"key_file": key_file.text()},
                          format="json")


def challenge(user, registration):
    response = api(user).post(reverse("api-bidder-key-challenge", args=[registration.pk]))
    assert response.status_code == 201, response.json()
    return response.json()


def answer(unlocked, issued):
    got, signature = crypto.proof_answer(unlocked=unlocked, sealed=b64url_decode(issued["sealed"]),
                                         challenge_id=issued["challenge"], platform=issued["platform"],
                                         lot=issued["lot"], bidder=issued["bidder"])
    return {"challenge": issued["challenge"], "answer": b64url_encode(got), "signature": b64url_encode(signature)}


def prove(user, registration, body):
    return api(user).post(reverse("api-bidder-key-proof", args=[registration.pk]), body, format="json")


def events(kind):
    return list(AuditEntry.objects.filter(kind=kind).order_by("id"))


def test_a_bidder_registers_its_key_and_reads_the_file_back(registration, bidder_a, key_file):
    response = register(bidder_a, registration, key_file)
    assert response.status_code == 201, response.json()
    assert response.json()["fingerprint"] == key_file.fingerprint and response.json()["replaced"] is False
    stored = BidderKey.objects.get(registration=registration)
    assert bytes(stored.encryption_public_key) == key_file.encryption_public_raw
    assert bytes(stored.signing_public_key) == key_file.signing_public_raw and not stored.proved
    read = api(bidder_a).get(reverse("api-bidder-key", args=[registration.pk])).json()
    assert read["key_file"] == key_file.text() and read["last_proved_at"] is None
    [event] = events("bidder_key.registered")
    # Who bids is not told before the opening: the actor is withheld, the person is in the data.
    assert event.actor == WITHHELD_ACTOR and event.subject == f"registration:{registration.pk}"
    assert event.data["fingerprint"] == key_file.fingerprint and event.data["by"] == f"user:{bidder_a.pk}"


def test_the_public_keys_alone_may_be_registered(registration, bidder_a, key_file):
    response = api(bidder_a).post(reverse("api-bidder-key", args=[registration.pk]), {
        "encryption_public_key": b64url_encode(key_file.encryption_public_raw),
        "signing_public_key": b64url_encode(key_file.signing_public_raw)}, format="json")
    assert response.status_code == 201 and response.json()["key_file"] == ""


@pytest.mark.parametrize("body", [
    {"key_file": "{\"v\": 1}"},
    {"encryption_public_key": "AAAA", "signing_public_key": "AAAA"},
    {"encryption_public_key": b64url_encode(b"\x04" + bytes(64))},
    {},
])
def test_a_malformed_key_is_refused_and_nothing_is_stored(registration, bidder_a, body):
    response = api(bidder_a).post(reverse("api-bidder-key", args=[registration.pk]), body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "bad_bidder_key"
    assert not BidderKey.objects.exists() and not events("bidder_key.registered")


def test_only_the_registrations_company_may_see_or_use_its_key(registration, bidder_a, bidder_b, staff, key_file,
                                                                 client):
    assert register(bidder_a, registration, key_file).status_code == 201
    urls = [reverse(name, args=[registration.pk]) for name in
            ("api-bidder-key", "api-bidder-key-challenge", "api-bidder-key-proof")]
    for user in (bidder_b, staff):
        assert api(user).get(urls[0]).status_code == 403
        for url in urls:
            assert api(user).post(url, {}, format="json").status_code == 403
    assert api().get(urls[0]).status_code in (401, 403)
    assert not BidderKeyChallenge.objects.exists()
    client.force_login(bidder_b)
    for name in ("bidder-key", "bidder-key-file"):
        assert client.get(reverse(name, args=[registration.pk])).status_code == 403
    assert client.post(reverse("bidder-key-challenge-file", args=[registration.pk])).status_code == 403


def test_replacing_before_the_deadline_is_audited_and_after_it_refused(lot, registration, bidder_a, key_file,
                                                                       other_key_file, unlocked):
    register(bidder_a, registration, key_file)
    assert prove(bidder_a, registration, answer(unlocked, challenge(bidder_a, registration))).status_code == 200
    response = register(bidder_a, registration, other_key_file)
    assert response.status_code == 200 and response.json()["replaced"] is True
    key = BidderKey.objects.get(registration=registration)
    assert key.fingerprint == other_key_file.fingerprint and key.last_proved_at is None  # check again
    [replaced] = events("bidder_key.replaced")
    assert replaced.data["previous"] == key_file.fingerprint and replaced.data["fingerprint"] == key.fingerprint
    with time_machine.travel(lot.bid_deadline, tick=False):
        response = register(bidder_a, registration, key_file)
    assert response.status_code == 409 and response.json()["code"] == "bidder_key_closed"
    assert BidderKey.objects.get(registration=registration).fingerprint == other_key_file.fingerprint
    assert len(events("bidder_key.replaced")) == 1
    # The key check goes on after the deadline: the opening's check-in uses it.
    with time_machine.travel(lot.bid_deadline + timedelta(hours=1), tick=False):
        other = crypto.key_file_unlock(other_key_file, PASSPHRASE)
        assert prove(bidder_a, registration, answer(other, challenge(bidder_a, registration))).status_code == 200


def test_a_withdrawn_registration_holds_no_key(lot, registration, bidder_a, key_file):
    registration_withdraw(registration_id=registration.pk, user=bidder_a)
    response = register(bidder_a, registration, key_file)
    assert response.status_code == 409 and response.json()["code"] == "registration_not_live"


def test_the_key_check_proves_the_key_once_per_challenge(registration, bidder_a, key_file, unlocked):
    register(bidder_a, registration, key_file)
    issued = challenge(bidder_a, registration)
    assert issued["fingerprint"] == key_file.fingerprint and issued["bidder"] == bidder_a.organisation.uscc
    body = answer(unlocked, issued)
    # Only the answer's hash is kept: the table alone cannot answer a check.
    stored = BidderKeyChallenge.objects.get(challenge_id=issued["challenge"])
    assert stored.answer_sha256 == hashlib.sha256(b64url_decode(body["answer"])).hexdigest()
    response = prove(bidder_a, registration, body)
    assert response.status_code == 200 and response.json()["last_proved_at"] is not None
    assert BidderKey.objects.get(registration=registration).proved
    [proved] = events("bidder_key.proved")
    assert proved.data["challenge"] == issued["challenge"]
    again = prove(bidder_a, registration, body)
    assert again.status_code == 409 and again.json()["code"] == "challenge_used"


def test_a_wrong_answer_is_refused_recorded_and_three_in_a_row_raise_the_alert(registration, bidder_a, key_file,
                                                                              other_key_file, unlocked):
    register(bidder_a, registration, key_file)
    assert prove(bidder_a, registration, answer(unlocked, challenge(bidder_a, registration))).status_code == 200
    issued = challenge(bidder_a, registration)
    body = answer(unlocked, issued)
    # Signed by another key: the answer is right, the signature is not the registered signing key's.
    stranger = crypto.key_file_unlock(other_key_file, PASSPHRASE)
    document = crypto.proof_document(challenge_id=issued["challenge"], answer=b64url_decode(body["answer"]),
                                     platform=issued["platform"], lot=issued["lot"], bidder=issued["bidder"])
    forged = body | {"signature": b64url_encode(crypto.sign(stranger.signing_private_key, document))}
    response = prove(bidder_a, registration, forged)
    assert response.status_code == 403 and response.json()["code"] == "wrong_answer"
    key = BidderKey.objects.get(registration=registration)
    assert key.failed_proofs == 1 and not key.proved and key.last_proved_at is not None
    # The bidder's browser reports a wrong passphrase, then another key than the registered one.
    for failure in ("wrong_passphrase", "wrong_key"):
        response = prove(bidder_a, registration, {"challenge": challenge(bidder_a, registration)["challenge"],
                                                  "failure": failure})
        assert response.status_code == 403 and response.json()["code"] == failure
    assert [e.data["code"] for e in events("bidder_key.proof_failed")] == ["wrong_answer", "wrong_passphrase",
                                                                          "wrong_key"]
    [alert] = events("bidder_key.proof_failed_repeatedly")
    assert alert.data["failures"] == 3 and alert.data["lot"] == registration.lot_id
    # Electronic supervision warns regulators and staff before the opening, not at it.
    alerts_sweep()
    warned = Alert.objects.get(rule="bidder_key_failing")
    assert (warned.level, warned.lot_id, warned.data["registration"]) == ("yellow", registration.lot_id,
                                                                        registration.pk)
    # A success clears the count.
    assert prove(bidder_a, registration, answer(unlocked, challenge(bidder_a, registration))).status_code == 200
    assert BidderKey.objects.get(registration=registration).failed_proofs == 0


def test_an_answer_without_a_signature_is_bad_input_and_not_a_failure(registration, bidder_a, key_file, unlocked):
    register(bidder_a, registration, key_file)
    body = answer(unlocked, challenge(bidder_a, registration))
    response = prove(bidder_a, registration, {"challenge": body["challenge"], "answer": body["answer"]})
    assert response.status_code == 400 and response.json()["code"] == "bad_proof"
    assert BidderKey.objects.get(registration=registration).failed_proofs == 0


def test_an_expired_challenge_or_one_of_a_replaced_key_is_refused(registration, bidder_a, key_file, other_key_file,
                                                                 unlocked):
    register(bidder_a, registration, key_file)
    issued = challenge(bidder_a, registration)
    with time_machine.travel(clock.now() + timedelta(minutes=11)):
        response = prove(bidder_a, registration, answer(unlocked, issued))
    assert response.status_code == 409 and response.json()["code"] == "challenge_expired"
    issued = challenge(bidder_a, registration)
    register(bidder_a, registration, other_key_file)
    response = prove(bidder_a, registration, answer(unlocked, issued))
    assert response.status_code == 409 and response.json()["code"] == "challenge_of_replaced_key"
    assert BidderKey.objects.get(registration=registration).failed_proofs == 0


def test_a_key_another_organisation_registered_is_refused_and_audited(lot, registration, bidder_a, bidder_b,
                                                                      key_file):
    register(bidder_a, registration, key_file)
    theirs = registration_create(lot_id=lot.pk, user=bidder_b)
    response = register(bidder_b, theirs, key_file)
    assert response.status_code == 409 and response.json()["code"] == "key_of_another_bidder"
    assert not BidderKey.objects.filter(registration=theirs).exists()
    [refused] = events("bidder_key.refused")
    assert refused.data["registration"] == theirs.pk and refused.data["code"] == "key_of_another_bidder"
    alerts_sweep()  # one key in two bidders' hands is a sign of collusion
    shared = Alert.objects.get(rule="bidder_key_shared")
    assert (shared.level, shared.lot_id, shared.data["code"]) == ("red", lot.pk, "key_of_another_bidder")


def _page(client, url, language):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_pages_warn_until_the_key_is_registered_and_checked(client, lot, registration, bidder_a, key_file,
                                                                unlocked):
    client.force_login(bidder_a)
    key_page = reverse("bidder-key", args=[registration.pk])
    registration_page = reverse("registration-lot", args=[lot.pk])
    bid_page = reverse("bid-page", args=[lot.pk])
    for url in (registration_page, bid_page, key_page):
        assert 'data-state="none"' in _page(client, url, "en"), url
    assert "No bidder key is registered" in _page(client, key_page, "en")
    assert "尚未登记投标人密钥" in _page(client, key_page, "zh-hans")
    assert 'data-testid="make-section"' in _page(client, key_page, "en")
    register(bidder_a, registration, key_file)
    for url in (registration_page, bid_page, key_page):
        assert 'data-state="unproved"' in _page(client, url, "en"), url
    assert "has not been checked" in _page(client, registration_page, "en")
    assert "投标人密钥尚未检验" in _page(client, registration_page, "zh-hans")
    assert prove(bidder_a, registration, answer(unlocked, challenge(bidder_a, registration))).status_code == 200
    for url in (registration_page, bid_page, key_page):
        assert 'data-state="proved"' in _page(client, url, "en"), url
    with time_machine.travel(lot.bid_deadline, tick=False):
        client.force_login(bidder_a)  # the session of 25 days ago has expired
        page = _page(client, key_page, "en")
    assert 'data-testid="make-section"' not in page and 'data-testid="prove-section"' in page


def test_the_command_line_forms_register_and_check_a_key(client, registration, bidder_a, key_file, unlocked):
    client.force_login(bidder_a)
    upload = io.BytesIO(key_file.text().encode())
    upload.name = "bidder-key.json"
    response = client.post(reverse("bidder-key-upload", args=[registration.pk]), {"key_file": upload})
    assert response.status_code == 302 and BidderKey.objects.get(registration=registration).key_file == key_file.text()
    downloaded = client.get(reverse("bidder-key-file", args=[registration.pk]))
    assert downloaded.content.decode() == key_file.text()
    issued = client.post(reverse("bidder-key-challenge-file", args=[registration.pk]))
    assert "attachment" in issued["Content-Disposition"]
    reply = io.BytesIO(json.dumps(answer(unlocked, json.loads(issued.content))).encode())
    reply.name = "answer.json"
    response = client.post(reverse("bidder-key-answer", args=[registration.pk]), {"answer": reply}, follow=True)
    assert BidderKey.objects.get(registration=registration).proved
    assert 'data-state="proved"' in response.content.decode()
    bad = io.BytesIO(b"not json")
    bad.name = "answer.json"
    response = client.post(reverse("bidder-key-answer", args=[registration.pk]), {"answer": bad}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    assert "not an answer file" in response.content.decode()
