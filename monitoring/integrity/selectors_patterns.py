"""Reads of the patterns across lots: the platform's whole history as the analysis' rows, and the
runs and findings for the regulators' pages and the API.

``history_read`` reads finished lots only (awarded, contracted, failed, terminated): a lot still in
evaluation has no winner yet, and counting its bids as lost would make everyone look like a cover
bidder. Eight queries whatever the size of the history (``values_list``, nothing per lot); each
reads committed rows of its own moment, and a lot that finished between two of them is in none of
the joins but the first, so it is simply left for the next night.
"""
from collections import defaultdict

from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from bidding.evaluation.models import AwardProposal
from bidding.sales.models import AuctionBidder, DealConfirmation, ListingBidder
from bidding.sealed.models import Bid, BidCount, BidOpening
from monitoring.integrity.models import Finding, PatternRun
from monitoring.integrity.patterns import BidRow, LotRow
from trading.models import Lot, Organisation

FINISHED = (Lot.Status.AWARDED, Lot.Status.CONTRACTED, Lot.Status.FAILED, Lot.Status.TERMINATED)
# Bids that were in the lot when bidding closed (a replaced or withdrawn envelope was not).
_LIVE = (Bid.Status.SEALED, Bid.Status.OPENED, Bid.Status.VALID, Bid.Status.REJECTED,
         Bid.Status.DECRYPT_FAILED_REVOKED, Bid.Status.DECRYPT_FAILED_WITHDRAWN)
_VALID = (Bid.Status.OPENED, Bid.Status.VALID)


def history_read() -> list[LotRow]:
    """Every finished lot as a ``LotRow``: its opened bids with their prices (a sale's bidders
    without), the winner (a tender's approved award, a sale's deal), how many bids or bidders it
    received (the bid count at the close; a sale's bidders), and a single-bid lot's one bidder."""
    finished = {"lot__status__in": FINISHED}
    bids = defaultdict(list)
    for lot_id, organisation, price, status in (
            BidOpening.objects.filter(bid__lot__status__in=FINISHED, price__isnull=False).order_by()
            .values_list("bid__lot_id", "bid__organisation_id", "price", "bid__status").iterator(chunk_size=20_000)):
        bids[lot_id].append(BidRow(organisation, price, status in _VALID))
    winners = {lot_id: (organisation, price) for lot_id, organisation, price in
               AwardProposal.objects.filter(status=AwardProposal.Status.APPROVED, **finished).order_by("proposed_at")
               .values_list("lot_id", "candidate__organisation_id", "candidate__price")}
    winners.update((lot_id, (organisation, price)) for lot_id, organisation, price in
                   DealConfirmation.objects.filter(**finished).values_list("lot_id", "organisation_id", "price"))
    received = dict(BidCount.objects.filter(**finished).values_list("lot_id", "sealed"))
    # A lot with one bid failed unopened (实施条例 Art 44): its one bidder is on the sealed bid.
    sole = dict(Bid.objects.filter(lot__bid_count__sealed=1, status__in=_LIVE, **finished).order_by()
                .values_list("lot_id", "organisation_id"))
    sale_bidders = defaultdict(set)
    for lot_id, organisation in ListingBidder.objects.filter(listing__lot__status__in=FINISHED).values_list(
            "listing__lot_id", "organisation_id"):
        sale_bidders[lot_id].add(organisation)
    for lot_id, organisation in AuctionBidder.objects.filter(auction__lot__status__in=FINISHED).values_list(
            "auction__lot_id", "organisation_id"):
        sale_bidders[lot_id].add(organisation)

    rows = []
    for (pk, project, number, market, sells, procedure, tenderee, status, at) in (
            Lot.objects.filter(status__in=FINISHED).order_by()
            .values_list("pk", "project__code", "number", "project__market_id", "project__market__sells",
                         "project__procedure__code", "project__tenderee_id", "status",
                         Coalesce("bid_deadline", "listing_end")).iterator(chunk_size=20_000)):
        lot_bids = bids.get(pk, [])
        count = received.get(pk)
        if pk in sale_bidders:
            opened = {bid.organisation for bid in lot_bids}
            lot_bids += [BidRow(o) for o in sorted(sale_bidders[pk] - opened)]
            count = max(count or 0, len(sale_bidders[pk]))
        elif not lot_bids and pk in sole:
            lot_bids = [BidRow(sole[pk])]
        winner, price = winners.get(pk, (None, None))
        rows.append(LotRow(id=pk, code=f"{project}-{number}", market=market, tenderee=tenderee, status=status,
                           procedure=procedure, sells=sells, received=count, bids=tuple(lot_bids), winner=winner,
                           winning_price=price, at=at))
    return rows


def organisations_named(ids) -> dict[int, tuple[str, str]]:
    """id → (credit code, name) of the organisations ``ids``: one query."""
    return {pk: (uscc, name) for pk, uscc, name in
            Organisation.objects.filter(pk__in=set(ids)).values_list("pk", "uscc", "name")}


# --- runs and findings ------------------------------------------------------------------------------

def run_latest() -> PatternRun | None:
    """The latest finished run."""
    return PatternRun.objects.filter(finished_at__isnull=False).order_by("-day").first()


def run_get(*, run_id: int) -> PatternRun | None:
    return PatternRun.objects.filter(pk=run_id, finished_at__isnull=False).first()


def runs_recent(*, limit: int = 14) -> QuerySet[PatternRun]:
    return PatternRun.objects.order_by("-day")[:limit]


def finding_list(*, run: PatternRun, pattern: str = "") -> QuerySet[Finding]:
    findings = Finding.objects.filter(run=run).select_related("market", "tenderee", "inquiry")
    return findings.filter(pattern=pattern) if pattern else findings


def finding_get(*, finding_id: int) -> Finding | None:
    return (Finding.objects.select_related("run", "market", "tenderee", "inquiry", "referred_by")
            .filter(pk=finding_id).first())


def keys_before(*, run: PatternRun) -> set[str]:
    """The keys the run before ``run`` found: a finding not among them is new."""
    previous = PatternRun.objects.filter(day__lt=run.day, finished_at__isnull=False).order_by("-day").first()
    return set(Finding.objects.filter(run=previous).values_list("key", flat=True)) if previous else set()


def finding_lot_for(*, finding: Finding, organisation_id: int | None) -> Lot | None:
    """The latest of the finding's lots in which ``organisation_id`` took part (registered for it,
    or is its tenderee); with no organisation (the centre), the latest of its lots."""
    lots = Lot.objects.filter(pk__in=[lot["id"] for lot in finding.lots])
    if organisation_id is not None:
        lots = lots.filter(registrations__organisation_id=organisation_id) | lots.filter(
            project__tenderee_id=organisation_id)
    return lots.distinct().order_by(Coalesce("bid_deadline", "listing_end").desc(nulls_last=True), "-pk").first()
