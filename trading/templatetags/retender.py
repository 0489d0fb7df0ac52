"""``{% lot_related lot as related %}``: the lots a lot is linked with by re-tendering, for
``trading/_related_lots.html`` and the staff lot page."""
from django import template

from trading.selectors_retender import lot_related as _lot_related

register = template.Library()


@register.simple_tag
def lot_related(lot):
    return _lot_related(lot=lot)
