"""Registration for a lot: automatic or staff approval, the deadline, duplicates, withdrawal, pages, API."""
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from monitoring.models import AuditEntry
from trading.errors import TradingError
from trading.models import Lot, Registration, UserRole
from trading.services.registrations import registration_create, registration_decide, registration_withdraw
from trading.tests.builders import lot_land, lot_tender


def _codes(fn, **kwargs) -> str:
    with pytest.raises(TradingError) as caught:
        fn(**kwargs)
    return caught.value.code


@pytest.mark.django_db
def test_open_tender_registration_is_approved_at_once(clock, bidder_a):
    lot = lot_tender()
    assert lot.status == Lot.Status.BIDDING
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED
    assert registration.organisation == bidder_a.organisation and registration.decided_by == "system:auto"
    kinds = list(AuditEntry.objects.filter(subject=f"registration:{registration.pk}").values_list("kind", flat=True))
    assert kinds == ["registration.created", "registration.approved"]


@pytest.mark.django_db
def test_land_listing_registration_waits_for_staff(clock, bidder_a, bidder_b, staff):
    lot = lot_land()
    assert lot.status == Lot.Status.PUBLISHED
    first = registration_create(lot_id=lot.pk, user=bidder_a)
    second = registration_create(lot_id=lot.pk, user=bidder_b)
    assert first.status == second.status == Registration.Status.PENDING
    assert _codes(registration_decide, registration_id=second.pk, approve=False, reason=" ",
                  actor="user:1") == "reason_required"

    api = APIClient()
    api.force_authenticate(staff)
    approved = api.post(f"/api/v1/registrations/{first.pk}/decision/", {"approve": True}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    rejected = api.post(f"/api/v1/registrations/{second.pk}/decision/",
                        {"approve": False, "reason": "Not a qualified developer"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["reason"] == "Not a qualified developer"
    again = api.post(f"/api/v1/registrations/{second.pk}/decision/", {"approve": True}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "registration_not_pending"


@pytest.mark.django_db
def test_registration_after_the_deadline_is_refused(clock, bidder_a):
    lot = lot_tender()
    # The sweep has not closed bidding yet: the deadline itself refuses, to the microsecond.
    clock.move_to(lot.bid_deadline, tick=False)
    assert _codes(registration_create, lot_id=lot.pk, user=bidder_a) == "registration_closed"
    clock.move_to(lot.bid_deadline - timedelta(microseconds=1), tick=False)
    assert registration_create(lot_id=lot.pk, user=bidder_a).status == Registration.Status.APPROVED


@pytest.mark.django_db
def test_a_second_registration_of_the_same_organisation_is_refused(clock, bidder_a, make_person):
    lot = lot_tender()
    registration_create(lot_id=lot.pk, user=bidder_a)
    colleague = make_person("colleague_a", ["bidder"], organisation=bidder_a.organisation)
    assert _codes(registration_create, lot_id=lot.pk, user=colleague) == "already_registered"
    assert Registration.objects.filter(lot=lot).count() == 1


@pytest.mark.django_db
def test_only_bidders_with_an_organisation_register(clock, staff, make_person):
    """The role service gives the bidder role only to people of a company; an account from before
    that rule, a bidder without one, is still refused at registration."""
    lot = lot_tender()
    loner = make_person("loner", [])
    UserRole.objects.create(user=loner, role="bidder")
    assert _codes(registration_create, lot_id=lot.pk, user=staff) == "not_bidder"
    assert _codes(registration_create, lot_id=lot.pk, user=loner) == "no_organisation"
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_withdrawal_only_by_the_organisation_and_before_the_deadline(clock, bidder_a, bidder_b):
    lot = lot_tender()
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    assert _codes(registration_withdraw, registration_id=registration.pk, user=bidder_b) == "registration_not_found"
    clock.move_to(lot.bid_deadline + timedelta(hours=1), tick=False)
    assert _codes(registration_withdraw, registration_id=registration.pk, user=bidder_a) == "registration_closed"
    clock.move_to(lot.bid_deadline - timedelta(days=1), tick=False)
    assert registration_withdraw(registration_id=registration.pk, user=bidder_a).status == "withdrawn"


@pytest.mark.django_db
def test_api_register_and_read_my_registration(clock, bidder_a, bidder_b):
    lot = lot_tender()
    api = APIClient()
    api.force_authenticate(bidder_a)
    assert api.get(f"/api/v1/lots/{lot.pk}/registration/").json()["code"] == "registration_not_found"
    created = api.post(f"/api/v1/lots/{lot.pk}/registration/")
    assert created.status_code == 201 and created.json()["status"] == "approved"
    assert created.json()["deposit"] is None
    mine = api.get(f"/api/v1/lots/{lot.pk}/registration/").json()
    assert mine["id"] == created.json()["id"] and mine["uscc"] == bidder_a.organisation.uscc
    duplicate = api.post(f"/api/v1/lots/{lot.pk}/registration/")
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "already_registered"
    api.force_authenticate(bidder_b)
    assert api.get(f"/api/v1/lots/{lot.pk}/registration/").status_code == 404
    withdrawn = api.post(f"/api/v1/lots/{lot.pk}/registration/withdraw/")
    assert withdrawn.status_code == 404


@pytest.mark.django_db
def test_bidder_page_registers_and_withdraws(clock, client, bidder_a):
    lot = lot_tender()
    client.force_login(bidder_a)
    page = client.get(f"/lots/{lot.pk}/registration/")
    assert page.status_code == 200 and b'data-testid="register"' in page.content
    assert client.post(f"/lots/{lot.pk}/registration/register/").status_code == 302
    page = client.get(f"/lots/{lot.pk}/registration/")
    assert b'data-status="approved"' in page.content and b'data-status="none"' in page.content
    refused = client.post(f"/lots/{lot.pk}/registration/register/")
    assert refused.status_code == 409 and b'data-testid="error"' in refused.content
    assert client.post(f"/lots/{lot.pk}/registration/withdraw/").status_code == 302
    assert b'data-status="withdrawn"' in client.get(f"/lots/{lot.pk}/registration/").content


@pytest.mark.django_db
def test_staff_page_approves_and_rejects_with_a_reason(clock, client, bidder_a, bidder_b, staff):
    lot = lot_land()
    first = registration_create(lot_id=lot.pk, user=bidder_a)
    second = registration_create(lot_id=lot.pk, user=bidder_b)
    client.force_login(staff)
    page = client.get("/staff/registrations/")
    assert page.status_code == 200 and f'data-registration="{first.pk}"'.encode() in page.content
    assert client.post(f"/staff/registrations/{first.pk}/decide/", {"decision": "approve"}).status_code == 302
    no_reason = client.post(f"/staff/registrations/{second.pk}/decide/", {"decision": "reject", "reason": ""})
    assert no_reason.status_code == 400
    assert client.post(f"/staff/registrations/{second.pk}/decide/",
                       {"decision": "reject", "reason": "Missing licence"}).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.reason) == ("approved", "rejected", "Missing licence")


@pytest.mark.django_db
def test_bidders_cannot_reach_staff_pages_or_apis(clock, client, bidder_a):
    lot = lot_land()
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    client.force_login(bidder_a)
    for url in ("/staff/registrations/", "/staff/refunds/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/staff/registrations/{registration.pk}/decide/", {"decision": "approve"}).status_code == 403
    api = APIClient()
    api.force_authenticate(bidder_a)
    assert api.post(f"/api/v1/registrations/{registration.pk}/decision/", {"approve": True},
                    format="json").status_code == 403
    assert api.get("/api/v1/deposits/refunds/").status_code == 403
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING


@pytest.mark.django_db
def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get("/staff/refunds/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_openapi_schema_documents_every_registration_endpoint(client):
    schema = client.get("/api/schema/?format=json").json()
    for path, method, codes in [
        ("/api/v1/lots/{lot_id}/registration/", "post", {"201", "409"}),
        ("/api/v1/lots/{lot_id}/registration/", "get", {"200", "404"}),
        ("/api/v1/registrations/{registration_id}/decision/", "post", {"200", "400", "409"}),
        ("/api/v1/registrations/{registration_id}/deposit/", "post", {"201", "409"}),
        ("/api/v1/deposits/refunds/", "get", {"200", "403"}),
        ("/api/v1/bank/deposits/", "post", {"201", "401", "404", "409", "503"}),
    ]:
        operation = schema["paths"][path][method]
        assert codes <= set(operation["responses"]), path
    bank = schema["paths"]["/api/v1/bank/deposits/"]["post"]
    assert any(p["name"] == "X-Signature" and p["in"] == "header" for p in bank["parameters"])
