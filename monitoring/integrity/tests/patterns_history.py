"""Histories of finished lots for the pattern tests and the benchmark (benchmarks/bench_patterns.py).

A ``Plan`` is drawn in memory from a seed: a competitive market of equal bidders (each lot's
bidders drawn by how active each is, prices drawn independently under the estimate, the lowest
valid price wins), a few land listings, a few lots that failed. Patterns are planted into it by
the ``plant_*`` functions. The plan becomes the analysis' rows (``plan_rows``) or real rows of the
real models written with ``bulk_create`` (``plan_write``): projects, lots, registrations, sealed
bids and their openings, bid counts, evaluations, candidates and approved awards, listings with
their bidders and deal confirmations.
"""
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from monitoring.integrity.patterns import BidRow, LotRow

CENT = Decimal("0.01")
START = datetime.fromisoformat("2024-01-08T02:00:00+00:00")
TENDERS = [("construction", "open_tender", 0.5), ("procurement", "open_tender", 0.3), ("hr", "open_tender", 0.1)]
SALE_SHARE = 0.1
# How many bids a tender lot gets (below 3 it fails unopened, 实施条例 Art 44).
RECEIVED = [3, 4, 4, 5, 5, 5, 6, 6, 7, 8, 9, 10]
SINGLE_SHARE, TWO_SHARE, ALL_REJECTED_SHARE, REJECTED_SHARE = 0.03, 0.02, 0.02, 0.05


@dataclass
class PlanBid:
    bidder: int
    price: Decimal | None = None
    valid: bool = True


@dataclass
class PlanLot:
    market: str
    procedure: str
    tenderee: int
    estimate: Decimal
    at: datetime
    bids: list[PlanBid] = field(default_factory=list)  # opened (a sale's: its bidders, no price)
    received: int = 0
    sole: int | None = None  # the one sealed bid of a lot that failed unopened
    sealed: list[int] = field(default_factory=list)  # bidders of a lot that failed unopened

    @property
    def sells(self) -> bool:
        return self.market in ("land", "property")

    @property
    def winner(self) -> PlanBid | None:
        valid = [bid for bid in self.bids if bid.valid and bid.price is not None]
        if not valid:
            return None
        return max(valid, key=lambda b: b.price) if self.sells else min(valid, key=lambda b: b.price)

    @property
    def status(self) -> str:
        return "awarded" if self.winner is not None else "failed"


@dataclass
class Plan:
    lots: list[PlanLot]
    bidders: int
    tenderees: int
    rng: random.Random

    def bidder_new(self) -> int:
        self.bidders += 1
        return self.bidders - 1

    def tenderee_new(self) -> int:
        self.tenderees += 1
        return self.tenderees - 1


def _price(rng: random.Random, estimate: Decimal, low: float, high: float) -> Decimal:
    return (estimate * Decimal(str(rng.uniform(low, high)))).quantize(CENT)


def plan_clean(seed: int, *, lots: int = 200, bidders: int = 60, tenderees: int = 12,
               received: list[int] = RECEIVED) -> Plan:
    """A history with no pattern planted: bidders of unequal activity but equal costs; each opened
    tender lot gets a number of bids drawn from ``received``."""
    rng = random.Random(seed)
    activity = list(accumulate(rng.lognormvariate(0, 0.6) for _ in range(bidders)))
    plan = Plan([], bidders, tenderees, rng)
    for i in range(lots):
        at = START + timedelta(hours=36 * i)
        tenderee = rng.randrange(tenderees)
        estimate = Decimal(rng.choice([5, 8, 12, 20, 35, 60, 120, 300])) * 100_000
        if rng.random() < SALE_SHARE:
            lot = PlanLot("land", "listing_timed_bidding", tenderee, estimate, at)
            chosen = _draw(rng, activity, rng.choice([1, 2, 2, 3, 3, 4, 5]))
            lot.bids = [PlanBid(b) for b in chosen]
            lot.received = len(chosen)
            # The deal: the highest of the continuing bidders, at or above the starting price.
            lot.bids[0].price = _price(rng, estimate, 1.0, 1.6)
            plan.lots.append(lot)
            continue
        market, procedure, _share = rng.choices(TENDERS, weights=[t[2] for t in TENDERS])[0]
        lot = PlanLot(market, procedure, tenderee, estimate, at)
        roll = rng.random()
        if roll < SINGLE_SHARE + TWO_SHARE:
            lot.sealed = _draw(rng, activity, 1 if roll < SINGLE_SHARE else 2)
            lot.received = len(lot.sealed)
        else:
            chosen = _draw(rng, activity, rng.choice(received))
            rejected_all = rng.random() < ALL_REJECTED_SHARE
            lot.bids = [PlanBid(b, _price(rng, estimate, 0.82, 0.99),
                                valid=not rejected_all and rng.random() >= REJECTED_SHARE) for b in chosen]
            lot.received = len(chosen)
        plan.lots.append(lot)
    return plan


