"""Reads of the public portal: each market's latest announcements by kind, its figures for the year,
the centre's notices, and the announcements of the feeds."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Count, Exists, F, OuterRef, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _

from trading import clock
from trading.models import Announcement, CentreNotice, Lot, Market
from trading.selectors import announcement_list_public

Kind = Announcement.Kind

# The home page's groups of announcements, in the order shown: (group, heading, markets it applies
# to: "sells" where the highest price wins, "buys" where the lowest does, "" every market). A result
# where the market sells is the deal's publicity (成交公示); where it buys, the award's (中标结果).
ANNOUNCEMENT_GROUPS = [
    ("publication", _("Tender and listing announcements"), ""),
    ("amendment", _("Amendments and corrections"), ""),
    ("candidates", _("Candidate publicity"), "buys"),
    ("result", _("Award results"), "buys"),
    ("deal", _("Deal publicity"), "sells"),
    ("failure", _("Failure notices"), ""),
]

_GROUP = Case(
    When(kind__in=[Kind.TENDER, Kind.LISTING], then=Value("publication")),
    When(kind__in=[Kind.AMENDMENT, Kind.CORRECTION], then=Value("amendment")),
    When(kind=Kind.RESULT, lot__project__market__sells=True, then=Value("deal")),
    When(kind=Kind.RESULT, then=Value("result")),
    default=F("kind"),
)

# Lots that take bids or quotes now, or will once their date comes.
OPEN_STATUSES = [Lot.Status.PUBLISHED, Lot.Status.BIDDING, Lot.Status.LISTING, Lot.Status.AUCTION]


def markets() -> list[Market]:
    return list(Market.objects.all())


def market_get(*, code: str) -> Market | None:
    return Market.objects.filter(code=code).first()


def announcements_latest(*, per_group: int) -> dict[str, dict[str, list[Announcement]]]:
    """The ``per_group`` latest announcements of each market in each group of ``ANNOUNCEMENT_GROUPS``,
    newest first, by market code and group, each with its lot and project: one query. An
    announcement a correction superseded is left out (the correction is shown)."""
    superseded = Exists(Announcement.objects.filter(supersedes=OuterRef("pk")))
    rank = Window(RowNumber(), partition_by=[F("lot__project__market_id"), F("group")],
                  order_by=[F("published_at").desc(), F("id").desc()])
    found = (Announcement.objects.filter(~superseded).annotate(group=_GROUP).annotate(rank=rank)
             .filter(rank__lte=per_group).select_related("lot__project__market")
             .order_by("-published_at", "-id"))
    latest: dict[str, dict[str, list[Announcement]]] = {}
    for announcement in found:
        latest.setdefault(announcement.lot.project.market_id, {}).setdefault(announcement.group, []).append(
            announcement)
    return latest


@dataclass
class MarketFigures:
    """A market's counts: lots open now; announcements since a moment (the year's start). Its deals
    are the statistics' (``monitoring.statistics``), which count only finished facts."""

    open_lots: int = 0
    announcements: int = 0


def market_figures(*, since: datetime) -> dict[str, MarketFigures]:
    """By market code: the lots open now and the announcements published since ``since``; a market
    with neither is absent. Two queries."""
    figures: dict[str, MarketFigures] = defaultdict(MarketFigures)
    for code, n in (Lot.objects.filter(status__in=OPEN_STATUSES).values_list("project__market")
                    .annotate(n=Count("pk")).order_by()):
        figures[code].open_lots = n
    for code, n in (Announcement.objects.filter(published_at__gte=since).values_list("lot__project__market")
                    .annotate(n=Count("pk")).order_by()):
        figures[code].announcements = n
    return dict(figures)


def centre_notices_public(*, limit: int) -> list[CentreNotice]:
    """The centre's notices in force, pinned ones first, then the newest."""
    return list(CentreNotice.objects.filter(withdrawn_at__isnull=True, published_at__lte=clock.now())[:limit])


def announcements_for_feed(*, market: str = "", limit: int) -> list[Announcement]:
    """The latest ``limit`` announcements, of one market (its code) or of every market."""
    announcements = announcement_list_public()
    if market:
        announcements = announcements.filter(lot__project__market_id=market)
    return list(announcements[:limit])
