"""Complaints (投诉) under the tender law: filed within 10 days of knowing (招标投标法实施条例 Art 60),
accepted or refused within 3 working days and decided within 30 working days of acceptance
(Art 61), over China's calendar with its make-up workdays; a regulator's suspension order is a
hold on the lot that the decision releases."""
from datetime import date, datetime, timedelta

import pytest
import time_machine

from monitoring.events import WITHHELD_ACTOR
from monitoring.models import AuditEntry
from supervisors.complaints.services import (complaint_accept, complaint_decide, complaint_file, complaint_refuse,
                                             complaint_suspend)
from supervisors.errors import SupervisionError
from supervisors.complaints.models import Complaint
from trading.errors import PlatformError
from trading.models import CalendarDay, Lot, LotHold, LotStatusChange
from trading.services.lots import lot_resume, lot_suspend
from trading.services.moves import lot_transition
from trading.services.objections import objection_file, objection_reply
from trading.workdays import CHINA, day_end

pytestmark = pytest.mark.django_db

ACT = "资格审查委员会以业绩证明不全为由否决我方投标"
GROUNDS = "我方已按招标文件第3.2条提交全部业绩证明，见附件。请求责令重新评审。"
REASONS = "经调查，投诉事项属实。"


def cst(*args) -> datetime:
    return datetime(*args, tzinfo=CHINA)


def at(*args):
    return time_machine.travel(cst(*args), tick=False)


