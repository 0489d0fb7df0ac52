"""``{% load availability %}``: ``{{ outage.duration|duration_text }}`` — "1 h 20 min" in English,
"1小时20分钟" in Chinese; under a minute counts as one (an outage is never "0 min")."""
from datetime import timedelta

from django import template
from django.utils.translation import get_language, ngettext

register = template.Library()


@register.filter
def duration_text(value: timedelta | None) -> str:
    if value is None:
        return ""
    minutes = max(1, -(-int(value.total_seconds()) // 60))
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = []
    if days:
        parts.append(ngettext("%(n)s day", "%(n)s days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)s h", "%(n)s h", hours) % {"n": hours})
    if minutes:
        parts.append(ngettext("%(n)s min", "%(n)s min", minutes) % {"n": minutes})
    return ("" if (get_language() or "").startswith("zh") else " ").join(parts)
