"""``{% load event_words %}``: ``{{ entry.kind|event_kind }}``, ``{{ alert.acknowledged_by|actor_name }}`` and
``{% event_description entry.kind entry.data %}``: recorded events in words (``monitoring.event_words``)."""
from django import template

from monitoring import event_words

register = template.Library()
register.filter("event_kind", event_words.kind_label)
register.filter("actor_name", event_words.actor_name)
register.filter("subject_name", event_words.subject_name)


@register.simple_tag
def event_description(kind, data=None) -> str:
    return event_words.event_description(kind, data)
