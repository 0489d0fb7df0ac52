"""The random draw of social supervisors for one session of a lot, the drawn supervisor's answer
(accept, or apply to recuse), and staff's decision on a recusal, whose approval redraws the seat.

Who is in the pool: every appointed supervisor who watches the lot's market (or every market),
whose term covers today and who has accepted the pledge, less anyone with a ground (``_grounds``):
employed by the tenderee or by an organisation registered for the lot (the registry's employer or
their account's organisation), suspended, expired or dismissed, already holding a seat on this lot
(one active seat per person and lot), or seated for the same kind of session on another lot whose
session overlaps (bid deadlines or listing ends within ``rules.OVERLAP``). The order is
``rules.draw_redo`` under a fresh 32-byte seed from ``secrets``; the first N (the market's
``SUPERVISORS_PER_SESSION``) are seated. The seed, the ordered pool and the drawn are published on
the lot's record (``supervision.drawn`` under ``lot:<id>``) so anyone can redo the draw; the
exclusions are published with their grounds, a conflict with a party only as ``conflict`` (whose
employee someone is would tell who registered before the opening); staff see the grounds in full.

Lock order, as everywhere on a lot: the lot, then the seats and recusal, then the registry entries
of the candidates (so a dismissal, which takes the entry, waits or is seen)."""
import secrets

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from monitoring.events import access_changed, actor_of, record
from supervisors.models import Assignment
from supervisors.registry import rules
from supervisors.registry.errors import RegistryError, refuse
from supervisors.registry.errors import RegistryErrorCode as Code
from supervisors.registry.models import Recusal, SessionKind, Supervisor, SupervisorDraw
from supervisors.registry.selectors import employers_of, staff_people
from supervisors.registry.services.common import reason_text, staff_check, subject_of
from supervisors.services import ENDED_STATUSES
from trading import clock
from trading.models import Lot, Registration, RuleCode, User
from trading.selectors_calendar import lot_published_at, rule_get
from trading.services.moves import lot_lock
from trading.services.notifications import notify
from trading.workdays import local_day

UNPUBLISHED = (Lot.Status.DRAFT, Lot.Status.PENDING_REVIEW)
CONSIDERED = (Supervisor.Status.APPOINTED, Supervisor.Status.SUSPENDED, Supervisor.Status.EXPIRED,
              Supervisor.Status.DISMISSED)


def _candidates(lot: Lot, *, only: list[int] | None) -> list[Supervisor]:
    """The registry entries that could sit on the lot's sessions, locked in id order."""
    watching = Supervisor.objects.filter(Q(markets=lot.project.market_id) | Q(markets__isnull=True),
                                         status__in=CONSIDERED)
    if only is not None:
        watching = watching.filter(pk__in=only)
    ids = sorted(set(watching.values_list("pk", flat=True)))
    return list(Supervisor.objects.select_for_update(of=("self",)).select_related("user")
                .prefetch_related("relations").filter(pk__in=ids).order_by("pk"))


def _grounds(supervisor: Supervisor, *, lot: Lot, session_kind: str, today, parties: tuple[int, set[int]],
             seats: list[Assignment]) -> list[str]:
    """Why ``supervisor`` may not be drawn for this session ([] when nothing stands in the way)."""
    grounds = []
    if supervisor.status != Supervisor.Status.APPOINTED:
        grounds.append(supervisor.status)
    elif not (supervisor.term_start and supervisor.term_start <= today <= supervisor.term_end):
        grounds.append("term")
    if supervisor.pledge_accepted_at is None:
        grounds.append("no_pledge")
    tenderee, bidders = parties
    employers = employers_of(supervisor)
    if tenderee in employers:
        grounds.append("employer_tenderee")
    if employers & bidders:
        grounds.append("employer_bidder")
    if {relation.organisation_id for relation in supervisor.relations.all()} & ({tenderee} | bidders):
        grounds.append("declared_relation")
    mine = [seat for seat in seats if seat.supervisor_id == supervisor.user_id]
    if any(seat.lot_id == lot.pk and seat.session_kind in ("", session_kind) for seat in mine):
        grounds.append("seated_on_lot")  # on this session already, or on the whole lot by staff
    if any(seat.lot_id != lot.pk and seat.session_kind == session_kind
           and rules.sessions_overlap(rules.session_time(seat.lot), rules.session_time(lot)) for seat in mine):
        grounds.append("overlapping_session")
    return grounds


