"""A history of decided lots written straight into the tables the statistics read, in bulk: for
the hand-computed fixture of the tests and for the benchmark's 10,000 lots (benchmarks/bench_report.py).

Each lot gets the rows the services would have left once it was decided: its project, its status
moves (published, then awarded or failed, then contracted), the bids standing at the deadline and,
for a tender deal, the evaluation's winning candidate with its approved award proposal; for a sale,
the listing with its bidders and the deal confirmation. The services' own paths are exercised by
the tests that run them (monitoring/portal/tests, test_statistics_flow.py); here only the facts
matter, and thousands of them must be quick to make."""
import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from bidding.evaluation.models import AwardProposal, Candidate, Evaluation
from bidding.sales.models import DealConfirmation, Listing, ListingBidder
from bidding.sealed.models import Bid
from trading.models import Lot, LotStatusChange, Market, Organisation, Procedure, Project, User
from trading.validators import uscc_check_character

PROCEDURE = {"construction": "open_tender", "procurement": "open_tender", "hr": "open_tender",
             "land": "listing_timed_bidding", "property": "listing_online_bidding"}
_serials = itertools.count(1)


def uscc(prefix8: str, serial: int) -> str:
    body = f"{prefix8}MA{serial:07d}"
    return body + uscc_check_character(body)


def tenderee(name: str, sector: str) -> Organisation:
    return Organisation.objects.create(name=name, uscc=uscc("12330100", 5000 + next(_serials)), kind="tenderee",
                                       sector=sector)


@dataclass
class Spec:
    market: str
    tenderee: Organisation
    published_at: datetime
    decided_at: datetime
    estimate: Decimal
    outcome: str = Lot.Status.AWARDED  # awarded, contracted or failed
    deal: Decimal | None = None  # the winning price (None: a deal with no price recorded, or failed)
    bidders: int = 3
    starting: Decimal | None = None  # a sale's listing starting price (default: the estimate)
    appraised: Decimal | None = None
    investment: Decimal | None = None
    project: str = ""  # lots with the same project name share one project


