"""Reads of the bidding app."""
from django.conf import settings
from django.db.models import Prefetch, QuerySet

from bidding.crypto import receipts
from bidding.models import (Auction, AuctionBidder, AwardProposal, Bid, DealConfirmation, Evaluation, Listing,
                            ListingBidder, Notice, OpeningSession, PanelMember, ScoreSheet, SealedReserve)
from monitoring.events import actors_of
from trading import signing
from trading.models import Lot, LotStatusChange, Role


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


def auction_lot_id(*, auction_id: int) -> int | None:
    return Auction.objects.filter(pk=auction_id).values_list("lot_id", flat=True).first()


def auction_bidder_number(*, auction_id: int, organisation_id: int | None) -> int | None:
    """The number an organisation bids under in an auction, or None if it is not one of its bidders."""
    if organisation_id is None:
        return None
    return (AuctionBidder.objects.filter(auction_id=auction_id, organisation_id=organisation_id)
            .values_list("number", flat=True).first())


# The latest bids or quotes shown with an auction or a listing: a hot one's readers poll it, and the
# whole ladder grows with every bid (the room's events carry every one).
LADDER = 50


def auction_state(*, auction_id: int) -> Auction | None:
    """The auction with its latest bids (``ladder``, by number only; never the reserve)."""
    auction = Auction.objects.filter(pk=auction_id).first()
    if auction is not None:
        auction.ladder = list(auction.bids.select_related("bidder").order_by("-position")[:LADDER])[::-1]
    return auction



def listing_state(*, lot_id: int) -> Listing | None:
    """The listing with what the public may see of it: the latest quotes (by number), whether a
    reserve is sealed, the reserve once revealed, the auction it went to."""
    listing = Listing.objects.select_related("lot").filter(lot_id=lot_id).first()
    if listing is None:
        return None
    listing.ladder = list(listing.quotes.select_related("bidder").order_by("-position")[:LADDER])[::-1]
    reserve = SealedReserve.objects.filter(lot_id=lot_id).first()
    listing.reserve_sealed = reserve is not None
    listing.reserve = reserve.revealed_price if reserve else None
    listing.auction = Auction.objects.filter(lot_id=lot_id).values_list("pk", flat=True).first()
    return listing


def listing_bidder_number(*, lot_id: int, organisation_id: int | None) -> tuple[int | None, bool]:
    """The organisation's number in the lot's listing (None before its first act) and whether it
    said it would continue to an auction."""
    row = (ListingBidder.objects.filter(listing__lot_id=lot_id, organisation_id=organisation_id)
           .values_list("number", "continues_at").first()) if organisation_id else None
    return (row[0], row[1] is not None) if row else (None, False)


def deal_of_lot(*, lot_id: int) -> DealConfirmation | None:
    return DealConfirmation.objects.select_related("organisation", "lot").filter(lot_id=lot_id).first()


def evaluation_of_lot(*, lot_id: int) -> Evaluation | None:
    """With its members, their draws and sheets, for the pages and the API that list them all."""
    members = PanelMember.objects.select_related("user", "draw__specialty", "sheet").order_by("pk")
    return (Evaluation.objects.filter(lot_id=lot_id).select_related("lot__project__market")
            .prefetch_related(Prefetch("members", queryset=members)).first())


def member_seats(*, user) -> QuerySet[PanelMember]:
    """A person's seats on panels, newest first (their own page lists them)."""
    return (PanelMember.objects.filter(user=user).select_related("evaluation__lot__project")
            .order_by("-evaluation__created_at", "-pk"))


def seat_of(*, evaluation: Evaluation, user) -> PanelMember | None:
    return evaluation.members.filter(user=user).first() if user.is_authenticated else None


def evaluation_readable_by(*, evaluation: Evaluation, user) -> bool:
    """Staff, regulators and the panel's members see who sits on it and how far it is."""
    return user.is_authenticated and (user.has_role(Role.STAFF) or user.has_role(Role.REGULATOR)
                                      or evaluation.members.filter(user=user).exists())


