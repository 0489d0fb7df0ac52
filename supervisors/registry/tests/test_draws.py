"""The random draw of supervisors for a session: who is left out and why, the published seed and
pool that redo it, the drawn supervisor's answer, and a recusal that leads to a redraw."""
import hashlib
import hmac
import random
from datetime import timedelta

import pytest

from monitoring.models import AuditEntry
from supervisors.models import Assignment
from supervisors.registry import rules
from supervisors.registry.errors import RegistryError
from supervisors.registry.models import Recusal, Supervisor, SupervisorDraw
from supervisors.registry.services import draws, lifecycle
from supervisors.registry.services.relations import supervisor_relation_declare
from supervisors.registry.services.terms import supervisor_term_sweep
from supervisors.registry.tests.conftest import pdf
from supervisors.services import assignment_create
from trading import clock
from trading.models import Notification
from trading.services.lots import lot_publish, lot_submit
from trading.services.registrations import registration_create
from trading.workdays import local_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def seats_told(monkeypatch):
    """The user ids whose open rooms were told to check their membership again."""
    told = []
    monkeypatch.setattr("supervisors.registry.services.draws.access_changed", told.append)
    return told


def drawn_users(draw) -> set[str]:
    return set(Assignment.objects.filter(draw=draw).values_list("supervisor__username", flat=True))


def test_a_draw_seats_two_and_leaves_out_everyone_with_a_ground(staff, appointed, recommend, bidder_a, lot,
                                                                seats_told):
    eligible = [appointed(name) for name in ("wang", "li", "zhang")]
    employee = appointed("zhao", employer_id=bidder_a.organisation_id)  # vetted before the company registered
    registration_create(lot_id=lot.pk, user=bidder_a)
    suspended = appointed("sun")
    lifecycle.supervisor_suspend(supervisor_id=suspended.pk, by=staff, reason="未按时提交报告")
    expired = recommend("qian")
    lifecycle.supervisor_vet(supervisor_id=expired.pk, by=staff)
    today = local_day(clock.now())
    lifecycle.supervisor_appoint(supervisor_id=expired.pk, by=staff, agreement=pdf(),
                                 agreement_signed_on=today - timedelta(days=400),
                                 term_start=today - timedelta(days=400), term_end=today - timedelta(days=1))
    lifecycle.supervisor_pledge_accept(supervisor_id=expired.pk, user=expired.user)
    supervisor_term_sweep()
    elsewhere = appointed("zhou", markets=["land"])

    draw = draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)

    assert (draw.size, len(draw.drawn), draw.drawn_by) == (2, 2, f"user:{staff.pk}")
    assert sorted(draw.pool) == sorted(s.pk for s in eligible) and draw.drawn == draw.pool[:2]
    assert len(draw.seed) == 64
    assert {item["supervisor"]: item["grounds"] for item in draw.excluded} == {
        employee.pk: ["employer_bidder"], suspended.pk: ["suspended"], expired.pk: ["expired"]}
    assert elsewhere.pk not in draw.pool
    seated = Assignment.objects.filter(draw=draw)
    assert {(seat.session_kind, seat.assigned_by, seat.accepted_at) for seat in seated} == {
        ("opening", f"user:{staff.pk}", None)}
    people = {s.pk: s.user_id for s in eligible}
    assert set(seated.values_list("supervisor_id", flat=True)) == {people[pk] for pk in draw.drawn}
    assert sorted(seats_told) == sorted(people[pk] for pk in draw.drawn)
    assert set(Notification.objects.filter(kind="supervision.drawn").values_list("user_id", flat=True)) == {
        people[pk] for pk in draw.drawn}

    event = AuditEntry.objects.get(subject=f"lot:{lot.pk}", kind="supervision.drawn")
    assert (event.data["seed"], event.data["pool"], event.data["drawn"]) == (draw.seed, draw.pool, draw.drawn)
    shown = {item["supervisor"]: item["grounds"] for item in event.data["excluded"]}
    assert shown[employee.pk] == ["conflict"]  # whose employee someone is stays off the public record


def test_the_draw_is_redone_from_its_published_seed_and_pool(staff, appointed, lot):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        appointed(name)
    draw = draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)
    event = AuditEntry.objects.get(subject=f"lot:{lot.pk}", kind="supervision.drawn")
    published = list(event.data["pool"])
    random.shuffle(published)
    order = rules.draw_redo(seed=event.data["seed"], session_kind="opening", pool=published)
    assert order == draw.pool and order[:draw.size] == draw.drawn
    seed = bytes.fromhex(event.data["seed"])  # the formula of docs/supervision.md, by hand
    by_hand = sorted(published, key=lambda i: hmac.new(seed, f"opening:{i}".encode(), hashlib.sha256).digest())
    assert by_hand == event.data["pool"]


