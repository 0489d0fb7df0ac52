"""Procurement challenges (质疑, 政府采购法 Arts 52-53: within 7 working days of knowing, replied to
within 7 working days) and the complaints that follow them (Art 55: within 15 working days after
the reply period; 财政部令第94号: accepted within 5, decided within 30 working days of receipt)."""
from datetime import date

import pytest

from monitoring.events import WITHHELD_ACTOR
from monitoring.models import AuditEntry
from supervisors.complaints.services import challenge_file, challenge_reply, complaint_accept, complaint_file
from supervisors.complaints.tests.test_complaints import at, refused
from supervisors.complaints.models import Challenge
from trading.models import Lot, LotHold
from trading.workdays import day_end

pytestmark = pytest.mark.django_db

MATTER = "采购文件第二章对产地的要求排斥潜在供应商"
GROUNDS = "该要求与采购需求无关，违反政府采购法第22条。"
REPLY = "经核查，该条款已删除，随更正公告发布。"
STAFF = "user:1"


def challenge(lot, user, *, known_on=date(2026, 9, 25)):
    return challenge_file(lot_id=lot.pk, user=user, matter=MATTER, grounds=GROUNDS, known_on=known_on)


def complain(lot, user, challenge_id):
    return complaint_file(lot_id=lot.pk, user=user, act=MATTER, grounds="对答复不满意", known_on=date(2026, 9, 25),
                          challenge_id=challenge_id)


def test_rule_challenge_filing_counts_7_working_days_over_the_holidays(procurement_lot, bidder_a):
    # From Fri 09-25 (Mid-Autumn): 09-28, 29, 30, 10-08, 09, 10 (make-up Saturday), 12.
    with at(2026, 10, 13, 0):
        error = refused("challenge_filing", challenge, lot=procurement_lot, user=bidder_a)
    assert "2026-10-12" in str(error.message) and not Challenge.objects.exists()
    with at(2026, 10, 12, 23, 59):
        made = challenge(procurement_lot, bidder_a)
    assert made.status == "filed"


def test_rule_challenge_reply_due_in_7_working_days_and_no_suspension(procurement_lot, bidder_a):
    with at(2026, 9, 28, 10):
        made = challenge(procurement_lot, bidder_a)
    # From Mon 09-28: 09-29, 30, 10-08, 09, 10 (make-up Saturday), 12, 13.
    assert made.reply_last_day == date(2026, 10, 13) and made.reply_due_at == day_end(date(2026, 10, 13))
    procurement_lot.refresh_from_db()
    assert procurement_lot.status == Lot.Status.BIDDING and not LotHold.objects.exists()
    filed = AuditEntry.objects.get(kind="challenge.filed")
    assert (filed.actor, filed.subject, filed.data["lot"], filed.data["by"]) == (
        WITHHELD_ACTOR, f"challenge:{made.pk}", procurement_lot.pk, f"user:{bidder_a.pk}")

    with at(2026, 10, 14, 9):
        challenge_reply(challenge_id=made.pk, reply=REPLY, actor=STAFF)
        refused("challenge_already_replied", challenge_reply, challenge_id=made.pk, reply=REPLY, actor=STAFF)
    made.refresh_from_db()
    assert made.status == "replied" and made.replied_late
    assert AuditEntry.objects.get(kind="challenge.replied").data["late"] is True


def test_challenges_are_for_procurement_and_registered_suppliers(works_lot, procurement_lot, bidder_a, bidder_b):
    with at(2026, 9, 28, 10):
        refused("challenge_not_applicable", challenge, lot=works_lot, user=bidder_a)
        refused("not_interested_party", challenge, lot=procurement_lot, user=bidder_b)
        refused("text_required", challenge_file, lot_id=procurement_lot.pk, user=bidder_a, matter="",
                grounds=GROUNDS, known_on=date(2026, 9, 25))
        refused("challenge_not_found", challenge_reply, challenge_id=0, reply=REPLY, actor=STAFF)
    assert not Challenge.objects.exists()


def test_rule_procurement_complaint_follows_the_challenge(procurement_lot, bidder_a, bidder_b, regulator):
    from trading.services.registrations import registration_create

    with at(2026, 9, 28, 10):
        registration_create(lot_id=procurement_lot.pk, user=bidder_b)
        made = challenge(procurement_lot, bidder_a)
        refused("challenge_required", complain, lot=procurement_lot, user=bidder_a, challenge_id=None)
        refused("challenge_not_found", complain, lot=procurement_lot, user=bidder_b, challenge_id=made.pk)
    with at(2026, 10, 13, 23, 59):
        error = refused("challenge_reply_pending", complain, lot=procurement_lot, user=bidder_a, challenge_id=made.pk)
    assert "2026-10-13" in str(error.message)
    # Unanswered, the reply period over: the complaint may follow, for 15 working days after it
    # (10-14 the first, 11-03 the fifteenth).
    with at(2026, 11, 4, 0):
        error = refused("complaint_filing", complain, lot=procurement_lot, user=bidder_a, challenge_id=made.pk)
    assert "2026-11-03" in str(error.message) and "第五十五条" in str(error.message)
    with at(2026, 11, 3, 15):
        complaint = complain(procurement_lot, bidder_a, made.pk)
    # Receipt on Tue 11-03: accepted within 5 working days, decided within 30 (94号令).
    assert complaint.acceptance_last_day == date(2026, 11, 10)
    assert complaint.decision_last_day == date(2026, 12, 15)
    assert complaint.challenge == made
    with at(2026, 11, 5, 10):
        complaint_accept(complaint_id=complaint.pk, actor=f"user:{regulator.pk}", suspend=True)
    complaint.refresh_from_db()
    assert complaint.decision_last_day == date(2026, 12, 15)  # still from receipt, not acceptance
    procurement_lot.refresh_from_db()
    assert procurement_lot.status == Lot.Status.SUSPENDED


def test_rule_procurement_complaint_may_follow_an_early_reply(procurement_lot, bidder_a):
    with at(2026, 9, 28, 10):
        made = challenge(procurement_lot, bidder_a)
    with at(2026, 10, 8, 10):
        challenge_reply(challenge_id=made.pk, reply=REPLY, actor=STAFF)
        complaint = complain(procurement_lot, bidder_a, made.pk)
    assert complaint.status == "filed"
    assert AuditEntry.objects.get(kind="complaint.filed").data["filing_due_at"] == day_end(
        date(2026, 11, 3)).isoformat()
