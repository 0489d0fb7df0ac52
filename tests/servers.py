"""Real server processes (``manage.py runplatform``) serving the test database, for tests that need
websockets. Services mode: the session's PostgreSQL database, Redis and S3 store; no sweeps (the
tests run them)."""
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
    """This process's environment pointed at the session's test database, Redis and S3 store, with
    its secret and signing keys, so that what the test writes the servers serve."""
    database = connection.settings_dict
    assert database["ENGINE"].endswith("postgresql"), "server processes share the test database: PostgreSQL only"
    return {
        **os.environ, "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
                        f"/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL, "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "PLATFORM_BANK_HMAC_SECRET": settings.PLATFORM_BANK_HMAC_SECRET or "test-bank-secret",
        "PLATFORM_VAR_DIR": str(settings.VAR_DIR), "PLATFORM_SIGNING_KEY_FILE": str(settings.PLATFORM_SIGNING_KEY_FILE),
        "S3_ENDPOINT_URL": settings.S3_ENDPOINT_URL or "",
        "S3_PUBLIC_ENDPOINT_URL": settings.S3_PUBLIC_ENDPOINT_URL or "",
        "S3_ACCESS_KEY": settings.S3_ACCESS_KEY or "", "S3_SECRET_KEY": settings.S3_SECRET_KEY or "",
        "S3_BUCKET": settings.S3_BUCKET, "S3_VERIFY_TLS": "true" if settings.S3_VERIFY_TLS else "false",
        "PLATFORM_INPROCESS_SWEEPS": "false",  # the tests run the sweeps
    }


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
def servers_running(servers: list):
    """``servers`` (started processes) once each answers; stopped at the end, whatever happened."""
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


@contextlib.contextmanager
def platform_servers(count: int, log_dir: Path):
    with servers_running([Server(log_dir / f"server{i}.log") for i in range(count)]) as servers:
        yield servers
