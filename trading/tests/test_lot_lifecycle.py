"""The lot's life through the services, each rule of DESIGN §2 that concerns it named in a test."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from monitoring.models import AuditEntry
from trading import clock
from trading.errors import TradingError
from trading.models import Announcement, Lot
from trading.services.lots import (
    lot_amend,
    lot_due_sweep,
    lot_publish,
    lot_resume,
    lot_submit,
    lot_suspend,
    lot_update,
)
from trading.services.moves import lot_transition
from trading.workdays import local_day

ACTOR = "user:1"


def publish(lot):
    lot_submit(lot_id=lot.pk, actor=ACTOR)
    return lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor=ACTOR)


def refused(code, call, *args, **kwargs):
    with pytest.raises(TradingError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


@pytest.mark.django_db
def test_rule_bid_preparation_a_procurement_lot_cannot_close_in_19_days(make_lot):
    lot = make_lot("procurement", days=19)
    error = refused("bid_preparation", lot_submit, lot_id=lot.pk, actor=ACTOR)
    earliest = local_day(clock.now()) + timedelta(days=20)
    assert earliest.isoformat() in str(error.message) and "20" in str(error.message)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.DRAFT
    lot_update(lot_id=lot.pk, actor=ACTOR, bid_deadline=clock.now() + timedelta(days=20),
               documents_until=clock.now() + timedelta(days=20))
    publish(lot)
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.BIDDING


@pytest.mark.django_db
def test_rule_documents_on_sale_at_least_5_days(make_lot):
    lot = make_lot("construction", documents_until=clock.now() + timedelta(days=4))
    refused("documents_on_sale", lot_submit, lot_id=lot.pk, actor=ACTOR)


@pytest.mark.django_db
def test_rule_deposit_cap_2_percent_of_the_estimate(make_lot):
    error = refused("deposit_cap", make_lot, "construction", estimate="1000000.00", deposit=Decimal("20000.01"))
    assert "20,000.00 元" in str(error.message) and "第二十六条" in str(error.message)
    make_lot("construction", estimate="1000000.00", deposit=Decimal("20000.00"))


@pytest.mark.django_db
def test_rule_amendment_notice_15_days_moves_the_deadline(make_lot):
    lot = make_lot("construction", days=25)
    publish(lot)
    with time_machine.travel(clock.now() + timedelta(days=15)):  # 10 days before the deadline
        error = refused("amendment_notice", lot_amend, lot_id=lot.pk, title="澄清", body="……", actor=ACTOR)
        earliest = local_day(clock.now()) + timedelta(days=15)
        assert earliest.isoformat() in str(error.message)
        assert Announcement.objects.filter(lot=lot, kind="amendment").count() == 0
        refused("amendment_notice", lot_amend, lot_id=lot.pk, title="澄清", body="……", actor=ACTOR,
                bid_deadline=clock.now() + timedelta(days=14))
        moved = clock.now() + timedelta(days=15)
        lot_amend(lot_id=lot.pk, title="澄清", body="……", actor=ACTOR, bid_deadline=moved)
    lot.refresh_from_db()
    assert lot.bid_deadline == moved and lot.next_due_at == moved


@pytest.mark.django_db
def test_a_deadline_never_moves_earlier(make_lot):
    lot = make_lot("construction", days=40)
    publish(lot)
    refused("deadline_earlier", lot_amend, lot_id=lot.pk, title="澄清", body="……", actor=ACTOR,
            bid_deadline=clock.now() + timedelta(days=30))


@pytest.mark.django_db
def test_rules_listing_notice_20_days_and_listing_period_10_days_for_land(make_lot):
    now = clock.now()
    lot = make_lot("land", "listing_timed_bidding", listing_start=now + timedelta(days=19),
                   listing_end=now + timedelta(days=40))
    refused("listing_notice", lot_submit, lot_id=lot.pk, actor=ACTOR)
    lot_update(lot_id=lot.pk, actor=ACTOR, listing_start=now + timedelta(days=20), listing_end=now + timedelta(days=29))
    refused("listing_period", lot_submit, lot_id=lot.pk, actor=ACTOR)
    lot_update(lot_id=lot.pk, actor=ACTOR, listing_end=now + timedelta(days=30))
    announcement = publish(lot)
    assert announcement.kind == Announcement.Kind.LISTING
    lot.refresh_from_db()
    assert lot.status == Lot.Status.PUBLISHED and lot.next_due_at == lot.listing_start


@pytest.mark.django_db
def test_rule_disclosure_period_20_working_days_for_equity(make_lot):
    now = clock.now()
    lot = make_lot("property", "listing_online_bidding", listing_start=now + timedelta(days=21),
                   listing_end=now + timedelta(days=35))
    error = refused("disclosure_period", lot_submit, lot_id=lot.pk, actor=ACTOR)
    assert "working days" in str(error.message) or "工作日" in str(error.message)


@pytest.mark.django_db
def test_the_sweep_opens_and_closes_bidding_at_the_deadline_once(make_lot):
    lot = make_lot("construction", days=21)
    publish(lot)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING  # bidding opens on publication
    with time_machine.travel(lot.bid_deadline - timedelta(microseconds=1), tick=False):
        assert lot_due_sweep() == {"applied": 0}
    with time_machine.travel(lot.bid_deadline, tick=False):
        assert lot_due_sweep() == {"applied": 1}
        assert lot_due_sweep() == {"applied": 0}
    lot.refresh_from_db()
    assert lot.status == Lot.Status.CLOSED and lot.next_due_at is None
    closes = AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="lot.status_changed", data__to="closed")
    assert closes.count() == 1 and closes.get().actor == "system:clock"


@pytest.mark.django_db
def test_listing_opens_by_the_clock_and_its_close_is_left_to_the_quotes(make_lot):
    """The close of a listing depends on its quotes and reserve (bidding's listing sweep decides it)."""
    lot = make_lot("land", "listing_timed_bidding")
    publish(lot)
    lot.refresh_from_db()
    with time_machine.travel(lot.listing_start, tick=False):
        lot_due_sweep()
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.LISTING
    with time_machine.travel(lot.listing_end, tick=False):
        assert lot_due_sweep() == {"applied": 0}
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.LISTING


@pytest.mark.django_db
def test_suspended_lot_resumes_where_it_was(make_lot):
    lot = make_lot("construction")
    publish(lot)
    lot_suspend(lot_id=lot.pk, reason="投诉处理", actor=ACTOR)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.SUSPENDED and lot.suspended_from == Lot.Status.BIDDING
    assert lot.next_due_at is None  # the clock does not move a suspended lot
    lot_resume(lot_id=lot.pk, actor=ACTOR)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING and lot.suspended_from == "" and lot.next_due_at == lot.bid_deadline


@pytest.mark.django_db
def test_every_move_leaves_a_status_row_and_one_event(make_lot):
    lot = make_lot("construction")
    publish(lot)
    changes = list(lot.status_changes.values_list("source", "target"))
    assert changes == [("draft", "pending_review"), ("pending_review", "published"), ("published", "bidding")]
    assert AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="lot.status_changed").count() == 3