def _draw(rng: random.Random, cumulative: list[float], n: int) -> list[int]:
    """``n`` different bidders, each drawn by its weight (``cumulative``: the running sums)."""
    chosen: list[int] = []
    while len(chosen) < n:
        pick = rng.choices(range(len(cumulative)), cum_weights=cumulative)[0]
        if pick not in chosen:
            chosen.append(pick)
    return chosen


def _tender_lots(plan: Plan, n: int, *, market: str | None = None) -> list[PlanLot]:
    """``n`` opened tender lots, drawn at random, in time order."""
    pool = [lot for lot in plan.lots if not lot.sells and lot.bids and lot.procedure not in ("single_source",)
            and (market is None or lot.market == market)]
    return sorted(plan.rng.sample(pool, n), key=lambda lot: lot.at)


def plant_cover_ring(plan: Plan, *, lots: int = 24, covers: int = 3) -> dict:
    """A ring: one winner and ``covers`` firms that bid in its lots 0.4–2.5 % above it and never win;
    the lots' other bidders (at most two kept) price above them all."""
    rng = plan.rng
    winner, ring = plan.bidder_new(), [plan.bidder_new() for _ in range(covers)]
    chosen = _tender_lots(plan, lots)
    for lot in chosen:
        win = _price(rng, lot.estimate, 0.84, 0.89)
        others = [PlanBid(b.bidder, _price(rng, lot.estimate, 0.93, 0.99)) for b in lot.bids[:2]]
        present = rng.sample(ring, rng.choice([2, covers]))
        covering = [PlanBid(c, (win * Decimal(str(1 + rng.uniform(0.004, 0.025)))).quantize(CENT)) for c in present]
        lot.bids = [PlanBid(winner, win), *covering, *others]
        lot.received = len(lot.bids)
    return {"winner": winner, "covers": ring, "lots": chosen}


def plant_rotation(plan: Plan, *, lots: int = 12, members: int = 3) -> dict:
    """A new tenderee whose ``lots`` go in turn to ``members`` firms that all bid in each."""
    rng = plan.rng
    tenderee, group = plan.tenderee_new(), [plan.bidder_new() for _ in range(members)]
    chosen = _tender_lots(plan, lots)
    for n, lot in enumerate(chosen):
        lot.tenderee = tenderee
        win = _price(rng, lot.estimate, 0.84, 0.88)
        turn = group[n % members]
        lot.bids = [PlanBid(turn, win),
                    *(PlanBid(m, _price(rng, lot.estimate, 0.9, 0.97)) for m in group if m != turn),
                    *(PlanBid(b.bidder, _price(rng, lot.estimate, 0.9, 0.99)) for b in lot.bids[:2])]
        lot.received = len(lot.bids)
    return {"tenderee": tenderee, "members": group, "lots": chosen}


def plant_cluster(plan: Plan, *, lots: int = 10, members: int = 3, elsewhere: int = 0) -> dict:
    """``members`` new firms that join ``lots`` lots together at ordinary prices (and each bids in
    ``elsewhere`` other lots on its own)."""
    rng = plan.rng
    group = [plan.bidder_new() for _ in range(members)]
    chosen = _tender_lots(plan, lots)
    for lot in chosen:
        lot.bids += [PlanBid(m, _price(rng, lot.estimate, 0.82, 0.99)) for m in group]
        lot.received = len(lot.bids)
    for m in group:
        for lot in _tender_lots(plan, elsewhere):
            if all(bid.bidder != m for bid in lot.bids):
                lot.bids.append(PlanBid(m, _price(rng, lot.estimate, 0.82, 0.99)))
                lot.received = len(lot.bids)
    return {"members": group, "lots": chosen}


