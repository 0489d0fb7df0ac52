"""Reads of the registry: the list and one person's page with their whole record, the grounds that
stop a vetting, the yearly figures, a lot's draws, and a supervisor's workbench."""
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from bidding.evaluation.models import ExpertPenalty
from bidding.sales.models import Auction
from supervisors.models import Assignment
from supervisors.registry.models import Recusal, Sanction, Supervisor, SupervisorDraw
from supervisors.sessions.models import ObservationReport, SessionObjection, StopRequest
from trading.models import Lot, Market, Registration, Role, User

LIST_RELATED = ("user", "employer")


def supervisor_list(*, status: str = "", query: str = "") -> QuerySet[Supervisor]:
    """The registry, optionally of one status, or matching a name, username, unit or certificate."""
    supervisors = Supervisor.objects.select_related(*LIST_RELATED).prefetch_related("markets")
    if status:
        supervisors = supervisors.filter(status=status)
    if query:
        supervisors = supervisors.filter(Q(user__display_name__icontains=query) | Q(user__username__icontains=query)
                                         | Q(unit_name__icontains=query) | Q(certificate_number__icontains=query))
    return supervisors


def supervisor_get(*, supervisor_id: int) -> Supervisor | None:
    return supervisor_list().filter(pk=supervisor_id).first()


def supervisor_of(*, user) -> Supervisor | None:
    """The registry entry of a person, if they have one."""
    if user is None or not user.is_authenticated:
        return None
    return supervisor_list().filter(user_id=user.pk).first()


def markets_watched(supervisor: Supervisor) -> list[Market]:
    """The markets a supervisor watches: those named, or every market when none is."""
    return list(supervisor.markets.all()) or list(Market.objects.all())


def employers_of(supervisor: Supervisor) -> set[int]:
    """The organisations a supervisor works for on the platform: the employer named in the registry
    and the organisation of their account."""
    return {pk for pk in (supervisor.employer_id, supervisor.user.organisation_id) if pk}


def vetting_grounds(*, supervisor: Supervisor, today: date) -> list[str]:
    """What stops a candidate being vetted ([] when nothing does): ``employer_party`` when an
    employer is a tenderee or a bidder active in a market they would watch (a lot of theirs there,
    or a registration for one), ``penalty`` when the person was dismissed as a supervisor before or
    has an expert penalty in force."""
    grounds = []
    employers, markets = employers_of(supervisor), markets_watched(supervisor)
    if employers and (Lot.objects.filter(project__tenderee_id__in=employers, project__market__in=markets).exists()
                      or Registration.objects.filter(organisation_id__in=employers,
                                                     lot__project__market__in=markets).exists()):
        grounds.append("employer_party")
    penalties = ExpertPenalty.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today),
                                             expert__user_id=supervisor.user_id, starts_on__lte=today)
    if (Sanction.objects.filter(supervisor__user_id=supervisor.user_id, kind=Sanction.Kind.DISMISSAL).exists()
            or penalties.exists()):
        grounds.append("penalty")
    return grounds


def supervisor_figures(*, supervisor: Supervisor, year: int) -> dict:
    """The figures of a year's evaluation, from the record: seats accepted (sessions watched), reports
    filed and how many late, accepted seats with no report, recusals, objections, stop requests and
    sanctions. A year is a calendar year in China."""
    user_id = supervisor.user_id
    seats = Assignment.objects.filter(supervisor_id=user_id, draw__isnull=False, assigned_at__year=year)
    reports = ObservationReport.objects.filter(assignment__supervisor_id=user_id, submitted_at__year=year)
    return {
        "sessions_watched": seats.filter(accepted_at__isnull=False).count(),
        "reports_filed": reports.count(),
        "reports_late": sum(1 for due, at in reports.values_list("due_at", "submitted_at") if due and at > due),
        "reports_missing": seats.filter(accepted_at__isnull=False, report__isnull=True).count(),
        "recusals": Recusal.objects.filter(assignment__supervisor_id=user_id, applied_at__year=year).count(),
        "objections": SessionObjection.objects.filter(supervisor_id=user_id, at__year=year).count(),
        "stop_requests": StopRequest.objects.filter(supervisor_id=user_id, raised_at__year=year).count(),
        "sanctions": supervisor.sanctions.filter(at__year=year).count(),
    }


def _seats() -> QuerySet[Assignment]:
    return Assignment.objects.select_related("lot__project", "draw", "recusal", "report")


def supervisor_history(*, supervisor: Supervisor) -> dict:
    """A supervisor's whole record for their page: every seat (with its recusal and report), the
    objections and stop requests they raised, sanctions, evaluations and status changes."""
    user_id = supervisor.user_id
    return {
        "seats": list(_seats().filter(supervisor_id=user_id).order_by("-assigned_at", "-pk")),
        "objections": list(SessionObjection.objects.filter(supervisor_id=user_id).select_related("lot__project")
                           .order_by("-at")),
        "stop_requests": list(StopRequest.objects.filter(supervisor_id=user_id).select_related("lot__project")
                              .order_by("-raised_at")),
        "sanctions": list(supervisor.sanctions.all()),
        "evaluations": list(supervisor.evaluations.all()),
        "changes": list(supervisor.status_changes.order_by("-at", "-pk")),
    }


def draws_for_lot(*, lot_id: int) -> list[SupervisorDraw]:
    """A lot's draws, oldest first, each with its seats (and their people and recusals)."""
    seats = Assignment.objects.select_related("supervisor", "recusal").order_by("pk")
    return list(SupervisorDraw.objects.filter(lot_id=lot_id).select_related("replaces")
                .prefetch_related(Prefetch("seats", queryset=seats)))


def recusals_pending(*, lot_id: int | None = None) -> QuerySet[Recusal]:
    recusals = (Recusal.objects.filter(status=Recusal.Status.APPLIED)
                .select_related("assignment__lot__project", "assignment__supervisor").order_by("applied_at"))
    return recusals.filter(assignment__lot_id=lot_id) if lot_id else recusals


def workbench(*, user) -> dict:
    """A supervisor's workbench: seats drawn for them to accept or recuse from, accepted seats, and
    reports due (an accepted seat without its observation report)."""
    active = _seats().filter(supervisor_id=user.pk, revoked_at__isnull=True, draw__isnull=False).order_by(
        "lot__bid_deadline", "pk")
    return {
        "to_answer": list(active.filter(accepted_at__isnull=True)),
        "accepted": list(active.filter(accepted_at__isnull=False)),
        "reports_due": list(active.filter(accepted_at__isnull=False, report__isnull=True)),
    }


def auctions_by_lot(*, lot_ids) -> dict[int, int]:
    """The auction of each of these lots that has one, by lot id."""
    return dict(Auction.objects.filter(lot_id__in=lot_ids).values_list("lot_id", "pk"))


def staff_people() -> QuerySet[User]:
    """The centre's active staff, who hear of terms ending and recusals applied for."""
    return User.objects.filter(is_active=True, roles__role=Role.STAFF).distinct()
