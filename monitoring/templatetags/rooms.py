"""The live part of pages that other apps render: ``{% opening_room_config lot as room %}`` gives the
opening page its room configuration, or None for someone the room would refuse. A template tag, so
that the page (bidding's) and the websocket (monitoring's) ask the same rule without bidding
importing the rooms, which stand above it."""
from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from bidding.sales.models import Auction
from bidding.sealed.models import OpeningSession
from monitoring.event_words import room_words
from monitoring.live.rooms import ROOMS
from trading.models import Lot, Role

register = template.Library()


# A lot's room carries everything recorded on the lot: its own steps, its opening, its sale and
# the supervisors' and officials' steps at its sessions.
LOT_AREAS = ("project", "lot", "announcement", "document", "enquiry", "objection", "opening", "listing",
             "auction", "sale", "supervision", "session", "evaluation", "candidates", "award")


def _connection_labels() -> dict:
    """What every room page says of its connection (``room.js`` states)."""
    return {"connecting": _("Connecting…"), "connected": _("Connected: live"),
            "reconnecting": _("Connection lost: reconnecting…"), "refused": _("Access refused"),
            "lost": _("Access lost")}


@register.simple_tag(takes_context=True)
def opening_room_config(context, lot) -> dict | None:
    user = context["request"].user
    member = ROOMS["opening"].admit(user=user, key=str(lot.pk))
    if member is None:
        return None
    return {
        "url": f"/ws/rooms/opening/{lot.pk}/", "after": 0, "role": member.role,
        "supervisor": user.has_role(Role.SUPERVISOR),
        "bid_deadline": lot.bid_deadline.isoformat() if lot.bid_deadline else None,
        "record_url": reverse("api-opening-record", args=[lot.pk]),
        "lot_statuses": dict(Lot.Status.choices), "session_statuses": dict(OpeningSession.Status.choices),
        "labels": {
            **_connection_labels(), "closes_in": _("Bidding closes in"), "closed": _("Bidding has closed"),
            "days": _("days"), "opened": _("Opened"), "revoked": _("Failed to decrypt: counts as revoked"),
            "withdrawn": _("Failed to decrypt: counts as withdrawn"), "confirmed": _("Confirmed the record"),
            "objection": _("Objection"), "answer": _("Answer"), "saving": _("Saving…"),
            "saved": _("Saved at"), "none": _("None yet."), "sealed_later": _("told when bidding closes"),
        },
        **room_words(*LOT_AREAS),
    }


@register.simple_tag(takes_context=True)
def auction_room_config(context, auction) -> dict | None:
    """The auction page's room configuration, or None for someone the auction room would refuse."""
    member = ROOMS["auction"].admit(user=context["request"].user, key=str(auction.pk))
    if member is None:
        return None
    return {
        "url": f"/ws/rooms/auction/{auction.pk}/", "after": 0, "role": member.role,
        "bid_url": reverse("api-auction-bid", args=[auction.pk]),
        "accept_url": reverse("api-auction-accept", args=[auction.pk]),
        "deal_url": reverse("deal-confirmation-pdf", args=[auction.lot_id]),
        "method": auction.method,
        # A descending auction's price is a function of the server's time; the page steps it the same way.
        "descending": {"starts_at": auction.starts_at.isoformat(), "starting_price": str(auction.starting_price),
                       "floor_price": str(auction.floor_price), "decrement": str(auction.decrement),
                       "step_seconds": auction.step_seconds} if auction.is_descending else None,
        "statuses": dict(Auction.Status.choices), "outcomes": dict(Auction.Outcome.choices),
        "labels": {
            **_connection_labels(), "ends_in": _("Ends in"), "no_bid": _("No bid yet"),
            "accepted": _("Accepted"), "you": _("you"), "bidder": _("Bidder No. %(n)s"),
            "deal": _("Deal confirmation (PDF)"), "awaiting_reserve": _("awaiting the reserve's reveal"),
        },
        **room_words("auction", "sale", "supervision", "session"),
    }


@register.simple_tag(takes_context=True)
def listing_room_config(context, lot) -> dict | None:
    """The listing page follows the lot's room (quotes, the close, the reserve's reveal, the result);
    None for someone that room would refuse (they read the page as it was rendered)."""
    member = ROOMS["opening"].admit(user=context["request"].user, key=str(lot.pk))
    if member is None:
        return None
    return {
        "url": f"/ws/rooms/opening/{lot.pk}/", "after": 0, "role": member.role,
        "labels": {
            **_connection_labels(), "bidder": _("Bidder No. %(n)s"),
        },
        **room_words(*LOT_AREAS),
    }
