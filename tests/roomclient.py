"""A websocket room client as a browser's room.js behaves (docs/rooms.md), for tests: keeps the last
seq, checks continuity, reconnects to the next server with ``after=last`` when its connection dies."""
import asyncio
import json
import threading
import time

import websockets


class RoomClient:
    def __init__(self, urls: list[str], path: str, cookie: str):
        self.urls, self.path, self.cookie = urls, path, cookie
        self.events: list[dict] = []
        self.connections: list[str] = []  # the base URL of each connection made, in order
        self.gaps = 0
        self.replayed: list[int] = []
        self._stop = False
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._run(),), daemon=True)
        self._thread.start()

    @property
    def last(self) -> int:
        return self.events[-1]["seq"] if self.events else 0

    def wait_for(self, predicate, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"room client: condition not met; last seq {self.last}, "
                                         f"connections {self.connections}")
                self._changed.wait(remaining)

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=10)

    async def _run(self) -> None:
        attempt = 0
        while not self._stop:
            base = self.urls[attempt % len(self.urls)]
            attempt += 1
            ws_url = base.replace("http://", "ws://") + f"{self.path}?after={self.last}"
            try:
                async with websockets.connect(ws_url, origin=base, additional_headers={"Cookie": self.cookie},
                                              open_timeout=5, close_timeout=1) as socket:
                    self.connections.append(base)
                    attempt -= 1  # stay on a server that answers
                    await self._read(socket)
            except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException):
                await asyncio.sleep(0.2)

    async def _read(self, socket) -> None:
        while not self._stop:
            try:
                text = await asyncio.wait_for(socket.recv(), timeout=0.5)
            except asyncio.TimeoutError:
                continue
            frame = json.loads(text)
            if frame["type"] != "events":
                continue
            with self._changed:
                for event in frame["events"]:
                    if event["seq"] <= self.last:
                        continue
                    if event["seq"] != self.last + 1:
                        self.gaps += 1  # never expected from the server; re-sync as room.js does
                        await socket.send(json.dumps({"type": "sync", "after": self.last}))
                        break
                    self.events.append(event)
                    if frame["replay"]:
                        self.replayed.append(event["seq"])
                self._changed.notify_all()
