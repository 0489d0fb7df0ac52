"""The only clock: server time, aware UTC. Tests freeze it with time-machine; the demo plays its
past with ``played_from``."""
import contextlib
import time
from datetime import datetime, timedelta

from django.utils import timezone


def now():
    return timezone.now()


class PastClock:
    """The clock of ``played_from``: it runs from a moment in the past at the real pace and jumps
    forward with ``travel``, never back."""

    def __init__(self, start: datetime):
        self._base, self._since = start, time.monotonic()

    def now(self) -> datetime:
        return self._base + timedelta(seconds=time.monotonic() - self._since)

    def travel(self, at: datetime) -> None:
        if at < self.now():
            raise ValueError("the past is played forward only")
        self._base, self._since = at, time.monotonic()


@contextlib.contextmanager
def played_from(start: datetime):
    """Play a history through the real services as if it happened from ``start`` on (the demo's
    awarded lot: its deadlines must have passed under the rule table). Django's ``timezone.now`` is
    what moves, since auto_now fields and the audit chain read it beside ``now`` above; so this is
    for a management command's single thread only, never while a server serves requests."""
    clock = PastClock(start)
    real = timezone.now
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = real
