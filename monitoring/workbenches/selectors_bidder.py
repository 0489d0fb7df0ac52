"""Reads of the bidder's workbench: the company, its registrations and deposits, its bids with their
receipts, the openings and auctions it is in, notices and awards, its objections and complaints,
what is due next, and for each lot it is on the path "register → pay → seal → submit".

Everything is the organisation's own: each read filters by the person's organisation, so one
bidder never sees another's bid (whose bids exist is not told before the opening)."""
from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from bidding.evaluation.selectors import candidate_objections_own, notices_of_organisation
from bidding.sales.models import Auction
from bidding.sales.selectors import auctions_of_organisation, deals_of_organisation
from bidding.sealed.models import Bid, OpeningSession
from bidding.sealed.selectors import bid_list_own, opening_objections_own
from monitoring.workbenches.selectors_common import Countdown, related_or_none
from supervisors.complaints.selectors import challenge_list_own, complaint_list_own
from trading.accounts.selectors import company_of, notifications_for
from trading.models import Deposit, Lot, Registration
from trading.selectors_objections import objection_list_own
from trading.selectors_registrations import registrations_of_organisation

# How many of a long list the workbench shows; the rest are on the pages it links.
BIDS_SHOWN = 20
NOTICES_SHOWN = 5

# A bid that stands (a replaced or withdrawn one has a receipt but is out of the running).
OUT_OF_RUNNING = (Bid.Status.REPLACED, Bid.Status.WITHDRAWN)
LIVE_REGISTRATION = (Registration.Status.PENDING, Registration.Status.APPROVED)
# Lots whose path is still walked or waited on: from the announcement to the opening or the sale.
PATH_STATUSES = (Lot.Status.PUBLISHED, Lot.Status.BIDDING, Lot.Status.LISTING, Lot.Status.AUCTION,
                 Lot.Status.CLOSED, Lot.Status.OPENING, Lot.Status.SUSPENDED)
OPENING_STATUSES = (Lot.Status.BIDDING, Lot.Status.CLOSED, Lot.Status.OPENING)

DONE, NOT_NEEDED, TO_DO, WAITING, CLOSED = "done", "not_needed", "todo", "waiting", "closed"


def state_labels() -> dict[str, str]:
    return {DONE: _("Done"), NOT_NEEDED: _("No deposit is asked"), TO_DO: _("To do"),
            WAITING: _("Awaiting the centre's approval"), CLOSED: _("Closed")}


@dataclass(frozen=True)
class Step:
    key: str  # register, pay, seal, submit, quote
    label: str
    state: str
    url: str
    at: datetime | None = None  # when it was done, or by when it is due

    @property
    def state_label(self) -> str:
        return state_labels()[self.state]


@dataclass
class LotPath:
    lot: Lot
    registration: Registration
    steps: list[Step]

    @property
    def next(self) -> Step | None:
        return next((step for step in self.steps if step.state == TO_DO), None)


@dataclass(frozen=True)
class Session:
    """An opening or an auction the organisation is in."""
    kind: str  # "opening" or "auction"
    lot: Lot
    state: str
    url: str
    countdown: Countdown | None = None


@dataclass(frozen=True)
class Due:
    kind: str  # "pay", "submit", "quote", "auction"
    lot: Lot
    at: datetime
    url: str
    amount: object = None
    countdown: Countdown | None = None


@dataclass(frozen=True)
class Award:
    label: str
    lot: Lot
    at: datetime
    url: str  # the signed document
    result_url: str = ""


@dataclass(frozen=True)
class Objection:
    label: str
    lot: Lot
    filed_at: datetime
    answered: bool
    url: str
    due_at: datetime | None = None


@dataclass
class BidderBench:
    company: object
    registrations: list[Registration] = field(default_factory=list)
    deposits: list[Deposit] = field(default_factory=list)
    bids: list[Bid] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    notices: list = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    complaints: list = field(default_factory=list)
    challenges: list = field(default_factory=list)
    due: list[Due] = field(default_factory=list)
    paths: list[LotPath] = field(default_factory=list)


