"""Tendering a failed lot again (重新招标): one staff action makes the next lot of the project as a
draft, with the failed lot's title, estimate, deposit and documents, the earliest dates the rule
table allows, every earlier registrant told, and the two lots linked both ways."""
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bidding.sales.services.listings import listing_close_sweep
from bidding.sealed.services.opening import opening_start
from monitoring.models import AuditEntry
from trading.errors import TradingError
from trading.models import Deposit, Lot, LotDocument
from trading.services.deposits import deposit_confirm
from trading.services.documents import document_upload
from trading.services.lots import lot_due_sweep, lot_publish, lot_submit
from trading.services.registrations import registration_create
from trading.services.retender import lot_retender
from trading.storage import get_storage
from trading.tests.builders import lot_land, lot_tender
from trading.workdays import CHINA

pytestmark = pytest.mark.django_db

# Sunday 25 October 2026, 10:00 in China: 20 days on is Saturday 14 November, so the bid deadline
# moves to Monday the 16th; 5 days on is Friday 30 October.
RETENDER_AT = datetime(2026, 10, 25, 10, 0, tzinfo=CHINA)


def china(*args) -> datetime:
    return datetime(*args, tzinfo=CHINA).astimezone(UTC)


def upload(lot, name, data):
    return document_upload(lot_id=lot.pk, name=name, stream=io.BytesIO(data), length=len(data),
                           content_type="application/pdf", actor="user:1")


def stored(document) -> bytes:
    with get_storage().get(document.storage_key) as chunks:
        return b"".join(chunks)


@pytest.fixture
def failed_lot(clock, bidder_a, bidder_b):
    """A works lot (bids due 20 October 2026, 09:30 in China) with two versions of its tender
    documents and a drawing, registered for by bidder_a and bidder_b with their deposits, that
    failed at its opening with no bid."""
    lot = lot_tender()
    upload(lot, "招标文件.pdf", b"%PDF-1.7 version one")
    upload(lot, "招标文件.pdf", b"%PDF-1.7 version two")
    upload(lot, "图纸.pdf", b"%PDF-1.7 drawings")
    for user in (bidder_a, bidder_b):
        registration = registration_create(lot_id=lot.pk, user=user)
        deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference=f"ICBC-{user.username}",
                        actor="user:1")
    clock.move_to(lot.bid_deadline, tick=False)
    lot_due_sweep()
    assert opening_start(lot_id=lot.pk, actor="user:1") is None
    lot.refresh_from_db()
    assert lot.status == Lot.Status.FAILED
    clock.move_to(RETENDER_AT, tick=False)
    return lot


def staff_api(staff):
    api = APIClient()
    api.force_authenticate(staff)
    return api


def test_staff_tender_a_failed_lot_again_as_a_draft_with_its_documents_and_lawful_dates(failed_lot, staff):
    answer = staff_api(staff).post(f"/api/v1/lots/{failed_lot.pk}/retender/")
    assert answer.status_code == 201, answer.content
    lot = Lot.objects.get(pk=answer.json()["id"])
    assert (lot.status, lot.project_id, lot.number, lot.retender_of_id) == (
        Lot.Status.DRAFT, failed_lot.project_id, 2, failed_lot.pk)
    assert (lot.title, lot.estimate, lot.deposit, lot.currency) == (
        failed_lot.title, failed_lot.estimate, failed_lot.deposit, failed_lot.currency)
    # The earliest lawful days, moved onto a working day, at the failed lot's times of day.
    assert lot.bid_deadline == china(2026, 11, 16, 9, 30)
    assert lot.documents_until == china(2026, 10, 30, 17, 0)
    assert (lot.documents_from, lot.bidding_opens_at, lot.listing_start) == (None, None, None)
    # The newest version of each document, copied under the new lot's own keys.
    documents = {d.name: d for d in LotDocument.objects.filter(lot=lot)}
    assert {name: (d.version, stored(d)) for name, d in documents.items()} == {
        "招标文件.pdf": (1, b"%PDF-1.7 version two"), "图纸.pdf": (1, b"%PDF-1.7 drawings")}
    assert all(d.storage_key.startswith(f"lots/{lot.pk}/documents/") for d in documents.values())
    assert LotDocument.objects.filter(lot=failed_lot).count() == 3
    # Registrations and deposits stay with the failed lot (its deposits fell due when it failed).
    assert not lot.registrations.exists()
    assert set(Deposit.objects.values_list("status", flat=True)) == {Deposit.Status.REFUND_DUE}
    # Publishable as it stands, at the moment it was made.
    lot_submit(lot_id=lot.pk, actor="user:1")


