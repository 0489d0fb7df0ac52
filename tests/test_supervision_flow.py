"""A social supervisor's whole path through the real services, database and live rooms (issue 18):
a unit recommends them, staff vet and appoint them, they accept the pledge and get a certificate;
they are drawn for an opening with a recorded seed (a bidder's employee left out), a recusal leads
to a redraw, they watch the opening room, raise a stop request that staff answer in it, and file a
locked, signed report that verifies offline. Each step tells the right people: in their inbox, by
mail and by text message."""
import asyncio
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.core import mail

from monitoring.live.tests.test_rooms import enter, events_until, frames_until_synced
from monitoring.selectors import subject_head
from supervisors.models import Assignment
from supervisors.registry.models import Recusal, SupervisorDraw
from supervisors.registry.services import draws, lifecycle
from supervisors.registry.tests.conftest import PASSWORD, UNIT_USCC, pdf, resident_id
from supervisors.sessions.rules import CHECKLISTS
from supervisors.sessions.selectors import report_file
from supervisors.sessions.services.reports import observation_report_submit
from supervisors.sessions.services.rights import stop_request_answer, stop_request_raise
from supervisors.sessions.tests.conftest import close_bidding
from trading import clock, signing
from trading.models import Delivery, Notification, User
from trading.services.lots import lot_publish, lot_submit
from trading.services.registrations import registration_create
from trading.workdays import local_day

committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parent.parent
STAFF = "user:1"


@pytest.fixture
def reachable(settings, tmp_path):
    """Notices sent in this process after commit (the embedded mode's way), mail kept in Django's
    outbox, text messages written as files."""
    settings.PLATFORM_INPROCESS_SWEEPS = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PLATFORM_SMS_BACKEND = "trading.sms.FileBackend"
    settings.PLATFORM_SMS_FILE_PATH = tmp_path / "sms"
    return tmp_path / "sms"


def appointed(staff, username: str, serial: int, *, employer_id=None):
    """A unit recommends a new person; staff vet and appoint them; they accept the pledge."""
    account = lifecycle.NewAccount(username=username, display_name=f"监督员{username}",
                                   resident_id=resident_id(serial), password=PASSWORD)
    supervisor = lifecycle.supervisor_recommend(by=staff, unit_name="市政协社会监督联络站", unit_uscc=UNIT_USCC,
                                                letter=pdf(), account=account, employer_id=employer_id)
    lifecycle.supervisor_vet(supervisor_id=supervisor.pk, by=staff, notes="无利害关系")
    lifecycle.supervisor_appoint(supervisor_id=supervisor.pk, by=staff, agreement=pdf(),
                                 agreement_signed_on=local_day(clock.now()))
    # The person can be reached: a checked address and a mobile, as their account keeps them.
    User.objects.filter(pk=supervisor.user_id).update(email=f"{username}@example.cn",
                                                      email_verified_at=clock.now(), mobile=f"1380013{serial:04d}")
    return lifecycle.supervisor_pledge_accept(supervisor_id=supervisor.pk, user=User.objects.get(pk=supervisor.user_id))


