"""Assigning social supervisors to a lot and their observation notes: the services, the selectors the
live rooms rely on, the refusals, and the audit trail."""
import hashlib
import json

import pytest
from django.db import IntegrityError, transaction

from monitoring.models import AuditEntry
from supervisors.models import Assignment, ObservationNote
from supervisors.selectors import assignments_for_lot, assignments_for_supervisor, note_get, supervisor_is_assigned
from supervisors.services import NOTE_MAX, assignment_create, assignment_revoke, observation_note_save
from trading.errors import PlatformError
from trading.services.moves import lot_transition

pytestmark = pytest.mark.django_db

STAFF = "user:1"
NOTE = "开标现场秩序良好；第3号投标文件密封完好。"


def refused(code, call, **kwargs):
    with pytest.raises(PlatformError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def events(kind):
    return list(AuditEntry.objects.filter(kind=kind).order_by("id"))


def test_staff_assign_a_supervisor_who_may_then_watch_the_lot(lot, supervisor, access_changes):
    assert not supervisor_is_assigned(lot_id=lot.pk, user_id=supervisor.pk)

    assignment = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)

    assert supervisor_is_assigned(lot_id=lot.pk, user_id=supervisor.pk)
    assert assignment.is_active and assignment.assigned_by == STAFF
    assert list(assignments_for_lot(lot_id=lot.pk)) == [assignment]
    assert [a.lot for a in assignments_for_supervisor(user=supervisor)] == [lot]
    [event] = events("supervision.assigned")
    assert (event.actor, event.subject) == (STAFF, f"assignment:{assignment.pk}")
    assert event.data == {"lot": lot.pk, "supervisor": supervisor.pk}
    assert access_changes == [supervisor.pk]


@pytest.mark.parametrize("person", ["bidder_a", "regulator", "staff"])
def test_only_a_supervisor_can_be_assigned(request, lot, person, access_changes):
    user = request.getfixturevalue(person)
    refused("not_supervisor", assignment_create, lot_id=lot.pk, supervisor_id=user.pk, actor=STAFF)
    assert not Assignment.objects.exists() and not events("supervision.assigned") and access_changes == []


