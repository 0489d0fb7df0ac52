"""Published lots built through the real services at a frozen clock, shared by the registration,
deposit and bank tests."""
from datetime import UTC, datetime
from decimal import Decimal

from trading.models import Lot, Market, Procedure
from trading.services import organisation_create
from trading.services.lots import lot_create, lot_publish, lot_submit, project_create
from trading.validators import uscc_check_character

# 2026-09-01 10:00 in China.
PUBLISHED_AT = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
ACTOR = "system:test"


def tenderee_make(name: str):
    from trading.models import Organisation

    found = Organisation.objects.filter(name=name).first()
    if found:
        return found
    body = f"12330100MB{Organisation.objects.count() + 1:07d}"
    return organisation_create(name=name, uscc=body + uscc_check_character(body), kind="tenderee", actor=ACTOR)


def _publish(lot: Lot) -> Lot:
    lot_submit(lot_id=lot.pk, actor=ACTOR)
    lot_publish(lot_id=lot.pk, title=f"Announcement {lot.title}", body="…", actor=ACTOR)
    lot.refresh_from_db()
    return lot


def lot_tender(code: str = "GC2026-001", *, deposit: Decimal = Decimal("200000.00"),
               bid_deadline: datetime = datetime(2026, 10, 20, 1, 30, tzinfo=UTC)) -> Lot:
    """A works lot (open tender) published at the frozen clock's now; bidding is open."""
    market = Market.objects.get(code="construction")
    project = project_create(code=code, title="School building", market=market,
                             procedure=Procedure.objects.get(market=market, code="open_tender"),
                             tenderee=tenderee_make("市教育局"), actor=ACTOR)
    lot = lot_create(project=project, title="Main building", estimate=Decimal("10000000.00"), deposit=deposit,
                     actor=ACTOR, bid_deadline=bid_deadline,
                     documents_until=datetime(2026, 9, 10, 9, 0, tzinfo=UTC))
    return _publish(lot)


def lot_land(code: str = "TD2026-007", *, deposit: Decimal = Decimal("3000000.00")) -> Lot:
    """A land-use right by listing with timed bidding: staff approve each registration."""
    market = Market.objects.get(code="land")
    project = project_create(code=code, title="Plot 7", market=market,
                             procedure=Procedure.objects.get(market=market, code="listing_timed_bidding"),
                             tenderee=tenderee_make("市自然资源局"), actor=ACTOR)
    lot = lot_create(project=project, title="Plot 7 residential", estimate=Decimal("80000000.00"), deposit=deposit,
                     actor=ACTOR, listing_start=datetime(2026, 9, 25, 1, 0, tzinfo=UTC),
                     listing_end=datetime(2026, 10, 10, 7, 0, tzinfo=UTC))
    return _publish(lot)