def _draw(lot: Lot, *, session_kind: str, size: int, actor: str, only: list[int] | None = None,
          replaces: SupervisorDraw | None = None) -> SupervisorDraw:
    """Draw ``size`` supervisors and seat them. Caller holds the lot's lock. Refuses (nothing
    drawn) when the pool is too small."""
    now = clock.now()
    today = local_day(now)
    candidates = _candidates(lot, only=only)
    parties = (lot.project.tenderee_id, set(Registration.objects.filter(lot=lot).values_list("organisation_id",
                                                                                              flat=True)))
    seats = list(Assignment.objects.filter(supervisor_id__in=[c.user_id for c in candidates],
                                           revoked_at__isnull=True).select_related("lot"))
    eligible, excluded = [], []
    for supervisor in candidates:
        grounds = _grounds(supervisor, lot=lot, session_kind=session_kind, today=today, parties=parties, seats=seats)
        if grounds:
            excluded.append({"supervisor": supervisor.pk, "grounds": grounds})
        else:
            eligible.append(supervisor.pk)
    if len(eligible) < size:
        raise RegistryError(Code.POOL_TOO_SMALL, _("Only %(n)s supervisors can be drawn for this session; %(size)s "
                                                   "are needed.") % {"n": len(eligible), "size": size}, status=409)
    seed = secrets.token_bytes(32).hex()
    pool = rules.draw_redo(seed=seed, session_kind=session_kind, pool=eligible)
    drawn = pool[:size]
    draw = SupervisorDraw.objects.create(lot=lot, session_kind=session_kind, size=size, seed=seed, pool=pool,
                                         excluded=excluded, drawn=drawn, replaces=replaces, drawn_by=actor,
                                         drawn_at=now)
    people = {supervisor.pk: supervisor for supervisor in candidates}
    session = SessionKind(session_kind).label
    for pk in drawn:
        user = people[pk].user
        Assignment.objects.create(lot=lot, supervisor=user, assigned_by=actor, assigned_at=now, draw=draw,
                                  session_kind=session_kind)
        notify(user=user, kind="supervision.drawn", title=_("You are drawn to watch the %(session)s of lot %(lot)s"),
               body=_("Accept the seat, or apply to recuse with your reason, on your workbench."),
               params={"session": session, "lot": lot.code}, link=reverse("supervision-workbench"))
        access_changed(user.pk)
    record(kind="supervision.drawn", actor=actor, subject=f"lot:{lot.pk}",
           data={"draw": draw.pk, "session_kind": session_kind, "size": size, "seed": seed, "pool": pool,
                 "drawn": drawn, "replaces": replaces.pk if replaces else None,
                 "excluded": [{"supervisor": item["supervisor"], "grounds": rules.public_grounds(item["grounds"])}
                              for item in excluded]})
    return draw


