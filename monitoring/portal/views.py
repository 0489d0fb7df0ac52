"""The public portal's home page: every market's latest announcements by kind, the openings and
auctions of today and of this week with a link to watch each, each market's figures for the year,
and the centre's notices. A signed-in person also finds their own panel there."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bidding.selectors_portal import auctions_between, openings_between
from monitoring.statistics.figures import figures_by_market
from trading import clock
from trading.models import Lot
from trading.selectors_portal import (
    ANNOUNCEMENT_GROUPS,
    MarketFigures,
    announcements_latest,
    centre_notices_public,
    market_figures,
    markets,
)
from trading.workdays import CHINA, local_day

PER_GROUP = 5
NOTICES = 5


@dataclass(frozen=True)
class Session:
    """An opening or an auction as the home page lists it."""

    at: datetime
    kind: str  # "opening" or "auction"
    lot: Lot
    state: str
    url: str
    live: bool = False  # under way now

    @property
    def kind_label(self):
        return _("Bid opening") if self.kind == "opening" else pgettext_lazy("session kind", "Live auction")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA)


def _opening_state(lot, now: datetime) -> str:
    session = getattr(lot, "opening_session", None)
    if session is not None:
        return session.get_status_display()
    if lot.status == lot.Status.SUSPENDED:
        return lot.get_status_display()
    return _("Scheduled") if lot.bid_deadline > now else _("Bids closed; the opening is to start")


def _sessions(*, start: datetime, end: datetime, now: datetime) -> list[Session]:
    """The openings and auctions of [start, end), the earliest first (auctions under way since
    before ``start`` too)."""
    found = [Session(at=lot.bid_deadline, kind="opening", lot=lot, state=_opening_state(lot, now),
                     url=reverse("opening-page", args=[lot.pk]))
             for lot in openings_between(start=start, end=end)]
    found += [Session(at=auction.starts_at, kind="auction", lot=auction.lot, state=auction.get_status_display(),
                      url=reverse("auction-page", args=[auction.pk]),
                      live=auction.status not in (auction.Status.SCHEDULED, auction.Status.ENDED))
              for auction in auctions_between(start=start, end=end)]
    return sorted(found, key=lambda session: session.at)


def _market_panels(*, year: int) -> list[dict]:
    """Each market's announcements, and its figures for the year: the deals and their value as the
    statistics count them (monitoring.statistics, docs/statistics.md), the lots open and the
    announcements published."""
    latest = announcements_latest(per_group=PER_GROUP)
    since = _day_start(date(year, 1, 1))
    figures = market_figures(since=since)
    deals = figures_by_market(since=since, until=clock.now())
    panels = []
    for market in markets():
        side = "sells" if market.sells else "buys"
        groups = [{"key": key, "title": title, "announcements": latest.get(market.code, {}).get(key, [])}
                  for key, title, applies in ANNOUNCEMENT_GROUPS if applies in ("", side)]
        panels.append({"market": market, "groups": groups, "figures": figures.get(market.code, MarketFigures()),
                       "deals": deals[market.code]["deals"], "deal_value": deals[market.code]["deal_value"]})
    return panels


def _try_url() -> str:
    """The demo's try-it page, where the demo runs and the page exists."""
    if not settings.PLATFORM_LOAD_DEMO:
        return ""
    try:
        return reverse("demo-try")
    except NoReverseMatch:
        return ""


def home(request):
    now = clock.now()
    today = local_day(now)
    day_start = _day_start(today)
    week_start = _day_start(today - timedelta(days=today.weekday()))
    tomorrow = day_start + timedelta(days=1)
    today_sessions, week_sessions = [], []
    for session in _sessions(start=week_start, end=week_start + timedelta(days=7), now=now):
        on_today = day_start <= session.at < tomorrow or session.live
        (today_sessions if on_today else week_sessions).append(session)
    return render(request, "monitoring/portal/home.html", {
        "today": today, "week_start": week_start, "week_end": week_start + timedelta(days=6),
        "today_sessions": today_sessions, "week_sessions": week_sessions,
        "panels": _market_panels(year=today.year),
        "year": today.year,
        "notices": centre_notices_public(limit=NOTICES),
        "try_url": "" if request.user.is_authenticated else _try_url(),
    })
