"""From the report to the contract: publicity with objections, the regulator's review, the notices,
the contract's time limit, the deposits, and the fall-back to the next candidate or a new tender."""
from datetime import timedelta

import pytest
import time_machine
from pypdf import PdfReader

from bidding.crypto import receipts
from bidding.errors import BiddingError
from bidding.evaluation.models import AwardProposal, Contract, Evaluation, Notice
from bidding.evaluation.services.awards import (award_propose, award_review, award_withdraw, candidate_objection_file,
                                                candidate_objection_reply, candidates_publish, contract_due_sweep,
                                                contract_record)
from bidding.evaluation.services.documents import evaluation_report_pdf, notice_pdf
from monitoring.models import AuditEntry
from trading import clock, signing
from trading.models import Deposit, Lot, LotStatusChange, Notification
from trading.services.lots import lot_due_sweep

pytestmark = pytest.mark.django_db
PRICES = ["900000.00", "950000.00", "980000.00", "990000.00"]


@pytest.fixture
def reported(lot_in_evaluation, evaluate):
    """A procurement lot evaluated by lowest price: candidates 900,000, 950,000, 980,000."""
    lot, bidders = lot_in_evaluation(PRICES, deposit="10000.00")
    evaluate(lot)
    return lot, bidders


def publicity_over(lot):
    lot.refresh_from_db()
    with time_machine.travel(lot.publicity_end, tick=False):
        lot_due_sweep()
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AWARD_REVIEW


def test_an_objection_suspends_the_publicity_until_it_is_answered(reported):
    lot, bidders = reported
    candidates_publish(lot_id=lot.pk, actor="user:1")
    lot.refresh_from_db()
    assert lot.status == Lot.Status.PUBLICITY
    published = AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="lot.status_changed").order_by("subject_seq").last()
    assert [c["price"] for c in published.data["candidates"]] == PRICES[:3]

    objection = candidate_objection_file(lot_id=lot.pk, user=bidders[3], text="第一候选人业绩证明不实")
    lot.refresh_from_db()
    assert lot.status == Lot.Status.SUSPENDED
    # The lot's public events do not say who objected.
    assert not AuditEntry.objects.filter(subject=f"lot:{lot.pk}", data__contains={"organisation": bidders[3].organisation_id}).exists()
    with pytest.raises(BiddingError) as caught:
        award_propose(lot_id=lot.pk, actor="user:1")
    assert caught.value.code == "not_award_review"

    candidate_objection_reply(objection_id=objection.pk, reply="经核查，业绩证明真实有效", actor="user:1")
    lot.refresh_from_db()
    assert lot.status == Lot.Status.PUBLICITY
    with pytest.raises(BiddingError) as caught:
        candidate_objection_reply(objection_id=objection.pk, reply="再答", actor="user:1")
    assert caught.value.code == "objection_answered"
    publicity_over(lot)
    with time_machine.travel(lot.publicity_end + timedelta(hours=1)), pytest.raises(BiddingError) as caught:
        candidate_objection_file(lot_id=lot.pk, user=bidders[3], text="太晚了")
    assert caught.value.code == "publicity_closed"


