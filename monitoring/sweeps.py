"""Running the timed sweeps: one at a time by name, or all of them in a loop in a thread.

The thread is the embedded mode's stand-in for Celery beat + worker; in services mode beat sends
``platform.run_sweep`` for each sweep instead and the thread does not start.
"""
import logging
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def run_one(path: str):
    if path not in settings.PLATFORM_SWEEPS:
        raise ValueError(f"not a registered sweep: {path}")
    close_old_connections()
    try:
        return import_string(path)()
    finally:
        close_old_connections()


def run_all():
    results = {}
    for path in settings.PLATFORM_SWEEPS:
        try:
            results[path] = run_one(path)
        except Exception:  # one failing sweep must not stop the others; it is retried next round
            log.exception("sweep %s failed", path)
    return results


def start_thread(stop: threading.Event) -> threading.Thread:
    def loop():
        while not stop.wait(settings.PLATFORM_SWEEP_INTERVAL):
            run_all()

    thread = threading.Thread(target=loop, name="platform-sweeps", daemon=True)
    thread.start()
    return thread
