"""The stop request in the lot's live room, through the real ASGI application (Channels'
communicator, the Redis channel layer of the test settings): raised as a room action by the seated
supervisor, seen with its reason by a bidder and a regulator, answered by staff, the answer seen too;
a bidder's attempt is refused in the room."""
import asyncio

import pytest
from asgiref.sync import sync_to_async

from monitoring.live.tests.test_rooms import enter, frames_until_synced
from supervisors.sessions.models import StopRequest
from supervisors.sessions.services import stop_request_answer

committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def event_of(communicator, kind: str) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=10)
        for event in frame.get("events", []):
            if event["kind"] == kind:
                return event


async def reply_to(communicator, request_id: str) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=10)
        if frame["type"] == "reply" and frame["id"] == request_id:
            return frame


@committed
def test_everyone_in_the_room_sees_the_stop_request_and_its_answer(live_lot, supervisor, bidder_a, regulator, staff):
    path = f"/ws/rooms/opening/{live_lot.pk}/"

    async def scenario():
        rooms = {}
        for name, user in (("supervisor", supervisor), ("bidder", bidder_a), ("regulator", regulator)):
            communicator, connected = await enter(path, user)
            assert connected, name
            await frames_until_synced(communicator)
            rooms[name] = communicator

        await rooms["bidder"].send_json_to({"type": "action", "id": "b1", "name": "stop.request",
                                            "args": {"reason": "我也要叫停"}})
        refused = await reply_to(rooms["bidder"], "b1")
        assert (refused["ok"], refused["code"]) == (False, "not_supervisor")

        await rooms["supervisor"].send_json_to({"type": "action", "id": "s1", "name": "stop.request",
                                                "args": {"reason": "开标室监控画面中断"}})
        reply = await reply_to(rooms["supervisor"], "s1")
        assert reply["ok"], reply
        seen = {name: await event_of(rooms[name], "supervision.stop_requested") for name in ("bidder", "regulator")}
        for event in seen.values():
            assert (event["data"]["reason"], event["data"]["raised_by"]) == ("开标室监控画面中断", "social_supervisor")
            assert event["data"]["stop_request"] == reply["result"]["stop_request"]

        await sync_to_async(stop_request_answer)(stop_request_id=reply["result"]["stop_request"], user=staff,
                                                 decision="continued", answer="监控已恢复，继续开标")
        answers = {name: await event_of(rooms[name], "supervision.stop_answered") for name in ("bidder", "regulator")}
        for communicator in rooms.values():
            await communicator.disconnect()
        return answers

    answers = asyncio.run(scenario())
    for event in answers.values():
        assert (event["data"]["decision"], event["data"]["answer"]) == ("continued", "监控已恢复，继续开标")
    assert StopRequest.objects.get().answered_by == f"user:{staff.pk}"