def test_the_regulator_returns_then_approves_notices_go_out_and_the_contract_releases_the_deposits(
        reported, regulator, staff, tmp_path):
    lot, bidders = reported
    candidates_publish(lot_id=lot.pk, actor="user:1")
    publicity_over(lot)
    proposal = award_propose(lot_id=lot.pk, actor="user:1")
    assert proposal.status == AwardProposal.Status.UNDER_REVIEW
    assert proposal.candidate.organisation == bidders[0].organisation
    with pytest.raises(BiddingError) as caught:
        award_review(proposal_id=proposal.pk, user=staff, approve=True)
    assert caught.value.code == "not_a_regulator"
    with pytest.raises(BiddingError) as caught:
        award_review(proposal_id=proposal.pk, user=regulator, approve=False)
    assert caught.value.code == "reasons_required"
    award_review(proposal_id=proposal.pk, user=regulator, approve=False, reasons="缺少评标报告签字页")
    again = award_propose(lot_id=lot.pk, actor="user:1")
    award_review(proposal_id=again.pk, user=regulator, approve=True)

    lot.refresh_from_db()
    assert lot.status == Lot.Status.AWARDED
    award = Notice.objects.get(kind=Notice.Kind.AWARD)
    body = receipts.signed_verify(award.document, "award-notice", signing.public_key())
    assert (body["to_uscc"], body["price"], body["price_in_capitals"]) == (
        bidders[0].organisation.uscc, "900000.00", "人民币玖拾万元整")
    assert sorted(n.organisation_id for n in Notice.objects.filter(kind=Notice.Kind.RESULT)) == sorted(
        b.organisation_id for b in bidders[1:])
    told = {notice.user_id: notice.kind for notice in Notification.objects.filter(kind__startswith="award.")}
    assert told == {bidders[0].pk: "award.award_notice", **{b.pk: "award.result_notice" for b in bidders[1:]}}
    text = "".join(page.extract_text() for page in PdfReader(_file(tmp_path, notice_pdf(award))).pages)
    assert "人民币玖拾万元整" in text and award.document["signature"][:20] in text.replace("\n", "")
    contract = Contract.objects.get()
    assert contract.due_at > clock.now() + timedelta(days=29)
    report = evaluation_report_pdf(Evaluation.objects.get(lot=lot))
    text = "".join(page.extract_text() for page in PdfReader(_file(tmp_path, report)).pages)
    assert "评标报告" in text and bidders[0].organisation.name in text and "900,000.00" in text

    contract_record(lot_id=lot.pk, signed_on=clock.now().date(), amount="900000.00", reference="HT-2026-001",
                    actor="user:1")
    lot.refresh_from_db()
    assert lot.status == Lot.Status.CONTRACTED
    deposits = Deposit.objects.filter(registration__lot=lot)
    assert deposits.count() == 4
    assert not deposits.filter(status=Deposit.Status.RECEIVED).exists()


def test_the_contract_limit_warns_once_then_flags_overdue(reported, regulator):
    lot, _bidders = reported
    candidates_publish(lot_id=lot.pk, actor="user:1")
    publicity_over(lot)
    award_review(proposal_id=award_propose(lot_id=lot.pk, actor="user:1").pk, user=regulator, approve=True)
    contract = Contract.objects.get()
    assert contract_due_sweep() == {"warned": 0, "overdue": 0}
    with time_machine.travel(contract.due_at - timedelta(days=4), tick=False):
        assert contract_due_sweep() == {"warned": 1, "overdue": 0}
        assert contract_due_sweep() == {"warned": 0, "overdue": 0}
    with time_machine.travel(contract.due_at + timedelta(minutes=1), tick=False):
        assert contract_due_sweep() == {"warned": 0, "overdue": 1}
    kinds = list(AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind__startswith="award.contract")
                 .order_by("subject_seq").values_list("kind", flat=True))
    assert kinds == ["award.contract_due_soon", "award.contract_overdue"]


def test_a_winner_who_declines_passes_the_award_to_the_next_candidate_then_the_lot_is_retendered(
        reported, regulator):
    lot, bidders = reported
    candidates_publish(lot_id=lot.pk, actor="user:1")
    publicity_over(lot)
    award_review(proposal_id=award_propose(lot_id=lot.pk, actor="user:1").pk, user=regulator, approve=True)
    award_withdraw(lot_id=lot.pk, reason="declined", retender=False, actor="user:1", detail="书面放弃中标")
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AWARD_REVIEW
    second = award_propose(lot_id=lot.pk, actor="user:1")
    assert (second.candidate.rank, second.candidate.organisation) == (2, bidders[1].organisation)
    award_review(proposal_id=second.pk, user=regulator, approve=True)
    award_withdraw(lot_id=lot.pk, reason="not_signed", retender=True, actor="user:1")
    lot.refresh_from_db()
    assert lot.status == Lot.Status.FAILED
    assert list(LotStatusChange.objects.filter(lot=lot).order_by("id").values_list("transition", flat=True))[-3:] == [
        "award", "reopen_award", "fail"]


def _file(tmp_path, data: bytes):
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    return path

