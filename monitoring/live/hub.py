"""One subscription per subject per server process, fanned out to the process's room members.

Channels' usual way gives every websocket consumer its own membership of the subject's group: each
live event is then queued, decoded, dispatched (a task and an ``asyncio.wait`` per consumer) and
JSON-encoded once per member. With a thousand observers at ten events a second that was most of a
server's CPU and put p50 delivery in seconds (benchmarks/bench_fanout.py). The hub joins each
subject's group once per process, encodes each message once and hands the frame to every member of
the process directly, in order, on the serving event loop.

A member's ``take_live(events, text)`` must not wait on anything slow: it writes the frame or, when
the events do not continue its sequence, queues them and recovers from the database on its own.
"""
import asyncio
import json
import logging
import weakref
from collections import defaultdict

from channels.layers import get_channel_layer

log = logging.getLogger(__name__)

# channels-redis' RedisChannelLayer forgets group members after ``group_expiry``: joins are renewed.
RENEW_SECONDS = 60

_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def hub() -> "Hub":
    """The hub of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub()
    return found


class Hub:
    def __init__(self):
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.members: dict[str, set] = defaultdict(set)
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []

    async def join(self, group: str, member) -> None:
        async with self._lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel()
                self._tasks = [asyncio.ensure_future(self._receive()), asyncio.ensure_future(self._renew())]
            if not self.members[group]:
                await self.layer.group_add(group, self.channel)
            self.members[group].add(member)

    async def leave(self, group: str, member) -> None:
        async with self._lock:
            members = self.members.get(group)
            if not members or member not in members:
                return
            members.discard(member)
            if not members:
                del self.members[group]
                await self.layer.group_discard(group, self.channel)

    async def _receive(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis away: members catch up from the database on their heartbeat
                log.exception("the room hub could not receive; retrying")
                await asyncio.sleep(1)
                continue
            members = self.members.get(message.get("group", ""))
            if not members or message.get("type") != "room.events":
                continue
            events = message["events"]
            text = json.dumps({"type": "events", "replay": False, "events": events})
            for member in list(members):
                try:
                    await member.take_live(events, text)
                except Exception:
                    log.exception("a room member failed to take a live message")

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            for group in list(self.members):
                try:
                    await self.layer.group_add(group, self.channel)
                except Exception:
                    log.exception("renewing the room hub's membership of %s failed", group)
