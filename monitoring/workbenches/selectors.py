"""Reads of the staff's, the experts', the custodians' and the regulators' workbenches (the bidder's
is ``selectors_bidder``; the supervisor's is the registry's own page). Each reads the apps through
their selectors and returns what is to do now, with the page where it is done."""
from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from bidding.evaluation.models import Evaluation, PanelMember
from bidding.evaluation.selectors import member_seats, proposals_under_review
from bidding.sales.selectors import auctions_to_host
from bidding.sealed.models import OpeningSession
from bidding.sealed.selectors import custodian_key_exists, sessions_presented, shares_pending
from monitoring.supervision.rules import rule_label
from monitoring.supervision.selectors import alerts_unresolved
from monitoring.workbenches.selectors_common import Countdown, Queue, queue_of, related_or_none
from supervisors.complaints.selectors import OPEN_STATUSES, complaint_list_for_regulator
from supervisors.regulation.selectors import inquiry_list_for_regulator, reports_waiting
from trading.models import Lot
from trading.selectors_registrations import (deposits_refund_due, deposits_refund_overdue,
                                             registrations_awaiting_deposit, registrations_pending)
from trading.selectors_workload import lot_counts_by_status, lots_due, lots_to_open
from trading.workdays import day_end, local_day

# How many of the day's lots and sessions the staff's workbench lists at most.
DAY_SHOWN = 50


def due_labels() -> dict[str, str]:
    """What each timed move of a lot (``Lot.TIMED_MOVES``) is, as the staff's list says it."""
    return {"open_bidding": _("Bidding opens"), "start_listing": _("Listing starts"),
            "close_bidding": _("Bids close"), "end_publicity": _("Candidate publicity ends")}


# --- staff -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DueStep:
    lot: Lot
    label: str
    at: datetime
    overdue: bool


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    url: str


@dataclass
class StaffBench:
    due: list[DueStep] = field(default_factory=list)
    counts: list[StatusCount] = field(default_factory=list)
    to_review: Queue | None = None
    awaiting_deposit: Queue | None = None
    refunds: Queue | None = None
    refunds_overdue: int = 0
    openings: list = field(default_factory=list)
    auctions: list = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(step.overdue for step in self.due)


def staff_bench(*, now: datetime) -> StaffBench:
    """Today's work of the centre (a China day): the timed steps due by midnight and those overdue,
    lots by status, registrations to review, deposits to match and refunds due, the openings and
    auctions to host."""
    end = day_end(local_day(now))
    bench = StaffBench()
    labels = due_labels()
    for lot in lots_due(until=end)[:DAY_SHOWN]:
        move = lot.due_move()
        bench.due.append(DueStep(lot, labels.get(move[0], move[0]) if move else _("Next step"), lot.next_due_at,
                                 lot.next_due_at <= now))
    counts = lot_counts_by_status()
    staff_list = reverse("staff-lot-list")
    bench.counts = [StatusCount(status, label, counts[status], f"{staff_list}?status={status}")
                    for status, label in Lot.Status.choices if counts.get(status)]
    registrations = reverse("registration-staff")
    bench.to_review = queue_of(registrations_pending(), url=registrations)
    bench.awaiting_deposit = queue_of(registrations_awaiting_deposit(), url=registrations)
    bench.refunds = queue_of(deposits_refund_due(), url=reverse("registration-refunds"))
    bench.refunds_overdue = deposits_refund_overdue(at=now).count() if bench.refunds.count else 0
    bench.openings = [{"lot": lot, "countdown": Countdown.to(lot.bid_deadline, now=now) if lot.bid_deadline else None,
                       "url": reverse("opening-page", args=[lot.pk])}
                      for lot in lots_to_open(until=end)[:DAY_SHOWN]]
    bench.auctions = [{"auction": auction, "countdown": Countdown.to(auction.starts_at, now=now),
                       "url": reverse("auction-page", args=[auction.pk]),
                       "staff_url": reverse("staff-sale", args=[auction.lot_id])}
                      for auction in auctions_to_host(until=end)[:DAY_SHOWN]]
    return bench


# --- experts -----------------------------------------------------------------------------------------

