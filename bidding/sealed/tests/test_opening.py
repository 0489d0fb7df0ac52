"""The online opening: k of n custodians, the signed record, Art 31 outcomes, responses, closing."""
import hashlib
import io
import json
import subprocess
import sys
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings

from bidding.crypto import receipts
from bidding.crypto.canonical import canonical_json
from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.errors import BiddingError
from bidding.sealed.models import Bid, OpeningSession, SharePresentation
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.opening import (opening_answer, opening_close_sweep, opening_confirm, opening_object,
                                             opening_start, share_present)
from monitoring.models import AuditEntry
from tests.fixtures import CUSTODIAN_PASSPHRASE
from trading import signing
from trading.models import Announcement, Lot
from trading.services.lots import lot_due_sweep
from trading.services.registrations import registration_create
from trading.storage import get_storage

pytestmark = pytest.mark.django_db
PRICES = {"bidder_a": "1000000.00", "bidder_b": "950000.50", "bidder_c": "990000.00"}


def envelope(lot, user, price, *, files=(b"proposal " * 10000,)):
    out = io.BytesIO()
    seal(public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), platform=settings.PLATFORM_ID,
         lot=str(lot.pk), bidder=user.organisation.uscc,
         price_form={"price": price, "period_days": 200, "items": {"quality": "合格"}},
         files=[(f"f{i}.pdf", io.BytesIO(d), len(d)) for i, d in enumerate(files)], out=out)
    return out.getvalue()


def submit(lot, user, data):
    return bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(data), length=len(data))


