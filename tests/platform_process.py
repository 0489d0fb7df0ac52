"""Start `make run` as a person would, wait until it serves, and stop it with its whole process group."""
import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from django.conf import settings

SERVICE_VARIABLES = {"DATABASE_URL", "REDIS_URL", "S3_ENDPOINT_URL", "DJANGO_SETTINGS_MODULE"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def make_run(var_dir: Path, **variables):
    """`make run` with only the given service variables set (none: the embedded mode).

    Yields the base URL; the console output is in ``var_dir / "run.log"``.
    """
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    environment.update(variables, PLATFORM_VAR_DIR=str(var_dir))
    log_path = var_dir / "run.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(["make", "run", f"PORT={port}"], cwd=settings.BASE_DIR, env=environment,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 240
            while True:
                try:
                    urllib.request.urlopen(url + "/", timeout=2)
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError("make run did not serve the platform:\n" + log_path.read_text()[-4000:])
                    time.sleep(0.5)
            yield url
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
