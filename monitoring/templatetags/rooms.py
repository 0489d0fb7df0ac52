"""The live part of pages that other apps render: ``{% opening_room_config lot as room %}`` gives the
opening page its room configuration, or None for someone the room would refuse. A template tag, so
that the page (bidding's) and the websocket (monitoring's) ask the same rule without bidding
importing the rooms, which stand above it."""
from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from bidding.sales.models import Auction
from bidding.sealed.models import OpeningSession
from bidding.sealed.services.hall import STEPS, check_in_opens_at
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


def _hall_steps() -> list[list[str]]:
    """The opening hall's steps in their order, each with its name."""
    names = {"check_in": _("Check-in open"), "started": _("Opening started"), "custodians": _("Custodians' keys"),
             "decryption_window": _("Decryption window"), "price_reading": _("Price reading"),
             "record": _("Opening record"), "confirmations": _("Confirmations"), "closed": _("Opening closed")}
    return [[step, names[step]] for step in STEPS]


def _hall_config(lot) -> dict | None:
    """The opening hall's part of the room (docs/rooms.md, "The opening hall"): when check-in opens,
    its steps, and where its actions post; None for a sale's lot, which is not opened in a hall."""
    if lot.is_listing:
        return None
    opens = check_in_opens_at(lot)
    return {
        "check_in_from": opens.isoformat() if opens else None, "steps": _hall_steps(),
        "platform": settings.PLATFORM_ID, "lot": str(lot.pk),
        "check_in_url": reverse("api-hall-check-in", args=[lot.pk]),
        "header_url": reverse("api-hall-header", args=[lot.pk]),
        "release_url": reverse("api-hall-release", args=[lot.pk]),
        "question_url": reverse("api-hall-question", args=[lot.pk]),
        "answer_url": reverse("api-hall-answer", args=[0]).replace("/0/", "/{id}/"),
        "pause_url": reverse("api-hall-pause", args=[lot.pk]),
        "resume_url": reverse("api-hall-resume", args=[lot.pk]),
        "confirm_url": reverse("api-opening-confirm", args=[lot.pk]),
    }


def _hall_labels() -> dict:
    """What the hall's part of the page says as the room's events come (``opening-room.js``) and
    while its bidders and host act (``hall.js``)."""
    return {
        "check_in_opens": _("Check-in opens at %(when)s"), "released": _("%(released)s of %(locked)s decrypted"),
        "no_window": _("No bid carries its bidder's own lock: there is no decryption window."),
        "time_left": _("time left"), "paused_left": _("paused with time left"),
        "extended": _("extended after a platform outage"), "window_closed": _("Decryption window closed"),
        "paused": _("The opening is paused: %(reason)s"),
        "present_later": _("Who is present is told when the opening starts."),
        "nobody": _("Nobody has checked in."), "key_proved": _("key proved"), "decrypted": _("decrypted"),
        "deemed": _("Confirmed by silence"), "signed": _("signed with its bidder key"),
        "question_answer": _("Answer this question"), "send_answer": _("Send the answer"),
        "working": _("Unlocking your key…"), "sending": _("Sending…"), "checked_in": _("Checked in at %(when)s."),
        "released_mine": _("Your bid is unlocked: your part is released."),
        "confirmed_mine": _("Signed and confirmed."), "asked": _("Question sent."),
        "wrong_passphrase": _("The passphrase does not unlock this key file."),
        "not_this_key": _("This key file is not the key registered for this registration."),
        "record_differs": _("The published record is not the one the room announced: nothing was signed."),
        "choose_key_file": _("Choose your key file."), "failed": _("It failed:"),
        "pausing": _("Pausing…"), "resuming": _("Resuming…"),
    }


@register.simple_tag(takes_context=True)
def opening_room_config(context, lot) -> dict | None:
    """The opening page's room configuration, or None for someone the room would refuse. Anyone may
    watch a published lot's opening (as ``public``, signed in or not): the hall's addresses are given
    to all, and only the people the API lets act see the forms that use them."""
    user = context["request"].user
    member = ROOMS["opening"].admit(user=user, key=str(lot.pk))
    if member is None:
        return None
    return {
        "url": f"/ws/rooms/opening/{lot.pk}/", "after": 0, "role": member.role,
        "supervisor": user.is_authenticated and user.has_role(Role.SUPERVISOR),
        "bid_deadline": lot.bid_deadline.isoformat() if lot.bid_deadline else None,
        "record_url": reverse("api-opening-record", args=[lot.pk]),
        "lot_statuses": dict(Lot.Status.choices), "session_statuses": dict(OpeningSession.Status.choices),
        "labels": {
            **_connection_labels(), "closes_in": _("Bidding closes in"), "closed": _("Bidding has closed"),
            "days": _("days"), "opened": _("Opened"), "revoked": _("Failed to decrypt: counts as revoked"),
            "withdrawn": _("Failed to decrypt: counts as withdrawn"), "confirmed": _("Confirmed the record"),
            "objection": _("Objection"), "answer": _("Answer"), "saving": _("Saving…"),
            "saved": _("Saved at"), "none": _("None yet."), "sealed_later": _("told when bidding closes"),
            **_hall_labels(),
        },
        "hall": _hall_config(lot),
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
