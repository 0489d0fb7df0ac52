"""Reads of a supervisor's rights in a session, their reports, and officials at major sessions."""
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bidding.evaluation.models import Evaluation
from bidding.sales.models import Auction
from supervisors.models import Assignment
from supervisors.registry.models import SessionKind, Supervisor
from supervisors.sessions.errors import SessionError
from supervisors.sessions.errors import SessionErrorCode as Code
from supervisors.sessions.models import (LiaisonQuestion, ObservationReport, OfficialCheckIn, SessionObjection,
                                         StopRequest)
from supervisors.sessions.rules import major_threshold_yuan
from trading.models import Lot, Role, RuleCode, User
from trading.selectors_calendar import lot_published_at, rule_find
from trading.workdays import deadline_add

# Who, in a list anyone may read, raised a stop request or an objection: their name is for staff
# and regulators only (DESIGN §7: supervisors watch on the public's behalf, not in their own name).
PUBLIC_SUPERVISOR = "social_supervisor"


def seats_of(*, lot_id: int, user_id: int) -> QuerySet[Assignment]:
    """Every assignment of the person to the lot, active or revoked, with its draw's session."""
    return Assignment.objects.filter(lot_id=lot_id, supervisor_id=user_id).order_by("-assigned_at", "-pk")


def seat_fits(seat: Assignment, session_kind: str | None) -> bool:
    """Whether an active seat covers the session: staff's direct assignment (no draw) covers every
    session of the lot; a drawn seat covers the session it was drawn for (``None``: any)."""
    return seat.draw_id is None or session_kind is None or seat.session_kind == session_kind


def supervisor_profile(*, user_id: int) -> Supervisor | None:
    """The person's entry in the registry; None for a supervisor appointed before the registry."""
    return Supervisor.objects.filter(user_id=user_id).first()


def staff_users() -> QuerySet[User]:
    """Every active member of the centre's staff: any of them on duty answers a supervisor."""
    return User.objects.filter(is_active=True, roles__role=Role.STAFF).distinct().order_by("pk")


def major_threshold(*, lot: Lot):
    """The estimate (budget ceiling; a sale's listing price) from which the lot's sessions are major,
    in yuan, from the market's MAJOR_SESSION rule as it stood at publication; None without a rule."""
    rule = rule_find(market=lot.project.market_id, procedure=lot.project.procedure, code=RuleCode.MAJOR_SESSION,
                     at=lot_published_at(lot=lot))
    return major_threshold_yuan(rule.amount) if rule is not None else None


def lot_is_major(*, lot: Lot) -> bool:
    threshold = major_threshold(lot=lot)
    return threshold is not None and lot.estimate >= threshold


def officials_checked_in(*, lot_id: int, session_kind: str) -> QuerySet[OfficialCheckIn]:
    return (OfficialCheckIn.objects.filter(lot_id=lot_id, session_kind=session_kind)
            .select_related("official").order_by("at", "pk"))


def session_ended_at(*, lot: Lot, session_kind: str) -> datetime | None:
    """When a session ended, from which its observation report is due; None while it has not.

    An opening is counted from the bid deadline (a listing's end), the moment it may start: its
    report covers the deadline's keeping too, and the due date is then known in advance. An
    evaluation ends with its signed report, an auction when it ended."""
    if session_kind == SessionKind.OPENING:
        return lot.bid_deadline or lot.listing_end
    if session_kind == SessionKind.EVALUATION:
        return Evaluation.objects.filter(lot=lot).values_list("reported_at", flat=True).first()
    if session_kind == SessionKind.AUCTION:
        return Auction.objects.filter(lot=lot).values_list("ended_at", flat=True).first()
    return None


def report_due_at(*, lot: Lot, ended_at: datetime | None) -> datetime | None:
    """``ended_at`` plus the market's OBSERVATION_REPORT period on the real calendar."""
    if ended_at is None:
        return None
    rule = rule_find(market=lot.project.market_id, procedure=lot.project.procedure,
                     code=RuleCode.OBSERVATION_REPORT, at=lot_published_at(lot=lot))
    return deadline_add(start=ended_at, amount=rule.amount, unit=rule.unit).at if rule is not None else None


def auction_id_of(*, lot_id: int) -> int | None:
    return Auction.objects.filter(lot_id=lot_id).values_list("pk", flat=True).first()


def stop_requests_of_lot(*, lot_id: int) -> QuerySet[StopRequest]:
    return StopRequest.objects.filter(lot_id=lot_id).select_related("supervisor").order_by("raised_at", "pk")


