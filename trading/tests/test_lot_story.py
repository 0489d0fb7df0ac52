"""A lot's story on its public page (issue 19 §1): the steps taken with their dates, the steps to
come with the dates set for them or their statutory limits, and what happens next, in Beijing time."""
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from trading.models import Lot
from trading.selectors_timeline import lot_story
from trading.services.lots import lot_amend, lot_resume, lot_suspend
from trading.services.moves import lot_transition
from trading.tests.builders import ACTOR, PUBLISHED_AT, lot_land, lot_tender
from trading.workdays import local_day

pytestmark = pytest.mark.django_db


def _coming(story) -> list[str]:
    return [step.key for step in story.coming]


def test_an_open_tender_tells_what_comes_next_and_when(clock):
    lot = lot_tender()
    with translation.override("en"):
        story = lot_story(lot=lot)
        assert [str(step.label) for step in story.past] == ["Tender announcement: Announcement Main building",
                                                            "Bidding opened"]
    assert story.past[0].at == PUBLISHED_AT and story.past[0].anchor.startswith("announcement-")
    assert _coming(story) == ["documents_until", "bid_deadline", "evaluation", "publicity", "award", "contract"]
    assert story.next.key == "documents_until" and story.next.at == lot.documents_until
    deadline = story.coming[1]
    assert deadline.at == lot.bid_deadline and deadline.url_name == "opening-page"
    # The statutory limits of the steps with no date yet, from the rule table.
    publicity, contract = story.coming[3], story.coming[5]
    assert publicity.note == "For at least 3 calendar days."  # computed in English above
    assert contract.note == "Within 30 calendar days of the award notice."
    assert publicity.at is None and contract.by_day is None


def test_an_amendment_moves_the_deadline_the_story_shows(clock):
    lot = lot_tender()
    moved = lot.bid_deadline + timedelta(days=7)
    amendment = lot_amend(lot_id=lot.pk, title="关于延长投标截止时间的澄清", body="顺延。", actor=ACTOR, bid_deadline=moved)
    lot.refresh_from_db()
    clock.move_to(lot.documents_until + timedelta(hours=1), tick=False)
    story = lot_story(lot=lot)
    assert f"announcement-{amendment.pk}" in [step.key for step in story.past]
    assert story.next.key == "bid_deadline" and story.next.at == moved


def test_a_lot_in_its_publicity_waits_for_its_end_then_the_award_and_contract(lot_in_evaluation, evaluate,
                                                                               regulator):
    from bidding.evaluation.services.awards import award_propose, award_review, candidates_publish
    from trading.services.lots import lot_due_sweep

    lot, _ = lot_in_evaluation(["900000.00", "950000.00", "990000.00"])
    evaluate(lot)
    candidates_publish(lot_id=lot.pk, actor=ACTOR)
    lot.refresh_from_db()
    story = lot_story(lot=lot)
    assert story.next.key == "publicity_end" and story.next.at == lot.publicity_end
    assert _coming(story) == ["publicity_end", "award", "contract"]
    assert "lot-result" in [step.url_name for step in story.past]  # the candidates, once public

    with time_machine.travel(lot.publicity_end, tick=False):
        lot_due_sweep()
    award_review(proposal_id=award_propose(lot_id=lot.pk, actor=ACTOR).pk, user=regulator, approve=True)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AWARDED
    story = lot_story(lot=lot)
    awarded_at = lot.status_changes.get(target=Lot.Status.AWARDED).at
    # 30 calendar days from the award (政府采购法第四十六条), counted in China's days.
    assert _coming(story) == ["contract"]
    assert story.next.by_day == local_day(awarded_at) + timedelta(days=30)


def test_a_failed_lot_has_nothing_to_come(clock):
    lot = lot_tender()
    lot_transition(lot_id=lot.pk, transition="fail", actor=ACTOR)
    lot.refresh_from_db()
    with translation.override("en"):
        story = lot_story(lot=lot)
        assert story.coming == [] and story.next is None and str(story.ended) == "Failed"
        assert str(story.past[-1].label) == "Failed"


def test_a_suspended_lot_keeps_its_steps_on_hold_and_tells_when_it_resumed(clock):
    lot = lot_tender()
    lot_suspend(lot_id=lot.pk, reason="投诉处理中", actor=ACTOR)
    lot.refresh_from_db()
    with translation.override("en"):
        story = lot_story(lot=lot)
        assert story.on_hold and story.next.key == "documents_until"
        assert str(story.past[-1].label) == "Suspended"
        lot_resume(lot_id=lot.pk, actor=ACTOR)
        lot.refresh_from_db()
        story = lot_story(lot=lot)
        assert not story.on_hold and str(story.past[-1].label) == "Resumed"


def test_a_listing_tells_its_period_then_the_deal(clock):
    lot = lot_land()
    story = lot_story(lot=lot)
    assert _coming(story) == ["listing_start", "listing_end", "deal", "contract"]
    assert story.next.at == lot.listing_start


def test_the_lot_page_says_what_happens_next_in_beijing_time(client, clock):
    lot = lot_tender()
    page = client.get(reverse("lot-detail", args=[lot.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    next_step = page.split('data-testid="next-step"')[1].split("</section>")[0]
    assert "2026-09-10 17:00" in next_step  # documents on sale until 09:00 UTC
    story = page.split('data-testid="story"')[1].split("</section>")[0]
    assert story.count('data-testid="coming-step"') == 6
    assert "2026-10-20 09:30" in story  # the bid deadline, 01:30 UTC
    assert f'href="/lots/{lot.pk}/opening/"' in story


def test_the_lot_page_shows_no_state_word_of_another_state(client, lot_in_evaluation):
    lot, _ = lot_in_evaluation(["900000.00", "950000.00", "990000.00"])
    page = client.get(reverse("lot-detail", args=[lot.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "评标中" in page  # its state
    assert "开标中" not in page  # the opening's state word, once the link to its record
    assert page.count("测试项目") == page.count("测试项目 — 测试标段")  # the title once, with a separator


def test_the_lot_page_s_queries_do_not_grow_with_its_history(client, clock, django_assert_max_num_queries):
    lot = lot_tender()
    for n in range(4):
        lot_amend(lot_id=lot.pk, title=f"澄清{n}", body="…", actor=ACTOR)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("lot-detail", args=[lot.pk])).status_code == 200