def test_overlapping_sessions_and_a_seat_on_the_lot_leave_a_supervisor_out(staff, appointed, lot, make_lot):
    for name in ("b1", "b2", "b3"):
        appointed(name)
    neighbour = make_lot("construction", days=25)  # its deadline lies within seconds of the lot's
    lot_submit(lot_id=neighbour.pk, actor="user:1")
    lot_publish(lot_id=neighbour.pk, title="招标公告", body="……", actor="user:1")
    first = draws.supervisor_draw(lot_id=neighbour.pk, session_kind="opening", by=staff)

    with pytest.raises(RegistryError) as too_few:
        draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)
    assert (too_few.value.code, too_few.value.status) == ("pool_too_small", 409)
    assert not SupervisorDraw.objects.filter(lot=lot).exists()

    appointed("b4")
    draw = draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)
    assert {item["supervisor"]: item["grounds"] for item in draw.excluded} == {
        pk: ["overlapping_session"] for pk in first.drawn}

    # An evaluation is another kind of session: the lot's two openers may sit on it, and so may the
    # neighbour's own (one active seat per person and session)...
    evaluation = draws.supervisor_draw(lot_id=neighbour.pk, session_kind="evaluation", by=staff)
    assert sorted(evaluation.pool) == sorted([*first.drawn, *draw.drawn]) and evaluation.excluded == []
    assert Assignment.objects.filter(lot=neighbour, revoked_at__isnull=True).count() == 4
    # ...but nobody is drawn twice for one session, nor beside staff's seat on the whole lot.
    third = appointed("b5")
    assignment_create(lot_id=lot.pk, supervisor_id=third.user_id, actor="user:1")
    evaluation_here = draws.supervisor_draw(lot_id=lot.pk, session_kind="evaluation", by=staff)
    assert {item["supervisor"]: item["grounds"] for item in evaluation_here.excluded}[third.pk] == ["seated_on_lot"]


def test_a_recusal_approved_leads_to_a_recorded_redraw(staff, appointed, lot, seats_told):
    for name in ("c1", "c2", "c3"):
        appointed(name)
    draw = draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)
    seat = Assignment.objects.select_related("supervisor").filter(draw=draw).first()
    keeper = Assignment.objects.filter(draw=draw).exclude(pk=seat.pk).get()
    draws.assignment_accept(assignment_id=keeper.pk, user=keeper.supervisor)

    recusal = draws.recusal_apply(assignment_id=seat.pk, user=seat.supervisor, reason="我的配偶受雇于招标人")
    assert Notification.objects.filter(user=staff, kind="supervision.recusal_applied").exists()
    with pytest.raises(RegistryError) as pending:
        draws.assignment_accept(assignment_id=seat.pk, user=seat.supervisor)
    assert pending.value.code == "recusal_exists"

    draws.recusal_decide(recusal_id=recusal.pk, by=staff, approve=True)
    recusal = Recusal.objects.get(pk=recusal.pk)
    redraw = recusal.redraw
    assert (recusal.status, recusal.decided_by) == (Recusal.Status.APPROVED, f"user:{staff.pk}")
    assert (redraw.replaces_id, redraw.size, redraw.session_kind) == (draw.pk, 1, "opening")
    remaining = [pk for pk in draw.pool if pk not in draw.drawn]
    assert redraw.pool == rules.draw_redo(seed=redraw.seed, session_kind="opening", pool=remaining)
    assert redraw.drawn == remaining[:1] == [redraw.pool[0]]
    assert Assignment.objects.get(pk=seat.pk).revoked_by == f"user:{staff.pk}"
    replacement = Assignment.objects.get(draw=redraw)
    assert replacement.supervisor.supervisor_profile.pk == redraw.drawn[0]
    assert seat.supervisor_id in seats_told and replacement.supervisor_id in seats_told
    assert Notification.objects.filter(user=seat.supervisor, kind="supervision.recusal_decided").exists()
    assert Notification.objects.filter(user=replacement.supervisor, kind="supervision.drawn").exists()
    kinds = list(AuditEntry.objects.filter(subject=f"lot:{lot.pk}").values_list("kind", flat=True))
    assert kinds.count("supervision.drawn") == 2 and "supervision.seat_accepted" in kinds


def test_with_nobody_left_the_recused_seat_stays_open(staff, appointed, lot):
    for name in ("d1", "d2"):
        appointed(name)
    draw = draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)
    seat = Assignment.objects.select_related("supervisor").filter(draw=draw).first()
    recusal = draws.recusal_apply(assignment_id=seat.pk, user=seat.supervisor, reason="出差")
    draws.recusal_decide(recusal_id=recusal.pk, by=staff, approve=True)
    assert Recusal.objects.get(pk=recusal.pk).redraw is None
    assert AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="supervision.seat_open").exists()


def test_a_refused_recusal_keeps_the_seat(staff, appointed, lot):
    for name in ("e1", "e2"):
        appointed(name)
    draw = draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)
    seat = Assignment.objects.select_related("supervisor").filter(draw=draw).first()
    recusal = draws.recusal_apply(assignment_id=seat.pk, user=seat.supervisor, reason="工作繁忙")
    with pytest.raises(RegistryError) as no_reason:
        draws.recusal_decide(recusal_id=recusal.pk, by=staff, approve=False)
    assert no_reason.value.code == "reason_required"
    draws.recusal_decide(recusal_id=recusal.pk, by=staff, approve=False, reason="工作繁忙不是回避事由")
    assert Recusal.objects.get(pk=recusal.pk).status == Recusal.Status.REFUSED
    assert draws.assignment_accept(assignment_id=seat.pk, user=seat.supervisor).accepted_at is not None
    with pytest.raises(RegistryError) as decided:
        draws.recusal_decide(recusal_id=recusal.pk, by=staff, approve=True)
    assert decided.value.code == "recusal_decided"


