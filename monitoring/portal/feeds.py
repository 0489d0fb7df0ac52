"""RSS 2.0 and Atom feeds of the announcements, of every market and of each, as the users of a
trading centre subscribe to them. Each item is one announcement and links to it on its lot's page."""
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from trading.selectors_portal import announcements_for_feed, market_get

FEED_ITEMS = 50


class AnnouncementsRss(Feed):
    """``market`` in the URL: that market's announcements; none: every market's."""

    def get_object(self, request, market: str = ""):
        if not market:
            return None
        found = market_get(code=market)
        if found is None:
            raise Http404
        return found

    def title(self, market):
        site = _("Public-resource trading platform")
        return f"{site}: {market.name}" if market else site

    def description(self, market):
        if market:
            return _("Announcements of the %(market)s market: tenders and listings, amendments, candidates, "
                     "results and failures.") % {"market": market.name}
        return _("Announcements of every market: tenders and listings, amendments, candidates, results and "
                 "failures.")

    def link(self, market):
        url = reverse("announcement-list")
        return f"{url}?market={market.code}" if market else url

    def items(self, market):
        return announcements_for_feed(market=market.code if market else "", limit=FEED_ITEMS)

    def item_title(self, announcement):
        return f"[{announcement.lot.project.market.name}] {announcement.get_kind_display()}: {announcement.title}"

    def item_description(self, announcement):
        return Truncator(announcement.body).chars(500)

    def item_link(self, announcement):
        return reverse("lot-detail", args=[announcement.lot_id]) + f"#announcement-{announcement.pk}"

    def item_pubdate(self, announcement):
        return announcement.published_at

    def item_updateddate(self, announcement):
        return announcement.published_at

    def item_categories(self, announcement):
        return [announcement.lot.project.market.name, announcement.get_kind_display()]


class AnnouncementsAtom(AnnouncementsRss):
    feed_type = Atom1Feed

    def subtitle(self, market):
        return self.description(market)