def test_every_earlier_registrant_is_told_and_the_pages_link_the_lots_once_the_new_one_is_public(
        failed_lot, staff, bidder_a, bidder_b, client):
    lot = lot_retender(lot_id=failed_lot.pk, actor=f"user:{staff.pk}")
    told = AuditEntry.objects.filter(kind="registration.retender_notified")
    assert {(e.subject, e.data["organisation"], e.data["new_lot"]) for e in told} == {
        (f"registration:{r.pk}", r.organisation_id, lot.pk) for r in failed_lot.registrations.all()}
    assert AuditEntry.objects.get(kind="lot.retendered").subject == f"lot:{failed_lot.pk}"
    new_page, failed_page = reverse("lot-detail", args=[lot.pk]), reverse("lot-detail", args=[failed_lot.pk])

    # A draft has no public page: the failed lot names it without a link.
    assert client.get(new_page).status_code == 404
    page = client.get(failed_page).content.decode()
    assert 'data-testid="retendered-as"' in page and lot.code in page and f'href="{new_page}"' not in page
    client.force_login(bidder_a)
    page = client.get(reverse("registration-lot", args=[failed_lot.pk])).content.decode()
    assert 'data-testid="retender-notice"' in page and lot.code in page

    lot_submit(lot_id=lot.pk, actor="user:1")
    lot_publish(lot_id=lot.pk, title="重新招标公告", body="……", actor="user:1")
    client.logout()
    assert f'href="{new_page}"' in client.get(failed_page).content.decode()
    page = client.get(new_page).content.decode()
    assert 'data-testid="retender-of"' in page and f'href="{failed_page}"' in page


def test_only_a_failed_lot_is_tendered_again_and_only_once(failed_lot, staff, bidder_a):
    api = staff_api(staff)
    made = api.post(f"/api/v1/lots/{failed_lot.pk}/retender/")
    assert made.status_code == 201
    refused = api.post(f"/api/v1/lots/{made.json()['id']}/retender/")
    assert (refused.status_code, refused.json()["code"]) == (409, "retender_not_failed")
    again = api.post(f"/api/v1/lots/{failed_lot.pk}/retender/")
    assert (again.status_code, again.json()["code"]) == (409, "already_retendered")
    assert api.post("/api/v1/lots/999999/retender/").json()["code"] == "lot_not_found"
    bidder = APIClient()
    bidder.force_authenticate(bidder_a)
    assert bidder.post(f"/api/v1/lots/{failed_lot.pk}/retender/").status_code == 403
    assert Lot.objects.filter(retender_of__isnull=False).count() == 1
    assert LotDocument.objects.filter(lot__retender_of=failed_lot).count() == 2


def test_a_copy_that_fails_leaves_no_lot_and_no_object(failed_lot, staff, monkeypatch):
    storage = get_storage()
    put, stored_keys = storage.put, []

    def put_then_fail(key, stream, **kwargs):
        stored_keys.append(key)
        info = put(key, stream, **kwargs)
        if len(stored_keys) == 2:
            raise TradingError("document_mismatch", "the second copy failed")
        return info

    monkeypatch.setattr(storage, "put", put_then_fail)
    with pytest.raises(TradingError):
        lot_retender(lot_id=failed_lot.pk, actor=f"user:{staff.pk}")
    assert not Lot.objects.filter(retender_of=failed_lot).exists()
    assert not AuditEntry.objects.filter(kind="lot.retendered").exists()
    assert stored_keys and not any(storage.exists(key) for key in stored_keys)


def test_the_staff_page_offers_tendering_again_on_a_failed_lot_and_then_links_the_draft(failed_lot, staff, client):
    client.force_login(staff)
    page = client.get(reverse("staff-lot", args=[failed_lot.pk])).content.decode()
    assert 'data-testid="retender"' in page
    answer = client.post(reverse("staff-lot-retender", args=[failed_lot.pk]))
    lot = Lot.objects.get(retender_of=failed_lot)
    assert answer.status_code == 302 and answer.url == reverse("staff-lot", args=[lot.pk])
    page = client.get(answer.url).content.decode()
    assert 'data-testid="retender-of"' in page and reverse("staff-lot", args=[failed_lot.pk]) in page
    assert 'data-testid="retender"' not in page
    page = client.get(reverse("staff-lot", args=[failed_lot.pk])).content.decode()
    assert 'data-testid="retender"' not in page and reverse("staff-lot", args=[lot.pk]) in page
    again = client.post(reverse("staff-lot-retender", args=[failed_lot.pk]), follow=True)
    assert again.redirect_chain[-1][0] == reverse("staff-lot", args=[failed_lot.pk])
    assert Lot.objects.filter(retender_of=failed_lot).count() == 1


def test_an_unsold_land_listing_is_listed_again_under_the_listing_rules(clock, staff):
    failed = lot_land()  # listed from 25 September 09:00 to 10 October 15:00, in China
    clock.move_to(failed.listing_start, tick=False)
    lot_due_sweep()
    clock.move_to(failed.listing_end, tick=False)
    assert listing_close_sweep() == {"closed": 1}
    # Monday 12 October 2026: the notice runs 20 days to Sunday 1 November, so the listing starts
    # on Monday the 2nd and lasts 10 days, to Thursday the 12th.
    clock.move_to(datetime(2026, 10, 12, 10, 0, tzinfo=CHINA), tick=False)
    lot = lot_retender(lot_id=failed.pk, actor=f"user:{staff.pk}")
    assert (lot.listing_start, lot.listing_end) == (china(2026, 11, 2, 9, 0), china(2026, 11, 12, 15, 0))
    assert (lot.bid_deadline, lot.documents_until) == (None, None)
    lot_submit(lot_id=lot.pk, actor="user:1")
