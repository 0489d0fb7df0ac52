"""Start `make run` as a person would, wait until it serves, and stop it with its whole process group."""
import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
from django.conf import settings

from tests.browsing import DEVICE_FIELDS, current_code

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


@contextlib.contextmanager
def scratch_database(prefix: str = "platform_run"):
    """A database of its own for a server under test, on the tests' server as the tests' role,
    dropped afterwards. Yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    server = settings.DATABASES["default"]
    login = dict(host=server["HOST"], port=server["PORT"] or 5432, user=server["USER"], password=server["PASSWORD"])
    admin = dict(login, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{login['user']}:{login['password']}@{login['host']}:{login['port']}/{name}"
    finally:
        with psycopg.connect(**admin) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def authenticator_code(database: str, username: str) -> str:
    """The current code of ``username``'s authenticator, read from the platform's database as the
    person's phone would compute it."""
    with psycopg.connect(database.replace("postgres://", "postgresql://")) as connection:
        row = connection.execute(
            f"SELECT {', '.join('d.' + field for field in DEVICE_FIELDS)} FROM otp_totp_totpdevice d"
            " JOIN trading_user u ON u.id = d.user_id WHERE u.username = %s AND d.confirmed", [username]).fetchone()
    return current_code(dict(zip(DEVICE_FIELDS, row)))
