"""Holds: one suspension mechanism for every reason. The first open hold suspends a lot, the last
one released resumes it where it was; staff's own order is one hold among the others."""
import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring.models import AuditEntry
from trading import clock
from trading.errors import TradingError
from trading.models import DocumentObjection, Lot, LotHold, LotStatusChange
from trading.selectors_holds import lot_hold_reasons_open, lot_holds_open
from trading.services.holds import lot_hold, lot_hold_release
from trading.services.lots import lot_publish, lot_resume, lot_submit, lot_suspend
from trading.services.moves import lot_lock, lot_transition
from trading.services.objections import objection_file, objection_reply
from trading.services.registrations import registration_create

pytestmark = pytest.mark.django_db

ACTOR = "user:1"


@pytest.fixture
def lot(make_lot):
    lot = make_lot("construction", days=25)
    lot_submit(lot_id=lot.pk, actor=ACTOR)
    lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor=ACTOR)
    lot.refresh_from_db()
    return lot


def hold(lot, reason, subject):
    with transaction.atomic():
        return lot_hold(lot=lot_lock(lot.pk), reason=reason, subject=subject, actor=ACTOR)


def release(lot, subject, data=None):
    with transaction.atomic():
        return lot_hold_release(lot=lot_lock(lot.pk), subject=subject, actor=ACTOR, data=data)


def moves(lot, transition):
    return LotStatusChange.objects.filter(lot=lot, transition=transition).count()


def test_the_first_hold_suspends_and_the_last_release_resumes(lot):
    first = hold(lot, "complaint", "complaint:1")
    hold(lot, "candidates_objection", "objection:9")
    lot.refresh_from_db()
    assert (lot.status, lot.suspended_from, moves(lot, "suspend")) == (Lot.Status.SUSPENDED, Lot.Status.BIDDING, 1)
    assert first.held_by == ACTOR and first.is_open
    assert list(lot_holds_open(lot=lot).values_list("subject", flat=True)) == ["complaint:1", "objection:9"]
    suspended = AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="lot.status_changed").last()
    assert suspended.data["reason"] == "complaint"

    assert release(lot, "complaint:1") is False
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.SUSPENDED
    assert release(lot, "complaint:1") is False  # nothing open for it: nothing changes
    assert release(lot, "objection:9", data={"reason": "candidates_objection_reply"}) is True
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING and lot.next_due_at == lot.bid_deadline
    resumed = AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="lot.status_changed").last()
    assert resumed.data == {"from": "suspended", "to": "bidding", "transition": "resume",
                            "reason": "candidates_objection_reply"}
    assert not lot_holds_open(lot=lot).exists() and LotHold.objects.filter(lot=lot).count() == 2


def test_holds_refuse_what_they_cannot_hold(lot, make_lot):
    draft = make_lot("construction")
    with pytest.raises(TradingError) as caught:
        hold(draft, "order", f"lot:{draft.pk}")
    assert (caught.value.code, caught.value.status) == ("not_suspendable", 409)
    hold(lot, "complaint", "complaint:1")
    with pytest.raises(TradingError) as caught:
        hold(lot, "complaint", "complaint:1")
    assert caught.value.code == "already_held"
    with pytest.raises(ValueError):
        hold(lot, "whim", "whim:1")
    assert LotHold.objects.count() == 1 and not LotHold.objects.filter(lot=draft).exists()


def test_staff_order_is_one_hold_among_the_objections(lot, bidder_a, staff):
    registration_create(lot_id=lot.pk, user=bidder_a)
    staff_actor = f"user:{staff.pk}"
    with time_machine.travel(lot.bid_deadline - timedelta(days=15), tick=False):
        objection = objection_file(lot_id=lot.pk, user=bidder_a, text="资格条件前后矛盾")
        lot_suspend(lot_id=lot.pk, reason="现场核查", actor=staff_actor)
        assert moves(lot, "suspend") == 1
        ordered = AuditEntry.objects.get(kind="lot.suspension_ordered")
        assert (ordered.subject, ordered.actor, ordered.data) == (
            f"lot:{lot.pk}", staff_actor, {"reason": "order", "text": "现场核查"})
        with pytest.raises(TradingError) as caught:
            lot_suspend(lot_id=lot.pk, reason="再次核查", actor=staff_actor)
        assert caught.value.code == "already_ordered"

        with pytest.raises(TradingError) as caught:
            lot_resume(lot_id=lot.pk, actor=staff_actor)
        assert (caught.value.code, caught.value.status) == ("lot_held", 409)
        assert str(LotHold.Reason.DOCUMENTS_OBJECTION.label) in str(caught.value.message)
        assert LotHold.objects.get(subject=f"lot:{lot.pk}").is_open

        objection_reply(objection_id=objection.pk, reply="已澄清", actor=staff_actor)
        lot.refresh_from_db()
        assert lot.status == Lot.Status.SUSPENDED
        assert lot_hold_reasons_open(lot=lot) == ["order"]
        lot_resume(lot_id=lot.pk, actor=staff_actor)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING and (moves(lot, "suspend"), moves(lot, "resume")) == (1, 1)


def test_staff_resume_through_the_api_says_what_still_holds(lot, staff):
    lot_suspend(lot_id=lot.pk, reason="现场核查", actor=ACTOR)
    hold(lot, "complaint", "complaint:5")
    api = APIClient()
    api.force_authenticate(staff)
    held = api.post(reverse("api-lot-resume", args=[lot.pk]), {}, format="json")
    assert (held.status_code, held.json()["code"]) == (409, "lot_held")
    release(lot, "complaint:5")
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.SUSPENDED  # the order still holds it
    resumed = api.post(reverse("api-lot-resume", args=[lot.pk]), {}, format="json")
    assert resumed.status_code == 200 and resumed.json()["status"] == Lot.Status.BIDDING


def test_the_migration_gives_lots_suspended_before_holds_theirs(lot, make_lot, bidder_a):
    ordered = make_lot("construction")
    lot_submit(lot_id=ordered.pk, actor=ACTOR)
    lot_publish(lot_id=ordered.pk, title="招标公告", body="……", actor=ACTOR)
    # Suspended the old way, with no hold: by staff, and by an open objection.
    lot_transition(lot_id=ordered.pk, transition="suspend", actor="user:7", data={"reason": "现场核查"})
    registration_create(lot_id=lot.pk, user=bidder_a)
    objection = DocumentObjection.objects.create(
        lot=lot, organisation=bidder_a.organisation, filed_by=bidder_a, text="异议", filed_at=clock.now(),
        reply_due_at=clock.now() + timedelta(days=3))
    lot_transition(lot_id=lot.pk, transition="suspend", actor="system:objections")

    importlib.import_module("trading.migrations.0016_lot_holds").holds_for_suspended_lots(apps, None)

    assert [(h.reason, h.subject, h.held_by) for h in lot_holds_open(lot=lot)] == [
        ("documents_objection", f"objection:{objection.pk}", "system:objections")]
    assert [(h.reason, h.subject, h.held_by) for h in lot_holds_open(lot=ordered)] == [
        ("order", f"lot:{ordered.pk}", "user:7")]
    lot_resume(lot_id=ordered.pk, actor=ACTOR)
    assert Lot.objects.get(pk=ordered.pk).status == Lot.Status.BIDDING
