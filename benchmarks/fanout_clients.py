"""The observers of the fan-out benchmark (``bench_fanout.py``): each client process opens its share of
the websockets, records when every event arrives, syncs at the end and reports back over its pipe."""
import array
import asyncio
import json
import random
import time

CONNECT_IN_FLIGHT = 10  # handshakes in progress at once, per client process
CONNECT_STAGGER = 0.005  # seconds between two connection starts of a client process
CONNECT_ATTEMPTS = 5  # handshakes an observer tries (1-2 s apart) before it counts as never admitted


class Observer:
    __slots__ = ("url", "origin", "last", "ticks", "late", "synced", "ready", "refused", "refusals", "dropped",
                 "drop_reasons", "connections", "catching_up", "sync_pending", "duplicates", "gaps", "gap_fill_events",
                 "gap_fill_frames", "sync_events", "reconnect_events", "websocket", "other_frames")

    def __init__(self, url: str, origin: str, after: int):
        self.url, self.origin, self.last = url, origin, after
        self.ticks = self.late = self.synced = self.dropped = self.connections = 0
        self.duplicates = self.gaps = self.gap_fill_events = self.gap_fill_frames = 0
        self.sync_events = self.reconnect_events = self.other_frames = 0
        self.ready = False
        self.refused = None
        self.drop_reasons: dict[str, int] = {}
        self.refusals: dict[str, int] = {}  # failed handshakes (retried), by reason
        self.catching_up = self.sync_pending = False
        self.websocket = None