def plant_winner(plan: Plan, *, market: str = "construction", lots: int = 20, wins: int = 16) -> dict:
    """A new firm that bids in ``lots`` lots of ``market`` and wins ``wins`` of them."""
    rng = plan.rng
    firm = plan.bidder_new()
    chosen = _tender_lots(plan, lots, market=market)
    for n, lot in enumerate(chosen):
        price = _price(rng, lot.estimate, 0.6, 0.7) if n < wins else _price(rng, lot.estimate, 0.995, 0.999)
        lot.bids.append(PlanBid(firm, price))
        lot.received = len(lot.bids)
    return {"firm": firm, "lots": chosen}


def plant_single_bids(plan: Plan, *, lots: int = 8, single: int = 5, market: str = "construction",
                      procedure: str = "open_tender") -> dict:
    """A new tenderee of ``lots`` lots of ``market``, ``single`` of which got one bid and failed."""
    rng = plan.rng
    tenderee = plan.tenderee_new()
    chosen = _tender_lots(plan, lots, market=market)
    for n, lot in enumerate(chosen):
        lot.tenderee, lot.procedure = tenderee, procedure
        if n < single:
            lot.sealed, lot.bids = [rng.choice(lot.bids).bidder], []
            lot.received = 1
    return {"tenderee": tenderee, "lots": chosen}


# --- as the analysis' rows ------------------------------------------------------------------------------

BIDDER_ID, TENDEREE_ID = 10_000, 1


def plan_rows(plan: Plan) -> list[LotRow]:
    """The plan as ``history_read`` would read it: lot ids from 1, bidders from 10,000, tenderees from 1."""
    rows = []
    for n, lot in enumerate(plan.lots, start=1):
        winner = lot.winner
        if lot.bids:
            bids = tuple(BidRow(BIDDER_ID + b.bidder, None if lot.sells else b.price, b.valid) for b in lot.bids)
        else:
            bids = tuple(BidRow(BIDDER_ID + b) for b in lot.sealed if lot.received == 1)
        rows.append(LotRow(id=n, code=f"P-{n}", market=lot.market, tenderee=TENDEREE_ID + lot.tenderee,
                           status=lot.status, procedure=lot.procedure, sells=lot.sells, received=lot.received,
                           bids=bids, winner=BIDDER_ID + winner.bidder if winner else None,
                           winning_price=winner.price if winner else None, at=lot.at))
    return rows


# --- as rows of the real models ---------------------------------------------------------------------------

@dataclass
class Written:
    bidders: list  # Organisation per bidder index
    tenderees: list  # Organisation per tenderee index
    lots: list  # Lot per plan lot


def _uscc(prefix8: str, serial: int) -> str:
    from trading.validators import uscc_check_character

    body = f"{prefix8}MA{serial:07d}"
    return body + uscc_check_character(body)