def bidder_bench(*, user, now: datetime) -> BidderBench:
    """The bidder's workbench for ``user``'s organisation at ``now`` (the server's clock)."""
    organisation_id = user.organisation_id
    bench = BidderBench(company=company_of(user))
    bench.registrations = list(registrations_of_organisation(organisation_id=organisation_id))
    bench.deposits = [deposit for deposit in (related_or_none(r, "deposit") for r in bench.registrations) if deposit]
    bids = list(bid_list_own(organisation_id=organisation_id))
    bench.bids = bids[:BIDS_SHOWN]
    standing = {}  # lot id -> the organisation's standing bid
    for bid in bids:
        if bid.status not in OUT_OF_RUNNING:
            standing.setdefault(bid.lot_id, bid)
    auctions = list(auctions_of_organisation(organisation_id=organisation_id))
    bench.sessions = _openings(standing.values(), now) + [_auction(auction, now) for auction in auctions]
    bench.notices = list(notifications_for(user=user)[:NOTICES_SHOWN])
    bench.awards = _awards(organisation_id)
    bench.objections = _objections(user.organisation if organisation_id else None)
    bench.complaints = list(complaint_list_own(organisation=user.organisation if organisation_id else None))
    bench.challenges = list(challenge_list_own(organisation=user.organisation if organisation_id else None))
    auction_of_lot = {auction.lot_id: auction for auction in auctions}
    bench.paths = [_path(r, standing.get(r.lot_id), auction_of_lot.get(r.lot_id), now)
                   for r in bench.registrations
                   if r.status in LIVE_REGISTRATION and r.lot.status in PATH_STATUSES]
    bench.due = _due(bench.paths, auctions, now)
    return bench


def _deadline(lot: Lot) -> datetime | None:
    """Registration, payment and bids close with bidding: the bid deadline, or the listing's end."""
    return lot.listing_end if lot.is_listing else lot.bid_deadline


def _path(registration: Registration, bid: Bid | None, auction: Auction | None, now: datetime) -> LotPath:
    lot = registration.lot
    deadline = _deadline(lot)
    accepting = lot.status in (Lot.Status.BIDDING, Lot.Status.LISTING) and deadline is not None and now < deadline
    page = reverse("registration-lot", args=[lot.pk])
    approved = registration.status == Registration.Status.APPROVED
    # Until bidding closes what is not done is to do; the bid itself waits for a pending approval.
    still = TO_DO if accepting or lot.status == Lot.Status.PUBLISHED else CLOSED
    bid_state = WAITING if still == TO_DO and not approved else still
    register = Step("register", _("Register"), DONE if approved else WAITING, page,
                    (registration.decided_at or registration.registered_at) if approved else None)
    deposit = related_or_none(registration, "deposit")
    if not lot.deposit:
        pay = Step("pay", _("Pay the deposit"), NOT_NEEDED, page)
    elif deposit is not None:
        pay = Step("pay", _("Pay the deposit"), DONE, page, deposit.received_at)
    else:
        pay = Step("pay", _("Pay the deposit"), still, page, deadline)
    if lot.is_listing:
        room = reverse("auction-page", args=[auction.pk]) if auction else reverse("listing-page", args=[lot.pk])
        taking = lot.status in (Lot.Status.LISTING, Lot.Status.AUCTION)
        take_part = Step("quote", _("Quote or bid"), (TO_DO if approved else WAITING) if taking else bid_state, room,
                         auction.starts_at if auction else deadline)
        return LotPath(lot, registration, [register, pay, take_part])
    bid_page = reverse("bid-page", args=[lot.pk])
    if bid is not None:
        receipt = reverse("bid-receipt", args=[lot.pk, bid.pk])
        steps = [Step("seal", _("Seal the bid"), DONE, bid_page, bid.received_at),
                 Step("submit", _("Submit the sealed bid"), DONE, receipt, bid.received_at)]
    else:
        steps = [Step("seal", _("Seal the bid"), bid_state, bid_page, deadline),
                 Step("submit", _("Submit the sealed bid"), bid_state, bid_page, deadline)]
    return LotPath(lot, registration, [register, pay, *steps])


