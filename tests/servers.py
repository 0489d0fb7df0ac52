"""Real daphne processes (``manage.py runplatform``) serving the test database, for tests that need
websockets across processes. Services mode: the test PostgreSQL database and Redis; no sweeps
(the tests run them)."""
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.platform_process import free_port


def server_environment() -> dict:
    database = settings.DATABASES["default"]
    url = (f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
           f"/{database['NAME']}")
    assert connection.vendor == "postgresql", "server processes share the test database: PostgreSQL only"
    environment = dict(os.environ, DATABASE_URL=url, REDIS_URL=settings.REDIS_URL, PLATFORM_INPROCESS_SWEEPS="0",
                       PYTHONUNBUFFERED="1")
    environment.pop("S3_ENDPOINT_URL", None)
    return environment


class Server:
    def __init__(self, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "runplatform", "--port", str(self.port)], cwd=settings.BASE_DIR,
                env=server_environment(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2)
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"server did not start:\n{self.log_path.read_text()[-3000:]}")
                time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL the whole process group: a crash, not a shutdown."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def platform_servers(count: int, log_dir: Path):
    servers = [Server(log_dir / f"server{i}.log") for i in range(count)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()
