"""The one websocket consumer behind every live room (protocol: docs/rooms.md).

Guarantee to the client: the events it receives on a connection are exactly the subject's events
after its ``after``, each ``seq`` one more than the previous, none twice. The channel layer only
tells the consumer that events exist; whenever what arrives does not continue the sequence (the
layer dropped a message, or two processes' messages crossed), the consumer reads the missing run
from the database, which holds every event before anything is broadcast.

Handlers run one at a time per connection (Channels dispatches a consumer's messages in order), so
live messages that arrive while the catch-up is read wait behind it.
"""
import json
from collections import OrderedDict
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from monitoring.events import event_payload, subject_group, user_group
from monitoring.rooms import ROOMS, Member, RoomError
from monitoring.selectors import audit_entries_for_subject, subject_head
from trading.errors import PlatformError

# Close code for a member who has lost access (an assignment revoked, an account disabled).
ACCESS_LOST = 4403
# Events per frame when catching up from the database.
REPLAY_FRAME = 500


class RoomConsumer(AsyncJsonWebsocketConsumer):
    """Each step that needs the database makes one trip to it (one worker thread, one connection)."""
    room = None
    member: Member | None = None
    last = 0

    async def dispatch(self, message):
        # Channels' own dispatch first hands every message to the one thread of sync work to close
        # old database connections; with a thousand members that put each live event behind every
        # handshake's queries (benchmarks/bench_fanout.py). The handlers here that touch the
        # database do it through database_sync_to_async, which closes old connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        kwargs = self.scope["url_route"]["kwargs"]
        self.room = ROOMS.get(kwargs["room"])
        self.key = kwargs.get("key", "")
        after = _after_of(self.scope.get("query_string", b""))
        if self.room is None or after is None:
            await self.close()
            return
        self.groups_joined = [subject_group(self.room.subject_of(self.key))]
        if self.scope["user"].is_authenticated:
            self.groups_joined.append(user_group(self.scope["user"].pk))
        # Join before reading the database: an event committed from now on either is in the read or
        # arrives as a message afterwards (duplicates are dropped by seq). Someone refused leaves again.
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        self.member, head, events = await database_sync_to_async(self._enter)(after)
        if self.member is None:
            await self.close()  # before accept: the handshake is refused (HTTP 403)
            return
        await self.accept()
        await self.send_json({"type": "welcome", "room": self.room.name, "subject": self.member.subject,
                              "role": self.member.role, "head": head, "me": self.member.me})
        self.last = after
        await self._send_replay(events)
        await self.send_json({"type": "synced", "head": self.last})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "sync":
            # With ``after`` the client saw a gap and asks for everything after it again; without, it
            # is a heartbeat (frames may be in flight: rewinding would send them twice).
            after = content.get("after")
            if isinstance(after, int) and 0 <= after < self.last:
                self.last = after
            self.member, events = await database_sync_to_async(self._recheck_and_read)(self.last)
            if self.member is None:
                await self.close(code=ACCESS_LOST)
                return
            await self._send_replay(events)
            await self.send_json({"type": "synced", "head": self.last})
        elif kind == "action":
            await self._act(content)

    async def decode_json(self, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    # --- messages from the channel layer ------------------------------------------------------------

    async def room_events(self, message):
        events = [event for event in message["events"]
                  if event["seq"] > self.last and event["subject"] == self.member.subject]
        if not events:
            return
        if events[0]["seq"] != self.last + 1:
            await self._catch_up()  # the layer lost or reordered something: the database has it
            events = [event for event in events if event["seq"] > self.last]
            if not events:
                return
        if len(events) == len(message["events"]):
            await self.send(text_data=_live_frame(self.member.subject, events))
        else:
            await self.send_json({"type": "events", "replay": False, "events": events})
        self.last = events[-1]["seq"]

    async def room_recheck(self, message):
        self.member = await database_sync_to_async(self._admit)()
        if self.member is None:
            await self.close(code=ACCESS_LOST)

    # --- helpers ----------------------------------------------------------------------------------------

    def _admit(self) -> Member | None:
        """Sync. A fresh read of the person every time: roles or the account may have changed."""
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            user = get_user_model().objects.filter(pk=user.pk, is_active=True).select_related("organisation").first()
            if user is None:
                return None
            self.scope["user"] = user
        return self.room.admit(user=self.scope["user"], key=self.key)

    def _enter(self, after: int) -> tuple[Member | None, int, list[dict]]:
        member = self._admit()
        if member is None:
            return None, 0, []
        return member, subject_head(member.subject), _events_after(member.subject, after, REPLAY_FRAME)

    def _recheck_and_read(self, after: int) -> tuple[Member | None, list[dict]]:
        member = self._admit()
        return member, (_events_after(member.subject, after, REPLAY_FRAME) if member else [])

    async def _send_replay(self, events: list[dict]) -> None:
        """Send ``events`` (read after ``self.last``) and, while a full frame came back, read on."""
        while events:
            await self.send_json({"type": "events", "replay": True, "events": events})
            self.last = events[-1]["seq"]
            if len(events) < REPLAY_FRAME:
                return
            events = await database_sync_to_async(_events_after)(self.member.subject, self.last, REPLAY_FRAME)

    async def _catch_up(self) -> None:
        await self._send_replay(
            await database_sync_to_async(_events_after)(self.member.subject, self.last, REPLAY_FRAME))

    async def _act(self, content: dict) -> None:
        request_id, name, args = content.get("id"), content.get("name"), content.get("args") or {}
        handler = self.room.actions.get(name)
        try:
            if handler is None or not isinstance(args, dict):
                raise RoomError("unknown_action", _("This room takes no such action."))
            result = await database_sync_to_async(self._act_sync)(handler, args)
            if result is None:
                await self.close(code=ACCESS_LOST)
                return
        except PlatformError as error:
            with translation.override(self._language()):
                detail = str(error.message)
            await self.send_json({"type": "reply", "id": request_id, "ok": False, "code": error.code,
                                  "detail": detail})
            return
        await self.send_json({"type": "reply", "id": request_id, "ok": True, "result": result})

    def _act_sync(self, handler, args: dict) -> dict | None:
        """None when the member has lost access."""
        self.member = self._admit()
        if self.member is None:
            return None
        with translation.override(self._language()):
            return handler(self.scope["user"], self.member, self.key, args)

    def _language(self) -> str:
        cookie = self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
        return cookie if cookie in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


_FRAMES: "OrderedDict[tuple[str, int, int], str]" = OrderedDict()
_FRAMES_KEPT = 64


def _live_frame(subject: str, events: list[dict]) -> str:
    """The encoded live frame of a message, made once per process for all its members: every
    member of a subject gets the same events (seq numbers fix their content)."""
    key = (subject, events[0]["seq"], events[-1]["seq"])
    text = _FRAMES.get(key)
    if text is None:
        text = json.dumps({"type": "events", "replay": False, "events": events})
        _FRAMES[key] = text
        if len(_FRAMES) > _FRAMES_KEPT:
            _FRAMES.popitem(last=False)
    return text


def _events_after(subject: str, after: int, limit: int) -> list[dict]:
    return [event_payload(entry) for entry in audit_entries_for_subject(subject, after)[:limit]]


def _after_of(query_string: bytes) -> int | None:
    values = parse_qs(query_string.decode("latin-1")).get("after", ["0"])
    try:
        after = int(values[0])
    except ValueError:
        return None
    return after if after >= 0 else None