def test_an_unknown_or_deactivated_person_cannot_be_assigned(lot, supervisor):
    refused("not_supervisor", assignment_create, lot_id=lot.pk, supervisor_id=999_999, actor=STAFF)
    supervisor.is_active = False
    supervisor.save()
    refused("not_supervisor", assignment_create, lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    assert not Assignment.objects.exists()


def test_a_supervisor_is_assigned_to_a_lot_only_once_at_a_time(lot, supervisor, access_changes):
    first = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    error = refused("already_assigned", assignment_create, lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    assert error.status == 409
    assert Assignment.objects.count() == 1 and len(events("supervision.assigned")) == 1

    assignment_revoke(assignment_id=first.pk, actor=STAFF)
    again = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    assert again.pk != first.pk and supervisor_is_assigned(lot_id=lot.pk, user_id=supervisor.pk)
    assert [a.pk for a in assignments_for_lot(lot_id=lot.pk)] == [again.pk, first.pk]


def test_the_database_refuses_a_second_active_assignment(lot, supervisor):
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(lot=lot, supervisor=supervisor, assigned_by=STAFF, assigned_at=lot.updated_at)


def test_nobody_is_assigned_to_a_lot_that_has_ended(make_lot, supervisor):
    lot = make_lot("construction")
    lot_transition(lot_id=lot.pk, transition="cancel", actor=STAFF)
    error = refused("lot_ended", assignment_create, lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    assert error.status == 409 and not Assignment.objects.exists()
    refused("lot_not_found", assignment_create, lot_id=999_999, supervisor_id=supervisor.pk, actor=STAFF)


def test_a_draft_lot_may_have_supervisors_before_it_is_published(make_lot, supervisor):
    lot = make_lot("procurement")
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    assert supervisor_is_assigned(lot_id=lot.pk, user_id=supervisor.pk)


def test_revoking_ends_the_assignment_and_tells_the_rooms(lot, supervisor, access_changes):
    assignment = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)

    revoked = assignment_revoke(assignment_id=assignment.pk, actor="user:2")

    assert not revoked.is_active and revoked.revoked_by == "user:2"
    assert not supervisor_is_assigned(lot_id=lot.pk, user_id=supervisor.pk)
    assert list(assignments_for_supervisor(user=supervisor)) == []
    assert list(assignments_for_lot(lot_id=lot.pk)) == [revoked]  # kept on the record
    [event] = events("supervision.revoked")
    assert (event.actor, event.subject, event.data) == (
        "user:2", f"assignment:{assignment.pk}", {"lot": lot.pk, "supervisor": supervisor.pk})
    assert access_changes == [supervisor.pk, supervisor.pk]

    error = refused("already_revoked", assignment_revoke, assignment_id=assignment.pk, actor=STAFF)
    assert error.status == 409 and len(events("supervision.revoked")) == 1
    assert refused("assignment_not_found", assignment_revoke, assignment_id=999_999, actor=STAFF).status == 404


def test_the_supervisors_open_rooms_are_told_only_once_the_change_commits(lot, supervisor, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("monitoring.fanout.submit", lambda group, message: sent.append((group, message)))
    with django_capture_on_commit_callbacks(execute=True):
        assignment = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
        assert not [s for s in sent if s[0] == f"user.{supervisor.pk}"]
    assert (f"user.{supervisor.pk}", {"type": "room.recheck"}) in sent

    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assignment_revoke(assignment_id=assignment.pk, actor=STAFF)
    assert (f"user.{supervisor.pk}", {"type": "room.recheck"}) in sent


def test_an_assigned_supervisor_keeps_one_note_per_lot(lot, supervisor):
    assignment = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    assert note_get(lot_id=lot.pk, user_id=supervisor.pk) is None

    first = observation_note_save(lot_id=lot.pk, user=supervisor, text="草稿")
    second = observation_note_save(lot_id=lot.pk, user=supervisor, text=NOTE)

    assert second.pk == first.pk and ObservationNote.objects.count() == 1
    assert note_get(lot_id=lot.pk, user_id=supervisor.pk).text == NOTE
    saved = events("supervision.note_saved")
    assert len(saved) == 2
    assert (saved[-1].actor, saved[-1].subject) == (f"user:{supervisor.pk}", f"assignment:{assignment.pk}")
    assert saved[-1].data == {"lot": lot.pk, "note": second.pk, "length": len(NOTE),
                              "sha256": hashlib.sha256(NOTE.encode()).hexdigest()}
    assert "草稿" not in json.dumps(saved[0].data, ensure_ascii=False)


def test_a_note_is_as_long_as_the_limit_and_no_longer(lot, supervisor):
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    observation_note_save(lot_id=lot.pk, user=supervisor, text="监" * NOTE_MAX)

    refused("note_too_long", observation_note_save, lot_id=lot.pk, user=supervisor, text="监" * (NOTE_MAX + 1))
    refused("note_invalid", observation_note_save, lot_id=lot.pk, user=supervisor, text=None)
    refused("note_invalid", observation_note_save, lot_id=lot.pk, user=supervisor, text="a\x00b")
    assert note_get(lot_id=lot.pk, user_id=supervisor.pk).text == "监" * NOTE_MAX
    assert len(events("supervision.note_saved")) == 1


def test_an_empty_note_clears_the_draft(lot, supervisor):
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    observation_note_save(lot_id=lot.pk, user=supervisor, text=NOTE)
    observation_note_save(lot_id=lot.pk, user=supervisor, text="")
    assert note_get(lot_id=lot.pk, user_id=supervisor.pk).text == ""


def test_only_a_supervisor_assigned_to_the_lot_may_save_a_note(lot, make_lot, supervisor, staff, regulator):
    other_lot = make_lot("procurement")
    assignment_create(lot_id=other_lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    for user in (supervisor, staff, regulator):
        error = refused("not_assigned", observation_note_save, lot_id=lot.pk, user=user, text=NOTE)
        assert error.status == 403
    assert not ObservationNote.objects.exists() and not events("supervision.note_saved")


def test_a_revoked_supervisor_can_no_longer_save_but_the_note_is_kept(lot, supervisor):
    assignment = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    observation_note_save(lot_id=lot.pk, user=supervisor, text=NOTE)
    assignment_revoke(assignment_id=assignment.pk, actor=STAFF)

    refused("not_assigned", observation_note_save, lot_id=lot.pk, user=supervisor, text="改写")

    assert note_get(lot_id=lot.pk, user_id=supervisor.pk).text == NOTE
    assert len(events("supervision.note_saved")) == 1


def test_a_supervisor_sees_only_their_own_active_assignments(lot, make_lot, supervisor, make_person):
    other = make_person("supervisor_2", ["supervisor"], resident_id="110105194912310038")
    second_lot = make_lot("procurement")
    third_lot = make_lot("hr")
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    assignment_create(lot_id=second_lot.pk, supervisor_id=other.pk, actor=STAFF)
    third = assignment_create(lot_id=third_lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    assignment_create(lot_id=second_lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    assignment_revoke(assignment_id=third.pk, actor=STAFF)

    assert {a.lot_id for a in assignments_for_supervisor(user=supervisor)} == {lot.pk, second_lot.pk}
    assert {a.supervisor_id for a in assignments_for_lot(lot_id=second_lot.pk)} == {supervisor.pk, other.pk}
    assert not supervisor_is_assigned(lot_id=lot.pk, user_id=other.pk)
