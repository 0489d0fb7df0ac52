"""Fixtures shared by the tests of supervisors and of its complaints part."""
import pytest

from trading.services.lots import lot_publish, lot_submit


@pytest.fixture
def lot(make_lot):
    """A published construction lot, open for bids."""
    lot = make_lot("construction", days=25)
    lot_submit(lot_id=lot.pk, actor="user:1")
    lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor="user:1")
    lot.refresh_from_db()
    return lot


@pytest.fixture
def access_changes(monkeypatch):
    """The user ids whose open rooms were told to re-check their membership."""
    calls = []
    monkeypatch.setattr("supervisors.services.access_changed", calls.append)
    return calls


# --- challenges and complaints ------------------------------------------------------------------------

@pytest.fixture
def works_lot(db, bidder_a):
    """A works lot (construction, open tender) published 2026-09-01 10:00 in China, bidding open
    until 2026-10-20, with bidder_a's organisation registered."""
    import time_machine

    from trading.services.registrations import registration_create
    from trading.tests.builders import PUBLISHED_AT, lot_tender

    with time_machine.travel(PUBLISHED_AT, tick=False):
        lot = lot_tender("GC2026-101")
        registration_create(lot_id=lot.pk, user=bidder_a)
    return lot


@pytest.fixture
def procurement_lot(db, bidder_a):
    """A procurement lot (open tender) published like ``works_lot``, bidder_a's organisation registered."""
    from datetime import UTC, datetime
    from decimal import Decimal

    import time_machine

    from trading.models import Market, Procedure
    from trading.services.lots import lot_create, lot_publish, lot_submit, project_create
    from trading.services.registrations import registration_create
    from trading.tests.builders import ACTOR, PUBLISHED_AT, tenderee_make

    with time_machine.travel(PUBLISHED_AT, tick=False):
        market = Market.objects.get(code="procurement")
        project = project_create(code="CG2026-101", title="Desks", market=market,
                                 procedure=Procedure.objects.get(market=market, code="open_tender"),
                                 tenderee=tenderee_make("市教育局"), actor=ACTOR)
        lot = lot_create(project=project, title="Classroom desks", estimate=Decimal("1000000.00"),
                         deposit=Decimal("10000.00"), actor=ACTOR,
                         bid_deadline=datetime(2026, 10, 20, 1, 30, tzinfo=UTC),
                         documents_until=datetime(2026, 9, 10, 9, 0, tzinfo=UTC))
        lot_submit(lot_id=lot.pk, actor=ACTOR)
        lot_publish(lot_id=lot.pk, title="采购公告", body="…", actor=ACTOR)
        registration_create(lot_id=lot.pk, user=bidder_a)
    lot.refresh_from_db()
    return lot
