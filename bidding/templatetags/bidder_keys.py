"""``{% bidder_key_notice registration %}``: where the registration's bidder key stands, warning clearly
while none is registered or it has not been checked (docs/bidder-keys.md).

A template tag rather than context from the view, for the same reason as ``bidding_objections``:
trading's registration page shows it and trading knows nothing of sealing (DESIGN §9). Renders
nothing for a registration that needs no key (withdrawn or rejected, or a lot without sealed bids).
"""
from django import template

from bidding.sealed.selectors_bidder_keys import bidder_key_needed, bidder_key_state

register = template.Library()


@register.inclusion_tag("bidding/_bidder_key_notice.html")
def bidder_key_notice(registration, here=False):
    """``here``: shown on the key page itself, so without the link to it."""
    if not bidder_key_needed(registration=registration):
        return {"shown": False}
    return {"shown": True, "here": here, "key_state": bidder_key_state(registration=registration)}
