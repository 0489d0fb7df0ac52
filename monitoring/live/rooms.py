"""The kinds of live room: who may enter, what a member alone learns, which actions it takes.

A room kind is small; everything else (sequence numbers, catch-up, gaps, fan-out, re-checks) is the
generic consumer's (``monitoring.live.consumers``). The protocol is docs/rooms.md. Every method here runs
in a worker thread (sync ORM) and reads the other apps through their selectors.
"""
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable

from django.utils.translation import gettext_lazy as _

from bidding.sales.selectors import auction_bidder_number, auction_lot_id
from bidding.sealed.selectors import bids_of_organisation
from supervisors.selectors import note_get, supervisor_is_assigned
from supervisors.services import observation_note_save
from supervisors.sessions.services import official_check_in, stop_request_raise
from trading.errors import PlatformError
from trading.models import Role
from trading.selectors import lot_is_public, lot_reference, registration_active

STAFF, OBSERVER, BIDDER = "staff", "observer", "bidder"
# Anyone at all, signed in or not, watching a public session: reads its events, takes no action.
PUBLIC = "public"


@dataclass(frozen=True)
class Member:
    """A person admitted to a room, as what."""
    role: str
    subject: str
    me: dict = field(default_factory=dict)


class RoomError(PlatformError):
    """An action a room refuses; the client gets its code and translated detail."""


class Room(ABC):
    name = ""
    # name -> handler(user, member, key, args) -> result dict; raises PlatformError to refuse.
    actions: dict[str, Callable] = {}

    @abstractmethod
    def subject_of(self, key: str) -> str:
        """The subject whose events the room shows (``key`` is the URL's, already checked by routing)."""

    @abstractmethod
    def admit(self, *, user, key: str, details: bool = True) -> Member | None:
        """The member ``user`` is in this room, or None if they may not enter. Without ``details``
        the member's own details (``me``) are left out: a re-check needs only the answer."""


def _stop_request(user, *, lot_id: int, session, args: dict) -> dict:
    """A seated supervisor's stop request from a room (supervisors.sessions): the service refuses and
    audits anyone else; every member of the lot's rooms sees the request as an event, with its reason."""
    if not isinstance(args.get("reason"), str):
        raise RoomError("stop_reason_required", _("Send the reason for the stop request."))
    stop = stop_request_raise(lot_id=lot_id, session_kind=session, user=user, reason=args["reason"])
    return {"stop_request": stop.pk, "answer_due_at": stop.answer_due_at.isoformat()}


def _check_in(user, *, lot_id: int, session) -> dict:
    """A regulator checks in to a session as the official present (a major session needs one)."""
    check_in = official_check_in(lot_id=lot_id, session_kind=session, user=user)
    return {"check_in": check_in.pk, "at": check_in.at.isoformat()}


