"""The live part of pages that other apps render: ``{% opening_room_config lot as room %}`` gives the
opening page its room configuration, or None for someone the room would refuse. A template tag, so
that the page (bidding's) and the websocket (monitoring's) ask the same rule without bidding
importing the rooms, which stand above it."""
from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from bidding.sales.models import Auction
from bidding.sealed.models import OpeningSession
from monitoring.live.rooms import ROOMS
from trading.models import Lot, Role

register = template.Library()


def _supervision_kinds() -> dict:
    """What a session's room calls the supervisors' and officials' steps (supervisors.sessions)."""
    return {"supervision.stop_requested": _("Stop request by a social supervisor"),
            "supervision.stop_answered": _("Stop request answered"),
            "supervision.objection_recorded": _("Objection by a social supervisor"),
            "supervision.official_checked_in": _("Official present")}


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
        "kinds": {
            "lot.created": _("Lot created"), "lot.updated": _("Lot updated"),
            "lot.opening_key_made": _("Opening key made"), "lot.status_changed": _("Status changed"),
            "lot.amended": _("Amendment"), "lot.bids_counted": _("Sealed bids counted"),
            "opening.share_presented": _("Key share presented"), "opening.bid_opened": _("Bid opened"),
            "opening.record_published": _("Record published"), "opening.confirmed": _("Record confirmed"),
            "opening.objection": _("Objection"), "opening.objection_answered": _("Objection answered"),
            "opening.closed": _("Opening closed"), "announcement.published": _("Announcement published"),
            "announcement.corrected": _("Announcement corrected"), "document.uploaded": _("Document uploaded"),
            "enquiry.answered": _("Question answered"), "lot.retendered": _("Tendered again"),
            **_supervision_kinds(),
        },
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
        "kinds": {
            "auction.scheduled": _("Auction scheduled"), "auction.opened": _("Free bidding opened"),
            "auction.countdown_started": _("Countdown started"), "auction.bid_accepted": _("Bid accepted"),
            "auction.ended": _("Auction ended"), "sale.deal_confirmed": _("Deal confirmed"),
            "sale.unsold": _("Unsold"),
            **_supervision_kinds(),
        },
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
        "kinds": {
            "listing.terms_set": _("Listing terms set"), "listing.quote_accepted": _("Quote accepted"),
            "listing.reserve_sealed": _("Reserve sealed"), "listing.closed": _("Listing closed"),
            "opening.reserve_reveal_started": _("Reserve reveal started"),
            "opening.share_presented": _("Key share presented"), "opening.reserve_revealed": _("Reserve revealed"),
            "lot.status_changed": _("Status changed"), "sale.deal_confirmed": _("Deal confirmed"),
            "sale.unsold": _("Unsold"),
        },
    }
