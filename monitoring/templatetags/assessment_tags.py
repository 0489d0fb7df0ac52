"""Words of the staff assessment's pages: an indicator's name in the reader's language, the labels
of its dimension and source, a supervision rule's label for a step, and an ISO instant of a
breakdown as China time."""
from django import template
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format

from monitoring.assessment.models import Indicator
from monitoring.assessment.selectors import indicator_name
from monitoring.supervision.rules import rule_label
from trading.workdays import CHINA

register = template.Library()

register.filter("indicator_name", indicator_name)
register.filter("step_label", rule_label)


@register.filter
def dimension_label(code: str) -> str:
    return Indicator.Dimension(code).label if code in Indicator.Dimension.values else code


@register.filter
def source_label(code: str) -> str:
    return Indicator.Source(code).label if code in Indicator.Source.values else code


@register.filter
def china_time(text: str) -> str:
    """``2026-10-03T00:00:00+00:00`` as ``2026-10-03 08:00`` (China time)."""
    instant = parse_datetime(text or "")
    if instant is None or instant.tzinfo is None:
        return text or ""
    return date_format(instant.astimezone(CHINA), "Y-m-d H:i")
