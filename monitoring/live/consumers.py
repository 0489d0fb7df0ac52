"""The one websocket consumer behind every live room (protocol: docs/rooms.md).

Guarantee to the client: the events it receives on a connection are exactly the subject's events
after its ``after``, each ``seq`` one more than the previous, none twice. The channel layer only
tells the consumer that events exist; whenever what arrives does not continue the sequence (the
layer dropped a message, or two processes' messages crossed), the consumer reads the missing run
from the database, which holds every event before anything is broadcast.

Live events come from the process's hub (``monitoring.live.hub``), not from a group membership of each
connection; while a connection reads from the database (on entry, or to fill a gap) the live events
that arrive meanwhile wait in its backlog, and every send goes through ``_emit``, which drops what
was sent already and never sends past a gap.
"""
import asyncio
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from monitoring.events import event_payload, subject_group, user_group
from monitoring.live.hub import hub
from monitoring.live.rooms import PUBLIC, Member, RoomError, ROOMS
from monitoring.selectors import audit_entries_for_subject, subject_head
from trading.accounts.selectors import second_factor_needed
from trading.errors import PlatformError

# Close code for a member who has lost access (an assignment revoked, an account disabled).
ACCESS_LOST = 4403
# Events per frame when catching up from the database.
REPLAY_FRAME = 500
# Seconds without a live message after which a heartbeat reads what the subject has from the database.
LIVE_STALL = 3.0