class History:
    """Lots planned with ``add`` and written together with ``save``."""

    def __init__(self, *, bidders: int = 12):
        self.specs: list[Spec] = []
        self._bidders = bidders

    def add(self, **fields) -> Spec:
        spec = Spec(**{name: Decimal(value) if name in ("estimate", "deal", "starting", "appraised", "investment")
                       and value is not None else value for name, value in fields.items()})
        self.specs.append(spec)
        return spec

    def save(self, *, batch: int = 2000) -> list[Lot]:
        markets = {market.code: market for market in Market.objects.all()}
        procedures = {(p.market_id, p.code): p for p in Procedure.objects.all()}
        run = uuid.uuid4().hex[:8]
        organisations = list(Organisation.objects.bulk_create(
            Organisation(name=f"历史投标人{run}-{n}", uscc=uscc("91330100", 700000 + next(_serials)), kind="bidder")
            for n in range(self._bidders)))
        user = User.objects.create(username=f"history-{run}")
        projects: dict[str, Project] = {}
        new_projects = []
        for n, spec in enumerate(self.specs):
            name = spec.project or f"lot-{n}"
            if name not in projects:
                projects[name] = Project(
                    code=f"H{run}-{len(projects)}", title=f"统计项目{name}", market=markets[spec.market],
                    procedure=procedures[(spec.market, PROCEDURE[spec.market])], tenderee=spec.tenderee,
                    investment=spec.investment)
                new_projects.append(projects[name])
        Project.objects.bulk_create(new_projects, batch_size=batch)
        numbers: dict[str, int] = {}
        lots = []
        for n, spec in enumerate(self.specs):
            name = spec.project or f"lot-{n}"
            numbers[name] = numbers.get(name, 0) + 1
            lots.append(Lot(project=projects[name], number=numbers[name], title=f"标段{numbers[name]}",
                            estimate=spec.estimate, appraised_value=spec.appraised, status=spec.outcome))
        Lot.objects.bulk_create(lots, batch_size=batch)
        changes, bids, listings, deals, listing_bidders = [], [], [], [], []
        evaluations, tender_deals = [], []
        for lot, spec in zip(lots, self.specs):
            sells = markets[spec.market].sells
            changes.append(LotStatusChange(lot=lot, source="pending_review", target="published", transition="publish",
                                           actor="system:history", at=spec.published_at))
            decided = Lot.Status.FAILED if spec.outcome == Lot.Status.FAILED else Lot.Status.AWARDED
            changes.append(LotStatusChange(lot=lot, source="listing" if sells else "award_review", target=decided,
                                           transition="fail" if decided == Lot.Status.FAILED else "award",
                                           actor="system:history", at=spec.decided_at))
            if spec.outcome == Lot.Status.CONTRACTED:
                changes.append(LotStatusChange(lot=lot, source="awarded", target="contracted",
                                               transition="record_contract", actor="system:history",
                                               at=spec.decided_at + timedelta(days=10)))
            bidders = organisations[:spec.bidders]
            if sells:
                listing = Listing(lot=lot, status=Listing.Status.CLOSED, starting_price=spec.starting or spec.estimate,
                                  increment=Decimal(1000), created_by="system:history", closed_at=spec.decided_at,
                                  outcome=Listing.Outcome.SOLD if spec.deal is not None else Listing.Outcome.UNSOLD)
                listings.append((listing, bidders))
                if spec.deal is not None:
                    deals.append(DealConfirmation(lot=lot, organisation=bidders[0], bidder_number=1001,
                                                  price=spec.deal, method=DealConfirmation.Method.LISTING,
                                                  issued_at=spec.decided_at, document={}))
                continue
            lot_bids = [Bid(lot=lot, organisation=org, submitted_by=user, status=Bid.Status.OPENED,
                            storage_key=f"history/{run}/{lot.pk}/{i}", envelope_sha256="0" * 64, envelope_size=1,
                            received_at=spec.published_at + timedelta(days=1), receipt_id=uuid.uuid4(), receipt={},
                            retain_until=spec.decided_at + timedelta(days=3650))
                        for i, org in enumerate(bidders)]
            bids.extend(lot_bids)
            if spec.deal is not None and lot_bids:
                evaluation = Evaluation(lot=lot, status=Evaluation.Status.REPORTED, method="lowest_price",
                                        category="works", panel_size=5, created_at=spec.decided_at,
                                        created_by="system:history")
                evaluations.append(evaluation)
                tender_deals.append((evaluation, lot_bids[0], spec))
        LotStatusChange.objects.bulk_create(changes, batch_size=batch)
        Bid.objects.bulk_create(bids, batch_size=batch)
        Listing.objects.bulk_create([listing for listing, _ in listings], batch_size=batch)
        for listing, bidders in listings:
            listing_bidders += [ListingBidder(listing=listing, organisation=org, number=1001 + i)
                                for i, org in enumerate(bidders)]
        ListingBidder.objects.bulk_create(listing_bidders, batch_size=batch)
        DealConfirmation.objects.bulk_create(deals, batch_size=batch)
        Evaluation.objects.bulk_create(evaluations, batch_size=batch)
        candidates = Candidate.objects.bulk_create(
            [Candidate(evaluation=evaluation, bid=bid, organisation_id=bid.organisation_id, rank=1, price=spec.deal)
             for evaluation, bid, spec in tender_deals], batch_size=batch)
        AwardProposal.objects.bulk_create(
            [AwardProposal(lot_id=evaluation.lot_id, candidate=candidate, status=AwardProposal.Status.APPROVED,
                           proposed_at=spec.decided_at - timedelta(days=1), proposed_by="system:history",
                           reviewed_at=spec.decided_at, reviewed_by="system:history")
             for (evaluation, _, spec), candidate in zip(tender_deals, candidates)], batch_size=batch)
        return lots