@pytest.mark.django_db
def test_published_lot_cannot_be_edited_and_a_refused_move_changes_nothing(make_lot):
    lot = make_lot("construction")
    publish(lot)
    refused("lot_not_draft", lot_update, lot_id=lot.pk, actor=ACTOR, title="改名")
    before = AuditEntry.objects.count()
    refused("transition_not_allowed", lot_transition, lot_id=lot.pk, transition="award", actor=ACTOR)
    assert AuditEntry.objects.count() == before and Lot.objects.get(pk=lot.pk).status == Lot.Status.BIDDING


@pytest.mark.django_db
def test_candidate_publicity_ends_by_the_clock(make_lot):
    lot = make_lot("construction", publicity_end=clock.now() + timedelta(days=40))
    publish(lot)
    for step in ("close_bidding", "start_opening", "start_evaluation", "publicise_candidates"):
        lot_transition(lot_id=lot.pk, transition=step, actor=ACTOR)
    lot.refresh_from_db()
    assert lot.next_due_at == lot.publicity_end
    with time_machine.travel(lot.publicity_end - timedelta(seconds=1), tick=False):
        assert lot_due_sweep() == {"applied": 0}
    with time_machine.travel(lot.publicity_end, tick=False):
        assert lot_due_sweep() == {"applied": 1}
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.AWARD_REVIEW