def supervisor_draw(*, lot_id: int, session_kind: str, by: User) -> SupervisorDraw:
    """Staff draw the supervisors of one session of a published lot (once per session: a seat left
    open by a recusal is redrawn when the recusal is approved)."""
    actor = staff_check(by, subject=f"lot:{lot_id}")
    if session_kind not in SessionKind.values:
        raise RegistryError(Code.SESSION_KIND, _("The session is an opening, an evaluation or an auction."))
    with transaction.atomic():
        lot = lot_lock(lot_id)
        if lot.status in UNPUBLISHED or lot.status in ENDED_STATUSES:
            raise RegistryError(Code.LOT_NOT_WATCHED, _("Supervisors are drawn for a lot from its publication until "
                                                        "it ends; this lot is %(status)s.")
                                % {"status": lot.get_status_display()}, status=409)
        if session_kind not in rules.SESSIONS_OF_PROCEDURE[lot.procedure.kind]:
            raise RegistryError(Code.SESSION_KIND, _("A %(procedure)s has no %(session)s.")
                                % {"procedure": lot.procedure.get_kind_display(),
                                   "session": SessionKind(session_kind).label})
        if Assignment.objects.filter(lot=lot, session_kind=session_kind, revoked_at__isnull=True).exists():
            raise RegistryError(Code.DRAW_EXISTS, _("The supervisors of this session are drawn already."), status=409)
        size = rule_get(market=lot.project.market, procedure=lot.procedure, code=RuleCode.SUPERVISORS_PER_SESSION,
                        at=lot_published_at(lot=lot)).amount
        return _draw(lot, session_kind=session_kind, size=size, actor=actor)


def _own_seat(assignment_id: int, user: User) -> Assignment:
    """The user's drawn seat (refused, audited, when it is someone else's)."""
    seat = Assignment.objects.filter(pk=assignment_id, draw__isnull=False).first()
    if seat is None:
        raise RegistryError(Code.SEAT_NOT_FOUND, _("There is no such drawn seat."), status=404)
    if seat.supervisor_id != getattr(user, "pk", None):
        refuse(Code.NOT_YOURS, _("Only the supervisor drawn for this seat answers for it."), actor=actor_of(user),
               subject=f"assignment:{assignment_id}")
    return seat


def _seat_lock(seat: Assignment) -> tuple[Lot, Assignment]:
    lot = lot_lock(seat.lot_id)
    seat = Assignment.objects.select_for_update(of=("self",)).select_related("draw").get(pk=seat.pk)
    if seat.revoked_at is not None:
        raise RegistryError(Code.SEAT_ENDED, _("This seat was revoked."), status=409)
    return lot, seat


def assignment_accept(*, assignment_id: int, user: User) -> Assignment:
    """The drawn supervisor takes the seat: they will watch the session and report on it."""
    seat = _own_seat(assignment_id, user)
    with transaction.atomic():
        lot, seat = _seat_lock(seat)
        if seat.accepted_at is not None:
            raise RegistryError(Code.SEAT_ACCEPTED, _("You accepted this seat already."), status=409)
        if Recusal.objects.filter(assignment=seat, status=Recusal.Status.APPLIED).exists():
            raise RegistryError(Code.RECUSAL_EXISTS, _("Your application to recuse from this seat awaits staff's "
                                                       "decision."), status=409)
        if not Supervisor.objects.filter(user_id=user.pk, status=Supervisor.Status.APPOINTED).exists():
            raise RegistryError(Code.STATUS, _("Only an appointed supervisor accepts a seat."), status=409)
        seat.accepted_at = clock.now()
        seat.save(update_fields=["accepted_at"])
        record(kind="supervision.seat_accepted", actor=actor_of(user), subject=f"lot:{lot.pk}",
               data={"assignment": seat.pk, "draw": seat.draw_id, "session_kind": seat.session_kind})
    return seat


def recusal_apply(*, assignment_id: int, user: User, reason: str) -> Recusal:
    """The drawn supervisor applies to recuse (回避申请), with the reason; staff decide. The reason
    is kept under the supervisor's subject, not on the lot's public record."""
    seat = _own_seat(assignment_id, user)
    reason = reason_text(reason)
    with transaction.atomic():
        lot, seat = _seat_lock(seat)
        if Recusal.objects.filter(assignment=seat).exists():
            raise RegistryError(Code.RECUSAL_EXISTS, _("You applied to recuse from this seat already."), status=409)
        recusal = Recusal.objects.create(assignment=seat, reason=reason, applied_at=clock.now())
        registry_id = Supervisor.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
        record(kind="supervision.recusal_applied", actor=actor_of(user), subject=subject_of(registry_id),
               data={"recusal": recusal.pk, "assignment": seat.pk, "lot": lot.pk, "reason": reason})
        link = reverse("staff-lot-draws", kwargs={"lot_id": lot.pk})
        for person in staff_people():
            notify(user=person, kind="supervision.recusal_applied",
                   title=_("%(person)s applies to recuse from the %(session)s of lot %(lot)s"),
                   body=_("Reason: %(reason)s"), link=link,
                   params={"person": user, "session": SessionKind(seat.session_kind).label, "lot": lot.code,
                           "reason": reason})
    return recusal