def test_refused_draws_and_answers_change_nothing(staff, appointed, bidder_a, lot, make_lot):
    for name in ("f1", "f2"):
        appointed(name)
    with pytest.raises(RegistryError) as not_staff:
        draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=bidder_a)
    assert not_staff.value.code == "not_staff"
    assert AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="supervisor.refused").exists()
    with pytest.raises(RegistryError) as auction:
        draws.supervisor_draw(lot_id=lot.pk, session_kind="auction", by=staff)
    assert auction.value.code == "session_kind"
    draft = make_lot("construction")
    with pytest.raises(RegistryError) as unpublished:
        draws.supervisor_draw(lot_id=draft.pk, session_kind="opening", by=staff)
    assert unpublished.value.code == "lot_not_watched"
    assert not SupervisorDraw.objects.exists()

    draw = draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)
    with pytest.raises(RegistryError) as twice:
        draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)
    assert twice.value.code == "draw_exists"
    seat = Assignment.objects.filter(draw=draw).first()
    for someone_else in (bidder_a, staff):
        with pytest.raises(RegistryError) as refused:
            draws.assignment_accept(assignment_id=seat.pk, user=someone_else)
        assert (refused.value.code, refused.value.status) == ("not_yours", 403)
        with pytest.raises(RegistryError) as recuse:
            draws.recusal_apply(assignment_id=seat.pk, user=someone_else, reason="代为申请")
        assert recuse.value.code == "not_yours"
    assert Assignment.objects.get(pk=seat.pk).accepted_at is None and not Recusal.objects.exists()
    assert AuditEntry.objects.filter(subject=f"assignment:{seat.pk}", kind="supervisor.refused").count() == 4


def test_a_suspended_supervisor_holds_no_new_seat_and_cannot_accept(staff, appointed, lot):
    people = [appointed(name) for name in ("g1", "g2", "g3")]
    lifecycle.supervisor_suspend(supervisor_id=people[0].pk, by=staff, reason="调查期间")
    draw = draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)
    assert people[0].pk not in draw.pool and sorted(draw.drawn) == sorted(p.pk for p in people[1:])
    seat = Assignment.objects.select_related("supervisor").filter(draw=draw).first()
    lifecycle.supervisor_suspend(supervisor_id=seat.supervisor.supervisor_profile.pk, by=staff, reason="调查期间")
    with pytest.raises(RegistryError) as refused:
        draws.assignment_accept(assignment_id=seat.pk, user=seat.supervisor)
    assert refused.value.code == "status"


def test_dismissal_revokes_the_seats_drawn(staff, appointed, lot):
    for name in ("h1", "h2"):
        appointed(name)
    draw = draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)
    seat = Assignment.objects.select_related("supervisor").filter(draw=draw).first()
    lifecycle.supervisor_dismiss(supervisor_id=seat.supervisor.supervisor_profile.pk, by=staff, reason="失职")
    assert Assignment.objects.get(pk=seat.pk).revoked_at is not None
    assert Supervisor.objects.get(user=seat.supervisor).status == Supervisor.Status.DISMISSED


def test_a_declared_relation_with_a_bidder_excludes_the_supervisor_from_the_draw(staff, appointed, bidder_a, lot,
                                                                                 client):
    eligible = [appointed(name) for name in ("rel_a", "rel_b")]
    related = appointed("rel_c")
    client.force_login(related.user)
    response = client.post("/supervision/relations/", {"organisation_uscc": bidder_a.organisation.uscc,
                                                        "kind": "relative", "note": "配偶在该公司任职"})
    assert response.status_code == 302
    with pytest.raises(RegistryError) as caught:  # a supervisor declares their own relations, nobody else's
        supervisor_relation_declare(supervisor_id=related.pk, user=eligible[0].user,
                                    organisation_uscc=bidder_a.organisation.uscc, kind="interest")
    assert caught.value.code == "not_yours"
    registration_create(lot_id=lot.pk, user=bidder_a)

    draw = draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)

    assert sorted(draw.pool) == sorted(s.pk for s in eligible)
    assert {item["supervisor"]: item["grounds"] for item in draw.excluded} == {related.pk: ["declared_relation"]}
    event = AuditEntry.objects.get(subject=f"lot:{lot.pk}", kind="supervision.drawn")
    assert {item["supervisor"]: item["grounds"] for item in event.data["excluded"]} == {related.pk: ["conflict"]}
    assert AuditEntry.objects.filter(kind="supervisor.relation_declared", subject=f"supervisor:{related.pk}").exists()
