"""Submitting sealed bids: receipts, write-once storage, and every refusal leaving nothing stored."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from bidding.crypto import receipts
from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.errors import BiddingError
from bidding.sealed.models import Bid
from bidding.sealed.services.bids import bid_submit, bid_withdraw
from trading import signing
from trading.models import Deposit, Notification
from trading.services.deposits import deposit_confirm
from trading.services.registrations import registration_create
from trading.storage import get_storage

pytestmark = pytest.mark.django_db


def envelope(lot, bidder, *, lot_id=None, price="1234567.89", files=((b"technical proposal " * 5000),)):
    out = io.BytesIO()
    seal(public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), platform=settings.PLATFORM_ID,
         lot=str(lot_id or lot.pk), bidder=bidder.organisation.uscc,
         price_form={"price": price, "period_days": 180, "items": {"quality": "合格"}},
         files=[(f"file-{i}.pdf", io.BytesIO(data), len(data)) for i, data in enumerate(files)], out=out)
    return out.getvalue()


@pytest.fixture
def lot(make_lot, publish_sealed):
    return publish_sealed(make_lot("construction", deposit=Decimal("0")))


@pytest.fixture
def registered(lot, bidder_a):
    registration_create(lot_id=lot.pk, user=bidder_a)
    return bidder_a


def submit(lot, user, data):
    return bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(data), length=len(data))


def stored_envelopes() -> set[str]:
    """Every object version under ``bids/`` in the session's S3 store (the tests' default storage)."""
    storage = get_storage()
    return {f"{o.object_name}@{o.version_id}" for o in
            storage._client.list_objects(storage.bucket, prefix="bids/", recursive=True, include_version=True)}


def refused(code, call, *args, **kwargs):
    before, stored = Bid.objects.count(), stored_envelopes()
    with pytest.raises(BiddingError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert Bid.objects.count() == before and stored_envelopes() == stored, "a refused bid left something stored"
    return caught.value


def test_a_submitted_bid_gets_a_signed_receipt_and_is_stored_write_once(lot, registered):
    data = envelope(lot, registered)
    bid = submit(lot, registered, data)
    fields = receipts.receipt_verify(bid.receipt, signing.public_key())
    assert fields["envelope_sha256"] == bid.envelope_sha256 and fields["bidder"] == registered.organisation.uscc
    assert fields["lot"] == str(lot.pk) and fields["received_at"].endswith("Z") and len(fields["received_at"]) == 27
    stored = get_storage().stat(bid.storage_key)
    assert stored.size == len(data) and stored.retain_until >= bid.retain_until
    assert bid.retain_until.year == lot.bid_deadline.year + settings.PLATFORM_BID_RETENTION_YEARS
    with get_storage().get(bid.storage_key) as reader:
        assert b"".join(reader) == data
    notice = Notification.objects.get(user=registered, kind="bid.received")
    assert str(bid.receipt_id) in notice.body_zh and notice.link.endswith(f"/bid/{bid.pk}/receipt/")


def test_an_envelope_sealed_for_another_lot_is_refused_and_nothing_is_stored(lot, registered, make_lot,
                                                                              publish_sealed):
    other = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    refused("wrong_lot", submit, lot, registered, envelope(other, registered))


def test_an_envelope_under_another_bidder_is_refused(lot, registered, bidder_b):
    registration_create(lot_id=lot.pk, user=bidder_b)
    refused("wrong_bidder", submit, lot, bidder_b, envelope(lot, registered))


def test_a_malformed_envelope_is_refused(lot, registered):
    data = envelope(lot, registered)
    refused("bad_magic", submit, lot, registered, b"%PDF" + data[4:])
    header_end = 8 + int.from_bytes(data[4:8], "big")
    refused("bad_segments", submit, lot, registered, data[:header_end + 10])  # shorter than one tag


def test_the_deadline_is_exact_to_the_microsecond(lot, registered):
    data = envelope(lot, registered)
    with time_machine.travel(lot.bid_deadline + timedelta(microseconds=1), tick=False):
        error = refused("deadline_passed", submit, lot, registered, data)
    assert "nothing was stored" in str(error.message) or "未保存" in str(error.message)
    with time_machine.travel(lot.bid_deadline, tick=False):
        refused("deadline_passed", submit, lot, registered, data)
    with time_machine.travel(lot.bid_deadline - timedelta(microseconds=1), tick=False):
        bid = submit(lot, registered, data)
    assert bid.received_at < lot.bid_deadline


def test_a_replacement_retires_the_earlier_envelope_and_both_receipts_remain(lot, registered):
    first = submit(lot, registered, envelope(lot, registered, price="100.00"))
    second = submit(lot, registered, envelope(lot, registered, price="99.00"))
    first.refresh_from_db()
    assert (first.status, second.status, second.replaces) == ("replaced", "sealed", first)
    assert get_storage().exists(first.storage_key)  # kept until the archive date


def test_withdrawal_before_the_deadline_keeps_the_envelope(lot, registered):
    bid = submit(lot, registered, envelope(lot, registered))
    bid = bid_withdraw(bid_id=bid.pk, user=registered)
    assert bid.status == Bid.Status.WITHDRAWN and get_storage().exists(bid.storage_key)
    with time_machine.travel(lot.bid_deadline, tick=False):
        refused("deadline_passed", submit, lot, registered, envelope(lot, registered))


def test_only_registered_bidders_with_their_deposit_may_bid(make_lot, publish_sealed, bidder_a, staff):
    lot = publish_sealed(make_lot("construction", deposit=Decimal("10000.00")))
    refused("not_registered", submit, lot, bidder_a, b"")
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    refused("deposit_missing", submit, lot, bidder_a, envelope(lot, bidder_a))
    deposit_confirm(registration_id=registration.pk, amount=Decimal("10000.00"), reference="BANK-1",
                    actor=f"user:{staff.pk}")
    assert Deposit.objects.filter(registration=registration).exists()
    assert submit(lot, bidder_a, envelope(lot, bidder_a)).status == Bid.Status.SEALED


def test_submission_through_the_api_streams_the_body_and_answers_with_the_receipt(lot, registered):
    api = APIClient()
    api.force_authenticate(registered)
    data = envelope(lot, registered)
    response = api.post(reverse("api-bid-submit", args=[lot.pk]), data=data,
                        content_type="application/octet-stream")
    assert response.status_code == 201, response.json()
    receipt = api.get(reverse("api-bid-receipt", args=[response.json()["id"]])).json()
    assert receipts.receipt_verify(receipt, signing.public_key())["envelope_sha256"] == response.json()["envelope_sha256"]
    wrong = api.post(reverse("api-bid-submit", args=[lot.pk]), data=b"not an envelope",
                     content_type="application/octet-stream")
    assert wrong.status_code == 400 and wrong.json()["code"] == "bad_magic"
    key = APIClient().get(reverse("api-opening-key", args=[lot.pk])).json()
    assert key["threshold"] == 2 and key["custodians"] == 3 and key["public_key_pem"].startswith("-----BEGIN")