class OpeningRoom(Room):
    """The opening hall of one lot (subject ``lot:<id>``): staff run it; regulators and the supervisors
    assigned to the lot watch; the bidders registered for it see the public record and their own bids.
    An opening is public by law (招标投标法 Art 35): anyone else, signed in or not, watches it read-only
    (``PUBLIC``). The lot's events carry public fields only: who bids is on the bid's and the
    registration's own subjects until the opening starts (docs/opening-hall.md)."""
    name = "opening"

    def subject_of(self, key: str) -> str:
        return f"lot:{key}"

    def admit(self, *, user, key: str, details: bool = True) -> Member | None:
        lot = lot_reference(lot_id=int(key))
        if lot is None:
            return None
        subject = self.subject_of(key)
        if not user.is_authenticated:
            return Member(PUBLIC, subject) if lot_is_public(lot_id=lot.pk) else None
        roles = user.role_set
        if Role.STAFF in roles:
            return Member(STAFF, subject)
        if Role.REGULATOR in roles:
            return Member(OBSERVER, subject)
        if Role.SUPERVISOR in roles and supervisor_is_assigned(lot_id=lot.pk, user_id=user.pk):
            if not details:
                return Member(OBSERVER, subject)
            note = note_get(lot_id=lot.pk, user_id=user.pk)
            return Member(OBSERVER, subject, {"note": note.text if note else ""})
        if Role.BIDDER in roles and registration_active(lot=lot, organisation=user.organisation):
            if not details:
                return Member(BIDDER, subject)
            bids = [{"receipt": str(bid.receipt_id), "status": bid.status, "received_at": bid.received_at.isoformat()}
                    for bid in bids_of_organisation(lot_id=lot.pk, organisation_id=user.organisation_id)]
            return Member(BIDDER, subject, {"bids": bids})
        return Member(PUBLIC, subject) if lot_is_public(lot_id=lot.pk) else None

    @staticmethod
    def _note_save(user, member: Member, key: str, args: dict) -> dict:
        if not isinstance(args.get("text"), str):
            raise RoomError("note_text_required", _("Send the note's text."))
        note = observation_note_save(lot_id=int(key), user=user, text=args["text"])
        return {"saved_at": note.updated_at.isoformat()}

    # The session is the opening unless ``args`` name another of the lot's (its evaluation).
    actions = {
        "note.save": _note_save,
        "stop.request": lambda user, member, key, args: _stop_request(
            user, lot_id=int(key), session=args.get("session", "opening"), args=args),
        "official.check_in": lambda user, member, key, args: _check_in(
            user, lot_id=int(key), session=args.get("session", "opening")),
    }


class DashboardRoom(Room):
    """The supervision dashboard (subject ``centre``): live sessions and alerts of the whole centre,
    for staff and regulators."""
    name = "dashboard"

    def subject_of(self, key: str) -> str:
        return "centre"

    def admit(self, *, user, key: str, details: bool = True) -> Member | None:
        if not user.is_authenticated:
            return None
        roles = user.role_set
        if Role.STAFF in roles:
            return Member(STAFF, "centre")
        if Role.REGULATOR in roles:
            return Member(OBSERVER, "centre")
        return None


class AlertsRoom(Room):
    """Electronic supervision's alerts (subject ``alerts``: raised, escalated, acknowledged,
    resolved), shown on the supervision dashboard beside its own room, for staff and regulators."""
    name = "alerts"

    def subject_of(self, key: str) -> str:
        return "alerts"

    def admit(self, *, user, key: str, details: bool = True) -> Member | None:
        member = ROOMS["dashboard"].admit(user=user, key=key, details=details)
        return Member(member.role, "alerts") if member else None


class AuctionRoom(Room):
    """A live auction (subject ``auction:<id>``): staff run it; regulators and the supervisors assigned
    to its lot watch; its bidders bid (through the API) and learn their own number. A public sale is
    watched by anyone (网上公开竞价), signed in or not, as the public reads an opening's record: its
    events name bidders by number only, never a name."""
    name = "auction"

    def subject_of(self, key: str) -> str:
        return f"auction:{key}"

    def admit(self, *, user, key: str, details: bool = True) -> Member | None:
        lot_id = auction_lot_id(auction_id=int(key))
        if lot_id is None:
            return None
        subject = self.subject_of(key)
        if not user.is_authenticated:
            return Member(PUBLIC, subject)
        roles = user.role_set
        if Role.STAFF in roles:
            return Member(STAFF, subject)
        if Role.REGULATOR in roles or (Role.SUPERVISOR in roles
                                       and supervisor_is_assigned(lot_id=lot_id, user_id=user.pk)):
            return Member(OBSERVER, subject)
        number = (auction_bidder_number(auction_id=int(key), organisation_id=user.organisation_id)
                  if Role.BIDDER in roles else None)
        return Member(BIDDER, subject, {"number": number}) if number is not None else Member(PUBLIC, subject)

    actions = {
        "stop.request": lambda user, member, key, args: _stop_request(
            user, lot_id=auction_lot_id(auction_id=int(key)), session="auction", args=args),
        "official.check_in": lambda user, member, key, args: _check_in(
            user, lot_id=auction_lot_id(auction_id=int(key)), session="auction"),
    }


ROOMS: dict[str, Room] = {room.name: room for room in (OpeningRoom(), DashboardRoom(), AlertsRoom(), AuctionRoom())}
