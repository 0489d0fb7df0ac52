"""Reads of sealed bidding: a bidder's own bids and receipts, the openings under way."""
from django.conf import settings
from django.db.models import QuerySet

from bidding.crypto import receipts
from bidding.sealed.models import Bid, OpeningSession
from trading import signing


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
