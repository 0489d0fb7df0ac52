"""The publishers of the fan-out benchmark (``bench_fanout.py``): events from the platform's domain layer at
a steady rate, and the floor, a minimal ``websockets`` broadcast server fed the same way."""
import array
import json
import subprocess
import sys
import time

from fanout_clients import cpu_self


FLOOR_SERVER = r'''
import asyncio, sys
from websockets.asyncio.server import broadcast, serve

observers = set()

async def handler(websocket):
    if websocket.request.path.startswith("/publish"):
        async for message in websocket:
            broadcast(observers, message)
        return
    await websocket.send('{"type": "welcome", "room": "floor", "head": 0, "me": {}}')
    await websocket.send('{"type": "synced", "head": 0}')
    observers.add(websocket)
    try:
        async for message in websocket:  # heartbeat: answered, nothing to fill
            await websocket.send('{"type": "synced", "head": 0}')
    finally:
        observers.discard(websocket)

async def main():
    async with serve(handler, "127.0.0.1", int(sys.argv[1]), compression=None, max_size=None) as server:
        await server.serve_forever()

asyncio.run(main())
'''


def _schedule(rate: float, duration: float):
    """(i, lateness) at start + i/rate for every i, sleeping on absolute times."""
    count = int(round(rate * duration))
    start = time.time() + 0.5
    for i in range(count):
        delay = start + i / rate - time.time()
        if delay > 0:
            time.sleep(delay)
        yield i, max(0.0, -delay), count


def publisher_platform(pipe, lot_id: int, rate: float, duration: float) -> None:
    """The domain layer: record() in a transaction (broadcast after commit), on an absolute schedule."""
    import resource

    import django

    django.setup()
    from django.db import connection, transaction

    from monitoring import events

    connection.ensure_connection()
    seqs, costs, late = [], array.array("d"), 0.0
    cpu_before = cpu_self(resource)
    for i, lateness, count in _schedule(rate, duration):
        late = max(late, lateness)
        sent = time.time()
        with transaction.atomic():
            entry = events.record(kind="bench.tick", actor="system:bench", subject=f"lot:{lot_id}",
                                  data={"sent_us": int(sent * 1e6), "n": i})
        costs.append(time.time() - sent)
        seqs.append(entry.subject_seq)
        if (i + 1) % int(max(1, rate * 30)) == 0:
            pipe.send(("progress", i + 1, count))
    flushed = True
    try:  # record() hands the broadcast to a thread of its own (monitoring.fanout): let it finish
        from monitoring import fanout
    except ImportError:
        pass
    else:
        flushed = fanout.flush(timeout=30)
    pipe.send(("done", {"seqs": seqs, "costs": costs.tobytes(), "late_max": late, "flushed": flushed,
                        "cpu_seconds": cpu_self(resource) - cpu_before}))


def publisher_floor(pipe, port: int, rate: float, duration: float) -> None:
    """The floor's publisher: one websocket connection sending the ticks the server broadcasts."""
    import resource

    from websockets.sync.client import connect

    seqs, costs, late = [], array.array("d"), 0.0
    cpu_before = cpu_self(resource)
    with connect(f"ws://127.0.0.1:{port}/publish", compression=None, proxy=None) as websocket:
        for i, lateness, count in _schedule(rate, duration):
            late = max(late, lateness)
            sent = time.time()
            websocket.send(json.dumps({"type": "events", "replay": False, "events": [
                {"seq": i + 1, "kind": "bench.tick", "data": {"sent_us": int(sent * 1e6), "n": i}}]}))
            costs.append(time.time() - sent)
            seqs.append(i + 1)
            if (i + 1) % int(max(1, rate * 30)) == 0:
                pipe.send(("progress", i + 1, count))
    pipe.send(("done", {"seqs": seqs, "costs": costs.tobytes(), "late_max": late,
                        "cpu_seconds": cpu_self(resource) - cpu_before}))


def floor_start(port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", FLOOR_SERVER, str(port)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
