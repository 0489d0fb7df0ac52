"""Officials at major sessions (重大项目现场监督): a lot whose estimate (a tender's budget ceiling, a
sale's listing price — the sealed reserve is secret until the session) reaches its market's
MAJOR_SESSION threshold has major sessions, and a major opening starts only once an official has
checked in to its room; the opening's start event names them.

The official is a regulator: the centre's management runs the session it would be watching, and
separation of duties (管办分离) keeps the watching with the regulator. A check-in is an
``OfficialCheckIn`` row and an event of the lot (and of its auction), in its room.

``opening_official_guard`` is registered with ``bidding.sealed.services.opening`` when the app is
ready (``supervisors.apps``), since bidding cannot import supervisors, and
``evaluation_official_guard`` with the evaluation's set-up (``evaluation_create``) and
``auction_official_guard`` with the live auction's opening by the clock's sweep
(``bidding.sales.services.auctions``): a major auction is held at its start (``auction.start_held``)
until an official checks in, then opens with every phase moved on by the delay."""
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bidding.errors import BiddingError
from monitoring.events import actor_of
from supervisors.registry.models import SessionKind
from supervisors.sessions.errors import SessionError
from supervisors.sessions.errors import SessionErrorCode as Code
from supervisors.sessions.models import OfficialCheckIn
from supervisors.sessions.rules import WAN
from supervisors.sessions.selectors import major_threshold, officials_checked_in
from supervisors.sessions.services.rights import refusals_audited, session_check, session_record
from supervisors.services import ENDED_STATUSES
from trading import clock
from trading.models import Lot, Role
from trading.services.moves import lot_lock


def official_check_in(*, lot_id: int, session_kind: str, user) -> OfficialCheckIn:
    """A regulator checks in to a session's room, once per session; the room shows who."""
    session_kind = session_check(session_kind)
    with refusals_audited(action="official_check_in", user=user, lot_id=lot_id, session_kind=session_kind), \
            transaction.atomic():
        if user is None or not user.is_authenticated or not user.has_role(Role.REGULATOR):
            raise SessionError(Code.NOT_REGULATOR, _("Only a regulator checks in as the official present."),
                               status=403)
        lot = lot_lock(lot_id)
        if not lot.is_public or lot.status in ENDED_STATUSES:
            raise SessionError(Code.SESSION_NOT_LIVE, _("The lot has no session to attend (it is %(status)s).")
                               % {"status": lot.get_status_display().lower()}, status=409)
        if OfficialCheckIn.objects.filter(lot=lot, session_kind=session_kind, official=user).exists():
            raise SessionError(Code.ALREADY_CHECKED_IN, _("You have checked in to this session already."), status=409)
        try:
            with transaction.atomic():
                check_in = OfficialCheckIn.objects.create(lot=lot, session_kind=session_kind, official=user,
                                                          at=clock.now())
        except IntegrityError:
            raise SessionError(Code.ALREADY_CHECKED_IN, _("You have checked in to this session already."),
                               status=409) from None
        session_record(lot=lot, session_kind=session_kind, kind="supervision.official_checked_in",
                        actor=actor_of(user), data={"check_in": check_in.pk, "session": session_kind,
                                                    "official": str(user)})
    return check_in


def official_guard(*, lot: Lot, session_kind: str) -> dict:
    """A session's start guard: a major lot's session is refused (``official_absent``) until an
    official has checked in to it; the officials present go into the start event's data. Caller
    (the session's start) holds the lot's lock."""
    threshold = major_threshold(lot=lot)
    if threshold is None or lot.estimate < threshold:
        return {}
    officials = [check_in.official for check_in in officials_checked_in(lot_id=lot.pk, session_kind=session_kind)]
    if not officials:
        raise BiddingError("official_absent", _("This is a major session (an estimate of %(wan)s × 10,000 yuan or "
                                                "more): the %(session)s starts only once an official (a regulator) "
                                                "has checked in to it.")
                           % {"wan": threshold / WAN, "session": SessionKind(session_kind).label.lower()}, status=409)
    return {"major": True, "officials": [{"id": person.pk, "name": str(person)} for person in officials]}


def opening_official_guard(*, lot: Lot) -> dict:
    return official_guard(lot=lot, session_kind=SessionKind.OPENING)


def evaluation_official_guard(*, lot: Lot) -> dict:
    return official_guard(lot=lot, session_kind=SessionKind.EVALUATION)


def auction_official_guard(*, lot: Lot) -> dict:
    return official_guard(lot=lot, session_kind=SessionKind.AUCTION)
