"""Reads of the alerts: the filtered list, counts per market and level, one alert, the unresolved
ones for the dashboard, and who hears of a red alert."""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from monitoring.supervision.models import Alert
from trading.models import Market, Role, User

UNRESOLVED = (Alert.State.OPEN, Alert.State.ACKNOWLEDGED)


@dataclass(frozen=True)
class MarketCount:
    """One market's alerts (``code`` empty: alerts about no lot, such as a refused role grant)."""
    code: str
    name: str
    yellow: int
    red: int
    open: int

    @property
    def total(self) -> int:
        return self.yellow + self.red


def _filtered(alerts: QuerySet, *, level: str = "", state: str = "", since: datetime | None = None,
              until: datetime | None = None) -> QuerySet:
    if level:
        alerts = alerts.filter(level=level)
    if state == "unresolved":
        alerts = alerts.filter(state__in=UNRESOLVED)
    elif state:
        alerts = alerts.filter(state=state)
    if since is not None:
        alerts = alerts.filter(raised_at__gte=since)
    if until is not None:
        alerts = alerts.filter(raised_at__lt=until)
    return alerts


def alert_list(*, market: str = "", level: str = "", state: str = "", since: datetime | None = None,
               until: datetime | None = None) -> QuerySet[Alert]:
    """Alerts newest first, with their lot and market; ``state`` may also be ``unresolved`` (open
    or acknowledged); ``since``/``until`` bound when they were raised (``until`` exclusive)."""
    alerts = _filtered(Alert.objects.select_related("lot__project", "market"), level=level, state=state,
                       since=since, until=until)
    return alerts.filter(market_id=market) if market else alerts


def alert_counts(*, level: str = "", state: str = "", since: datetime | None = None,
                 until: datetime | None = None) -> list[MarketCount]:
    """Every market's count of yellow, red and not yet acknowledged alerts under the same filters
    (all markets, so the table compares them), and a row for alerts about no lot when there are any.
    Two queries."""
    alerts = _filtered(Alert.objects.order_by(), level=level, state=state, since=since, until=until)
    per_market = alerts.values("market").annotate(yellow=Count("pk", filter=Q(level=Alert.Level.YELLOW)),
                                                  red=Count("pk", filter=Q(level=Alert.Level.RED)),
                                                  open=Count("pk", filter=Q(state=Alert.State.OPEN)))
    rows = {row["market"]: row for row in per_market}
    counts = [MarketCount(market.code, market.name, *_numbers(rows.get(market.code)))
              for market in Market.objects.all()]
    if None in rows:
        counts.append(MarketCount("", "", *_numbers(rows[None])))
    return counts


def _numbers(row: dict | None) -> tuple[int, int, int]:
    return (row["yellow"], row["red"], row["open"]) if row else (0, 0, 0)


def alert_get(*, alert_id: int) -> Alert | None:
    return Alert.objects.select_related("lot__project", "market").filter(pk=alert_id).first()


def alerts_unresolved() -> QuerySet[Alert]:
    """What the dashboard shows and counts: every alert not yet resolved, red first."""
    return alert_list(state="unresolved").order_by("level", "-raised_at", "-pk")  # "red" < "yellow"


def regulators_to_notify() -> QuerySet[User]:
    """Every active regulator who is not also on the centre's staff (never granted together; a red
    alert is for those who supervise the centre)."""
    return (User.objects.filter(is_active=True, roles__role=Role.REGULATOR)
            .exclude(roles__role=Role.STAFF).distinct().order_by("pk"))