@committed
def test_a_supervisor_from_recommendation_to_a_signed_report(make_lot, staff, bidder_a, regulator, reachable,
                                                               tmp_path):
    first = appointed(staff, "sup_wang", 501)
    assert first.status == "appointed" and first.certificate_number.startswith("SJ-")
    others = [appointed(staff, name, serial) for name, serial in (("sup_li", 502), ("sup_zhang", 503))]
    employee = appointed(staff, "sup_zhao", 504, employer_id=bidder_a.organisation_id)

    lot = make_lot("construction", days=25)
    lot_submit(lot_id=lot.pk, actor=STAFF)
    lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor=STAFF)
    registration_create(lot_id=lot.pk, user=bidder_a)

    draw = draws.supervisor_draw(lot_id=lot.pk, session_kind="opening", by=staff)
    assert len(draw.seed) == 64 and sorted(draw.pool) == sorted(s.pk for s in [first, *others])
    assert {item["supervisor"]: item["grounds"] for item in draw.excluded} == {employee.pk: ["employer_bidder"]}
    seats = list(Assignment.objects.filter(draw=draw).select_related("supervisor"))
    recusing, watching = seats
    recusal = draws.recusal_apply(assignment_id=recusing.pk, user=recusing.supervisor, reason="与招标人负责人系亲属")
    draws.recusal_decide(recusal_id=recusal.pk, by=staff, approve=True, reason="回避理由成立")
    assert Recusal.objects.get().status == "approved"
    redraw = SupervisorDraw.objects.get(replaces=draw)
    (replacement,) = Assignment.objects.filter(draw=redraw).select_related("supervisor")
    assert replacement.supervisor_id not in {recusing.supervisor_id, watching.supervisor_id}
    draws.assignment_accept(assignment_id=watching.pk, user=watching.supervisor)

    lot = close_bidding(lot)
    supervisor = User.objects.get(pk=watching.supervisor_id)

    async def in_the_room():
        room, connected = await enter(f"/ws/rooms/opening/{lot.pk}/", supervisor)
        assert connected
        await frames_until_synced(room)
        watcher, connected = await enter(f"/ws/rooms/opening/{lot.pk}/", bidder_a)
        assert connected
        await frames_until_synced(watcher)
        stop = await sync_to_async(stop_request_raise)(lot_id=lot.pk, session_kind="opening", user=supervisor,
                                                       reason="开标室网络中断，投标人无法在线确认")
        raised = await events_until(watcher, await sync_to_async(_head)(lot.pk))
        await sync_to_async(stop_request_answer)(stop_request_id=stop.pk, user=staff, decision="continued",
                                                 answer="网络已恢复，开标继续并延长确认时间")
        answered = await events_until(room, await sync_to_async(_head)(lot.pk))
        await room.disconnect()
        await watcher.disconnect()
        return _events(raised), _events(answered)

    raised, answered = asyncio.run(in_the_room())
    told = next(event for event in raised if event["kind"] == "supervision.stop_requested")
    assert told["data"]["reason"] == "开标室网络中断，投标人无法在线确认"
    assert str(supervisor) not in json.dumps(told, ensure_ascii=False)  # the bidder sees "a social supervisor"
    assert any(event["kind"] == "supervision.stop_answered" and event["data"]["decision"] == "continued"
               for event in answered)

    with time_machine.travel(lot.bid_deadline + timedelta(hours=2), tick=False):  # the opening is over
        report = observation_report_submit(
            assignment_id=watching.pk, user=supervisor, checklist={code: "yes" for code, _label in CHECKLISTS["opening"]},
            issues="网络中断约十分钟", rating=4, text="开标中断后按程序恢复", signed_off=True)
    key, document = tmp_path / "platform-key.pem", tmp_path / "report.json"
    key.write_bytes(signing.public_key_pem())
    document.write_bytes(report_file(report=report))
    checked = subprocess.run([sys.executable, "-m", "supervisors.verify", "report", str(document), "--key", str(key)],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr

    # Who heard what: the drawn, the recused one's decision, staff of the stop request, the supervisor
    # of its answer; each notice also by mail and text message to those who can be reached.
    kinds = {(notice.user_id, notice.kind) for notice in Notification.objects.all()}
    assert {(seat.supervisor_id, "supervision.drawn") for seat in [*seats, replacement]} <= kinds
    assert (staff.pk, "supervision.stop_requested") in kinds
    assert (supervisor.pk, "supervision.stop_answered") in kinds
    assert (recusing.supervisor_id, "supervision.recusal_decided") in kinds
    sent = Delivery.objects.filter(notification__user=supervisor, status=Delivery.Status.SENT)
    assert {"email", "sms"} <= set(sent.values_list("channel", flat=True))
    assert any(supervisor.email in message.to for message in mail.outbox)
    assert any(supervisor.mobile in path.read_text(encoding="utf-8") for path in reachable.glob("*"))


def _head(lot_id: int) -> int:
    return subject_head(f"lot:{lot_id}")


def _events(frames: list[dict]) -> list[dict]:
    return [event for frame in frames if frame["type"] == "events" for event in frame["events"]]
