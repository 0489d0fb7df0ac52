"""The statistics read what the services leave: a land listing sold through the listing services
(starting price, appraised value, bidders, deal confirmation) and a tender awarded through the
opening, the evaluation and the regulator's approval."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from monitoring.statistics.figures import LotFact, figure_lots, statistics_rows
from monitoring.statistics.periods import Period
from trading.models import Lot

pytestmark = pytest.mark.django_db
ACTOR = "user:1"


def _land_row(year):
    return next(row for row in statistics_rows(year=year, rated=False) if row.key == "land")


def test_a_land_sale_made_through_the_services_is_counted(make_lot, bidder_a, bidder_b):
    from bidding.sales.services.listings import listing_close_sweep, listing_create, listing_quote
    from trading.services.lots import lot_due_sweep, lot_publish, lot_submit
    from trading.services.registrations import registration_create, registration_decide

    lot = make_lot("land", "listing_timed_bidding", deposit=Decimal(0), estimate="5000000.00",
                   appraised_value=Decimal("4800000.00"))
    lot_submit(lot_id=lot.pk, actor=ACTOR)
    lot_publish(lot_id=lot.pk, title="R3-02地块挂牌出让公告", body="……", actor=ACTOR)
    lot.refresh_from_db()
    with time_machine.travel(lot.listing_start + timedelta(seconds=1), tick=False):
        lot_due_sweep()
        for user in (bidder_a, bidder_b):
            registration = registration_create(lot_id=lot.pk, user=user)
            if registration.status == registration.Status.PENDING:
                registration_decide(registration_id=registration.pk, approve=True, reason="", actor=ACTOR)
        listing_create(lot_id=lot.pk, starting_price="5000000.00", increment="100000.00", actor=ACTOR)
    with time_machine.travel(lot.listing_start + timedelta(minutes=5), tick=False):
        listing_quote(lot_id=lot.pk, user=bidder_a, amount="5000000.00")
        listing_quote(lot_id=lot.pk, user=bidder_b, amount="5300000.00")
    with time_machine.travel(lot.listing_end, tick=False):
        listing_close_sweep()
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AWARDED
    with time_machine.travel(lot.listing_end + timedelta(days=1), tick=False):
        year = Period(lot.listing_end.year)
        row = _land_row(year.year)
        behind = figure_lots(figure="appreciation", period=year, key="land")
    figures = row.figures
    assert (figures["deals"], figures["deal_value"], figures["starting_value"]) == (1, Decimal("5300000.00"),
                                                                                    Decimal("5000000.00"))
    assert (figures["increase"], figures["increase_rate"]) == (Decimal("300000.00"), Decimal("0.0600"))
    assert (figures["appraised_value"], figures["appreciation"]) == (Decimal("4800000.00"), Decimal("500000.00"))
    assert figures["bidders_per_lot"] == Decimal("2.00")  # the two who quoted
    fact: LotFact = behind.lots[0][0]
    assert fact.published_at is not None and fact.cycle == lot.listing_end - fact.published_at


def test_a_tender_awarded_through_the_services_is_counted(lot_in_evaluation, evaluate, regulator):
    from bidding.evaluation.services.awards import award_propose, award_review, candidates_publish
    from trading.services.lots import lot_due_sweep

    goods, _bidders = lot_in_evaluation(["900000.00", "950000.00", "990000.00"])
    evaluate(goods)
    candidates_publish(lot_id=goods.pk, actor=ACTOR)
    goods.refresh_from_db()
    with time_machine.travel(goods.publicity_end, tick=False):
        lot_due_sweep()
    award_review(proposal_id=award_propose(lot_id=goods.pk, actor=ACTOR).pk, user=regulator, approve=True)
    goods.refresh_from_db()
    year = goods.status_changes.get(target=Lot.Status.AWARDED).at.year
    row = next(row for row in statistics_rows(year=year, rated=False) if row.key == "procurement")
    assert (row.figures["deals"], row.figures["deal_value"]) == (1, Decimal("900000.00"))
    assert (row.figures["budget"], row.figures["savings"]) == (Decimal("1000000.00"), Decimal("100000.00"))
    assert row.figures["savings_rate"] == Decimal("0.1000") and row.figures["bidders_per_lot"] == Decimal("3.00")
