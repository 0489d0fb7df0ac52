"""What the registry's services share: the staff check, the supervisor's lock, one status move with
its row, event and notice, and the rule-table numbers of a supervisor's markets."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from monitoring.events import actor_of, record
from supervisors.models import Assignment
from supervisors.registry.errors import RegistryError, refuse
from supervisors.registry.errors import RegistryErrorCode as Code
from supervisors.registry.models import Supervisor, SupervisorStatusChange
from supervisors.registry.selectors import markets_watched
from trading import clock
from trading.accounts.services.roles import role_grant, role_revoke
from trading.models import Role, RuleCode, User
from trading.selectors_calendar import rule_get
from trading.services.moves import lot_lock
from trading.services.notifications import notify

REASON_MAX = 2000


def subject_of(supervisor_id: int) -> str:
    return f"supervisor:{supervisor_id}"


def staff_check(by: User, *, subject: str) -> str:
    """The actor string of ``by`` when they are the centre's staff; anyone else is refused (audited).
    Call it before the action's transaction."""
    actor = actor_of(by)
    if by is None or not by.is_authenticated or not by.has_role(Role.STAFF):
        refuse(Code.NOT_STAFF, _("Only the centre's staff keep the supervisor registry and its draws."),
               actor=actor, subject=subject)
    return actor


def staff_on(by: User, supervisor_id: int) -> str:
    """``staff_check`` for an action on one supervisor, who is never the person acting (nobody vets,
    appoints or sanctions themselves)."""
    subject = subject_of(supervisor_id)
    actor = staff_check(by, subject=subject)
    if Supervisor.objects.filter(pk=supervisor_id, user_id=by.pk).exists():
        refuse(Code.NOT_YOURS, _("Another member of staff decides on your own registration."), actor=actor,
               subject=subject)
    return actor


def reason_text(reason: str, *, required: bool = True) -> str:
    reason = (reason or "").strip()[:REASON_MAX]
    if required and not reason:
        raise RegistryError(Code.REASON_REQUIRED, _("Give the reason."))
    return reason


def supervisor_lock(supervisor_id: int) -> Supervisor:
    """The registry entry, locked for the caller's transaction."""
    supervisor = (Supervisor.objects.select_for_update(of=("self",)).select_related("user")
                  .filter(pk=supervisor_id).first())
    if supervisor is None:
        raise RegistryError(Code.SUPERVISOR_NOT_FOUND, _("There is no such supervisor in the registry."), status=404)
    return supervisor


def lock_for_seats(supervisor_id: int) -> Supervisor:
    """Lock the lots the supervisor holds seats on (in id order), then the entry: the order of every
    service on a lot (lot, then its seats), so revoking those seats cannot deadlock with a draw."""
    lots = (Assignment.objects.filter(supervisor__supervisor_profile__pk=supervisor_id, revoked_at__isnull=True)
            .order_by("lot_id").values_list("lot_id", flat=True).distinct())
    for lot_id in lots:
        lot_lock(lot_id)
    return supervisor_lock(supervisor_id)


def status_refusal(supervisor: Supervisor) -> RegistryError:
    return RegistryError(Code.STATUS, _("%(person)s is “%(status)s” in the registry: this step does not apply.")
                         % {"person": supervisor, "status": supervisor.get_status_display()}, status=409)


def status_move(supervisor: Supervisor, transition: str | None, *, reason: str, actor: str, kind: str,
                data: dict | None = None, created: bool = False) -> SupervisorStatusChange:
    """Apply one move (``transition`` None: the status stays, as for a renewal, or the entry is new
    with ``created``) with its status-change row, its event under ``supervisor:<pk>`` and a notice to
    the person. Caller holds the lock."""
    before = "" if created else supervisor.status
    if transition is not None:
        move = getattr(supervisor, transition)
        if not can_proceed(move):
            raise status_refusal(supervisor)
        move()
    now = clock.now()
    supervisor.save()
    change = SupervisorStatusChange.objects.create(supervisor=supervisor, from_status=before,
                                                   to_status=supervisor.status, reason=reason, by=actor, at=now)
    record(kind=kind, actor=actor, subject=subject_of(supervisor.pk),
           data={"from": before, "to": supervisor.status, "reason": reason, **(data or {})})
    notify(user=supervisor.user, kind=kind, title=_("Your registration as a social supervisor: %(status)s"),
           body=_("Reason: %(reason)s") if reason else "",
           params={"status": Supervisor.Status(supervisor.status).label, "reason": reason},
           link=reverse("supervision-workbench"))
    return change


def term_rule(supervisor: Supervisor, code: str, *, pick=min) -> int:
    """A supervisor's number from the rule table, over the markets they watch: the shortest term
    (``min``), the longest notice (``max``)."""
    return pick(rule_get(market=market, procedure=None, code=code).amount for market in markets_watched(supervisor))


def term_days(supervisor: Supervisor) -> int:
    return term_rule(supervisor, RuleCode.SUPERVISOR_TERM, pick=min)


def notice_days(supervisor: Supervisor) -> int:
    return term_rule(supervisor, RuleCode.SUPERVISOR_TERM_NOTICE, pick=max)


def role_give(supervisor: Supervisor, *, by: User, reason: str) -> None:
    """Grant the supervisor role through the one roles service, unless the person holds it."""
    if not supervisor.user.has_role(Role.SUPERVISOR):
        role_grant(user=supervisor.user, role=Role.SUPERVISOR, reason=reason, grantor=by)


def role_take(supervisor: Supervisor, *, reason: str, by: User | None = None, actor: str | None = None) -> None:
    """Revoke the supervisor role (by a person, or the sweep's ``system:`` actor), if held."""
    supervisor.user.__dict__.pop("_role_set", None)
    if supervisor.user.has_role(Role.SUPERVISOR):
        role_revoke(user=supervisor.user, role=Role.SUPERVISOR, reason=reason, grantor=by, actor=actor)