def plan_write(plan: Plan, *, user, prefix: str = "PH", batch: int = 5000) -> Written:
    """Write the plan with bulk_create; ``user`` submits every bid. Returns the rows made."""
    from bidding.evaluation.models import AwardProposal, Candidate, Evaluation
    from bidding.sales.models import DealConfirmation, Listing, ListingBidder
    from bidding.sealed.models import Bid, BidCount, BidOpening
    from trading.models import Lot, Organisation, Procedure, Project, Registration

    serial = Organisation.objects.count() + 1
    bidders = Organisation.objects.bulk_create(
        [Organisation(name=f"{prefix}投标企业{n:05d}", uscc=_uscc("91440300", serial + n), kind="bidder")
         for n in range(plan.bidders)], batch_size=batch)
    serial += plan.bidders
    tenderees = Organisation.objects.bulk_create(
        [Organisation(name=f"{prefix}招标单位{n:04d}", uscc=_uscc("12440300", serial + n), kind="tenderee",
                      sector="government") for n in range(plan.tenderees)], batch_size=batch)
    procedures = {(p.market_id, p.code): p for p in Procedure.objects.all()}
    projects = Project.objects.bulk_create(
        [Project(code=f"{prefix}-{n:06d}", title=f"历史项目{n}", market_id=lot.market,
                 procedure=procedures[(lot.market, lot.procedure)], tenderee=tenderees[lot.tenderee])
         for n, lot in enumerate(plan.lots)], batch_size=batch)
    lots = Lot.objects.bulk_create(
        [Lot(project=project, number=1, title="第一标段", estimate=lot.estimate, status=lot.status,
             **({"listing_start": lot.at - timedelta(days=10), "listing_end": lot.at} if lot.sells else
                {"documents_until": lot.at, "bid_deadline": lot.at}))
         for project, lot in zip(projects, plan.lots)], batch_size=batch)

    registrations, bids, counts = [], [], []
    for row, lot in zip(lots, plan.lots):
        takers = [b.bidder for b in lot.bids] if lot.bids else lot.sealed
        registrations += [Registration(lot=row, organisation=bidders[b], registered_by=user,
                                       registered_at=lot.at - timedelta(days=15), status="approved") for b in takers]
        if lot.sells:
            continue
        counts.append(BidCount(lot=row, sealed=lot.received, counted_at=lot.at))
        for bid in lot.bids:
            bids.append(_bid(row, bidders[bid.bidder], user, lot.at, "valid" if bid.valid else "rejected"))
        for bidder in lot.sealed:
            bids.append(_bid(row, bidders[bidder], user, lot.at, "sealed"))
    Registration.objects.bulk_create(registrations, batch_size=batch)
    BidCount.objects.bulk_create(counts, batch_size=batch)
    Bid.objects.bulk_create(bids, batch_size=batch)

    bid_of = {(bid.lot_id, bid.organisation_id): bid for bid in bids}
    openings, evaluations, winners = [], [], []
    for row, lot in zip(lots, plan.lots):
        if lot.sells or not lot.bids:
            continue
        openings += [BidOpening(bid=bid_of[(row.pk, bidders[b.bidder].pk)], price=b.price, period_days=300,
                                opened_at=lot.at + timedelta(hours=1)) for b in lot.bids]
        winner = lot.winner
        if winner is not None:
            evaluations.append(Evaluation(lot=row, status="reported", method="lowest_price", category="works",
                                          panel_size=5, created_at=lot.at, created_by="system:test"))
            winners.append((row, winner))
    BidOpening.objects.bulk_create(openings, batch_size=batch)
    Evaluation.objects.bulk_create(evaluations, batch_size=batch)
    candidates = Candidate.objects.bulk_create(
        [Candidate(evaluation=evaluation, bid=bid_of[(row.pk, bidders[winner.bidder].pk)],
                   organisation=bidders[winner.bidder], rank=1, price=winner.price)
         for evaluation, (row, winner) in zip(evaluations, winners)], batch_size=batch)
    AwardProposal.objects.bulk_create(
        [AwardProposal(lot=row, candidate=candidate, status="approved", proposed_at=row.bid_deadline,
                       proposed_by="system:test", reviewed_at=row.bid_deadline, reviewed_by="system:test")
         for candidate, (row, _winner) in zip(candidates, winners)], batch_size=batch)

    sales = [(row, lot) for row, lot in zip(lots, plan.lots) if lot.sells]
    listings = Listing.objects.bulk_create(
        [Listing(lot=row, status="closed", starting_price=lot.estimate, increment=Decimal(10_000),
                 closed_at=lot.at, outcome="sold", created_by="system:test") for row, lot in sales], batch_size=batch)
    ListingBidder.objects.bulk_create(
        [ListingBidder(listing=listing, organisation=bidders[b.bidder], number=n)
         for listing, (_row, lot) in zip(listings, sales) for n, b in enumerate(lot.bids, start=1)], batch_size=batch)
    DealConfirmation.objects.bulk_create(
        [DealConfirmation(lot=row, organisation=bidders[lot.winner.bidder], bidder_number=1, price=lot.winner.price,
                          method="listing", issued_at=lot.at, document={}) for row, lot in sales], batch_size=batch)
    return Written(bidders, tenderees, lots)


def _bid(lot, organisation, user, at: datetime, status: str):
    from bidding.sealed.models import Bid

    receipt = uuid.uuid4()
    return Bid(lot=lot, organisation=organisation, submitted_by=user, status=status,
               storage_key=f"history/{lot.pk}/{receipt}", envelope_sha256="0" * 64, envelope_size=1024,
               received_at=at - timedelta(days=1), receipt_id=receipt, receipt={},
               retain_until=at + timedelta(days=3650))
