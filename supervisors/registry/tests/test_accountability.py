"""Accountability: sanctions with reasons and evidence, each suspension or dismissal moving the
supervisor, and the yearly evaluation whose figures come from the record."""
import pytest

from supervisors.models import Assignment
from supervisors.registry.errors import RegistryError
from supervisors.registry.models import Sanction, Supervisor
from supervisors.registry.services import accountability, draws
from supervisors.registry.tests.conftest import PDF, pdf
from supervisors.sessions.models import SessionObjection, StopRequest
from trading import clock
from trading.models import Notification, Role, User
from trading.storage import get_storage
from trading.workdays import local_day

pytestmark = pytest.mark.django_db


def test_a_warning_a_suspension_and_a_dismissal(staff, appointed):
    supervisor = appointed("acc_a")
    warning = accountability.sanction_impose(supervisor_id=supervisor.pk, by=staff, kind="warning",
                                             reason="监督报告迟交三日", evidence=pdf())
    assert get_storage().get(warning.evidence_key).read() == PDF
    assert Notification.objects.filter(user=supervisor.user, kind="supervisor.warned").exists()
    assert Supervisor.objects.get(pk=supervisor.pk).status == Supervisor.Status.APPOINTED

    accountability.sanction_impose(supervisor_id=supervisor.pk, by=staff, kind="suspension", reason="再次迟交")
    assert Supervisor.objects.get(pk=supervisor.pk).status == Supervisor.Status.SUSPENDED
    accountability.sanction_impose(supervisor_id=supervisor.pk, by=staff, kind="dismissal", reason="泄露评标信息")
    assert Supervisor.objects.get(pk=supervisor.pk).status == Supervisor.Status.DISMISSED
    assert not User.objects.get(pk=supervisor.user_id).has_role(Role.SUPERVISOR)
    assert list(Sanction.objects.filter(supervisor=supervisor).values_list("kind", "by")) == [
        ("dismissal", f"user:{staff.pk}"), ("suspension", f"user:{staff.pk}"), ("warning", f"user:{staff.pk}")]

    with pytest.raises(RegistryError) as kind:
        accountability.sanction_impose(supervisor_id=supervisor.pk, by=staff, kind="fine", reason="x")
    assert kind.value.code == "sanction_kind"
    with pytest.raises(RegistryError) as again:
        accountability.sanction_impose(supervisor_id=supervisor.pk, by=staff, kind="suspension", reason="x")
    assert again.value.code == "status"
    assert Sanction.objects.filter(supervisor=supervisor).count() == 3


def test_the_yearly_evaluation_counts_the_record(staff, appointed, lot, make_lot):
    supervisor = appointed("acc_b")
    appointed("acc_c")
    draw = draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)
    seat = Assignment.objects.get(draw=draw, supervisor=supervisor.user)
    draws.assignment_accept(assignment_id=seat.pk, user=supervisor.user)
    draws.recusal_apply(assignment_id=seat.pk, user=supervisor.user, reason="亲属在投标单位任职")
    now = clock.now()
    # The session's rights are another part's services; their rows are what the figures count.
    SessionObjection.objects.create(lot=lot, session_kind="opening", supervisor=supervisor.user, text="唱标过快",
                                    at=now)
    StopRequest.objects.create(lot=lot, session_kind="opening", supervisor=supervisor.user, reason="网络中断",
                               raised_at=now, answer_due_at=now)
    accountability.sanction_impose(supervisor_id=supervisor.pk, by=staff, kind="warning", reason="提醒")

    year = local_day(now).year
    evaluation = accountability.evaluation_record(supervisor_id=supervisor.pk, by=staff, year=year, grade="good",
                                                  comment="履职认真")
    assert evaluation.figures == {"sessions_watched": 1, "reports_filed": 0, "reports_late": 0,
                                  "reports_missing": 1, "recusals": 1, "objections": 1, "stop_requests": 1,
                                  "sanctions": 1}
    assert Notification.objects.filter(user=supervisor.user, kind="supervisor.evaluated").exists()
    with pytest.raises(RegistryError) as twice:
        accountability.evaluation_record(supervisor_id=supervisor.pk, by=staff, year=year, grade="pass")
    assert twice.value.code == "evaluation_exists"
    for year_given, grade, code in ((year + 1, "good", "evaluation_year"), (year - 1, "superb", "grade_invalid")):
        with pytest.raises(RegistryError) as refused:
            accountability.evaluation_record(supervisor_id=supervisor.pk, by=staff, year=year_given, grade=grade)
        assert refused.value.code == code
