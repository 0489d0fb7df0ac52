"""The portal's home page (issue 19 §1): each market's latest announcements by kind with their dates
and deadlines, today's and this week's openings and auctions with a link to watch, each market's
figures for the year, the centre's notices."""
import itertools
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from trading.models import CentreNotice
from trading.services.announcements import announcement_publish
from trading.services.lots import lot_amend, lot_publish, lot_submit
from trading.services.moves import lot_transition
from trading.workdays import CHINA

pytestmark = pytest.mark.django_db
ACTOR = "system:test"
NOW = datetime(2026, 9, 2, 10, 0, tzinfo=CHINA)  # a Wednesday
CODES = itertools.count(1)  # the lots' project codes: the frozen clock would give them all one


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def _published(lot, title):
    lot_submit(lot_id=lot.pk, actor=ACTOR)
    return lot_publish(lot_id=lot.pk, title=title, body="……", actor=ACTOR)


def _tender(make_lot, market, title, *, deadline):
    """A tender lot published a month before its bid deadline (so lawfully), bidding now."""
    with time_machine.travel(deadline - timedelta(days=30), tick=False):
        lot = make_lot(market, code=f"P{next(CODES)}", bid_deadline=deadline,
                       documents_until=deadline - timedelta(days=5))
        _published(lot, title)
    lot.refresh_from_db()
    return lot


def _moved(lot, *transitions):
    for transition in transitions:
        lot_transition(lot_id=lot.pk, transition=transition, actor=ACTOR)
    lot.refresh_from_db()
    return lot


def _panel(page: str, market: str) -> str:
    return page.split(f'data-market="{market}"')[1].split('data-testid="market"')[0]


def _group(panel: str, group: str) -> str:
    return panel.split(f'data-group="{group}"')[1].split("</section>")[0]


def test_each_market_shows_its_latest_announcements_by_kind(client, make_lot, now):
    works = _tender(make_lot, "construction", "市民中心二期招标公告", deadline=NOW + timedelta(days=20))
    lot_amend(lot_id=works.pk, title="市民中心二期澄清公告", body="……", actor=ACTOR)
    goods = _moved(_tender(make_lot, "procurement", "加速器采购公告", deadline=NOW + timedelta(days=20)),
                   "close_bidding", "start_opening", "start_evaluation", "publicise_candidates")
    announcement_publish(lot_id=goods.pk, kind="candidates", title="加速器中标候选人公示", body="……", actor=ACTOR)
    _moved(goods, "end_publicity", "award")
    announcement_publish(lot_id=goods.pk, kind="result", title="加速器中标结果公告", body="……", actor=ACTOR)
    land = make_lot("land", "listing_timed_bidding", code="TD-P1")
    _published(land, "R2-07地块挂牌出让公告")
    _moved(land, "start_listing", "award")
    announcement_publish(lot_id=land.pk, kind="result", title="R2-07地块成交公示", body="……", actor=ACTOR)
    staffing = _moved(_tender(make_lot, "hr", "劳务派遣服务招标公告", deadline=NOW + timedelta(days=20)), "fail")
    announcement_publish(lot_id=staffing.pk, kind="failure", title="劳务派遣服务流标公告", body="……", actor=ACTOR)

    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    construction = _panel(page, "construction")
    assert "市民中心二期招标公告" in _group(construction, "publication")
    assert "市民中心二期澄清公告" in _group(construction, "amendment")
    # Each with its date and its lot's deadline, in Beijing time.
    assert "2026-09-02" in _group(construction, "amendment") and "2026-09-22 10:00" in _group(construction, "amendment")
    procurement = _panel(page, "procurement")
    assert "加速器中标候选人公示" in _group(procurement, "candidates")
    assert "加速器中标结果公告" in _group(procurement, "result")
    land_panel = _panel(page, "land")
    assert "R2-07地块成交公示" in _group(land_panel, "deal")  # a sale's result is its deal's publicity
    assert 'data-group="result"' not in land_panel and 'data-group="deal"' not in procurement
    assert "劳务派遣服务流标公告" in _group(_panel(page, "hr"), "failure")
    assert 'class="none"' in _group(_panel(page, "property"), "publication")


def test_only_the_latest_of_a_kind_are_shown(client, make_lot, now):
    titles = [f"第{n}号招标公告" for n in range(7)]
    for title in titles:
        _tender(make_lot, "construction", title, deadline=NOW + timedelta(days=20))
    shown = _group(_panel(client.get(reverse("home")).content.decode(), "construction"), "publication")
    assert [title in shown for title in titles] == [False, False, True, True, True, True, True]