class RoomConsumer(AsyncJsonWebsocketConsumer):
    """Each step that needs the database makes one trip to it (one worker thread, one connection)."""
    room = None
    member: Member | None = None
    last = 0
    live_at = 0.0  # time.monotonic() of the last live message

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
        self.last, self.live_at, self.recovering, self.backlog = after, time.monotonic(), True, []
        # Join before reading the database: an event committed from now on either is in the read or
        # arrives live afterwards (held in the backlog until the catch-up is sent; duplicates are
        # dropped by seq). Someone refused leaves again.
        self.subject = self.room.subject_of(self.key)
        self.subject_group = subject_group(self.subject)
        await hub().join(self.subject_group, self)
        if self.scope["user"].is_authenticated:
            self.user_group = user_group(self.scope["user"].pk)
            await self.channel_layer.group_add(self.user_group, self.channel_name)
        self.member, head, events = await database_sync_to_async(self._enter)(after)
        if self.member is None:
            await self.close()  # before accept: the handshake is refused (HTTP 403)
            return
        await self.accept()
        await self.send_json({"type": "welcome", "room": self.room.name, "subject": self.member.subject,
                              "role": self.member.role, "head": head, "me": self.member.me})
        await self._send_replay(events)
        await self._drain_backlog()
        await self.send_json({"type": "synced", "head": self.last})

    async def disconnect(self, code):
        if getattr(self, "subject_group", None):
            await hub().leave(self.subject_group, self)
        if getattr(self, "user_group", None):
            await self.channel_layer.group_discard(self.user_group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "sync":
            # With ``after`` the client saw a gap and asks for everything after it again; without, it
            # is a heartbeat (frames may be in flight: rewinding would send them twice).
            after = content.get("after")
            rewind = isinstance(after, int) and 0 <= after < self.last
            if rewind:
                self.last = after
            self.member, head = await database_sync_to_async(self._recheck_and_head)()
            if self.member is None:
                await self.close(code=ACCESS_LOST)
                return
            # A heartbeat reads events only when live messages have stopped coming while the subject
            # moved on (the layer lost the end of a burst). While they flow, what the database has
            # beyond ``last`` is on its way: reading it too would send every event twice under load.
            if head > self.last and (rewind or time.monotonic() - self.live_at > LIVE_STALL):
                await self._catch_up()
            await self.send_json({"type": "synced", "head": self.last})
        elif kind == "action":
            await self._act(content)

    async def decode_json(self, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    # --- live events (from the process's hub) and messages from the channel layer -------------------

    async def take_live(self, events: list[dict], text: str) -> None:
        """The hub's delivery: the frame as encoded once for the process, or, when the events do not
        continue this connection's sequence (the layer lost or reordered a message), a recovery from
        the database; live events meanwhile wait in the backlog."""
        self.live_at = time.monotonic()
        if events[0]["subject"] != self.subject:
            return
        if self.recovering:
            self.backlog.append((events, text))
        elif not await self._emit(events, replay=False, text=text):
            self.recovering = True
            self.backlog.append((events, text))
            asyncio.ensure_future(self._recover())

    async def _recover(self) -> None:
        try:
            await self._catch_up()
            await self._drain_backlog()
        finally:
            self.recovering = False

    async def _drain_backlog(self) -> None:
        """Send the live events that waited behind a read from the database; read again if they
        still do not continue the sequence."""
        while self.backlog:
            events, text = self.backlog.pop(0)
            if not await self._emit(events, replay=False, text=text):
                self.backlog.insert(0, (events, text))
                before = self.last
                await self._catch_up()
                if self.last == before:  # the database does not have them (yet): drop, the heartbeat will
                    self.backlog.pop(0)
        self.recovering = False

    async def _emit(self, events: list[dict], *, replay: bool, text: str | None = None) -> bool:
        """Send what of ``events`` (contiguous, ascending) this connection has not had; False, sending
        nothing, when they do not continue its sequence."""
        fresh = [event for event in events if event["seq"] > self.last]
        if not fresh:
            return True
        if fresh[0]["seq"] != self.last + 1:
            return False
        if text is not None and len(fresh) == len(events):
            await self.send(text_data=text)
        else:
            await self.send_json({"type": "events", "replay": replay, "events": fresh})
        self.last = fresh[-1]["seq"]
        return True

    async def room_recheck(self, message):
        self.member = await database_sync_to_async(self._readmit)()
        if self.member is None:
            await self.close(code=ACCESS_LOST)

    # --- helpers ----------------------------------------------------------------------------------------

    def _admit(self, details: bool = False) -> Member | None:
        """Sync. A fresh read of the person every time: roles or the account may have changed."""
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            user = get_user_model().objects.filter(pk=user.pk, is_active=True).select_related("organisation").first()
            if user is None or (second_factor_needed(user) and not self._second_factor_given(user)):
                return None
            self.scope["user"] = user
        return self.room.admit(user=self.scope["user"], key=self.key, details=details)

    def _readmit(self) -> Member | None:
        """Sync. The re-check of a member already in: None when it may no longer enter, or may only
        as something else (an observer whose assignment ended may still watch a public opening,
        but as the public: it is closed, and its page reconnects as what it now is)."""
        member = self._admit()
        if member is None or member.role != self.member.role:
            return None
        return member

    def _second_factor_given(self, user) -> bool:
        """Sync. Whether the session gave its second factor (django-otp's mark, as on pages): a
        session that only gave the password of a role that needs one enters no room."""
        device_id = (self.scope.get("session") or {}).get(DEVICE_ID_SESSION_KEY)
        device = Device.from_persistent_id(device_id) if device_id else None
        return device is not None and device.user_id == user.pk

    def _enter(self, after: int) -> tuple[Member | None, int, list[dict]]:
        member = self._admit(details=True)
        if member is None:
            return None, 0, []
        return member, subject_head(member.subject), _events_after(member.subject, after, REPLAY_FRAME)

    def _recheck_and_head(self) -> tuple[Member | None, int]:
        member = self._readmit()
        return member, (subject_head(member.subject) if member else 0)

    async def _send_replay(self, events: list[dict]) -> None:
        """Send ``events`` (read from the database after what was ``self.last`` then) and, while a
        full frame came back, read on. Live events sent meanwhile are not sent twice."""
        while events:
            await self._emit(events, replay=True)
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
        self.member = self._readmit()
        if self.member is None:
            return None
        with translation.override(self._language()):
            if self.member.role == PUBLIC:
                raise RoomError("not_allowed", _("Watching a public session takes no action."))
            return handler(self.scope["user"], self.member, self.key, args)

    def _language(self) -> str:
        cookie = self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
        return cookie if cookie in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _events_after(subject: str, after: int, limit: int) -> list[dict]:
    return [event_payload(entry) for entry in audit_entries_for_subject(subject, after)[:limit]]


def _after_of(query_string: bytes) -> int | None:
    values = parse_qs(query_string.decode("latin-1")).get("after", ["0"])
    try:
        after = int(values[0])
    except ValueError:
        return None
    return after if after >= 0 else None

