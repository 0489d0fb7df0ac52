"""A seated supervisor's rights during a session, through the services: stop requests answered by
staff on the record, questions to the liaison, objections; everyone else refused and audited."""
from datetime import timedelta

import pytest
import time_machine

from monitoring.models import AuditEntry
from supervisors.registry.models import SessionKind, Supervisor
from supervisors.services import assignment_create, assignment_revoke
from supervisors.sessions.models import LiaisonQuestion, SessionObjection, StopRequest
from supervisors.sessions.services import (liaison_question_answer, liaison_question_ask, session_objection_record,
                                           stop_request_answer, stop_request_raise)
from supervisors.sessions.tests.conftest import STAFF, seat_drawn
from trading import clock
from trading.errors import PlatformError
from trading.models import Lot, LotHold, Notification
from trading.services.lots import lot_resume

pytestmark = pytest.mark.django_db


def refused(call, **kwargs) -> PlatformError:
    with pytest.raises(PlatformError) as caught:
        call(**kwargs)
    return caught.value


def refusals_of(user) -> list[dict]:
    return list(AuditEntry.objects.filter(kind="supervision.refused", subject=f"user:{user.pk}")
                .order_by("id").values_list("data", flat=True))


def lot_events(lot, kind: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind=kind).order_by("subject_seq"))


def test_a_stop_request_is_on_the_lots_record_and_staff_answer_it_within_minutes(live_lot, supervisor, staff):
    now = clock.now()
    with time_machine.travel(now, tick=False):
        stop = stop_request_raise(lot_id=live_lot.pk, session_kind="opening", user=supervisor,
                                  reason="开标现场有无关人员进入")

    assert stop.answer_due_at == now + timedelta(minutes=10)  # STOP_REQUEST_ANSWER, construction
    [event] = lot_events(live_lot, "supervision.stop_requested")
    assert event.data == {"stop_request": stop.pk, "session": "opening", "reason": "开标现场有无关人员进入",
                          "answer_due_at": stop.answer_due_at.isoformat(), "raised_by": "social_supervisor"}
    assert event.actor == f"user:{supervisor.pk}"
    assert Notification.objects.filter(user=staff, kind="supervision.stop_requested").count() == 1

    answered = stop_request_answer(stop_request_id=stop.pk, user=staff, decision="continued",
                                   answer="无关人员已请离，开标继续")

    assert (answered.decision, answered.answered_by) == ("continued", f"user:{staff.pk}")
    [event] = lot_events(live_lot, "supervision.stop_answered")
    assert event.data["answer"] == "无关人员已请离，开标继续" and event.data["late"] is False
    assert event.data["held"] is False
    live_lot.refresh_from_db()
    assert live_lot.status == Lot.Status.CLOSED
    notice = Notification.objects.get(user=supervisor, kind="supervision.stop_answered")
    assert "无关人员已请离" in notice.body_zh
    assert refused(stop_request_answer, stop_request_id=stop.pk, user=staff, decision="stopped",
                   answer="again").code == "already_answered"


def test_a_stop_holds_the_lot_until_staff_resume_it(live_lot, supervisor, staff):
    stop = stop_request_raise(lot_id=live_lot.pk, session_kind="opening", user=supervisor, reason="开标系统异常")
    later = stop.answer_due_at + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        stop_request_answer(stop_request_id=stop.pk, user=staff, decision="stopped", answer="暂停开标，排查系统")

    live_lot.refresh_from_db()
    assert live_lot.status == Lot.Status.SUSPENDED
    [hold] = LotHold.objects.filter(lot=live_lot, released_at__isnull=True)
    assert (hold.reason, hold.subject) == ("order", f"lot:{live_lot.pk}")
    [event] = lot_events(live_lot, "supervision.stop_answered")
    assert event.data["late"] is True and event.data["held"] is True
    # A stopped session cannot be asked to stop again: nothing is live while the lot is held.
    assert refused(stop_request_raise, lot_id=live_lot.pk, session_kind="opening", user=supervisor,
                   reason="again").code == "session_not_live"

    lot_resume(lot_id=live_lot.pk, actor=f"user:{staff.pk}")
    live_lot.refresh_from_db()
    assert live_lot.status == Lot.Status.CLOSED


def test_only_a_supervisor_seated_on_the_session_may_raise_and_each_refusal_is_audited(
        live_lot, seat, supervisor, other_supervisor, bidder_a, staff, regulator):
    cases = [(bidder_a, "not_supervisor"), (staff, "not_supervisor"), (regulator, "not_supervisor"),
             (other_supervisor, "not_seated")]
    for person, code in cases:
        error = refused(stop_request_raise, lot_id=live_lot.pk, session_kind="opening", user=person, reason="停")
        assert (error.code, error.status) == (code, 403), person
        assert refusals_of(person)[-1] == {"action": "stop_request", "lot": live_lot.pk, "session": "opening",
                                           "code": code}
    assignment_revoke(assignment_id=seat.pk, actor=STAFF)
    assert refused(stop_request_raise, lot_id=live_lot.pk, session_kind="opening", user=supervisor,
                   reason="停").code == "seat_revoked"
    assert [entry["code"] for entry in refusals_of(supervisor)] == ["seat_revoked"]
    assert not StopRequest.objects.exists()
    assert not lot_events(live_lot, "supervision.stop_requested")


