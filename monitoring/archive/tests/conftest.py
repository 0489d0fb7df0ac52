"""Lots driven to their end through the real services, for the archive's tests: a procurement lot
that failed for too few bids, and a construction lot from its documents to a signed contract with
an amendment, three sealed bids, the opening, the evaluation, a complaint the regulator refused,
the award, its notices and a social supervisor's signed report with an attachment."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings

from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.evaluation.services.awards import award_propose, award_review, candidates_publish, contract_record
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.opening import opening_close_sweep, opening_start, share_present
from supervisors.complaints.services import complaint_file, complaint_refuse
from supervisors.services import assignment_create
from supervisors.sessions.rules import checklist_items
from supervisors.sessions.services.reports import observation_report_submit
from tests.fixtures import CUSTODIAN_PASSPHRASE
from trading import clock
from trading.models import Lot
from trading.services.documents import document_upload
from trading.services.lots import lot_due_sweep
from trading.services.registrations import registration_create
from trading.workdays import local_day

STAFF = "user:1"
TENDER_DOCUMENT = b"%PDF-1.7\n" + "招标文件正文：第一章 招标公告……\n".encode() * 4000
AMENDED_DOCUMENT = TENDER_DOCUMENT + "第二次澄清：工期调整为180日历天。\n".encode()
ATTACHMENT = b"%PDF-1.4\n% the opening room's sign-in sheet\n"


def sealed_bid(lot, user, price: str) -> None:
    registration_create(lot_id=lot.pk, user=user)
    out, proposal = io.BytesIO(), "技术标书 ".encode() * 100
    seal(public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), platform=settings.PLATFORM_ID,
         lot=str(lot.pk), bidder=user.organisation.uscc, price_form={"price": price, "period_days": 180, "items": {}},
         files=[("proposal.pdf", io.BytesIO(proposal), len(proposal))], out=out)
    data = out.getvalue()
    bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(data), length=len(data))


def closed(lot) -> Lot:
    lot.refresh_from_db()
    with time_machine.travel(lot.bid_deadline, tick=False):
        lot_due_sweep()
    lot.refresh_from_db()
    return lot


@pytest.fixture
def bidders(make_person):
    return [make_person(f"archive_bidder_{n}", ["bidder"], organisation=f"第{n}档案测试投标有限公司")
            for n in range(1, 4)]


@pytest.fixture
def failed_lot(make_lot, publish_sealed, bidders):
    """``make(market=..., document=(name, stream, length))``: a lot with a document (the tender
    document by default) and two sealed bids, failed (流标) at its opening."""
    def make(market="procurement", *, document=None):
        name, stream, length = document or ("招标文件.pdf", io.BytesIO(TENDER_DOCUMENT), len(TENDER_DOCUMENT))
        lot = make_lot(market, deposit=Decimal("0"))
        document_upload(lot_id=lot.pk, name=name, stream=stream, content_type="application/pdf", actor=STAFF,
                        length=length)
        lot = publish_sealed(lot)
        for user, price in zip(bidders[:2], ["912000.00", "915000.00"]):
            sealed_bid(lot, user, price)
        closed(lot)
        assert opening_start(lot_id=lot.pk, actor=STAFF) is None
        lot.refresh_from_db()
        assert lot.status == Lot.Status.FAILED
        return lot

    return make


@pytest.fixture
def contracted_lot(make_lot, publish_sealed, custodians, bidders, evaluate, supervisor, regulator):
    """A construction lot from its documents (and an amendment) to the contract."""
    lot = make_lot("construction", deposit=Decimal("0"))
    document_upload(lot_id=lot.pk, name="招标文件.pdf", stream=io.BytesIO(TENDER_DOCUMENT),
                    content_type="application/pdf", actor=STAFF, length=len(TENDER_DOCUMENT))
    lot = publish_sealed(lot)
    document_upload(lot_id=lot.pk, name="招标文件.pdf", stream=io.BytesIO(AMENDED_DOCUMENT),
                    content_type="application/pdf", actor=STAFF, length=len(AMENDED_DOCUMENT), amend=True,
                    title="澄清公告（第二次）", body="工期调整为180日历天。")
    seat = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    for user, price in zip(bidders, ["912345.67", "923456.78", "934567.89"]):
        sealed_bid(lot, user, price)
    lot = closed(lot)
    session = opening_start(lot_id=lot.pk, actor=STAFF)
    for custodian in custodians[:2]:
        share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
    session.refresh_from_db()
    with time_machine.travel(session.responses_until, tick=False):
        opening_close_sweep()
    with time_machine.travel(lot.bid_deadline + timedelta(hours=2), tick=False):
        observation_report_submit(
            assignment_id=seat.pk, user=supervisor, session_kind="opening",
            checklist={code: "yes" for code, _label in checklist_items("opening")}, issues="签到表有一处涂改",
            rating=4, text="开标过程规范", attachments=[io.BytesIO(ATTACHMENT)], signed_off=True)
    evaluate(lot)
    candidates_publish(lot_id=lot.pk, actor=STAFF)
    complaint = complaint_file(lot_id=lot.pk, user=bidders[2], act="评标委员会对我方业绩认定有误",
                               grounds="我方提交的三项类似工程业绩均有合同及竣工验收证明。", known_on=local_day(clock.now()))
    complaint_refuse(complaint_id=complaint.pk, reasons="投诉事项已在异议程序中答复，不予受理。", actor=f"user:{regulator.pk}")
    lot.refresh_from_db()
    with time_machine.travel(lot.publicity_end, tick=False):
        lot_due_sweep()
    proposal = award_propose(lot_id=lot.pk, actor=STAFF)
    award_review(proposal_id=proposal.pk, user=regulator, approve=True)
    contract_record(lot_id=lot.pk, signed_on=clock.now().date(), amount="912345.67", reference="HT-2026-018",
                    actor=STAFF)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.CONTRACTED
    return lot