def stop_requests_for_staff() -> QuerySet[StopRequest]:
    """Unanswered stop requests first (the most urgent first), then the latest answered ones."""
    return StopRequest.objects.select_related("lot__project", "supervisor").order_by(
        "answered_at", "answer_due_at", "-pk")


def questions_for_staff() -> QuerySet[LiaisonQuestion]:
    return LiaisonQuestion.objects.select_related("lot__project", "supervisor").order_by(
        "answered_at", "asked_at", "-pk")


def objections_for_staff() -> QuerySet[SessionObjection]:
    return SessionObjection.objects.select_related("lot__project", "supervisor").order_by("-at", "-pk")


def questions_of(*, lot_id: int, user_id: int) -> QuerySet[LiaisonQuestion]:
    return LiaisonQuestion.objects.filter(lot_id=lot_id, supervisor_id=user_id).order_by("asked_at", "pk")


def objections_of(*, lot_id: int, user_id: int) -> QuerySet[SessionObjection]:
    return SessionObjection.objects.filter(lot_id=lot_id, supervisor_id=user_id).order_by("at", "pk")


def reads_names(user) -> bool:
    """Whether ``user`` may see which supervisor raised what: staff and regulators."""
    return user.is_authenticated and bool(user.role_set & {Role.STAFF, Role.REGULATOR})


def report_readable_by(*, report: ObservationReport, user) -> bool:
    """A report is read by its author, staff and regulators."""
    return user.is_authenticated and (report.assignment.supervisor_id == user.pk or reads_names(user))


def report_get(*, report_id: int) -> ObservationReport | None:
    return (ObservationReport.objects.select_related("assignment__lot__project", "assignment__supervisor")
            .filter(pk=report_id).first())


def report_get_for_user(*, report_id: int, user) -> ObservationReport:
    """The report if ``user`` may read it; 404 for none, 403 for someone else's."""
    report = report_get(report_id=report_id)
    if report is None:
        raise SessionError(Code.REPORT_NOT_FOUND, _("There is no such report."), status=404)
    if not report_readable_by(report=report, user=user):
        raise SessionError(Code.NOT_READER, _("A report is read by its author, staff and regulators."), status=403)
    return report


def report_file(*, report: ObservationReport) -> bytes:
    """The signed report as the file people download and ``python -m supervisors.verify report``
    checks: ``{"document": <the signed canonical JSON, byte for byte>, "signature": ...}``."""
    signature = json.dumps(report.signature)
    return b'{"document":' + report.payload.encode("utf-8") + b',"signature":' + signature.encode("ascii") + b"}"


def report_body(*, report: ObservationReport) -> dict:
    return json.loads(report.payload)["body"]


@dataclass(frozen=True)
class SeatReport:
    """One seat of a supervisor with the session it reports on, when that ended, when the report is
    due, and the report if filed."""
    assignment: Assignment
    session_kind: str
    ended_at: datetime | None
    due_at: datetime | None
    report: ObservationReport | None

    @property
    def session_label(self) -> str:
        return SessionKind(self.session_kind).label


def seat_reports(*, user) -> list[SeatReport]:
    """The person's active seats (drawn seats once accepted) with their reports: the workbench's
    "reports due". A direct assignment reports on the lot's first session kind that has ended."""
    seats = (Assignment.objects.filter(supervisor_id=user.pk, revoked_at__isnull=True)
             .filter(Q(draw__isnull=True) | Q(accepted_at__isnull=False))
             .select_related("lot__project__market", "lot__project__procedure").order_by("-assigned_at", "-pk"))
    reports = {report.assignment_id: report for report in ObservationReport.objects.filter(
        assignment__in=seats)}
    rows = []
    for seat in seats:
        report = reports.get(seat.pk)
        kind = report.session_kind if report else (seat.session_kind or direct_session_kind(lot=seat.lot))
        ended = session_ended_at(lot=seat.lot, session_kind=kind)
        rows.append(SeatReport(seat, kind, ended, report.due_at if report else report_due_at(lot=seat.lot,
                                                                                              ended_at=ended),
                               report))
    return rows


def direct_session_kind(*, lot: Lot) -> str:
    """The session a staff-assigned (undrawn) supervisor reports on: the auction if the lot had one,
    else the evaluation once reported, else the opening."""
    if Auction.objects.filter(lot=lot).exists():
        return SessionKind.AUCTION
    if Evaluation.objects.filter(lot=lot, reported_at__isnull=False).exists():
        return SessionKind.EVALUATION
    return SessionKind.OPENING
