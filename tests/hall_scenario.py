"""One platform clock for a test and its server processes, so that an opening's windows can end on
every process at once without waiting for them (tests/test_hall_two_servers.py).

time-machine moves the clock of the process it runs in only. The test moves its own (the
``time_machine`` fixture) through ``SharedClock.move_to``, which also writes the new distance from
the real time to a file; each server started by ``clocked_servers`` (``manage.py runplatform``, as
``tests.servers`` starts it) runs under time-machine too, follows that file and acknowledges each
move, and ``move_to`` returns only once every server has. Every time a server writes (a check-in, a
released part, a confirmation) then falls where it would in a real opening, after the deadline,
inside the window, after the record. Run as ``python -m tests.hall_scenario CLOCK_FILE PORT``, this
module is such a server.
"""
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from django.conf import settings
from django.core.management import execute_from_command_line

from tests.platform_process import free_port
from tests.servers import Server, server_environment, servers_running

FOLLOW_INTERVAL = 0.02  # s between a server's reads of the clock file
MOVE_TIMEOUT = 30  # s for every server to follow a move (they check 50 times a second)


def real_now() -> datetime:
    """The machine's time, whether this process is travelling or not."""
    escape = time_machine.escape_hatch
    return datetime.fromtimestamp(escape.time.time() if escape.is_travelling() else time.time(), tz=UTC)


def _travel_to(coordinates, at: datetime) -> None:
    """Move a ticking clock to ``at``. time-machine starts the ticking at the first reading after a
    move, not at the move: read it at once, or a process that reads it only later falls behind."""
    coordinates.move_to(at, tick=True)
    time.time()


def _write(path: Path, value: dict) -> None:
    """Replace ``path`` at once: a reader sees the old content or the new, never half of it."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(value), encoding="utf-8")
    os.replace(partial, path)


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _acknowledgement(clock_path: Path, port: int) -> Path:
    return clock_path.with_name(f"{clock_path.stem}-{port}.json")


class SharedClock:
    """The test's clock (``traveller``: the ``time_machine`` fixture), ticking from the real time
    on, and the file the servers follow it by."""

    def __init__(self, directory: Path, traveller):
        self.path = directory / "clock.json"
        self.generation = 0
        self.ports: list[int] = []
        self._traveller = traveller
        _write(self.path, {"generation": 0, "offset": 0.0})
        _travel_to(traveller, real_now())

    def move_to(self, at: datetime) -> datetime:
        """Every process's clock to ``at`` (ticking on from there); returns once all have moved."""
        offset = (at - real_now()).total_seconds()
        self.generation += 1
        _write(self.path, {"generation": self.generation, "offset": offset})
        _travel_to(self._traveller, real_now() + timedelta(seconds=offset))
        deadline = time.monotonic() + MOVE_TIMEOUT
        waiting = set(self.ports)
        while waiting:
            waiting = {port for port in waiting if not self._followed(port)}
            if waiting and time.monotonic() > deadline:
                raise AssertionError(f"the servers on ports {sorted(waiting)} did not follow the clock to {at}")
            time.sleep(FOLLOW_INTERVAL)
        return at

    def _followed(self, port: int) -> bool:
        try:
            return _read(_acknowledgement(self.path, port))["generation"] == self.generation
        except (OSError, ValueError):  # not written yet
            return False


class ClockedServer(Server):
    """A server process (``tests.servers.Server``) whose clock follows ``clock``."""

    def __init__(self, log_path: Path, clock: SharedClock):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.hall_scenario", str(clock.path), str(self.port)],
                cwd=settings.BASE_DIR, env=server_environment(), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)


@contextlib.contextmanager
def clocked_servers(count: int, log_dir: Path, clock: SharedClock):
    servers = [ClockedServer(log_dir / f"server{i}.log", clock) for i in range(count)]
    clock.ports.extend(server.port for server in servers)
    with servers_running(servers):
        yield servers


def _follow(clock_path: Path, port: int, coordinates) -> None:
    """A server's side: move this process's clock whenever the file says so, and acknowledge it."""
    seen = None
    while True:
        clock = _read(clock_path)
        if clock["generation"] != seen:
            _travel_to(coordinates, real_now() + timedelta(seconds=clock["offset"]))
            seen = clock["generation"]
            _write(_acknowledgement(clock_path, port), {"generation": seen})
        time.sleep(FOLLOW_INTERVAL)


def serve(clock_path: Path, port: int) -> None:
    """``manage.py runplatform`` on the shared clock: travelling from the start, at the file's time."""
    coordinates = time_machine.travel(real_now(), tick=True).start()
    _travel_to(coordinates, real_now() + timedelta(seconds=_read(clock_path)["offset"]))
    threading.Thread(target=_follow, args=(clock_path, port, coordinates), name="shared-clock", daemon=True).start()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    execute_from_command_line(["manage.py", "runplatform", "--port", str(port)])


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]))
