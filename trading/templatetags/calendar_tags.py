"""Marking dates that fall in a year whose working-day calendar staff have not confirmed yet."""
from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from trading.workdays import calendar_current, local_day

register = template.Library()


@register.simple_tag
def provisional(moment):
    """A "provisional" mark after a deadline whose (China) year is unconfirmed; nothing otherwise."""
    if moment is None:
        return ""
    day = local_day(moment)
    if not calendar_current().unconfirmed_years(day, day):
        return ""
    return format_html(
        ' <span class="provisional" title="{}">{}</span>',
        _("The working-day calendar of this year is not confirmed yet: the date may change."),
        _("provisional"),
    )
