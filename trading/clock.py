"""The only clock: server time, aware UTC. Tests freeze it with time-machine."""
from django.utils import timezone


def now():
    return timezone.now()
