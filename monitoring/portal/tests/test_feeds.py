"""RSS 2.0 and Atom feeds of the announcements, per market and of every market (issue 19 §1)."""
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from trading.services.lots import lot_amend, lot_publish, lot_submit

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def announced(make_lot):
    """A works tender with its announcement and an amendment, and a land listing with its own."""
    works = make_lot("construction")
    lot_submit(lot_id=works.pk, actor="system:test")
    lot_publish(lot_id=works.pk, title="体育馆屋面维修工程招标公告", body="欢迎投标。", actor="system:test")
    lot_amend(lot_id=works.pk, title="体育馆屋面维修工程澄清公告", body="答疑见附件。", actor="system:test")
    land = make_lot("land", "listing_timed_bidding")
    lot_submit(lot_id=land.pk, actor="system:test")
    lot_publish(lot_id=land.pk, title="城东R2-07地块挂牌出让公告", body="挂牌出让。", actor="system:test")
    return works, land


def _rss(client, url):
    answer = client.get(url)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(answer.content).find("channel")
    return channel, channel.findall("item")


def test_a_market_s_rss_feed_has_its_announcements_newest_first(client, announced):
    works, land = announced
    channel, items = _rss(client, reverse("feed-market-rss", args=["construction"]))
    titles = [item.findtext("title") for item in items]
    assert len(titles) == 2
    assert "体育馆屋面维修工程澄清公告" in titles[0] and "体育馆屋面维修工程招标公告" in titles[1]
    assert items[0].findtext("link").endswith(f"/lots/{works.pk}/#announcement-{works.announcements.last().pk}")
    assert items[0].findtext("pubDate") and items[0].findtext("description") == "答疑见附件。"
    assert channel.findtext("link").endswith("/announcements/?market=construction")


def test_the_feed_of_every_market_has_both(client, announced):
    _, items = _rss(client, reverse("feed-rss"))
    titles = " ".join(item.findtext("title") for item in items)
    assert "城东R2-07地块挂牌出让公告" in titles and "体育馆屋面维修工程招标公告" in titles


def test_a_market_s_atom_feed_parses_with_its_entries(client, announced):
    works, land = announced
    answer = client.get(reverse("feed-market-atom", args=["land"]))
    assert answer["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(answer.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        f"[{land.project.market.name}] {land.announcements.get().get_kind_display()}: 城东R2-07地块挂牌出让公告"]
    assert entries[0].find(f"{ATOM}link").get("href").endswith(f"/lots/{land.pk}/#announcement-"
                                                               f"{land.announcements.get().pk}")
    assert entries[0].findtext(f"{ATOM}updated") and entries[0].findtext(f"{ATOM}id")


def test_an_unknown_market_has_no_feed(client):
    assert client.get("/feeds/nowhere/announcements.rss").status_code == 404


def test_the_lists_link_their_feeds(client, announced):
    page = client.get(reverse("announcement-list"), {"market": "land"}).content.decode()
    assert '<link rel="alternate" type="application/rss+xml" href="/feeds/land/announcements.rss"' in page
    assert '<link rel="alternate" type="application/atom+xml" href="/feeds/announcements.atom"' in page
    assert 'href="/feeds/land/announcements.rss"' in page.split("<main>")[1]