def refused(code, call, **kwargs):
    with pytest.raises(PlatformError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def file(lot, user, *, known_on=date(2026, 9, 28), **kwargs):
    return complaint_file(lot_id=lot.pk, user=user, act=ACT, grounds=GROUNDS, known_on=known_on, **kwargs)


def moves(lot, transition):
    return LotStatusChange.objects.filter(lot=lot, transition=transition).count()


@pytest.fixture
def regulator_actor(regulator):
    return f"user:{regulator.pk}"


def test_rule_complaint_accepted_with_an_order_suspends_the_lot_and_the_decision_resumes_it(
        works_lot, bidder_a, regulator_actor):
    with at(2026, 9, 29, 10):
        complaint = file(works_lot, bidder_a)
        complaint_accept(complaint_id=complaint.pk, actor=regulator_actor, suspend=True)
    works_lot.refresh_from_db()
    assert (works_lot.status, works_lot.suspended_from) == (Lot.Status.SUSPENDED, Lot.Status.BIDDING)
    [hold] = LotHold.objects.filter(lot=works_lot)
    assert (hold.reason, hold.subject, hold.held_by, hold.is_open) == (
        "complaint", f"complaint:{complaint.pk}", regulator_actor, True)

    with at(2026, 10, 12, 10):
        complaint_decide(complaint_id=complaint.pk, outcome="dismissed", reasons=REASONS, actor=regulator_actor)
    works_lot.refresh_from_db()
    complaint.refresh_from_db()
    hold.refresh_from_db()
    assert works_lot.status == Lot.Status.BIDDING and works_lot.next_due_at == works_lot.bid_deadline
    assert (complaint.status, complaint.outcome, complaint.decided_late) == ("decided", "dismissed", False)
    assert not hold.is_open and hold.released_by == regulator_actor
    decided = AuditEntry.objects.get(kind="complaint.decided")
    assert decided.data["resumes_lot"] is True and decided.data["lot"] == works_lot.pk


def test_rule_complaint_filing_names_nobody_in_the_lot_events(works_lot, bidder_a, regulator_actor):
    with at(2026, 9, 29, 10):
        complaint = file(works_lot, bidder_a)
        complaint_accept(complaint_id=complaint.pk, actor=regulator_actor, suspend=True)
    filed = AuditEntry.objects.get(kind="complaint.filed")
    assert (filed.actor, filed.subject, filed.data["by"], filed.data["lot"]) == (
        WITHHELD_ACTOR, f"complaint:{complaint.pk}", f"user:{bidder_a.pk}", works_lot.pk)
    secrets = [f"user:{bidder_a.pk}", bidder_a.organisation.name, ACT, GROUNDS]
    for event in AuditEntry.objects.filter(subject=f"lot:{works_lot.pk}"):
        assert event.actor != f"user:{bidder_a.pk}"
        assert not any(secret in str(event.data) for secret in secrets)
    suspended = AuditEntry.objects.filter(subject=f"lot:{works_lot.pk}", data__to="suspended").get()
    assert suspended.data["reason"] == "complaint"


def test_rule_complaint_overlapping_holds_resume_only_when_both_are_released(
        works_lot, bidder_a, bidder_b, staff, regulator_actor):
    from trading.services.registrations import registration_create

    with at(2026, 9, 29, 10):
        registration_create(lot_id=works_lot.pk, user=bidder_b)
        objection = objection_file(lot_id=works_lot.pk, user=bidder_b, text="招标文件资格条件前后矛盾")
        complaint = file(works_lot, bidder_a)
        complaint_accept(complaint_id=complaint.pk, actor=regulator_actor, suspend=True)
        assert moves(works_lot, "suspend") == 1
        # The objection's reply no longer resumes: the complaint still holds the lot.
        refused("objection_deadline_not_resuming", objection_reply, objection_id=objection.pk, reply="已澄清",
                actor=f"user:{staff.pk}", bid_deadline=cst(2026, 10, 30, 9))
        objection_reply(objection_id=objection.pk, reply="已澄清", actor=f"user:{staff.pk}")
        works_lot.refresh_from_db()
        assert works_lot.status == Lot.Status.SUSPENDED
        # Nor does staff's resume, which says what still holds it.
        error = refused("lot_held", lot_resume, lot_id=works_lot.pk, actor=f"user:{staff.pk}")
        assert str(LotHold.Reason.COMPLAINT.label) in str(error.message)
    with at(2026, 10, 9, 10):
        complaint_decide(complaint_id=complaint.pk, outcome="upheld", reasons=REASONS, actor=regulator_actor)
    works_lot.refresh_from_db()
    assert works_lot.status == Lot.Status.BIDDING
    assert (moves(works_lot, "suspend"), moves(works_lot, "resume")) == (1, 1)
    assert not LotHold.objects.filter(lot=works_lot, released_at__isnull=True).exists()


def test_rule_complaint_decided_first_leaves_the_objection_holding(works_lot, bidder_a, bidder_b, regulator_actor):
    from trading.services.registrations import registration_create

    with at(2026, 9, 29, 10):
        registration_create(lot_id=works_lot.pk, user=bidder_b)
        objection = objection_file(lot_id=works_lot.pk, user=bidder_b, text="招标文件资格条件前后矛盾")
        complaint = file(works_lot, bidder_a)
        complaint_accept(complaint_id=complaint.pk, actor=regulator_actor, suspend=True)
        complaint_decide(complaint_id=complaint.pk, outcome="dismissed", reasons=REASONS, actor=regulator_actor)
        works_lot.refresh_from_db()
        assert works_lot.status == Lot.Status.SUSPENDED
        assert AuditEntry.objects.get(kind="complaint.decided").data["resumes_lot"] is False
        objection_reply(objection_id=objection.pk, reply="已澄清", actor="user:1")
    works_lot.refresh_from_db()
    assert works_lot.status == Lot.Status.BIDDING and moves(works_lot, "resume") == 1


def test_rule_complaint_acceptance_across_national_day_falls_on_the_make_up_saturday(
        works_lot, bidder_a, regulator_actor):
    # 2026: 10-01..10-07 off (10-03/04 the weekend), 10-10 a Saturday worked instead (调休上班).
    assert CalendarDay.objects.get(day=date(2026, 10, 10)).is_working_day
    assert not CalendarDay.objects.get(day=date(2026, 10, 8) - timedelta(days=3)).is_working_day
    with at(2026, 9, 30, 16):
        complaint = file(works_lot, bidder_a, known_on=date(2026, 9, 30))
    # 3 working days after Wed 09-30: Thu 10-08, Fri 10-09, Sat 10-10.
    assert complaint.acceptance_last_day == date(2026, 10, 10)
    assert complaint.acceptance_due_at == day_end(date(2026, 10, 10))
    assert complaint.decision_due_at is None  # under the tender law it counts from acceptance
    assert complaint.acceptance_due_provisional  # 2026 is not confirmed by staff in the seeded calendar

    with at(2026, 10, 11, 9):
        complaint_accept(complaint_id=complaint.pk, actor=regulator_actor)
    complaint.refresh_from_db()
    assert complaint.reviewed_late
    accepted = AuditEntry.objects.get(kind="complaint.accepted")
    assert accepted.data["late"] is True and accepted.data["suspends_lot"] is False
    # 30 working days after Sun 10-11: 10-12 is the first, 11-20 the thirtieth.
    assert complaint.decision_last_day == date(2026, 11, 20)
    with at(2026, 11, 21, 0):
        assert complaint.is_overdue(cst(2026, 11, 21, 0))
        complaint_decide(complaint_id=complaint.pk, outcome="dismissed", reasons=REASONS, actor=regulator_actor)
    assert AuditEntry.objects.get(kind="complaint.decided").data["late"] is True


def test_rule_complaint_accepted_on_the_make_up_saturday_is_in_time(works_lot, bidder_a, regulator_actor):
    with at(2026, 9, 30, 16):
        complaint = file(works_lot, bidder_a, known_on=date(2026, 9, 30))
    with at(2026, 10, 10, 23, 59, 59):
        complaint_refuse(complaint_id=complaint.pk, reasons="不属于本部门受理范围", actor=regulator_actor)
    complaint.refresh_from_db()
    assert complaint.status == "refused" and not complaint.reviewed_late
    assert AuditEntry.objects.get(kind="complaint.refused").data["late"] is False
    works_lot.refresh_from_db()
    assert works_lot.status == Lot.Status.BIDDING and not LotHold.objects.exists()


def test_rule_complaint_filing_10_calendar_days_after_knowing(works_lot, bidder_a):
    known_on = date(2026, 9, 20)
    events = AuditEntry.objects.count()
    with time_machine.travel(day_end(date(2026, 9, 30)), tick=False):
        error = refused("complaint_filing", file, lot=works_lot, user=bidder_a, known_on=known_on)
    assert error.status == 409 and "2026-09-30" in str(error.message) and "第六十条" in str(error.message)
    assert not Complaint.objects.exists() and AuditEntry.objects.count() == events
    with time_machine.travel(day_end(date(2026, 9, 30)) - timedelta(seconds=1), tick=False):
        complaint = file(works_lot, bidder_a, known_on=known_on)
    assert complaint.status == "filed"
    assert AuditEntry.objects.get(kind="complaint.filed").data["filing_due_at"] == day_end(
        date(2026, 9, 30)).isoformat()


def test_refusals_change_nothing(works_lot, bidder_a, bidder_b, staff, regulator_actor):
    with at(2026, 9, 29, 10):
        events = AuditEntry.objects.count()
        refused("not_interested_party", file, lot=works_lot, user=bidder_b)
        refused("not_interested_party", file, lot=works_lot, user=staff)
        refused("known_on_invalid", file, lot=works_lot, user=bidder_a, known_on=date(2026, 9, 30))
        refused("text_required", complaint_file, lot_id=works_lot.pk, user=bidder_a, act=" ", grounds=GROUNDS,
                known_on=date(2026, 9, 28))
        refused("text_too_long", complaint_file, lot_id=works_lot.pk, user=bidder_a, act=ACT, grounds="x" * 5001,
                known_on=date(2026, 9, 28))
        refused("lot_not_found", file, lot=Lot(pk=0), user=bidder_a)
        refused("complaint_not_found", complaint_accept, complaint_id=0, actor=regulator_actor)
        assert not Complaint.objects.exists() and AuditEntry.objects.count() == events

        complaint = file(works_lot, bidder_a)
        events = AuditEntry.objects.count()
        refused("complaint_status", complaint_decide, complaint_id=complaint.pk, outcome="upheld", reasons=REASONS,
                actor=regulator_actor)
        refused("complaint_status", complaint_suspend, complaint_id=complaint.pk, actor=regulator_actor)
        refused("text_required", complaint_refuse, complaint_id=complaint.pk, reasons="", actor=regulator_actor)
        complaint_accept(complaint_id=complaint.pk, actor=regulator_actor)
        events = AuditEntry.objects.count()
        refused("complaint_status", complaint_accept, complaint_id=complaint.pk, actor=regulator_actor)
        refused("complaint_status", complaint_refuse, complaint_id=complaint.pk, reasons=REASONS,
                actor=regulator_actor)
        refused("outcome_invalid", complaint_decide, complaint_id=complaint.pk, outcome="partly", reasons=REASONS,
                actor=regulator_actor)
        refused("terminate_needs_upheld", complaint_decide, complaint_id=complaint.pk, outcome="dismissed",
                reasons=REASONS, actor=regulator_actor, terminate=True)
    complaint.refresh_from_db()
    works_lot.refresh_from_db()
    assert complaint.status == "accepted" and works_lot.status == Lot.Status.BIDDING
    assert AuditEntry.objects.count() == events and not LotHold.objects.exists()


def test_rule_complaint_suspension_ordered_after_acceptance_and_only_once(works_lot, bidder_a, regulator_actor):
    with at(2026, 9, 29, 10):
        complaint = file(works_lot, bidder_a)
        complaint_accept(complaint_id=complaint.pk, actor=regulator_actor)
        works_lot.refresh_from_db()
        assert works_lot.status == Lot.Status.BIDDING
        complaint_suspend(complaint_id=complaint.pk, actor=regulator_actor)
        refused("complaint_already_holds", complaint_suspend, complaint_id=complaint.pk, actor=regulator_actor)
    works_lot.refresh_from_db()
    assert works_lot.status == Lot.Status.SUSPENDED
    ordered = AuditEntry.objects.get(kind="complaint.suspension_ordered")
    assert ordered.data == {"lot": works_lot.pk, "lot_status": "bidding"}


def test_rule_complaint_on_a_lot_that_cannot_be_suspended_accepts_nothing(works_lot, bidder_a, regulator_actor):
    with at(2026, 9, 29, 10):
        complaint = file(works_lot, bidder_a)
        lot_transition(lot_id=works_lot.pk, transition="cancel", actor="user:1")
        refused("not_suspendable", complaint_accept, complaint_id=complaint.pk, actor=regulator_actor, suspend=True)
    complaint.refresh_from_db()
    assert complaint.status == "filed" and not AuditEntry.objects.filter(kind="complaint.accepted").exists()


def test_rule_complaint_upheld_may_terminate_the_lot(works_lot, bidder_a, staff, regulator_actor):
    with at(2026, 9, 29, 10):
        complaint = file(works_lot, bidder_a)
        complaint_accept(complaint_id=complaint.pk, actor=regulator_actor, suspend=True)
        lot_suspend(lot_id=works_lot.pk, reason="现场核查", actor=f"user:{staff.pk}")
        complaint_decide(complaint_id=complaint.pk, outcome="upheld", reasons=REASONS, actor=regulator_actor,
                         terminate=True)
    works_lot.refresh_from_db()
    complaint.refresh_from_db()
    assert works_lot.status == Lot.Status.TERMINATED and complaint.terminated_lot
    assert moves(works_lot, "resume") == 0 and moves(works_lot, "terminate") == 1
    assert not LotHold.objects.filter(subject=f"complaint:{complaint.pk}", released_at__isnull=True).exists()
    decided = AuditEntry.objects.get(kind="complaint.decided")
    assert (decided.data["terminates_lot"], decided.data["resumes_lot"]) == (True, False)


def test_the_error_type_is_the_supervision_one(works_lot, bidder_b):
    with at(2026, 9, 29, 10), pytest.raises(SupervisionError):
        file(works_lot, bidder_b)