class Observers:
    """One client process's observers and what they measured."""

    def __init__(self, specs: list[tuple[str, str]], *, after: int, cookie: str, strict: bool, heartbeat: float,
                 open_timeout: float):
        self.observers = [Observer(url, origin, after) for url, origin in specs]
        self.cookie, self.strict, self.heartbeat, self.open_timeout = cookie, strict, heartbeat, open_timeout
        self.live = array.array("d")
        self.replayed = array.array("d")
        self.gap_examples: list[str] = []
        self.stopping = self.final = False
        self.settled = asyncio.Event()
        self.pending = len(self.observers)
        self.handshake_slots = asyncio.Semaphore(CONNECT_IN_FLIGHT)

    def settle(self, observer: Observer) -> None:
        if not observer.ready:
            observer.ready = True
            self.pending -= 1
            if self.pending == 0:
                self.settled.set()

    async def connect(self, observer: Observer):
        from websockets.asyncio.client import connect

        url = f"{observer.url}?after={observer.last}" if self.strict else observer.url
        headers = {"Cookie": self.cookie} if self.cookie else None
        return await connect(url, origin=observer.origin, additional_headers=headers, compression=None,
                             open_timeout=self.open_timeout, ping_interval=None, close_timeout=5, max_size=None,
                             max_queue=10_000, proxy=None)

    async def run(self, observer: Observer, delay: float) -> None:
        from websockets.exceptions import ConnectionClosed

        await asyncio.sleep(delay)
        first, attempts = True, 0
        while not self.stopping:
            try:
                async with self.handshake_slots:
                    websocket = await self.connect(observer)
            except Exception as error:  # refused (403), timed out, closed by the server: retried like a browser
                reason = _reason(error)
                observer.refusals[reason] = observer.refusals.get(reason, 0) + 1
                attempts += 1
                if first and (reason == "HTTP 403" or attempts >= CONNECT_ATTEMPTS):
                    observer.refused = reason
                    self.settle(observer)
                    return
                await asyncio.sleep(1 + random.random())
                continue
            attempts = 0
            observer.websocket = websocket
            observer.connections += 1
            observer.catching_up, observer.sync_pending = True, False
            heartbeat = asyncio.create_task(self.beat(observer, websocket)) if self.heartbeat else None
            try:
                async for message in websocket:
                    self.frame(observer, websocket, message)
            except ConnectionClosed:
                pass
            finally:
                if heartbeat:
                    heartbeat.cancel()
            if self.stopping:
                return
            observer.dropped += 1
            rcvd = websocket.close_code
            reason = f"close {rcvd} {websocket.close_reason or ''}".strip() if rcvd is not None else "connection lost"
            observer.drop_reasons[reason] = observer.drop_reasons.get(reason, 0) + 1
            first = False
            self.settle(observer)  # a connection lost before its catch-up ended still counts as settled
            await asyncio.sleep(1 + random.random())

    async def beat(self, observer: Observer, websocket) -> None:
        await asyncio.sleep(random.uniform(0, self.heartbeat))
        while not self.final:
            if not observer.sync_pending and not observer.catching_up:
                observer.sync_pending = True
                await websocket.send(json.dumps({"type": "sync"}))  # a heartbeat: no rewind
            await asyncio.sleep(self.heartbeat)

    def frame(self, observer: Observer, websocket, message) -> None:
        now = time.time()
        frame = json.loads(message)
        kind = frame.get("type")
        if kind == "events":
            replay, new = bool(frame.get("replay")), 0
            for event in frame.get("events", ()):
                seq = event["seq"]
                if seq <= observer.last:
                    observer.duplicates += 1
                    continue
                if seq != observer.last + 1:
                    observer.gaps += 1
                    if len(self.gap_examples) < 10:
                        self.gap_examples.append(f"{observer.url}: seq {seq} after {observer.last} (replay {replay})")
                    if self.strict:  # docs/rooms.md: sync from the last seq held, drop what does not follow
                        if not observer.sync_pending:
                            observer.sync_pending = True
                            asyncio.ensure_future(websocket.send(json.dumps({"type": "sync", "after": observer.last})))
                        continue
                observer.last = seq
                new += 1
                data = event.get("data") or {}
                if event.get("kind") == "bench.tick" and "sent_us" in data:
                    observer.ticks += 1
                    observer.late += self.final
                    (self.replayed if replay else self.live).append(now - data["sent_us"] / 1e6)
            if replay and new and not self.final:
                if observer.catching_up:
                    if observer.connections > 1:
                        observer.reconnect_events += new
                elif observer.sync_pending:
                    observer.sync_events += new
                else:
                    observer.gap_fill_events += new
                    observer.gap_fill_frames += 1
        elif kind == "synced":
            observer.catching_up = observer.sync_pending = False
            observer.synced += 1
            self.settle(observer)
        elif kind != "welcome":
            observer.other_frames += 1

    async def final_sync(self, timeout: float) -> int:
        """Ask every open connection for what it still misses (``sync``) and wait for the answers:
        what arrives now is late, not lost. Returns how many connections did not answer in time."""
        from websockets.protocol import State

        self.final = True
        waiting = {}
        for observer in self.observers:
            websocket = observer.websocket
            if websocket is None or websocket.protocol.state is not State.OPEN:
                continue
            # A heartbeat's sync may still be unanswered: its synced comes first.
            waiting[observer] = observer.synced + (2 if observer.sync_pending else 1)
            observer.sync_pending = True
            try:
                await websocket.send(json.dumps({"type": "sync"}))
            except Exception:
                del waiting[observer]
        deadline = time.monotonic() + timeout
        while waiting and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            waiting = {o: n for o, n in waiting.items() if o.synced < n and o.websocket.protocol.state is State.OPEN}
        return len(waiting)

    async def stop(self) -> None:
        self.stopping = True
        open_ones = [o.websocket for o in self.observers if o.websocket is not None]
        await asyncio.gather(*(w.close() for w in open_ones), return_exceptions=True)

    def result(self, expected: int) -> dict:
        connected = [o for o in self.observers if o.refused is None]
        lost = [max(0, expected - o.ticks) for o in connected]
        refused: dict[str, int] = {}
        drops: dict[str, int] = {}
        for o in self.observers:
            for reason, count in o.refusals.items():
                refused[reason] = refused.get(reason, 0) + count
            for reason, count in o.drop_reasons.items():
                drops[reason] = drops.get(reason, 0) + count
        return {
            "observers": len(self.observers), "connected": len(connected),
            "never_in": len(self.observers) - len(connected), "refused": sum(refused.values()),
            "refused_reasons": refused, "dropped": sum(o.dropped for o in self.observers), "drop_reasons": drops,
            "lost": sum(lost), "observers_short": sum(1 for n in lost if n),
            "late": sum(o.late for o in connected),
            "delivered": sum(o.ticks for o in connected),
            "duplicates": sum(o.duplicates for o in self.observers), "gaps": sum(o.gaps for o in self.observers),
            "gap_examples": self.gap_examples,
            "gap_fill_events": sum(o.gap_fill_events for o in self.observers),
            "gap_fill_frames": sum(o.gap_fill_frames for o in self.observers),
            "sync_events": sum(o.sync_events for o in self.observers),
            "reconnect_events": sum(o.reconnect_events for o in self.observers),
            "other_frames": sum(o.other_frames for o in self.observers),
            "live": self.live.tobytes(), "replayed": self.replayed.tobytes(),
        }


def _reason(error: Exception) -> str:
    status = getattr(getattr(error, "response", None), "status_code", None)
    if status is not None:
        return f"HTTP {status}"
    return type(error).__name__


def client_main(pipe, specs: list[tuple[str, str]], options: dict) -> None:
    """A client process: connect every observer, say so, observe until told to stop, send the results."""
    import resource

    async def main():
        loop = asyncio.get_running_loop()
        observers = Observers(specs, **options)
        began = time.perf_counter()
        tasks = [asyncio.create_task(observers.run(o, i * CONNECT_STAGGER)) for i, o in enumerate(observers.observers)]
        await observers.settled.wait()
        never_in = sum(1 for o in observers.observers if o.refused is not None)
        refused = sum(sum(o.refusals.values()) for o in observers.observers)
        pipe.send(("ready", {"connected": len(specs) - never_in, "refused": refused,
                             "seconds": time.perf_counter() - began}))
        cpu_before = cpu_self(resource)
        message = await loop.run_in_executor(None, pipe.recv)
        cpu = cpu_self(resource) - cpu_before
        unanswered = await observers.final_sync(message[2])
        await observers.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        result = observers.result(message[1])
        result["cpu_seconds"], result["final_sync_unanswered"] = cpu, unanswered
        pipe.send(("result", result))

    asyncio.run(main())


def cpu_self(resource) -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
