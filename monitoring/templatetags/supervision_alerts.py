"""The supervision dashboard's alerts panel: ``{% alerts_live as live %}`` gives the unresolved
alerts, their counts per market and level, and the configuration of the ``alerts`` room that keeps
them current. A template tag at the app's level, so that the dashboard (``monitoring.live``) and
electronic supervision (``monitoring.supervision``), independent parts, meet only in the page."""
from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from monitoring.selectors import subject_head
from monitoring.supervision.models import Alert
from monitoring.supervision.rules import RULES, rule_label
from monitoring.supervision.selectors import alerts_unresolved
from trading.models import Market

register = template.Library()


@register.simple_tag
def alerts_live() -> dict:
    # The head first, then the list: whatever commits in between is in the list and is replayed
    # after ``head`` too, which the page applies idempotently (docs/rooms.md).
    head = subject_head("alerts")
    alerts = list(alerts_unresolved())
    markets = {market.code: market.name for market in Market.objects.all()}
    markets[""] = _("Not about a lot")
    counts = {code: {"name": name, "yellow": 0, "red": 0, "open": 0} for code, name in markets.items()}
    for alert in alerts:
        alert.label = rule_label(alert.rule)
        row = counts[alert.market_id or ""]
        row[str(alert.level)] += 1
        row["open"] += alert.state == Alert.State.OPEN
    return {
        "alerts": alerts,
        "counts": [{"code": code, **row} for code, row in counts.items()],
        "config": {
            "url": "/ws/rooms/alerts/", "after": head,
            "alert_url": reverse("supervision-alert", args=[0]).replace("/0/", "/{id}/"),
            "rules": {rule_id: str(rule.label) for rule_id, rule in RULES.items()},
            "levels": dict(Alert.Level.choices), "states": dict(Alert.State.choices), "markets": markets,
            "labels": {"connecting": _("Connecting…"), "connected": _("Connected: live"),
                       "reconnecting": _("Connection lost: reconnecting…"), "refused": _("Access refused"),
                       "lost": _("Access lost"), "none": _("None.")},
        },
    }
