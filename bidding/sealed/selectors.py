"""Reads of sealed bidding: a bidder's own bids and receipts, the openings under way."""
from django.conf import settings
from django.db.models import QuerySet

from bidding.crypto import receipts
from bidding.sealed.models import (
    Bid,
    CustodianKey,
    HallCheckIn,
    KeyShare,
    OpeningResponse,
    OpeningSession,
    SharePresentation,
)
from trading import clock, signing
from trading.models import Lot


def bids_of_organisation(*, lot_id: int, organisation_id: int | None) -> QuerySet[Bid]:
    """One bidder's own bids on a lot, replaced and withdrawn ones included, oldest first."""
    return Bid.objects.filter(lot_id=lot_id, organisation_id=organisation_id).order_by("received_at", "pk")


def bid_of_organisation(*, lot_id: int, bid_id: int, organisation_id: int | None) -> Bid | None:
    """One of an organisation's own bids on a lot (any status), with its lot and organisation; None
    for another organisation's bid exactly as for one that does not exist."""
    if organisation_id is None:
        return None
    return (Bid.objects.select_related("lot__project", "organisation")
            .filter(pk=bid_id, lot_id=lot_id, organisation_id=organisation_id).first())


def bid_receipt_valid(*, bid: Bid) -> bool:
    """Whether the bid's stored receipt file verifies with the platform's public key (what
    ``python -m bidding.verify receipt`` checks) and names this bid's lot, bidder and envelope."""
    try:
        fields = receipts.receipt_verify(bid.receipt, signing.public_key())
    except receipts.SignatureError:
        return False
    return (fields["platform"], fields["lot"], fields["bidder"], fields["envelope_sha256"], fields["receipt"]) == (
        settings.PLATFORM_ID, str(bid.lot_id), bid.organisation.uscc, bid.envelope_sha256, str(bid.receipt_id))


def opening_sessions_live() -> QuerySet[OpeningSession]:
    """Openings under way (not closed), with their lot and project, the earliest started first."""
    return (OpeningSession.objects.exclude(status=OpeningSession.Status.CLOSED)
            .select_related("lot__project").order_by("started_at", "pk"))


def bid_list_own(*, organisation_id: int | None) -> QuerySet[Bid]:
    """Every bid of an organisation on every lot (replaced and withdrawn ones too: each has its
    receipt), with its lot, the lot's opening session (``lot.opening_session`` raises where there is
    none) and the organisation, the newest first."""
    if organisation_id is None:
        return Bid.objects.none()
    return (Bid.objects.filter(organisation_id=organisation_id)
            .select_related("lot__project", "lot__opening_session", "organisation").order_by("-received_at", "-pk"))


def opening_objections_own(*, organisation_id: int | None) -> QuerySet[OpeningResponse]:
    """An organisation's objections to opening records, with the lot and any answer, the newest first."""
    if organisation_id is None:
        return OpeningResponse.objects.none()
    return (OpeningResponse.objects.filter(organisation_id=organisation_id, kind=OpeningResponse.Kind.OBJECTION)
            .select_related("session__lot__project").order_by("-at", "-pk"))


# A custodian's share counts until the lot's opening (or a sale's reveal of its reserve) has used it.
SHARE_PENDING_STATUSES = (Lot.Status.PUBLISHED, Lot.Status.BIDDING, Lot.Status.CLOSED, Lot.Status.OPENING,
                          Lot.Status.LISTING, Lot.Status.AUCTION, Lot.Status.SUSPENDED)


def shares_pending(*, custodian_id: int) -> QuerySet[KeyShare]:
    """The key shares a custodian holds for lots not yet opened, with the lot and its opening session
    (None before the opening starts; ``lot.opening_session`` raises then), the earliest deadline first."""
    return (KeyShare.objects.filter(custodian_id=custodian_id, opening_key__lot__status__in=SHARE_PENDING_STATUSES)
            .select_related("opening_key__lot__project", "opening_key__lot__opening_session")
            .order_by("opening_key__lot__bid_deadline", "pk"))


def sessions_presented(*, custodian_id: int) -> set[int]:
    """Ids of the opening sessions at which a custodian has presented their share."""
    return set(SharePresentation.objects.filter(custodian_id=custodian_id).values_list("session_id", flat=True))


def custodian_key_exists(*, user_id: int) -> bool:
    return CustodianKey.objects.filter(user_id=user_id).exists()


def hall_present(*, lot: Lot) -> list[dict]:
    """The bidders checked in to the lot's hall, in check-in order: who is present at its opening."""
    return [{"bidder": c.registration.organisation.uscc, "organisation": c.registration.organisation.name,
             "key_proved": bool(c.key_fingerprint)}
            for c in HallCheckIn.objects.filter(lot=lot).select_related("registration__organisation")
            .order_by("at", "pk")]


def hall_step(*, session: OpeningSession | None, check_in_from) -> str:
    """Where the hall is (docs/opening-hall.md, "Steps"), from the session's state."""
    if session is None:
        return "check_in" if check_in_from is not None and clock.now() >= check_in_from else "before"
    if session.status == OpeningSession.Status.COLLECTING_SHARES:
        return "custodians"
    if session.status == OpeningSession.Status.DECRYPTION_WINDOW:
        return "decryption_window"
    if session.status == OpeningSession.Status.DECRYPTING:
        return "price_reading"
    if session.status == OpeningSession.Status.RECORD_PUBLISHED:
        return "confirmations"
    return "closed"


def hall_state(*, lot: Lot, check_in_from, organisation_id: int | None = None) -> dict:
    """What anyone sees of the lot's hall (public fields only), and, for ``organisation_id``, its own
    check-in and locked bid. Before the opening starts, nobody's check-in but one's own is told."""
    session = OpeningSession.objects.filter(lot=lot).first()
    state = {
        "lot": lot.pk, "step": hall_step(session=session, check_in_from=check_in_from),
        "check_in_from": check_in_from, "status": session.status if session else None,
        "paused": bool(session and session.paused_at), "window_until": session.window_until if session else None,
        "responses_until": session.responses_until if session else None,
        "present": hall_present(lot=lot) if session else [],
        "released": session.releases.count() if session else 0,
        "locked": (Bid.objects.filter(lot=lot, envelope_version=2).exclude(
            status__in=[Bid.Status.REPLACED, Bid.Status.WITHDRAWN]).count() if session else 0),
        "questions": ([{"id": q.pk, "bidder": q.organisation.uscc, "organisation": q.organisation.name, "text": q.text,
                        "at": q.at, "answer": q.answer, "answered_at": q.answered_at}
                       for q in session.questions.select_related("organisation")] if session else []),
        "pauses": ([{"paused_at": p.paused_at, "reason": p.reason, "resumed_at": p.resumed_at}
                    for p in session.pauses.all()] if session else []),
        "me": None,
    }
    if organisation_id is not None:
        check_in = HallCheckIn.objects.filter(lot=lot, registration__organisation_id=organisation_id).first()
        bid = Bid.objects.filter(lot=lot, organisation_id=organisation_id, status=Bid.Status.SEALED).first()
        state["me"] = {
            "checked_in_at": check_in.at if check_in else None,
            "bid_receipt": str(bid.receipt_id) if bid else None,
            "locks": bid.envelope_version if bid else None,
            "released": bool(bid and session and session.releases.filter(bid=bid).exists()),
        }
    return state