@pytest.fixture
def bidders(bidder_a, bidder_b, make_person):
    return {"bidder_a": bidder_a, "bidder_b": bidder_b,
            "bidder_c": make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")}


@pytest.fixture
def lot(make_lot, publish_sealed):
    return publish_sealed(make_lot("construction", deposit=Decimal("0")))


def close(lot):
    lot.refresh_from_db()
    with time_machine.travel(lot.bid_deadline, tick=False):
        lot_due_sweep()
    lot.refresh_from_db()
    assert lot.status == Lot.Status.CLOSED


def bid_all(lot, bidders, prices=PRICES):
    for name, user in bidders.items():
        registration_create(lot_id=lot.pk, user=user)
        submit(lot, user, envelope(lot, user, prices[name]))


def test_two_of_three_custodians_open_every_bid_and_the_record_is_signed(lot, bidders, custodians, tmp_path):
    bid_all(lot, bidders)
    close(lot)
    session = opening_start(lot_id=lot.pk, actor="user:1")
    with pytest.raises(BiddingError) as caught:
        share_present(session_id=session.pk, user=custodians[0], passphrase="wrong passphrase!")
    assert caught.value.code == "wrong_passphrase"
    # On the record for electronic supervision (an alert), under the custodian's subject, not the lot's.
    refused = AuditEntry.objects.get(kind="custodian.passphrase_failed")
    assert (refused.subject, refused.data) == (f"user:{custodians[0].pk}",
                                               {"lot": lot.pk, "session": session.pk, "code": "wrong_passphrase"})
    share_present(session_id=session.pk, user=custodians[0], passphrase=CUSTODIAN_PASSPHRASE)
    session.refresh_from_db()
    # One custodian alone opens nothing.
    assert session.status == OpeningSession.Status.COLLECTING_SHARES
    assert not Bid.objects.filter(lot=lot, status=Bid.Status.OPENED).exists()
    with pytest.raises(BiddingError) as caught:
        share_present(session_id=session.pk, user=custodians[0], passphrase=CUSTODIAN_PASSPHRASE)
    assert caught.value.code == "share_presented"

    share_present(session_id=session.pk, user=custodians[2], passphrase=CUSTODIAN_PASSPHRASE)
    session.refresh_from_db()
    assert session.status == OpeningSession.Status.RECORD_PUBLISHED
    body = receipts.signed_verify(session.record, "opening-record", signing.public_key())
    assert {entry["bidder"]: entry["price"] for entry in body["bids"]} == {
        user.organisation.uscc: PRICES[name] for name, user in bidders.items()}
    assert all(entry["status"] == "opened" for entry in body["bids"])
    assert not SharePresentation.objects.filter(session=session, share_cipher__isnull=False).exists()
    published = AuditEntry.objects.get(subject=f"lot:{lot.pk}", kind="opening.record_published")
    assert published.data["record_sha256"] == hashlib.sha256(canonical_json(session.record["document"])).hexdigest()
    assert published.data["signature"] == session.record["signature"]

    path = tmp_path / "opening.json"
    path.write_text(json.dumps(session.record, ensure_ascii=False))
    key = tmp_path / "platform-key.pem"
    key.write_bytes(signing.public_key_pem())
    verdict = subprocess.run([sys.executable, "-m", "bidding.verify", "opening", str(path), "--key", str(key)],
                             capture_output=True, text=True, cwd=settings.BASE_DIR,
                             env={"PATH": "/usr/bin:/bin"})
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr


def test_fewer_than_three_bids_no_opening_the_lot_fails_with_a_notice(lot, bidders):
    two = dict(list(bidders.items())[:2])
    bid_all(lot, two)
    close(lot)
    assert opening_start(lot_id=lot.pk, actor="user:1") is None
    lot.refresh_from_db()
    assert lot.status == Lot.Status.FAILED
    notice = Announcement.objects.get(lot=lot, kind=Announcement.Kind.FAILURE)
    assert "2" in notice.body and "3" in notice.body
    assert not OpeningSession.objects.filter(lot=lot).exists()


def test_no_opening_before_the_deadline(lot, bidders):
    bid_all(lot, bidders)
    with pytest.raises(BiddingError) as caught:
        opening_start(lot_id=lot.pk, actor="user:1")
    assert caught.value.code == "opening_not_due"


def test_a_bidders_broken_envelope_counts_as_revoked_and_a_damaged_store_as_withdrawn(
        lot, bidders, custodians, settings, tmp_path):
    """电子招标投标办法 Art 31, both ways; the opening goes on with the rest."""
    settings.S3_ENDPOINT_URL = None  # local files, so the test can damage a stored envelope
    settings.PLATFORM_STORAGE_DIR = tmp_path / "objects"
    for name, user in bidders.items():
        registration_create(lot_id=lot.pk, user=user)
    broken = bytearray(envelope(lot, bidders["bidder_a"], PRICES["bidder_a"]))
    broken[-5] ^= 0x01  # a flipped bit in the bidder's own last segment: the form is fine, the content not
    submit(lot, bidders["bidder_a"], bytes(broken))
    damaged = submit(lot, bidders["bidder_b"], envelope(lot, bidders["bidder_b"], PRICES["bidder_b"]))
    submit(lot, bidders["bidder_c"], envelope(lot, bidders["bidder_c"], PRICES["bidder_c"]))
    storage = get_storage()
    _, handle = storage.open(damaged.storage_key)
    blob = handle.name
    handle.close()
    data = bytearray(open(blob, "rb").read())
    data[-3] ^= 0x01
    open(blob, "wb").write(bytes(data))  # the store's copy no longer matches the receipt

    close(lot)
    session = opening_start(lot_id=lot.pk, actor="user:1")
    for custodian in custodians[:2]:
        share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
    statuses = {bid.organisation_id: bid.status for bid in Bid.objects.filter(lot=lot)}
    assert statuses[bidders["bidder_a"].organisation_id] == Bid.Status.DECRYPT_FAILED_REVOKED
    assert statuses[bidders["bidder_b"].organisation_id] == Bid.Status.DECRYPT_FAILED_WITHDRAWN
    assert statuses[bidders["bidder_c"].organisation_id] == Bid.Status.OPENED
    body = OpeningSession.objects.get(pk=session.pk).record["document"]["body"]
    failures = {entry["bidder"]: entry["failure"] for entry in body["bids"] if "failure" in entry}
    assert failures[bidders["bidder_a"].organisation.uscc]["outcome"] == "revoked"
    assert failures[bidders["bidder_b"].organisation.uscc] == {"code": "hash_mismatch", "fault": "platform",
                                                               "outcome": "withdrawn"}


def test_bidders_confirm_or_object_staff_answer_and_the_session_closes_after_the_window(lot, bidders, custodians):
    bid_all(lot, bidders)
    close(lot)
    session = opening_start(lot_id=lot.pk, actor="user:1")
    for custodian in custodians[1:]:
        share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
    session.refresh_from_db()
    opening_confirm(session_id=session.pk, user=bidders["bidder_a"])
    objection = opening_object(session_id=session.pk, user=bidders["bidder_b"], text="报价读错了")
    with time_machine.travel(session.responses_until, tick=False):
        with pytest.raises(BiddingError) as caught:
            opening_confirm(session_id=session.pk, user=bidders["bidder_c"])
        assert caught.value.code == "responses_closed"
        assert opening_close_sweep() == {"closed": 0}  # an objection is unanswered
        opening_answer(response_id=objection.pk, answer="已核对，报价为 950000.50 元。", actor="user:1")
        assert opening_close_sweep() == {"closed": 1}
    lot.refresh_from_db()
    assert lot.status == Lot.Status.EVALUATION


def test_the_opening_through_the_api_and_the_page(lot, bidders, custodians, staff, client):
    from django.urls import reverse
    from rest_framework.test import APIClient

    from tests.fixtures import PASSWORD

    bid_all(lot, bidders)
    close(lot)
    api = APIClient()
    api.force_authenticate(bidders["bidder_a"])
    assert api.post(reverse("api-opening-start", args=[lot.pk])).json()["code"] == "permission_denied"
    api.force_authenticate(staff)
    started = api.post(reverse("api-opening-start", args=[lot.pk]))
    assert started.status_code == 200 and started.json()["status"] == "collecting_shares"
    for custodian in custodians[:2]:
        api.force_authenticate(custodian)
        answer = api.post(reverse("api-opening-share", args=[lot.pk]), {"passphrase": CUSTODIAN_PASSPHRASE})
        assert answer.status_code == 200, answer.json()
    record = APIClient().get(reverse("api-opening-record", args=[lot.pk])).json()
    body = receipts.signed_verify(record, "opening-record", signing.public_key())
    assert len(body["bids"]) == 3

    client.post(reverse("login"), {"username": "bidder_b", "password": PASSWORD})
    page = client.get(reverse("opening-page", args=[lot.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "950,000.50 元" in page and "确认" in page
    client.post(reverse("opening-object", args=[lot.pk]), {"text": "工期读错了"})
    assert "工期读错了" in client.get(reverse("opening-page", args=[lot.pk])).content.decode()


def test_the_sealed_bids_are_counted_once_after_the_deadline_and_never_before(lot, bidders):
    from bidding.sealed.models import BidCount
    from bidding.sealed.services.opening import bids_count_sweep

    bid_all(lot, bidders)
    assert bids_count_sweep() == {"counted": 0}  # bidding is open: nothing is told
    close(lot)
    assert bids_count_sweep() == {"counted": 1}
    assert bids_count_sweep() == {"counted": 0}
    assert BidCount.objects.get(lot=lot).sealed == 3
    counted = AuditEntry.objects.get(subject=f"lot:{lot.pk}", kind="lot.bids_counted")
    assert counted.data == {"sealed": 3} and counted.actor == "system:clock"
    opening_start(lot_id=lot.pk, actor="user:1")
    assert AuditEntry.objects.filter(kind="lot.bids_counted", subject=f"lot:{lot.pk}").count() == 1


def test_the_opening_tells_each_bid_to_the_lot_and_the_session_to_the_dashboard(lot, bidders, custodians):
    bid_all(lot, bidders)
    close(lot)
    session = opening_start(lot_id=lot.pk, actor="user:1")
    for custodian in (custodians[0], custodians[1]):
        share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
    kinds = list(AuditEntry.objects.filter(subject=f"lot:{lot.pk}").order_by("subject_seq")
                 .values_list("kind", flat=True))
    assert kinds[-5:] == ["opening.share_presented"] + ["opening.bid_opened"] * 3 + ["opening.record_published"]
    opened = [e.data for e in AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="opening.bid_opened")
              .order_by("subject_seq")]
    assert [e["price"] for e in opened] == list(PRICES.values())
    assert all("files" not in e and e["status"] == "opened" for e in opened)
    started = AuditEntry.objects.get(subject="centre", kind="session.started")
    assert started.data["lot"] == lot.pk and started.data["room"] == "opening"
