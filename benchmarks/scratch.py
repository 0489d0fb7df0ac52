"""What every benchmark shares: a scratch PostgreSQL database of its own, and small helpers.

Imported by the bench_*.py scripts, which run with this folder first on sys.path.
"""
from urllib.parse import urlsplit, urlunsplit

import psycopg


def database_url(url: str, name: str) -> str:
    """``url`` (the server named by DATABASE_URL) pointing at database ``name`` instead."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def libpq_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


def database_reset(server_url: str, name: str, *, create: bool) -> None:
    """Drop the scratch database ``name`` (forcing out its sessions) and, with ``create``, make it anew."""
    with psycopg.connect(libpq_url(database_url(server_url, "postgres")), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if create:
            admin.execute(f"CREATE DATABASE {name}")


def uscc(prefix8: str, serial: int) -> str:
    """A valid unified social credit code for made-up organisations."""
    from trading.validators import uscc_check_character

    body = f"{prefix8}MA{serial:07d}"
    return body + uscc_check_character(body)


def progress(text: str) -> None:
    print(text, flush=True)


def custodians_make(*, passphrase: str) -> list:
    """Three custodians with keys (centre staff, a supervisor, a regulator): a lawful 2-of-3 set."""
    from bidding.sealed.services.keys import custodian_key_create
    from trading.services import user_create

    people = [
        user_create(username="bench_custodian_staff", password="bench-password-1", roles=["custodian", "staff"],
                    actor="system:bench"),
        user_create(username="bench_custodian_supervisor", password="bench-password-1",
                    roles=["custodian", "supervisor"], actor="system:bench", resident_id="110105194912310038"),
        user_create(username="bench_custodian_regulator", password="bench-password-1",
                    roles=["custodian", "regulator"], actor="system:bench"),
    ]
    for person in people:
        custodian_key_create(user=person, passphrase=passphrase)
    return people


# --- processes (servers the benchmarks start and stop) -----------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values, fraction: float) -> float:
    """Nearest-rank percentile of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def wait_serving(process, port: int, path: str = "/", *, log_path=None, seconds: float = 90) -> None:
    """Wait until ``process`` answers an HTTP GET of ``path`` on ``port`` (any status will do)."""
    import http.client
    import time

    deadline = time.monotonic() + seconds
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            connection.getresponse().read()
            connection.close()
            return
        except (OSError, http.client.HTTPException):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-4000:] if log_path else ""
                raise SystemExit(f"the server on port {port} did not start:\n{tail}")
            time.sleep(0.3)


def process_stop(process) -> None:
    """SIGTERM the process group of ``process`` (started with ``start_new_session=True``), SIGKILL after 20 s."""
    import os
    import signal
    import subprocess

    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def runplatform_start(port: int, environment: dict, log_path):
    """``manage.py runplatform --port <port>`` (uvicorn) in a process group of its own, output to ``log_path``."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    with open(log_path, "wb") as log:
        return subprocess.Popen([sys.executable, "manage.py", "runplatform", "--port", str(port)], cwd=root,
                                env=environment, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def server_log_problems(path, words=("Traceback", "ERROR", "WARNING")) -> str:
    """How often each of ``words`` appears in a server's log, e.g. "Traceback 3", or ""."""
    text = path.read_text(errors="replace")
    counts = {word: text.count(word) for word in words}
    return ", ".join(f"{k} {v}" for k, v in counts.items() if v)


def redis_url_db(url: str, db: int) -> str:
    """``url`` (a redis:// URL) pointing at database number ``db`` instead."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))
