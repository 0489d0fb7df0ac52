"""Does the channel layer itself deliver every message? Rooms would hide a loss (they fill gaps from
the database), so this test counts what arrived live: 100 members of one room on two server
processes, 300 events from a third process in bursts, for each layer the settings offer. The
versions pinned in pyproject.toml are the ones this passes with (README: channel layer)."""
import subprocess
import sys

import pytest
from django.conf import settings

from monitoring.live.tests.test_rooms import cookie_of
from monitoring.selectors import subject_head
from tests.roomclient import RoomClient
from tests.servers import platform_servers, server_environment

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MEMBERS, BURSTS, PER_BURST = 100, 30, 10

PUBLISHER = """
import time, django
django.setup()
from django.db import transaction
from monitoring import fanout
from monitoring.events import record
subject, bursts, per_burst = "{subject}", {bursts}, {per_burst}
for burst in range(bursts):
    with transaction.atomic():
        for n in range(per_burst):
            record(kind="bench.tick", actor="system:test", subject=subject, data={{"burst": burst, "n": n}})
    time.sleep(0.02)
assert fanout.flush(timeout=30)
"""


@pytest.mark.parametrize("layer", ["pubsub", "core"])
def test_the_layer_delivers_every_event_live_to_every_member(layer, make_lot, regulator, tmp_path, monkeypatch):
    lot = make_lot("construction")
    subject, path = f"lot:{lot.pk}", f"/ws/rooms/opening/{lot.pk}/"
    monkeypatch.setenv("PLATFORM_CHANNEL_LAYER", layer)
    cookie = cookie_of(regulator).decode()
    with platform_servers(2, tmp_path) as servers:
        head = subject_head(subject)
        clients = [RoomClient([servers[i % 2].url], path, cookie) for i in range(MEMBERS)]
        try:
            for client in clients:
                client.wait_for(lambda c: c.connections and c.last == head)
            script = PUBLISHER.format(subject=subject, bursts=BURSTS, per_burst=PER_BURST)
            done = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=server_environment(),
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr[-3000:]
            final = head + BURSTS * PER_BURST
            for client in clients:
                client.wait_for(lambda c: c.last == final, timeout=60)
            filled = sum(len([s for s in c.replayed if s > head]) for c in clients)
            assert [e["seq"] for e in clients[0].events] == list(range(1, final + 1))
            assert all(client.gaps == 0 for client in clients)
            assert filled == 0, f"{layer}: the layer lost {filled} of {MEMBERS * BURSTS * PER_BURST} deliveries"
        finally:
            for client in clients:
                client.close()
