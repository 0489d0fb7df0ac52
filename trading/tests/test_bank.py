"""The bank's signed deposit notifications: signature over the raw body, window, nonce, outcomes."""
import json
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from trading import bank
from trading.models import BankNotification, Deposit
from trading.services import deposits
from trading.services.registrations import registration_create
from trading.workdays import CHINA
from trading.tests.builders import PUBLISHED_AT, lot_tender

SECRET = "test-bank-secret-3f9a"
URL = "/api/v1/bank/deposits/"

# The worked example of docs/bank.md.
DOC_SECRET = "example-secret-do-not-use"
DOC_BODY = (b'{"nonce":"3f1c9a2b7d4e4f60a1b2c3d4e5f60718","timestamp":"2026-12-01T09:30:00+08:00",'
            b'"lot":"GC2026-001-1","uscc":"91330100MA0000001X","amount":"200000.00",'
            b'"reference":"ICBC20261201000123"}')
DOC_SIGNATURE = "sha256=c848a654e0a972c0faca5ef183cd49198c1dbfdb1d7324b329e92cf0c6e1ce62"


@pytest.fixture
def bank_secret(settings):
    settings.PLATFORM_BANK_HMAC_SECRET = SECRET
    settings.PLATFORM_BANK_WINDOW_SECONDS = 300


@pytest.fixture
def registered(clock, bank_secret, bidder_a):
    lot = lot_tender()
    registration_create(lot_id=lot.pk, user=bidder_a)
    return lot, bidder_a.organisation


def _body(lot, organisation, *, nonce="n-0000000000000001", amount="200000.00", at=PUBLISHED_AT, lot_ref=None,
          reference="ICBC20260901000001") -> bytes:
    return json.dumps({
        "nonce": nonce, "timestamp": at.astimezone(CHINA).isoformat(),
        "lot": lot_ref if lot_ref is not None else lot.pk, "uscc": organisation.uscc, "amount": amount,
        "reference": reference,
    }, separators=(",", ":")).encode()


def _send(body: bytes, *, secret=SECRET, signature=None):
    signature = signature or bank.signature_compute(body=body, secret=secret)
    # CSRF checks on, as for a real client: the endpoint must not need a session or a CSRF token.
    return APIClient(enforce_csrf_checks=True).post(URL, data=body, content_type="application/json",
                                                    HTTP_X_SIGNATURE=signature)


def test_the_documented_example_signature():
    assert bank.signature_compute(body=DOC_BODY, secret=DOC_SECRET) == DOC_SIGNATURE
    assert bank.signature_valid(body=DOC_BODY, header=DOC_SIGNATURE, secret=DOC_SECRET)
    assert not bank.signature_valid(body=DOC_BODY + b" ", header=DOC_SIGNATURE, secret=DOC_SECRET)
    assert bank.message_parse(DOC_BODY).lot == "GC2026-001-1"


@pytest.mark.django_db
def test_a_signed_notification_records_the_deposit(registered):
    lot, organisation = registered
    response = _send(_body(lot, organisation))
    assert response.status_code == 201, response.json()
    deposit = Deposit.objects.get()
    assert response.json() == {"deposit": deposit.pk, "status": "received"}
    assert (deposit.source, deposit.amount, deposit.reference) == ("bank", lot.deposit, "ICBC20260901000001")
    assert deposit.registration.organisation == organisation
    notification = BankNotification.objects.get()
    assert (notification.outcome, notification.deposit) == ("accepted", deposit)
    assert notification.body_sha256 == bank.body_sha256(_body(lot, organisation))


@pytest.mark.django_db
def test_the_lot_may_be_named_by_its_code(registered):
    lot, organisation = registered
    assert _send(_body(lot, organisation, lot_ref=lot.code)).status_code == 201
    assert Deposit.objects.get().registration.lot == lot


@pytest.mark.django_db
def test_a_bad_signature_is_refused_and_records_nothing(registered):
    lot, organisation = registered
    body = _body(lot, organisation)
    for signature in (bank.signature_compute(body=body, secret="not-the-secret"), "sha256=", "md5=00"):
        response = _send(body, signature=signature)
        assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    unsigned = APIClient().post(URL, data=body, content_type="application/json")
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "bad_signature"
    # The same JSON, re-serialised with spaces, is not the text the bank signed.
    respaced = json.dumps(json.loads(body)).encode()
    assert _send(respaced, signature=bank.signature_compute(body=body, secret=SECRET)).json()["code"] == "bad_signature"
    assert not BankNotification.objects.exists() and not Deposit.objects.exists()


