"""Shared pieces of the ratings' tests: instants in China time on the real calendar (2026's National
Day week, 1–7 October, and its make-up Saturday 10 October are in the seeded calendar), and services
rendered through the real flows, read from the audit chain by the sweep."""
import io
import itertools
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings

from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.opening import opening_start, share_present
from monitoring.ratings.models import Service
from monitoring.ratings.services import services_sweep
from tests.fixtures import CUSTODIAN_PASSPHRASE
from trading.services.enquiries import enquiry_answer, enquiry_ask
from trading.services.lots import lot_due_sweep, lot_publish, lot_submit
from trading.services.registrations import registration_create
from trading.workdays import CHINA

QUESTION = "第三章技术参数中的“不低于”是否包含等于？"
ANSWER = "包含等于。"


def china(*parts) -> datetime:
    return datetime(*parts, tzinfo=CHINA)


def at(*parts):
    """Time frozen at a China wall-clock instant."""
    return time_machine.travel(china(*parts), tick=False)


def published(lot):
    lot_submit(lot_id=lot.pk, actor="user:1")
    lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor="user:1")
    lot.refresh_from_db()
    return lot


@pytest.fixture
def answered(make_lot, staff):
    """``answered(asker, n=1)``: a procurement lot published now, the asker's organisation
    registered, ``n`` questions asked and answered by ``staff``; the sweep has read them. Returns
    the services to the asker, in the order answered."""
    lots = itertools.count(1)

    def make(asker, n=1):
        lot = published(make_lot("procurement", code=f"CG2026-{next(lots):03d}"))
        registration_create(lot_id=lot.pk, user=asker)
        for _n in range(n):
            enquiry = enquiry_ask(lot_id=lot.pk, user=asker, question=QUESTION)
            enquiry_answer(enquiry_id=enquiry.pk, answer=ANSWER, actor=f"user:{staff.pk}")
        services_sweep()
        return list(Service.objects.filter(organisation=asker.organisation, lot=lot).order_by("rendered_at", "pk"))

    return make


@pytest.fixture
def opened_lot(make_lot, publish_sealed, custodians, bidder_a, bidder_b, make_person, staff):
    """A construction lot with three sealed bids, opened: staff started the session and the
    custodians of staff and of the supervisor presented their shares (the second completes the key
    and publishes the record)."""
    lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    bidders = [bidder_a, bidder_b, make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")]
    key = public_key_load(bytes(lot.opening_key.public_key_raw))
    for n, bidder in enumerate(bidders):
        registration_create(lot_id=lot.pk, user=bidder)
        envelope = io.BytesIO()
        seal(public_key=key, platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=bidder.organisation.uscc,
             price_form={"price": f"{900000 + n}.00", "period_days": 300, "items": {}}, files=[], out=envelope)
        bid_submit(lot_id=lot.pk, user=bidder, stream=io.BytesIO(envelope.getvalue()),
                   length=len(envelope.getvalue()))
    lot.refresh_from_db()
    with time_machine.travel(lot.bid_deadline, tick=False):
        lot_due_sweep()
        session = opening_start(lot_id=lot.pk, actor=f"user:{staff.pk}")
        for custodian in custodians[:2]:
            share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
    lot.refresh_from_db()
    return lot, bidders