def test_today_s_and_this_week_s_openings_and_auctions_have_a_link_to_watch(client, make_lot, make_listing_lot,
                                                                             bidder_a, bidder_b, now):
    from bidding.sales.services.auctions import auction_create

    today = _tender(make_lot, "construction", "今日开标", deadline=NOW + timedelta(hours=4))
    friday = _tender(make_lot, "procurement", "周五开标", deadline=NOW + timedelta(days=2, hours=-1))
    monday = _tender(make_lot, "construction", "下周开标", deadline=NOW + timedelta(days=5))
    plot = make_listing_lot([bidder_a, bidder_b])
    auction = auction_create(lot_id=plot.pk, starting_price="1000000.00", increment="10000.00",
                             starts_at=NOW + timedelta(hours=2), actor=ACTOR)

    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    sessions = page.split('data-testid="openings"')[1].split("</section>")[0]
    todays = sessions.split('data-testid="today-sessions"')[1].split("</ul>")[0]
    week = sessions.split('data-testid="week-sessions"')[1].split("</ul>")[0]
    assert f'href="/lots/{today.pk}/opening/" data-testid="watch-link"' in todays and "14:00" in todays
    assert f'href="/auctions/{auction.pk}/" data-testid="watch-link"' in todays and "12:00" in todays
    assert f'href="/lots/{friday.pk}/opening/" data-testid="watch-link"' in week and "09-04 09:00" in week
    assert f"/lots/{monday.pk}/" not in sessions
    assert todays.index(f"/auctions/{auction.pk}/") < todays.index(f"/lots/{today.pk}/opening/")  # by time


def test_each_market_s_figures_for_the_year(client, make_lot, lot_in_evaluation, evaluate, regulator):
    from bidding.evaluation.services.awards import award_propose, award_review, candidates_publish
    from trading.services.lots import lot_due_sweep

    goods, _ = lot_in_evaluation(["900000.00", "950000.00", "990000.00"])
    evaluate(goods)
    candidates_publish(lot_id=goods.pk, actor=ACTOR)
    goods.refresh_from_db()
    with time_machine.travel(goods.publicity_end, tick=False):
        lot_due_sweep()
    award_review(proposal_id=award_propose(lot_id=goods.pk, actor=ACTOR).pk, user=regulator, approve=True)
    land = make_lot("land", "listing_timed_bidding")
    _published(land, "地块挂牌出让公告")
    _moved(land, "start_listing", "award")
    open_lot = make_lot("construction")
    _published(open_lot, "施工招标公告")

    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    def figure(market, name):
        return _panel(page, market).split(f'data-figure="{name}">')[1].split("</dd>")[0]

    assert figure("procurement", "deals") == "1"
    assert figure("procurement", "deal-value") == "90.00 万元"  # the winning bid, 900,000 yuan
    assert figure("land", "deals") == "1" and figure("land", "deal-value") == "—"  # no deal price recorded
    assert figure("construction", "deals") == "0" and figure("construction", "open-lots") == "1"
    assert figure("construction", "announcements") == "1"


def test_the_centre_s_notices_pinned_first_and_withdrawn_ones_gone(client, now):
    CentreNotice.objects.create(title="国庆节假期办公安排", body="……", published_at=NOW - timedelta(days=3),
                                published_by="user:1")
    CentreNotice.objects.create(title="系统升级维护通知", body="……", published_at=NOW - timedelta(days=5),
                                published_by="user:1", pinned=True)
    CentreNotice.objects.create(title="已撤回的通知", body="……", published_at=NOW - timedelta(days=1),
                                published_by="user:1", withdrawn_at=NOW)
    page = client.get(reverse("home")).content.decode()
    notices = page.split('data-testid="centre-notices"')[1].split("</section>")[0]
    assert notices.index("系统升级维护通知") < notices.index("国庆节假期办公安排")
    assert "已撤回的通知" not in page


def test_a_newcomer_in_the_demo_is_shown_where_to_try_it(client, settings, bidder_a):
    settings.PLATFORM_LOAD_DEMO = True
    assert f'href="{reverse("demo-try")}"' in client.get(reverse("home")).content.decode()
    settings.PLATFORM_LOAD_DEMO = False
    assert 'data-testid="try-demo"' not in client.get(reverse("home")).content.decode()
    settings.PLATFORM_LOAD_DEMO = True
    client.force_login(bidder_a)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="try-demo"' not in page
    assert 'data-role="bidder"' in page  # the person's own panel


def test_the_home_page_links_its_feeds(client):
    page = client.get(reverse("home")).content.decode()
    assert '<link rel="alternate" type="application/rss+xml" href="/feeds/announcements.rss"' in page
    assert '<link rel="alternate" type="application/atom+xml" href="/feeds/announcements.atom"' in page
    assert 'href="/feeds/land/announcements.rss"' in page


def test_the_home_page_s_queries_do_not_grow_with_the_lots(client, make_lot, make_listing_lot, bidder_a, bidder_b,
                                                          now, django_assert_max_num_queries):
    from bidding.sales.services.auctions import auction_create

    for market in ("construction", "procurement", "hr"):
        for n in range(3):
            _tender(make_lot, market, f"{market}{n}", deadline=NOW + timedelta(hours=n + 1))
    plot = make_listing_lot([bidder_a, bidder_b])
    auction_create(lot_id=plot.pk, starting_price="1000000.00", increment="10000.00",
                   starts_at=NOW + timedelta(hours=2), actor=ACTOR)
    CentreNotice.objects.create(title="通知", body="……", published_at=NOW, published_by="user:1")
    with django_assert_max_num_queries(10):
        page = client.get(reverse("home")).content.decode()
    assert page.count('data-testid="watch-link"') == 10
