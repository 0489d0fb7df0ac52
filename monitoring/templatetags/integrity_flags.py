"""The red flags of a lot on its regulator page: ``{% load integrity_flags %}{% lot_flags lot %}``.

A tag of monitoring's, so that the supervisors' regulator page (``supervisors.regulation``) shows
what monitoring's integrity part found without importing it. It shows nothing to anyone who may
not read flags (the page itself is a regulator's)."""
from django import template

from monitoring.integrity.flags import AWARD, OPENING
from monitoring.integrity.selectors_flags import flags_visible_to, lot_flags as lot_flags_read
from monitoring.integrity.words_flags import flag_words

register = template.Library()


@register.inclusion_tag("monitoring/integrity/flags_lot.html", takes_context=True)
def lot_flags(context, lot) -> dict:
    request = context.get("request")
    if request is None or not flags_visible_to(request.user):
        return {"shown": False}
    checks, flags = lot_flags_read(lot_id=lot.pk)
    done = {check.stage: check for check in checks}
    return {"shown": True, "lot": lot, "opening": done.get(OPENING), "award": done.get(AWARD),
            "flags": [(flag, flag_words(flag)) for flag in flags]}
