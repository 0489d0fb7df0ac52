"""``{% load money %}``: ``{{ amount|yuan }}``, ``{{ amount|wan_yuan }}``, ``{{ amount|yi_yuan }}`` and
``{{ amount|yuan_capitals }}``, the formats of ``trading.money`` (importable from here too)."""
from django import template

from trading.money import wan_yuan, yi_yuan, yuan, yuan_capitals

register = template.Library()
register.filter("yuan", yuan)
register.filter("wan_yuan", wan_yuan)
register.filter("yuan_capitals", yuan_capitals)
register.filter("yi_yuan", yi_yuan)
