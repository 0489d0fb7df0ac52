"""The S3 endpoint of the test session (moto_server over HTTPS on a free loopback port).

moto_server runs with its SSL option because the SDK sends Content-MD5, which object-lock uploads
need, only over HTTPS (NOTES, Object storage). Its certificate is self-signed, so clients skip checks.
"""
import importlib.metadata
import socket
import subprocess
import sys
import time

import pytest
import urllib3

_STARTUP_SECONDS = 30
_started: dict[str, str] = {}


def pytest_configure(config):
    # Only the test server's self-signed certificate triggers it, once per request.
    config.addinivalue_line("filterwarnings", "ignore::urllib3.exceptions.InsecureRequestWarning")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    http = urllib3.PoolManager(cert_reqs="CERT_NONE", retries=False, timeout=1.0)
    try:
        http.request("GET", url)
    except urllib3.exceptions.HTTPError:
        return False
    finally:
        http.clear()
    return True


def _start(log_path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    url = f"https://127.0.0.1:{port}"
    with open(log_path, "ab") as log:
        # The log file, not a pipe: moto logs every request, and an unread pipe would fill and stall it.
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "--ssl", "--host", "127.0.0.1", "--port", str(port)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + _STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return process, ""  # most likely the port was taken between probing and binding
        if _answers(url):
            return process, url
        time.sleep(0.1)
    _stop(process)
    return process, ""


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """The base URL (``https://127.0.0.1:PORT``) of a moto_server that lives for the session."""
    log_path = tmp_path_factory.mktemp("moto") / "moto_server.log"
    for _attempt in range(3):
        process, url = _start(log_path)
        if url:
            break
    else:
        raise RuntimeError(f"moto_server did not start; its log:\n{log_path.read_text(errors='replace')[-4000:]}")
    _started["url"] = url
    try:
        yield url
    finally:
        _stop(process)


@pytest.fixture(scope="session", autouse=True)
def s3_settings(request):
    """Point the whole session's object storage at the moto server."""
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from trading.storage import reset_storage

    s3_server = request.getfixturevalue("s3_server")

    values = {
        "S3_ENDPOINT_URL": s3_server,
        "S3_PUBLIC_ENDPOINT_URL": s3_server,
        "S3_ACCESS_KEY": "testing",
        "S3_SECRET_KEY": "testing",
        "S3_BUCKET": "platform-test",
        "S3_VERIFY_TLS": False,
    }
    missing = object()
    saved = {name: getattr(settings, name, missing) for name in values}
    for name, value in values.items():
        setattr(settings, name, value)
    reset_storage()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                delattr(settings, name)
            else:
                setattr(settings, name, value)
        reset_storage()


def s3_summary() -> str:
    """One line for the terminal summary: which S3 server the session used and how much it wrote."""
    if "url" not in _started:
        return "S3: moto_server not started"
    from trading.storage.s3 import S3Storage

    version = importlib.metadata.version("moto")
    return f"S3: moto_server {version} at {_started['url']} (TLS), {S3Storage.objects_written} objects written"