def sheet_of(*, evaluation: Evaluation, user) -> ScoreSheet | None:
    """A member's own sheet. Nobody reads another's before the report, where all of them are signed."""
    return ScoreSheet.objects.filter(member__evaluation=evaluation, member__user=user).first()


def proposals_under_review() -> QuerySet[AwardProposal]:
    """The regulator's queue, oldest first."""
    return (AwardProposal.objects.filter(status=AwardProposal.Status.UNDER_REVIEW)
            .select_related("lot__project__market", "candidate__organisation").order_by("proposed_at", "pk"))


def notices_of(*, lot_id: int, organisation_id: int | None) -> QuerySet[Notice]:
    return Notice.objects.filter(proposal__lot_id=lot_id, organisation_id=organisation_id).order_by("-issued_at")


def lot_result_public(*, lot: Lot) -> dict | None:
    """What the public may know of a tender lot's result: the candidates from their publicity on,
    the winner once the award is approved, and then the panel's names (hidden from bidders until the
    result). None before the candidates are published (``Lot.result_public``, or an award once
    proposed) and for sales, whose result is their deal (``deal_of_lot``). A lot that has moved on
    without a reported evaluation shows what it has."""
    proposed = AwardProposal.objects.filter(lot=lot)
    if lot.market.sells or not (lot.result_public or proposed.exists()):
        return None
    result = {"method": "", "reported_at": None, "publicity_end": lot.publicity_end, "candidates": [],
              "award": None, "panel": []}
    evaluation = Evaluation.objects.filter(lot=lot, status=Evaluation.Status.REPORTED).first()
    result["award"] = (proposed.filter(status=AwardProposal.Status.APPROVED)
                       .select_related("candidate__organisation", "contract").first())
    if evaluation is not None:
        result.update(method=evaluation.method, reported_at=evaluation.reported_at,
                      candidates=list(evaluation.candidates.select_related("organisation").order_by("rank")))
        if result["award"] is not None:
            result["panel"] = [str(member.user) for member in
                               evaluation.members.filter(status=PanelMember.Status.SEATED).select_related("user")]
    return result


def award_duties(*, lot_id: int, actor: str) -> list[str]:
    """The parts ``actor`` took in preparing a lot's award, in the order of the procedure; a reviewer
    of the award must have none (DESIGN §7, 管办分离).

    "Prepared the lot" is read from what the platform keeps of who did what, nothing inferred:
    ``created_lot`` (the ``lot.created`` event: no row keeps the author), ``submitted_lot`` (a
    ``submit_for_review`` status change), ``set_up_evaluation`` (``Evaluation.created_by``),
    ``concluded_evaluation`` (the ``evaluation.reported`` event, which signed the report),
    ``published_candidates`` (the ``publicise_candidates`` status change) and ``proposed`` (any award
    proposal on the lot, a returned or withdrawn one too). Publishing the lot, drawing the panel and
    answering objections are checks or routine steps of the centre, not authorship of the result, and
    do not count; neither do timed moves (``system`` actors).
    """
    subject = f"lot:{lot_id}"
    moves = set(LotStatusChange.objects.filter(lot_id=lot_id, actor=actor).values_list("transition", flat=True))
    duties = [
        ("created_lot", actor in actors_of(subject=subject, kinds=["lot.created"])),
        ("submitted_lot", "submit_for_review" in moves),
        ("set_up_evaluation", Evaluation.objects.filter(lot_id=lot_id, created_by=actor).exists()),
        ("concluded_evaluation", actor in actors_of(subject=subject, kinds=["evaluation.reported"])),
        ("published_candidates", "publicise_candidates" in moves),
        ("proposed", AwardProposal.objects.filter(lot_id=lot_id, proposed_by=actor).exists()),
    ]
    return [duty for duty, taken in duties if taken]
