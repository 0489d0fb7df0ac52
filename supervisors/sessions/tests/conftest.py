"""Fixtures of the tests of a supervisor's rights in a session: a lot whose bidding has closed (its
opening room live), with bidder_a registered and the supervisor seated by staff."""
from datetime import timedelta

import pytest
import time_machine

from supervisors.models import Assignment
from supervisors.registry.models import SupervisorDraw
from supervisors.services import assignment_create
from trading import clock
from trading.models import Lot
from trading.services.lots import lot_due_sweep
from trading.services.registrations import registration_create

STAFF = "user:1"


def close_bidding(lot) -> Lot:
    """Let the clock close bidding at the deadline: the opening's session is live from then on."""
    lot.refresh_from_db()
    with time_machine.travel(lot.bid_deadline, tick=False):
        lot_due_sweep()
    lot.refresh_from_db()
    assert lot.status == Lot.Status.CLOSED
    return lot


def seat_drawn(assignment: Assignment, *, session_kind: str, accepted: bool) -> Assignment:
    """Turn staff's assignment into a drawn seat for one session, as a draw leaves it (the registry's
    draw service seats people the same way: an assignment tied to its SupervisorDraw)."""
    draw = SupervisorDraw.objects.create(lot=assignment.lot, session_kind=session_kind, size=1, seed="00" * 32,
                                         pool=[assignment.supervisor_id], drawn=[assignment.supervisor_id],
                                         drawn_by=STAFF, drawn_at=clock.now())
    Assignment.objects.filter(pk=assignment.pk).update(draw=draw, session_kind=session_kind,
                                                       accepted_at=clock.now() if accepted else None)
    assignment.refresh_from_db()
    return assignment


@pytest.fixture
def open_lot(make_lot, bidder_a):
    """A published construction lot open for bids (no session live yet), bidder_a registered."""
    from trading.services.lots import lot_publish, lot_submit

    lot = make_lot("construction", days=25)
    lot_submit(lot_id=lot.pk, actor=STAFF)
    lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor=STAFF)
    registration_create(lot_id=lot.pk, user=bidder_a)
    lot.refresh_from_db()
    return lot


@pytest.fixture
def seat(open_lot, supervisor):
    return assignment_create(lot_id=open_lot.pk, supervisor_id=supervisor.pk, actor=STAFF)


@pytest.fixture
def live_lot(open_lot, seat):
    """``open_lot`` past its deadline: its opening is the live session, the supervisor seated."""
    return close_bidding(open_lot)


@pytest.fixture
def after_opening(live_lot):
    """A moment after the opening's session ended (from which its report is due)."""
    return live_lot.bid_deadline + timedelta(hours=2)


@pytest.fixture
def other_supervisor(make_person):
    return make_person("supervisor_b", ["supervisor"], resident_id="110105198001010016")
