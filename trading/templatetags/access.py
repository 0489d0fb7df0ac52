"""``{% if user|may_open:"registration-lot" %}``: a link to a role-gated page is shown only to whom
its view admits (trading.permissions.PAGE_ROLES), so no page links to a 403."""
from django import template

from trading.permissions import may_open as _may_open

register = template.Library()


@register.filter
def may_open(user, page: str) -> bool:
    return _may_open(user, page)