def _redraw(lot: Lot, seat: Assignment, *, actor: str) -> SupervisorDraw | None:
    """One replacement for a recused seat from what remains of the first draw's pool (everyone
    ever drawn for this session left out), under a fresh seed; None when nobody remains."""
    root = seat.draw
    while root.replaces_id is not None:
        root = root.replaces
    ever_drawn = {pk for drawn in SupervisorDraw.objects.filter(lot=lot, session_kind=seat.session_kind)
                  .values_list("drawn", flat=True) for pk in drawn}
    remaining = [pk for pk in root.pool if pk not in ever_drawn]
    try:
        with transaction.atomic():
            return _draw(lot, session_kind=seat.session_kind, size=1, actor=actor, only=remaining, replaces=seat.draw)
    except RegistryError as error:
        if error.code != Code.POOL_TOO_SMALL:
            raise
    record(kind="supervision.seat_open", actor=actor, subject=f"lot:{lot.pk}",
           data={"draw": seat.draw_id, "session_kind": seat.session_kind, "remaining": remaining})
    return None


def recusal_decide(*, recusal_id: int, by: User, approve: bool, reason: str = "") -> Recusal:
    """Staff decide: approved, the seat is revoked and one replacement drawn (recorded as a draw
    that ``replaces`` the first); refused, the supervisor keeps the seat and hears why."""
    actor = staff_check(by, subject=f"recusal:{recusal_id}")
    reason = reason_text(reason, required=not approve)
    lot_id = Recusal.objects.filter(pk=recusal_id).values_list("assignment__lot_id", flat=True).first()
    if lot_id is None:
        raise RegistryError(Code.RECUSAL_NOT_FOUND, _("There is no such recusal application."), status=404)
    with transaction.atomic():
        lot = lot_lock(lot_id)
        recusal = Recusal.objects.select_for_update(of=("self",)).get(pk=recusal_id)
        seat = Assignment.objects.select_for_update(of=("self",)).select_related("draw", "supervisor").get(
            pk=recusal.assignment_id)
        if recusal.status != Recusal.Status.APPLIED:
            raise RegistryError(Code.RECUSAL_DECIDED, _("This application was decided already."), status=409)
        now = clock.now()
        if approve:
            recusal.approve()
            seat.revoked_at, seat.revoked_by = now, actor
            seat.save(update_fields=["revoked_at", "revoked_by"])
            record(kind="supervision.revoked", actor=actor, subject=f"assignment:{seat.pk}",
                   data={"lot": lot.pk, "supervisor": seat.supervisor_id, "reason": "recused"})
            access_changed(seat.supervisor_id)
            recusal.redraw = _redraw(lot, seat, actor=actor)
        else:
            recusal.refuse()
        recusal.decided_by, recusal.decided_at, recusal.decision_reason = actor, now, reason
        recusal.save()
        registry_id = Supervisor.objects.filter(user_id=seat.supervisor_id).values_list("pk", flat=True).first()
        record(kind="supervision.recusal_decided", actor=actor, subject=subject_of(registry_id),
               data={"recusal": recusal.pk, "approved": approve, "reason": reason, "lot": lot.pk,
                     "redraw": recusal.redraw_id})
        notify(user=seat.supervisor, kind="supervision.recusal_decided",
               title=(_("Your recusal from lot %(lot)s is approved") if approve
                      else _("Your recusal from lot %(lot)s is refused")),
               body=_("Reason: %(reason)s") if reason else "", params={"lot": lot.code, "reason": reason},
               link=reverse("supervision-workbench"))
    return recusal