def test_a_drawn_seat_acts_once_accepted_and_only_for_its_session(live_lot, supervisor, other_supervisor):
    drawn = seat_drawn(assignment_create(lot_id=live_lot.pk, supervisor_id=other_supervisor.pk, actor=STAFF),
                       session_kind=SessionKind.OPENING, accepted=False)
    assert refused(stop_request_raise, lot_id=live_lot.pk, session_kind="opening", user=other_supervisor,
                   reason="停").code == "seat_not_accepted"
    seat_drawn(drawn, session_kind=SessionKind.EVALUATION, accepted=True)
    assert refused(session_objection_record, lot_id=live_lot.pk, session_kind="opening", user=other_supervisor,
                   text="异议").code == "not_seated"
    seat_drawn(drawn, session_kind=SessionKind.OPENING, accepted=True)
    assert session_objection_record(lot_id=live_lot.pk, session_kind="opening", user=other_supervisor,
                                    text="唱标顺序与递交顺序不符").session_kind == "opening"


def test_a_suspended_or_expired_supervisor_has_no_rights(live_lot, supervisor):
    profile = Supervisor.objects.create(user=supervisor, status=Supervisor.Status.SUSPENDED,
                                        recommended_at=clock.now(), recommended_by=STAFF)
    assert refused(liaison_question_ask, lot_id=live_lot.pk, user=supervisor,
                   text="问题").code == "supervisor_not_appointed"
    profile.reinstate()
    profile.term_end = (clock.now() - timedelta(days=2)).date()
    profile.save()
    assert refused(liaison_question_ask, lot_id=live_lot.pk, user=supervisor, text="问题").code == "term_expired"
    profile.term_end = (clock.now() + timedelta(days=300)).date()
    profile.save()
    assert liaison_question_ask(lot_id=live_lot.pk, user=supervisor, text="开标室能否录像？").pk


def test_no_stop_request_or_objection_outside_a_live_session(open_lot, seat, supervisor):
    for call, kwargs in ((stop_request_raise, {"reason": "停"}), (session_objection_record, {"text": "异议"})):
        error = refused(call, lot_id=open_lot.pk, session_kind="opening", user=supervisor, **kwargs)
        assert (error.code, error.status) == ("session_not_live", 409)
    assert refused(stop_request_raise, lot_id=open_lot.pk, session_kind="evaluation", user=supervisor,
                   reason="停").code == "session_not_live"
    assert refused(stop_request_raise, lot_id=open_lot.pk, session_kind="lunch", user=supervisor,
                   reason="停").code == "session_unknown"
    assert refused(stop_request_raise, lot_id=open_lot.pk, session_kind="opening", user=supervisor,
                   reason="  ").code == "text_required"
    assert not refusals_of(supervisor)  # bad input and the lot's state are not a want of right


def test_only_staff_answer_and_bad_decisions_change_nothing(live_lot, supervisor, regulator, staff):
    stop = stop_request_raise(lot_id=live_lot.pk, session_kind="opening", user=supervisor, reason="停")
    for person in (supervisor, regulator):
        error = refused(stop_request_answer, stop_request_id=stop.pk, user=person, decision="continued", answer="继续")
        assert (error.code, error.status) == ("not_staff", 403)
        assert refusals_of(person)[-1]["action"] == "stop_request_answer"
    assert refused(stop_request_answer, stop_request_id=stop.pk, user=staff, decision="maybe",
                   answer="继续").code == "decision_invalid"
    assert refused(stop_request_answer, stop_request_id=999_999, user=staff, decision="continued",
                   answer="继续").code == "stop_request_not_found"
    stop.refresh_from_db()
    assert stop.answered_at is None


def test_a_question_to_the_liaison_is_answered_on_the_record(live_lot, supervisor, staff, bidder_a):
    question = liaison_question_ask(lot_id=live_lot.pk, user=supervisor, text="开标室是否全程录像？")
    assert Notification.objects.filter(user=staff, kind="supervision.question_asked").exists()
    assert refused(liaison_question_ask, lot_id=live_lot.pk, user=bidder_a, text="?").code == "not_supervisor"
    assert refused(liaison_question_answer, question_id=question.pk, user=supervisor,
                   answer="是").code == "not_staff"

    liaison_question_answer(question_id=question.pk, user=staff, answer="全程录像，保存六个月")

    question.refresh_from_db()
    assert question.answer == "全程录像，保存六个月" and question.answered_by == f"user:{staff.pk}"
    kinds = list(AuditEntry.objects.filter(subject=f"liaison_question:{question.pk}").values_list("kind", flat=True))
    assert kinds == ["supervision.question_asked", "supervision.question_answered"]
    assert Notification.objects.filter(user=supervisor, kind="supervision.question_answered").exists()
    assert refused(liaison_question_answer, question_id=question.pk, user=staff,
                   answer="again").code == "already_answered"
    assert LiaisonQuestion.objects.count() == 1


def test_an_objection_during_the_session_is_in_the_lots_record(live_lot, supervisor, staff, bidder_a):
    objection = session_objection_record(lot_id=live_lot.pk, session_kind="opening", user=supervisor,
                                         text="解密顺序未按递交顺序")
    [event] = lot_events(live_lot, "supervision.objection_recorded")
    assert event.data == {"objection": objection.pk, "session": "opening", "text": "解密顺序未按递交顺序",
                          "raised_by": "social_supervisor"}
    assert Notification.objects.filter(user=staff, kind="supervision.objection_recorded").exists()
    assert refused(session_objection_record, lot_id=live_lot.pk, session_kind="opening", user=bidder_a,
                   text="异议").code == "not_supervisor"
    assert SessionObjection.objects.count() == 1
