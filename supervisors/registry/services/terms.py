"""The term sweep (settings.PLATFORM_SWEEPS): staff hear once that a supervisor's term ends soon
(``SUPERVISOR_TERM_NOTICE`` days before, the longest of their markets), and a term that has ended
expires, the supervisor role revoked. Renewal (``lifecycle.supervisor_renew``) clears the notice.

A term covers its end day; it expires on the day after. Each entry is handled in a transaction of
its own on its locked row, re-checked there, so two sweeps at once do each thing once."""
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from monitoring.events import record
from supervisors.registry.models import Supervisor
from supervisors.registry.selectors import staff_people
from supervisors.registry.services.common import notice_days, role_take, status_move, subject_of
from trading import clock
from trading.models import Market, RuleCode
from trading.selectors_calendar import rule_find
from trading.services.notifications import notify
from trading.workdays import local_day

SWEEP_ACTOR = "system:clock"
SERVING = (Supervisor.Status.APPOINTED, Supervisor.Status.SUSPENDED)


def _longest_notice() -> int:
    """The longest notice any market sets: no term nearer its end than this is skipped unread."""
    rules = (rule_find(market=market, procedure=None, code=RuleCode.SUPERVISOR_TERM_NOTICE)
             for market in Market.objects.all())
    return max((rule.amount for rule in rules if rule is not None), default=0)


def _notice(supervisor_id: int, *, today) -> bool:
    with transaction.atomic():
        supervisor = (Supervisor.objects.select_for_update(of=("self",)).select_related("user")
                      .filter(pk=supervisor_id, status__in=SERVING, term_notice_at__isnull=True).first())
        if supervisor is None or supervisor.term_end - today > timedelta(days=notice_days(supervisor)):
            return False
        supervisor.term_notice_at = clock.now()
        supervisor.save(update_fields=["term_notice_at"])
        record(kind="supervisor.term_ending", actor=SWEEP_ACTOR, subject=subject_of(supervisor.pk),
               data={"term_end": supervisor.term_end.isoformat()})
        link = reverse("staff-supervisor", kwargs={"supervisor_id": supervisor.pk})
        for person in staff_people():
            notify(user=person, kind="supervisor.term_ending",
                   title=_("The term of social supervisor %(person)s ends on %(day)s"),
                   body=_("Renew it on the supervisor's page, or let it expire."),
                   params={"person": supervisor, "day": supervisor.term_end.isoformat()}, link=link)
    return True


def _expire(supervisor_id: int, *, today) -> bool:
    with transaction.atomic():
        supervisor = (Supervisor.objects.select_for_update(of=("self",)).select_related("user")
                      .filter(pk=supervisor_id, status__in=SERVING, term_end__lt=today).first())
        if supervisor is None:
            return False
        reason = str(_("The term ended on %(day)s.") % {"day": supervisor.term_end.isoformat()})
        status_move(supervisor, "expire", reason=reason, actor=SWEEP_ACTOR, kind="supervisor.expired")
        role_take(supervisor, reason=reason, actor=SWEEP_ACTOR)
    return True


def supervisor_term_sweep() -> dict:
    """Timed sweep: notices for terms ending soon, expiry for terms ended."""
    today = local_day(clock.now())
    serving = Supervisor.objects.filter(status__in=SERVING, term_end__isnull=False)
    ending = serving.filter(term_notice_at__isnull=True, term_end__gte=today,
                            term_end__lte=today + timedelta(days=_longest_notice()))
    noticed = [pk for pk in ending.values_list("pk", flat=True) if _notice(pk, today=today)]
    expired = [pk for pk in serving.filter(term_end__lt=today).values_list("pk", flat=True)
               if _expire(pk, today=today)]
    return {"noticed": noticed, "expired": expired}
