"""``{% load people %}``: ``{{ row.updated_by|actor_name }}``, who an actor string of the record is,
in words (a person's name, "the platform"), never ``user:2``."""
from django import template

from trading.accounts.selectors import actor_name

register = template.Library()
register.filter("actor_name", actor_name)