def _openings(bids, now: datetime) -> list[Session]:
    """The openings of the lots the organisation has a standing bid on, from bidding to the opening."""
    sessions = []
    for bid in sorted(bids, key=lambda b: (b.lot.bid_deadline or now, b.lot_id)):
        lot = bid.lot
        if lot.status not in OPENING_STATUSES:
            continue
        url = reverse("opening-page", args=[lot.pk])
        session = related_or_none(lot, "opening_session")
        if lot.status == Lot.Status.BIDDING and lot.bid_deadline and now < lot.bid_deadline:
            sessions.append(Session("opening", lot, _("Opens at the bid deadline"), url,
                                    Countdown.to(lot.bid_deadline, now=now)))
        elif session is not None and session.status == OpeningSession.Status.RECORD_PUBLISHED:
            sessions.append(Session("opening", lot, _("Record published: confirm it or object"), url,
                                    Countdown.to(session.responses_until, now=now) if session.responses_until else None))
        elif session is not None:
            sessions.append(Session("opening", lot, _("Opening under way"), url))
        else:
            sessions.append(Session("opening", lot, _("Bidding closed: the opening is due"), url))
    return sessions


def _auction(auction: Auction, now: datetime) -> Session:
    url = reverse("auction-page", args=[auction.pk])
    end = auction.next_due_at
    return Session("auction", auction.lot, auction.get_status_display(), url,
                   Countdown.to(end, now=now) if end else None)


def _awards(organisation_id) -> list[Award]:
    awards = [Award(label=notice.get_kind_display(), lot=notice.proposal.lot, at=notice.issued_at, url=reverse("notice-pdf", args=[notice.pk]),
                    result_url=reverse("lot-result", args=[notice.proposal.lot_id]))
              for notice in notices_of_organisation(organisation_id=organisation_id)]
    awards += [Award(label=_("Deal confirmation"), lot=deal.lot, at=deal.issued_at,
                     url=reverse("deal-confirmation-pdf", args=[deal.lot_id]))
               for deal in deals_of_organisation(organisation_id=organisation_id)]
    return sorted(awards, key=lambda award: award.at, reverse=True)


def _objections(organisation) -> list[Objection]:
    organisation_id = organisation.pk if organisation else None
    found = [Objection(_("Objection to the tender documents"), o.lot, o.filed_at, o.replied_at is not None,
                       reverse("lot-objections", args=[o.lot_id]), o.reply_due_at)
             for o in objection_list_own(organisation=organisation)]
    found += [Objection(_("Objection to the opening record"), r.session.lot, r.at, r.answered_at is not None,
                        reverse("opening-page", args=[r.session.lot_id]))
              for r in opening_objections_own(organisation_id=organisation_id)]
    found += [Objection(_("Objection to the candidates"), o.lot, o.filed_at, o.replied_at is not None,
                        reverse("lot-result", args=[o.lot_id]), o.reply_due_at)
              for o in candidate_objections_own(organisation_id=organisation_id)]
    return sorted(found, key=lambda objection: objection.filed_at, reverse=True)


def _due(paths: list[LotPath], auctions: list[Auction], now: datetime) -> list[Due]:
    """What the organisation must do next and by when, the soonest first."""
    due, auctioned = [], {auction.lot_id for auction in auctions}
    for path in paths:
        step = path.next
        if step is None or step.at is None or step.at <= now or (step.key == "quote" and path.lot.pk in auctioned):
            continue  # nothing due, or due at its auction's start, listed below
        kind = "submit" if step.key in ("seal", "submit") else step.key
        due.append(Due(kind, path.lot, step.at, step.url, path.lot.deposit if kind == "pay" else None,
                       Countdown.to(step.at, now=now)))
    due += [Due("auction", auction.lot, auction.starts_at, reverse("auction-page", args=[auction.pk]),
                countdown=Countdown.to(auction.starts_at, now=now))
            for auction in auctions if auction.status == Auction.Status.SCHEDULED and auction.starts_at > now]
    return sorted(due, key=lambda item: item.at)
