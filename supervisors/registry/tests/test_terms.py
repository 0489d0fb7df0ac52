"""Terms on the real clock (frozen): staff hear once, 30 days (the rule table) before a term ends;
the day after it ends the term expires and the role goes; renewal is one action."""
from datetime import date, datetime, timedelta

import pytest
import time_machine

from monitoring.models import AuditEntry
from supervisors.registry.models import Supervisor, SupervisorStatusChange
from supervisors.registry.services import lifecycle
from supervisors.registry.services.terms import supervisor_term_sweep
from supervisors.registry.tests.conftest import pdf
from trading.models import Notification, Role, User
from trading.workdays import CHINA

pytestmark = pytest.mark.django_db

APPOINTED_ON = date(2026, 3, 2)


def at(day: date, hour: int = 9):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=CHINA), tick=False)


def notices(user) -> int:
    return Notification.objects.filter(user=user, kind="supervisor.term_ending").count()


def test_staff_hear_once_before_the_end_and_the_term_expires_the_day_after(staff, make_person, recommend):
    other_staff = make_person("staff_b", ["staff"])
    with at(APPOINTED_ON):
        supervisor = recommend("term")
        lifecycle.supervisor_vet(supervisor_id=supervisor.pk, by=staff)
        lifecycle.supervisor_appoint(supervisor_id=supervisor.pk, by=staff, agreement=pdf(),
                                     agreement_signed_on=APPOINTED_ON)
        lifecycle.supervisor_pledge_accept(supervisor_id=supervisor.pk, user=supervisor.user)
    end = APPOINTED_ON + timedelta(days=730)
    assert Supervisor.objects.get(pk=supervisor.pk).term_end == end

    with at(end - timedelta(days=31)):
        assert supervisor_term_sweep() == {"noticed": [], "expired": []}
    with at(end - timedelta(days=30)):
        assert supervisor_term_sweep() == {"noticed": [supervisor.pk], "expired": []}
        assert supervisor_term_sweep() == {"noticed": [], "expired": []}
    assert (notices(staff), notices(other_staff), notices(supervisor.user)) == (1, 1, 0)
    assert Supervisor.objects.get(pk=supervisor.pk).term_notice_at is not None
    with at(end, hour=23):
        assert supervisor_term_sweep() == {"noticed": [], "expired": []}
    assert User.objects.get(pk=supervisor.user_id).has_role(Role.SUPERVISOR)

    with at(end + timedelta(days=1), hour=0):
        assert supervisor_term_sweep() == {"noticed": [], "expired": [supervisor.pk]}
        assert supervisor_term_sweep() == {"noticed": [], "expired": []}
    supervisor = Supervisor.objects.get(pk=supervisor.pk)
    assert supervisor.status == Supervisor.Status.EXPIRED
    assert not User.objects.get(pk=supervisor.user_id).has_role(Role.SUPERVISOR)
    change = SupervisorStatusChange.objects.filter(supervisor=supervisor).last()
    assert (change.to_status, change.by) == ("expired", "system:clock")
    assert list(AuditEntry.objects.filter(subject=f"supervisor:{supervisor.pk}", actor="system:clock")
                .values_list("kind", flat=True)) == ["supervisor.term_ending", "supervisor.expired"]

    renewed_on = end + timedelta(days=10)
    with at(renewed_on):
        lifecycle.supervisor_renew(supervisor_id=supervisor.pk, by=staff, reason="续聘一届")
    supervisor = Supervisor.objects.get(pk=supervisor.pk)
    assert (supervisor.status, supervisor.term_start, supervisor.term_end, supervisor.term_notice_at) == (
        Supervisor.Status.APPOINTED, renewed_on, renewed_on + timedelta(days=730), None)
    assert User.objects.get(pk=supervisor.user_id).has_role(Role.SUPERVISOR)
    assert supervisor.certificate_number  # the certificate stands


def test_a_renewal_before_the_notice_clears_it(staff, appointed):
    supervisor = appointed("early")
    with at(supervisor.term_end - timedelta(days=5)):
        supervisor_term_sweep()
        lifecycle.supervisor_renew(supervisor_id=supervisor.pk, by=staff)
        assert supervisor_term_sweep() == {"noticed": [], "expired": []}
    assert Supervisor.objects.get(pk=supervisor.pk).term_notice_at is None
