"""A regulator's suspension order holds a lot: it is suspended, its public page says so, bidders
cannot act on it, staff cannot resume it, and only a regulator lifts the order; the lot resumes
once no other hold remains."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring.models import AuditEntry
from supervisors.regulation.errors import RegulationError
from supervisors.regulation.services import lot_suspension_lift, lot_suspension_order
from trading.errors import TradingError
from trading.models import Lot, LotHold, Notification, Registration
from trading.services.lots import lot_resume, lot_suspend
from trading.services.registrations import registration_create

pytestmark = pytest.mark.django_db

REASON = "接到举报，核查评标专家抽取情况"
LIFTED = "核查完毕，未发现问题"


def _status(lot) -> str:
    return Lot.objects.get(pk=lot.pk).status


def test_an_order_holds_the_lot_until_a_regulator_lifts_it(client, lot, regulator, staff, bidder_a, bidder_b):
    registration_create(lot_id=lot.pk, user=bidder_b)
    hold = lot_suspension_order(lot_id=lot.pk, regulator=regulator, reason=REASON)
    assert (hold.reason, hold.held_by, _status(lot)) == ("order", f"user:{regulator.pk}", "suspended")
    event = AuditEntry.objects.get(kind="regulation.suspension_ordered")
    assert (event.subject, event.data["text"], event.data["lot_status"]) == (f"lot:{lot.pk}", REASON, "bidding")
    assert {n.user for n in Notification.objects.filter(kind="lot.suspension_ordered")} == {staff, bidder_b}
    page = client.get(reverse("lot-detail", args=[lot.pk])).content.decode()
    assert 'data-testid="suspension"' in page and 'data-by="regulator"' in page and REASON in page

    with pytest.raises(TradingError) as closed:
        registration_create(lot_id=lot.pk, user=bidder_a)
    assert closed.value.code == "registration_closed"
    with pytest.raises(TradingError) as held:
        lot_resume(lot_id=lot.pk, actor=f"user:{staff.pk}")
    assert held.value.code == "lot_held"
    with pytest.raises(RegulationError) as refused:
        lot_suspension_lift(hold_id=hold.pk, regulator=staff, reason=LIFTED)
    assert (refused.value.code, refused.value.status) == ("not_regulator", 403)
    assert AuditEntry.objects.get(kind="regulation.refused").data == {
        "code": "not_regulator", "action": "suspension_lift", "hold": hold.pk}
    assert _status(lot) == "suspended"

    lifted = lot_suspension_lift(hold_id=hold.pk, regulator=regulator, reason=LIFTED)
    assert lifted.released_by == f"user:{regulator.pk}" and _status(lot) == "bidding"
    assert AuditEntry.objects.get(kind="regulation.suspension_lifted").data["resumes_lot"] is True
    assert Notification.objects.filter(user=bidder_b, kind="lot.suspension_lifted").exists()
    assert 'data-testid="suspension"' not in client.get(reverse("lot-detail", args=[lot.pk])).content.decode()
    assert registration_create(lot_id=lot.pk, user=bidder_a).status == Registration.Status.APPROVED


def test_the_lot_resumes_only_when_its_last_hold_is_released(lot, regulator, staff):
    hold = lot_suspension_order(lot_id=lot.pk, regulator=regulator, reason=REASON)
    lot_suspend(lot_id=lot.pk, reason="现场核查", actor=f"user:{staff.pk}")
    lot_suspension_lift(hold_id=hold.pk, regulator=regulator, reason=LIFTED)
    assert _status(lot) == "suspended", "staff's own order still holds it"
    assert AuditEntry.objects.get(kind="regulation.suspension_lifted").data["resumes_lot"] is False
    lot_resume(lot_id=lot.pk, actor=f"user:{staff.pk}")
    assert _status(lot) == "bidding"


def test_orders_are_refused_twice_to_others_and_on_lots_that_cannot_stop(lot, regulator, staff, bidder_a, make_lot):
    for intruder in (staff, bidder_a):
        with pytest.raises(RegulationError) as refused:
            lot_suspension_order(lot_id=lot.pk, regulator=intruder, reason=REASON)
        assert refused.value.code == "not_regulator"
    assert _status(lot) == "bidding" and not LotHold.objects.exists()
    hold = lot_suspension_order(lot_id=lot.pk, regulator=regulator, reason=REASON)
    with pytest.raises(RegulationError) as again:
        lot_suspension_order(lot_id=lot.pk, regulator=regulator, reason=REASON)
    assert again.value.code == "already_ordered"
    lot_suspension_lift(hold_id=hold.pk, regulator=regulator, reason=LIFTED)
    with pytest.raises(RegulationError) as lifted:
        lot_suspension_lift(hold_id=hold.pk, regulator=regulator, reason=LIFTED)
    assert lifted.value.code == "order_lifted"

    lot_suspend(lot_id=lot.pk, reason="现场核查", actor=f"user:{staff.pk}")
    staff_order = LotHold.objects.get(subject=f"lot:{lot.pk}", released_at__isnull=True)
    with pytest.raises(RegulationError) as not_theirs:
        lot_suspension_lift(hold_id=staff_order.pk, regulator=regulator, reason=LIFTED)
    assert not_theirs.value.code == "order_not_found"
    with pytest.raises(TradingError) as draft:
        lot_suspension_order(lot_id=make_lot("construction").pk, regulator=regulator, reason=REASON)
    assert draft.value.code == "not_suspendable"
    with pytest.raises(RegulationError) as no_reason:
        lot_suspension_order(lot_id=lot.pk, regulator=regulator, reason=" ")
    assert no_reason.value.code == "text_required"


def test_pages_a_regulator_orders_and_lifts_staff_are_refused(client, lot, regulator, staff):
    client.force_login(staff)
    assert client.post(reverse("regulator-suspension-order", args=[lot.pk]), {"reason": REASON}).status_code == 403
    assert client.get(reverse("regulator-lot", args=[lot.pk])).status_code == 403
    assert _status(lot) == "bidding"

    client.force_login(regulator)
    assert 'data-testid="regulation-link"' in client.get(reverse("lot-detail", args=[lot.pk])).content.decode()
    assert client.post(reverse("regulator-suspension-order", args=[lot.pk]), {"reason": REASON}).status_code == 302
    hold = LotHold.objects.get(lot=lot, released_at__isnull=True)
    page = client.get(reverse("regulator-lot", args=[lot.pk])).content.decode()
    assert 'data-testid="lift-form"' in page and 'data-testid="order-form"' not in page
    lift = reverse("regulator-suspension-lift", args=[lot.pk, hold.pk])
    assert client.post(lift, {"reason": ""}).status_code == 400
    client.force_login(staff)
    assert client.post(lift, {"reason": LIFTED}).status_code == 403
    assert _status(lot) == "suspended"
    client.force_login(regulator)
    assert client.post(lift, {"reason": LIFTED}).status_code == 302
    assert _status(lot) == "bidding"


def test_api_order_and_lift(lot, regulator, staff):
    api = APIClient()
    api.force_authenticate(staff)
    refused = api.post(reverse("api-lot-suspension-orders", args=[lot.pk]), {"reason": REASON}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_regulator")
    api.force_authenticate(regulator)
    ordered = api.post(reverse("api-lot-suspension-orders", args=[lot.pk]), {"reason": REASON}, format="json")
    assert ordered.status_code == 201 and ordered.json()["released_at"] is None
    lift = reverse("api-suspension-lift", args=[ordered.json()["id"]])
    api.force_authenticate(staff)
    assert api.post(lift, {"reason": LIFTED}, format="json").json()["code"] == "not_regulator"
    api.force_authenticate(regulator)
    lifted = api.post(lift, {"reason": LIFTED}, format="json")
    assert lifted.status_code == 200 and lifted.json()["released_by"] == f"user:{regulator.pk}"
    assert _status(lot) == "bidding"
