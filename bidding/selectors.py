"""Reads across bidding's parts, for the open data (OCDS): each lot's bids, opening record,
evaluation and award or deal."""
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet

from bidding.evaluation.models import AwardProposal, Candidate, Evaluation
from bidding.sales.models import DealConfirmation
from bidding.sealed.models import Bid, BidCount, OpeningSession
from trading.models import Lot


@dataclass
class LotBidding:
    bid_count: BidCount | None = None
    record_published_at: datetime | None = None
    # Bids in the published opening record, in receipt order, each with ``organisation`` and ``opening``.
    opened: list[Bid] = field(default_factory=list)
    evaluation: Evaluation | None = None  # only once reported
    candidates: dict[int, Candidate] = field(default_factory=dict)  # by bid id
    # Proposals the regulator approved (later withdrawn ones included), in the order of approval,
    # each with ``candidate__organisation`` and, where one was made, ``contract``.
    awards: list[AwardProposal] = field(default_factory=list)
    deal: DealConfirmation | None = None


def lots_bidding_ocds(*, lot_ids: list[int]) -> dict[int, LotBidding]:
    """Every lot of ``lot_ids`` mapped to its ``LotBidding`` (empty where nothing happened)."""
    facts = {lot_id: LotBidding() for lot_id in lot_ids}
    for count in BidCount.objects.filter(lot_id__in=lot_ids):
        facts[count.lot_id].bid_count = count
    published = dict(OpeningSession.objects.filter(lot_id__in=lot_ids, record_published_at__isnull=False)
                     .values_list("lot_id", "record_published_at"))
    for lot_id, at in published.items():
        facts[lot_id].record_published_at = at
    for bid in (Bid.objects.filter(lot_id__in=list(published), opening__isnull=False)
                .select_related("organisation", "opening").order_by("received_at", "pk")):
        facts[bid.lot_id].opened.append(bid)
    for evaluation in Evaluation.objects.filter(lot_id__in=lot_ids, status=Evaluation.Status.REPORTED):
        facts[evaluation.lot_id].evaluation = evaluation
    candidates = Candidate.objects.filter(evaluation__lot_id__in=lot_ids, evaluation__status=Evaluation.Status.REPORTED)
    for candidate in candidates.select_related("evaluation"):
        facts[candidate.evaluation.lot_id].candidates[candidate.bid_id] = candidate
    for proposal in (AwardProposal.objects
                     .filter(lot_id__in=lot_ids, reviewed_at__isnull=False,
                             status__in=[AwardProposal.Status.APPROVED, AwardProposal.Status.WITHDRAWN])
                     .select_related("candidate__organisation", "contract").order_by("reviewed_at", "pk")):
        facts[proposal.lot_id].awards.append(proposal)
    for deal in DealConfirmation.objects.filter(lot_id__in=lot_ids).select_related("organisation"):
        facts[deal.lot_id].deal = deal
    return facts


def lot_ids_told_since(*, since: datetime) -> QuerySet:
    """Ids of lots whose sealed bids were counted or whose opening record was published at or after
    ``since`` (a subquery): the milestones of a lot that are not also status moves."""
    told = Q(bid_count__counted_at__gte=since) | Q(opening_session__record_published_at__gte=since)
    return Lot.objects.filter(told).values("pk")
