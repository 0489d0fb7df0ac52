"""Probing the platform's own parts: does each answer, within a short timeout?

Each probe opens its own short-lived connection from the settings, so a probe neither waits on a
pool the platform's requests use nor hides a failure behind one they still hold: a database that
accepts no new connection, a Redis or an S3 endpoint that does not answer, each fails its probe.
A probe returns None when the part answered, else the error in one line. I/O only; what the answers
mean is ``trading.services.availability``'s.
"""
from urllib.parse import urlsplit

import redis
import urllib3
from django.conf import settings
from django.db.utils import ConnectionHandler
from minio import Minio

from trading.models import Part

ERROR_MAX = 500


def probe_timeout() -> float:
    """Seconds each probe may take (``PLATFORM_AVAILABILITY_TIMEOUT``); the sweep runs every few seconds."""
    return settings.PLATFORM_AVAILABILITY_TIMEOUT


def _error(exc: BaseException) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text[:ERROR_MAX]


def database_probe() -> str | None:
    """A fresh connection to the default database answers ``SELECT 1``."""
    target = dict(settings.DATABASES["default"])
    # One plain connection, not a pool of its own each round.
    options = {name: value for name, value in target.get("OPTIONS", {}).items() if name != "pool"}
    if "postgresql" in target.get("ENGINE", ""):
        options["connect_timeout"] = max(1, round(probe_timeout()))
    target["OPTIONS"] = options
    handler = ConnectionHandler({"default": target})
    connection = handler["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # whatever the driver raises is the part's failure
        return _error(exc)
    finally:
        connection.close()
    return None


def redis_probe() -> str | None:
    """Redis answers PING (only where ``REDIS_URL`` is configured)."""
    timeout = probe_timeout()
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        client.ping()
    except Exception as exc:  # connection refused, timeout, authentication: the part's failure
        return _error(exc)
    finally:
        client.close()
    return None


def _s3_probe() -> str | None:
    parts = urlsplit(settings.S3_ENDPOINT_URL)
    timeout = probe_timeout()
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=timeout, read=timeout), retries=False,
                               cert_reqs="CERT_REQUIRED" if settings.S3_VERIFY_TLS else "CERT_NONE")
    client = Minio(parts.netloc, access_key=settings.S3_ACCESS_KEY, secret_key=settings.S3_SECRET_KEY,
                   secure=parts.scheme == "https", region=settings.S3_REGION, http_client=http)
    try:
        # Any answer about the bucket (there or not yet made) is the store answering.
        client.bucket_exists(settings.S3_BUCKET)
    except Exception as exc:  # refused, timed out, refused credentials
        return _error(exc)
    finally:
        http.clear()
    return None


def _local_probe() -> str | None:
    root = settings.PLATFORM_STORAGE_DIR
    try:
        root.mkdir(parents=True, exist_ok=True)
        with open(root / ".probe", "w") as probe:
            probe.write("ok")
    except OSError as exc:
        return _error(exc)
    return None


def storage_probe() -> str | None:
    """The object store answers: the S3 endpoint about the bucket, or the local directory takes a write."""
    return _s3_probe() if settings.S3_ENDPOINT_URL else _local_probe()


PROBES = {Part.DATABASE: database_probe, Part.REDIS: redis_probe, Part.STORAGE: storage_probe}


def parts_configured() -> list[str]:
    """The parts this installation has to probe: Redis only where it is configured."""
    return [part for part in PROBES if part != Part.REDIS or settings.REDIS_URL]