@pytest.mark.django_db
def test_a_stale_timestamp_is_refused_and_records_nothing(registered, clock):
    lot, organisation = registered
    for i, skew in enumerate((timedelta(seconds=301), -timedelta(seconds=301))):
        response = _send(_body(lot, organisation, at=PUBLISHED_AT - skew, nonce=f"n-stale-{i}-0000000000"))
        assert response.status_code == 401 and response.json()["code"] == "stale"
    assert _send(_body(lot, organisation, at=PUBLISHED_AT - timedelta(seconds=300))).status_code == 201
    assert BankNotification.objects.count() == 1


@pytest.mark.django_db
def test_a_replayed_nonce_is_refused(registered):
    lot, organisation = registered
    body = _body(lot, organisation)
    assert _send(body).status_code == 201
    replay = _send(body)
    assert replay.status_code == 409 and replay.json()["code"] == "replayed"
    # A new nonce for the same payment is refused by the deposit rules instead.
    other = _send(_body(lot, organisation, nonce="n-0000000000000002"))
    assert other.status_code == 409 and other.json()["code"] == "deposit_exists"
    assert Deposit.objects.count() == 1
    assert sorted(BankNotification.objects.values_list("outcome", flat=True)) == ["accepted", "deposit_exists"]


@pytest.mark.django_db
def test_a_wrong_amount_is_refused_but_its_nonce_is_kept(registered):
    lot, organisation = registered
    body = _body(lot, organisation, amount="150000.00")
    response = _send(body)
    assert response.status_code == 409 and response.json()["code"] == "deposit_amount_mismatch"
    assert not Deposit.objects.exists()
    assert BankNotification.objects.get().outcome == "deposit_amount_mismatch"
    assert _send(body).json()["code"] == "replayed"


@pytest.mark.django_db
def test_an_unknown_payer_is_refused_and_recorded(registered, bidder_b):
    lot, _organisation = registered
    response = _send(_body(lot, bidder_b.organisation))
    assert response.status_code == 404 and response.json()["code"] == "unknown_registration"
    missing_lot = _send(_body(lot, bidder_b.organisation, lot_ref="NOPE-1", nonce="n-0000000000000009"))
    assert missing_lot.json()["code"] == "unknown_registration"
    assert not Deposit.objects.exists()
    assert list(BankNotification.objects.values_list("outcome", flat=True)) == ["unknown_registration"] * 2


@pytest.mark.django_db
def test_a_malformed_body_is_refused(registered):
    lot, organisation = registered
    for body in (b"not json", json.dumps({"nonce": "short"}).encode(),
                 _body(lot, organisation).replace(b'"200000.00"', b"200000.00")):
        response = _send(body)
        assert response.status_code == 400 and response.json()["code"] == "bad_notification"
    assert not BankNotification.objects.exists()


@pytest.mark.django_db
def test_without_a_secret_the_endpoint_is_unavailable(registered, settings):
    lot, organisation = registered
    settings.PLATFORM_BANK_HMAC_SECRET = None
    response = _send(_body(lot, organisation))
    assert response.status_code == 503 and response.json()["code"] == "bank_not_configured"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_replays_record_one_deposit(registered, monkeypatch):
    lot, organisation = registered
    body = _body(lot, organisation)
    barrier = threading.Barrier(2)
    results = []
    original = deposits._bank_deposit

    def slow_bank_deposit(*args, **kwargs):
        # The first request holds its uncommitted nonce a while, so the second passes the quick
        # check and must be stopped by the unique nonce itself.
        time.sleep(0.5)
        return original(*args, **kwargs)

    monkeypatch.setattr(deposits, "_bank_deposit", slow_bank_deposit)

    def send():
        try:
            barrier.wait()
            response = _send(body)
            results.append((response.status_code, response.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results, key=str) == [(201, None), (409, "replayed")]
    assert Deposit.objects.count() == 1 and BankNotification.objects.count() == 1
