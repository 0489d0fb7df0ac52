"""The Celery app: beat runs each timed sweep (settings.PLATFORM_SWEEPS) every few seconds.

Deadlines live in the database and the sweeps are idempotent, so a sweep that runs twice or late
does no harm; no task is scheduled with a long ETA (Redis would deliver it again after the
visibility timeout).
"""
import os

from celery import Celery
from celery.signals import beat_init, celeryd_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule_sweeps(sender, **kwargs):
    from django.conf import settings

    for path in settings.PLATFORM_SWEEPS:
        sender.add_periodic_task(
            settings.PLATFORM_SWEEP_INTERVAL, run_sweep.s(path), name=f"sweep {path}", expires=settings.PLATFORM_SWEEP_INTERVAL * 2
        )


@celeryd_init.connect
@beat_init.connect
def _secrets_required(**kwargs):
    """``celery worker`` and ``celery beat`` stop before their first task without the secrets services
    mode needs. SystemExit, as the signal swallows an Exception; the tests' in-process worker sends no
    such signal."""
    from monitoring.startup import secrets_problem

    problem = secrets_problem()
    if problem:
        raise SystemExit(problem)


@app.task(name="platform.run_sweep", ignore_result=False)
def run_sweep(path: str):
    from monitoring.sweeps import run_one

    return run_one(path)