@dataclass
class ExpertBench:
    to_declare: list[PanelMember] = field(default_factory=list)
    to_score: list[PanelMember] = field(default_factory=list)
    waiting: list[PanelMember] = field(default_factory=list)
    done: list[PanelMember] = field(default_factory=list)


def expert_bench(*, user) -> ExpertBench:
    """A panel member's seats: declarations to make (before seeing any bid), sheets to submit, seats
    waiting for the rest of the panel, and the seats whose part is over."""
    bench = ExpertBench()
    for seat in member_seats(user=user).select_related("sheet", "evaluation__lot__project__tenderee"):
        evaluation, sheet = seat.evaluation, related_or_none(seat, "sheet")
        if seat.status == PanelMember.Status.DRAWN and evaluation.status == Evaluation.Status.FORMING:
            bench.to_declare.append(seat)
        elif (seat.status == PanelMember.Status.SEATED and evaluation.status == Evaluation.Status.SCORING
              and (sheet is None or sheet.submitted_at is None)):
            bench.to_score.append(seat)
        elif seat.status == PanelMember.Status.SEATED and evaluation.status == Evaluation.Status.FORMING:
            bench.waiting.append(seat)
        else:
            bench.done.append(seat)
    return bench


# --- custodians --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Share:
    lot: Lot
    url: str
    countdown: Countdown | None = None


@dataclass
class CustodianBench:
    has_key: bool
    to_present: list[Share] = field(default_factory=list)  # the opening is collecting shares
    due: list[Share] = field(default_factory=list)  # bidding closed, the opening not started
    presented: list[Share] = field(default_factory=list)  # waiting for the other custodians
    upcoming: list[Share] = field(default_factory=list)  # bids still open: the opening follows the deadline


def custodian_bench(*, user, now: datetime) -> CustodianBench:
    """The openings where the custodian holds a share, by what they ask of them now."""
    bench = CustodianBench(has_key=custodian_key_exists(user_id=user.pk))
    presented = sessions_presented(custodian_id=user.pk)
    for share in shares_pending(custodian_id=user.pk):
        lot = share.opening_key.lot
        session = related_or_none(lot, "opening_session")
        url = reverse("opening-page", args=[lot.pk])
        if session is not None:
            if session.pk in presented:
                bench.presented.append(Share(lot, url))
            elif session.status == OpeningSession.Status.COLLECTING_SHARES:
                bench.to_present.append(Share(lot, url))
        elif lot.bid_deadline is None or lot.status == Lot.Status.SUSPENDED:
            continue  # a sale's reserve is revealed when its session starts; a suspended lot waits
        elif lot.status == Lot.Status.CLOSED or lot.bid_deadline <= now:
            bench.due.append(Share(lot, url))
        else:
            bench.upcoming.append(Share(lot, url, Countdown.to(lot.bid_deadline, now=now)))
    return bench


# --- regulators --------------------------------------------------------------------------------------

@dataclass
class RegulatorBench:
    awards: Queue
    alerts: Queue
    complaints: Queue
    inquiries: Queue
    reports: Queue


def regulator_bench(*, now: datetime) -> RegulatorBench:
    """The regulator's queues: awards to review, alerts not resolved, open complaints, inquiries
    awaiting an answer (overdue ones marked) and public reports waiting for a step."""
    alerts = queue_of(alerts_unresolved(), url=reverse("supervision-alerts") + "?state=unresolved")
    for alert in alerts.items:
        alert.label = rule_label(alert.rule)
    inquiries = queue_of(inquiry_list_for_regulator(state="open"),
                         url=reverse("regulator-inquiries") + "?state=open")
    for inquiry in inquiries.items:
        inquiry.overdue = inquiry.due_at <= now
    return RegulatorBench(
        awards=queue_of(proposals_under_review(), url=reverse("review-queue")),
        alerts=alerts,
        complaints=queue_of(complaint_list_for_regulator().filter(status__in=OPEN_STATUSES),
                            url=reverse("regulator-complaints")),
        inquiries=inquiries,
        reports=queue_of(reports_waiting(), url=reverse("regulator-reports")),
    )
