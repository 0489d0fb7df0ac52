"""Handing committed events to the channel layer without making the committing code wait.

Every process (web server, Celery worker, management command) keeps one daemon thread with one event
loop that owns the channel layer's connections. ``submit()`` only queues: a commit costs a queue
put, not a round trip to Redis (``async_to_sync`` per event cost ~2 ms and a fresh Redis connection
when called outside an event loop). The thread sends what has queued up in order, one message per
group carrying every queued event of that group, so a transaction of a thousand events (an opening)
is a handful of sends.

A message that cannot be sent is logged and dropped: the database is the source of truth and rooms
fill any gap from it (docs/rooms.md).
"""
import asyncio
import atexit
import logging
import os
import queue
import threading
import time

from channels.layers import get_channel_layer

log = logging.getLogger(__name__)

# A room message holds at most this many events, so that no single message grows past what the
# layer (msgpack over Redis) and a client frame handle comfortably.
EVENTS_PER_MESSAGE = 200

_lock = threading.Lock()
_queue: queue.SimpleQueue | None = None
_pid: int | None = None
_idle = threading.Event()


def submit(group: str, message: dict) -> None:
    """Queue ``message`` for ``group``. A message of type ``room.events`` with an ``events`` list is
    merged with the ones queued right after it for the same group."""
    _queue_get().put((group, message))


def flush(timeout: float = 5.0) -> bool:
    """Wait until everything submitted so far has been handed to the layer; False on timeout."""
    if _queue is None or _pid != os.getpid():
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _queue.empty() and _idle.is_set():
            return True
        time.sleep(0.005)
    return False


def _queue_get() -> queue.SimpleQueue:
    global _queue, _pid
    if _queue is None or _pid != os.getpid():  # first use, or a forked child (Celery prefork)
        with _lock:
            if _queue is None or _pid != os.getpid():
                _queue, _pid = queue.SimpleQueue(), os.getpid()
                _idle.set()
                threading.Thread(target=_run, args=(_queue,), name="platform-fanout", daemon=True).start()
    return _queue


def _run(items: queue.SimpleQueue) -> None:
    loop = asyncio.new_event_loop()
    while True:
        first = items.get()
        _idle.clear()
        batch = [first]
        while True:
            try:
                batch.append(items.get_nowait())
            except queue.Empty:
                break
        layer = get_channel_layer()
        for group, message in _merge(batch):
            try:
                loop.run_until_complete(layer.group_send(group, message))
            except Exception:
                log.exception("sending %s to %s failed", message.get("type"), group)
        if items.empty():
            _idle.set()


def _merge(batch: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """Consecutive event messages of one group become one message (order kept within each group).
    Each names its group: a process's room hub (``monitoring.live.hub``) gets all its groups on one channel."""
    merged: list[tuple[str, dict]] = []
    open_for: dict[str, dict] = {}
    for group, message in batch:
        if message.get("type") != "room.events":
            merged.append((group, message))
            open_for.pop(group, None)
            continue
        current = open_for.get(group)
        if current is not None and len(current["events"]) + len(message["events"]) <= EVENTS_PER_MESSAGE:
            current["events"].extend(message["events"])
            continue
        current = {"type": "room.events", "group": group, "events": list(message["events"])}
        merged.append((group, current))
        open_for[group] = current
    return merged


@atexit.register
def _drain_at_exit() -> None:
    flush(timeout=2.0)
