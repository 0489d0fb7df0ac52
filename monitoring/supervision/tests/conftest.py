"""Shared pieces of the alerts' tests: instants in China time on the real calendar (2026's National
Day week, 1–7 October, is in the seeded calendar), and a documents objection awaiting its reply."""
import io
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings

from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.sealed.services.bids import bid_submit
from trading.services.lots import lot_due_sweep, lot_publish, lot_submit
from trading.services.objections import objection_file
from trading.services.registrations import registration_create
from trading.workdays import CHINA

OBJECTION = "评标办法第3.2条要求的业绩证明与资格条件相互矛盾，请澄清。"


def china(*parts) -> datetime:
    return datetime(*parts, tzinfo=CHINA)


def at(*parts):
    """Time frozen at a China wall-clock instant."""
    return time_machine.travel(china(*parts), tick=False)


@pytest.fixture
def objection(make_lot, bidder_a):
    """A construction lot published on Tuesday 29 September 2026 (bids due 24 October) and an
    objection to its documents filed that morning: the reply is due within 3 calendar days, by
    24:00 on Friday 2 October, which falls in the National Day holiday."""
    with at(2026, 9, 29, 10, 0):
        lot = make_lot("construction", days=25)
        lot_submit(lot_id=lot.pk, actor="user:1")
        lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor="user:1")
        registration_create(lot_id=lot.pk, user=bidder_a)
        return objection_file(lot_id=lot.pk, user=bidder_a, text=OBJECTION)


@pytest.fixture
def closed_lot(make_lot, publish_sealed, bidder_a, bidder_b, make_person):
    """A construction lot just past its deadline with three sealed bids, its opening not started."""
    lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    bidders = [bidder_a, bidder_b, make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")]
    for n, bidder in enumerate(bidders):
        registration_create(lot_id=lot.pk, user=bidder)
        envelope = io.BytesIO()
        seal(public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), platform=settings.PLATFORM_ID,
             lot=str(lot.pk), bidder=bidder.organisation.uscc,
             price_form={"price": f"{900000 + n}.00", "period_days": 300, "items": {}}, files=[], out=envelope)
        bid_submit(lot_id=lot.pk, user=bidder, stream=io.BytesIO(envelope.getvalue()), length=len(envelope.getvalue()))
    lot.refresh_from_db()
    with time_machine.travel(lot.bid_deadline, tick=False):
        lot_due_sweep()
    lot.refresh_from_db()
    assert lot.status == lot.Status.CLOSED
    return lot
