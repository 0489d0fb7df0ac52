"""Every way a lot ends without a deal — failed at the opening, failed evaluation, cancelled,
terminated, an unsold listing — gives the bidders their deposits back: each falls due for refund by
the rule table's date, counted from the move, and staff find it in the refund list."""
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from rest_framework.test import APIClient

from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.sales.services.listings import listing_close_sweep, listing_create
from bidding.sealed.models import Bid
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.opening import opening_start
from monitoring.models import AuditEntry
from supervisors.complaints.services import complaint_accept, complaint_decide, complaint_file
from trading.models import Deposit, Lot, LotStatusChange, RuleCode
from trading.selectors_calendar import rule_get
from trading.services.deposits import deposit_confirm
from trading.services.lots import lot_due_sweep
from trading.services.moves import lot_transition
from trading.services.registrations import registration_create
from trading.tests.builders import lot_tender
from trading.workdays import CHINA, day_end, deadline_add

pytestmark = pytest.mark.django_db


def _register_with_deposit(lot, users):
    for user in users:
        registration = registration_create(lot_id=lot.pk, user=user)
        deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference=f"ICBC-{user.username}",
                        actor="user:1")


def _refunds_seen_by(staff, lot) -> dict[str, str]:
    """The staff refund list's entries of ``lot``: organisation → refund due instant."""
    api = APIClient()
    api.force_authenticate(staff)
    answer = api.get("/api/v1/deposits/refunds/")
    assert answer.status_code == 200
    return {row["organisation"]: row["refund_due_at"] for row in answer.json()["results"] if row["lot"] == lot.pk}


def _assert_released(lot, staff, users, transition):
    """Every deposit of ``users`` fell due at the rule's date counted from the lot's ``transition``,
    and shows in the staff refund list with that date."""
    lot.refresh_from_db()
    ended_at = LotStatusChange.objects.get(lot=lot, transition=transition).at
    rule = rule_get(market=lot.project.market_id, procedure=lot.project.procedure, code=RuleCode.DEPOSIT_REFUND)
    due = deadline_add(start=ended_at, amount=rule.amount, unit=rule.unit).at
    deposits = Deposit.objects.filter(registration__lot=lot).select_related("registration__organisation")
    assert {d.registration.organisation_id for d in deposits} == {u.organisation_id for u in users}
    assert {(d.status, d.refund_due_at) for d in deposits} == {(Deposit.Status.REFUND_DUE, due)}
    assert _refunds_seen_by(staff, lot) == {u.organisation.name: due.astimezone(CHINA).isoformat() for u in users}


def _seal_bid(lot, user):
    key = public_key_load(bytes(lot.opening_key.public_key_raw))
    out, proposal = io.BytesIO(), b"proposal " * 100
    seal(public_key=key, platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=user.organisation.uscc,
         price_form={"price": "900000.00", "period_days": 180, "items": {}},
         files=[("proposal.pdf", io.BytesIO(proposal), len(proposal))], out=out)
    data = out.getvalue()
    bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(data), length=len(data))


def test_a_lot_failed_at_the_opening_for_too_few_bids_releases_every_deposit(make_lot, publish_sealed, bidder_a,
                                                                               bidder_b, staff):
    lot = publish_sealed(make_lot("procurement", "open_tender"))
    _register_with_deposit(lot, [bidder_a, bidder_b])
    _seal_bid(lot, bidder_a)
    with time_machine.travel(lot.bid_deadline, tick=False):
        lot_due_sweep()
        assert opening_start(lot_id=lot.pk, actor=f"user:{staff.pk}") is None
    lot.refresh_from_db()
    assert lot.status == Lot.Status.FAILED
    _assert_released(lot, staff, [bidder_a, bidder_b], "fail")


def test_a_failed_evaluation_releases_every_deposit(lot_in_evaluation, evaluate, staff):
    lot, bidders = lot_in_evaluation(["800000.00", "850000.00", "900000.00"], deposit="10000.00")
    evaluate(lot, noncompliant=[Bid.objects.get(lot=lot, organisation=bidders[2].organisation)])
    lot.refresh_from_db()
    assert lot.status == Lot.Status.FAILED
    _assert_released(lot, staff, bidders, "fail")
    assert AuditEntry.objects.filter(kind="deposit.refund_due").count() == len(bidders)


def test_a_cancelled_lot_releases_every_deposit_by_the_rules_date(clock, bidder_a, bidder_b, staff):
    lot = lot_tender()
    _register_with_deposit(lot, [bidder_a, bidder_b])
    # Tuesday 29 September 2026 in China: 5 calendar days later is Sunday 4 October, in the holiday.
    clock.move_to(datetime(2026, 9, 29, 7, 0, tzinfo=UTC), tick=False)
    lot_transition(lot_id=lot.pk, transition="cancel", actor=f"user:{staff.pk}")
    _assert_released(lot, staff, [bidder_a, bidder_b], "cancel")
    assert set(Deposit.objects.values_list("refund_due_at", flat=True)) == {day_end(date(2026, 10, 4))}


def test_a_lot_terminated_by_an_order_releases_every_deposit(clock, bidder_a, bidder_b, staff):
    lot = lot_tender()
    _register_with_deposit(lot, [bidder_a, bidder_b])
    lot_transition(lot_id=lot.pk, transition="terminate", actor=f"user:{staff.pk}")
    _assert_released(lot, staff, [bidder_a, bidder_b], "terminate")


def test_a_lot_terminated_by_an_upheld_complaint_releases_every_deposit(clock, bidder_a, bidder_b, staff, regulator):
    lot = lot_tender()
    _register_with_deposit(lot, [bidder_a, bidder_b])
    clock.move_to(datetime(2026, 9, 29, 2, 0, tzinfo=UTC), tick=False)
    complaint = complaint_file(lot_id=lot.pk, user=bidder_a, act="资格审查委员会以业绩证明不全为由否决我方投标",
                               grounds="我方已按招标文件第3.2条提交全部业绩证明，见附件。", known_on=date(2026, 9, 28))
    complaint_accept(complaint_id=complaint.pk, actor=f"user:{regulator.pk}", suspend=True)
    complaint_decide(complaint_id=complaint.pk, outcome="upheld", reasons="经调查，投诉事项属实。",
                     actor=f"user:{regulator.pk}", terminate=True)
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.TERMINATED
    _assert_released(lot, staff, [bidder_a, bidder_b], "terminate")


def test_an_unsold_listing_releases_every_deposit(make_listing_lot, bidder_a, bidder_b, staff):
    lot = make_listing_lot([bidder_a, bidder_b], deposit="200000.00")
    with time_machine.travel(lot.listing_start + timedelta(seconds=60), tick=False):
        listing_create(lot_id=lot.pk, starting_price="5000000.00", increment="100000.00", actor="user:1")
    with time_machine.travel(lot.listing_end, tick=False):
        assert listing_close_sweep() == {"closed": 1}
    lot.refresh_from_db()
    assert lot.status == Lot.Status.FAILED
    _assert_released(lot, staff, [bidder_a, bidder_b], "fail")

