"""Alerts live on the supervision dashboard: its alerts room (subject ``alerts``) admits staff and
regulators only and delivers each change as it commits; the page renders the unresolved alerts and
their counts per market and level as of the room's ``after``."""
import asyncio
import json
import re

import pytest
from asgiref.sync import sync_to_async

from monitoring.live.tests.test_rooms import enter, events_until, frames_until_synced
from monitoring.selectors import subject_head
from monitoring.supervision.services import alert_acknowledge, alerts_sweep
from monitoring.supervision.tests.conftest import at

committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def sweep_at(*parts):
    with at(*parts):
        return alerts_sweep()


@committed
def test_the_alerts_room_admits_staff_and_regulators_only(staff, regulator, supervisor, bidder_a):
    async def scenario():
        seen = {}
        for name, user in (("staff", staff), ("regulator", regulator), ("supervisor", supervisor),
                           ("bidder", bidder_a), ("anonymous", None)):
            communicator, connected = await enter("/ws/rooms/alerts/", user)
            seen[name] = (await communicator.receive_json_from(timeout=10))["role"] if connected else None
            if connected:
                await communicator.disconnect()
        return seen

    assert asyncio.run(scenario()) == {"staff": "staff", "regulator": "observer", "supervisor": None,
                                       "bidder": None, "anonymous": None}


@committed
def test_the_dashboard_sees_an_alert_raised_escalated_and_acknowledged_live(objection, regulator):
    async def scenario():
        communicator, connected = await enter("/ws/rooms/alerts/?after=0", regulator)
        assert connected
        welcome = await communicator.receive_json_from(timeout=10)
        assert (welcome["subject"], welcome["head"]) == ("alerts", 0)
        await frames_until_synced(communicator)
        await sync_to_async(sweep_at)(2026, 9, 30, 9, 0)
        raised = await events_until(communicator, 1)
        await sync_to_async(sweep_at)(2026, 10, 3, 0, 30)
        escalated = await events_until(communicator, 2)
        alert_id = raised[-1]["events"][0]["data"]["alert"]
        await sync_to_async(alert_acknowledge)(alert_id=alert_id, user=regulator, comment="已督办")
        acknowledged = await events_until(communicator, 3)
        await communicator.disconnect()
        return [event for frame in raised + escalated + acknowledged if frame["type"] == "events"
                for event in frame["events"]]

    events = asyncio.run(scenario())
    assert [(e["kind"], e["data"]["level"], e["data"]["state"]) for e in events] == [
        ("alert.raised", "yellow", "open"), ("alert.escalated", "red", "open"),
        ("alert.acknowledged", "red", "acknowledged")]
    assert {(e["data"]["rule"], e["data"]["market"], e["data"]["lot_code"]) for e in events} == {
        ("documents_objection_reply", "construction", objection.lot.code)}


@pytest.mark.django_db
def test_the_dashboard_renders_the_alerts_and_their_counts(client, objection, regulator, staff):
    sweep_at(2026, 10, 3, 0, 30)
    client.force_login(regulator)
    text = client.get("/supervision/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    config = json.loads(re.search(r'<script id="alerts-config" type="application/json">(.*?)</script>', text).group(1))
    assert (config["url"], config["after"]) == ("/ws/rooms/alerts/", subject_head("alerts"))
    assert config["rules"]["documents_objection_reply"] == "Objection to the tender documents not answered"
    rows = re.sub(r"\s+", " ", text)
    assert '<tr data-market="construction"><td>Construction works</td><td data-level="yellow">0</td>' \
           '<td data-level="red">1</td><td data-state="open">1</td></tr>' in rows
    assert 'data-level="red" data-state="open" data-market="construction"' in rows
    client.force_login(staff)
    assert 'data-testid="dash-live-alerts"' in client.get("/supervision/").content.decode()
